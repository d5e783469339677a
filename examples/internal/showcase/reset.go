package showcase

import (
	"context"
	"fmt"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/mail"
	"github.com/reinhardt-go/auth/core/passwordreset"
	"github.com/reinhardt-go/auth/core/throttle"
)

// ResetFrom is the sender of the showcase's password-reset mail.
const ResetFrom = "reinhardt-auth showcase <noreply@localhost>"

// mailCloseTimeout bounds how long Close waits for queued mail to go out.
const mailCloseTimeout = 10 * time.Second

// openPasswordReset builds the outgoing mail (-smtp: an SMTP server behind
// a queue; none: each mail written to the log, Django's console backend,
// behind the same queue) and the password-reset endpoints: tokens signed
// with -secret as Django's SECRET_KEY, requests throttled by -reset-rate
// per client address and per e-mail address, and a reset that ends every
// session and refresh token of the user as logout-all does.
func (a *App) openPasswordReset() error {
	tokens, err := passwordreset.New(a.Secret)
	if err != nil {
		return err
	}
	guard, err := throttle.NewResetThrottle(a.Config.ResetRate, a.Store.Throttle(), throttle.WithTrustedProxies(a.Config.TrustedProxies), throttle.WithEvents(a.Events))
	if err != nil {
		return fmt.Errorf("-reset-rate: %w", err)
	}
	var m mail.Mailer = &mail.Console{Logger: a.Logger}
	if a.Config.SMTP != "" {
		smtp, err := mail.NewSMTP(a.Config.SMTP)
		if err != nil {
			return fmt.Errorf("-smtp: %w", err)
		}
		m = smtp
	}
	// Made last, so that a failure above leaves no queue workers running.
	q, err := mail.NewQueue(m, mail.WithLogger(a.Logger))
	if err != nil {
		return err
	}
	a.closers = append(a.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), mailCloseTimeout)
		defer cancel()
		return q.Close(ctx)
	})
	a.Mail = q
	a.resetRequest = &passwordreset.RequestEndpoint{Users: a.Store, Tokens: tokens, Queue: q,
		Origin: "http://" + a.Config.Addr, From: ResetFrom, Guard: guard, Logger: a.Logger}
	a.PasswordReset = a.resetRequest
	a.PasswordResetConfirm = &passwordreset.ConfirmEndpoint{Users: a.Store, Tokens: tokens, Events: a.Events,
		PasswordChanged: func(ctx context.Context, u core.BaseUser) error {
			return a.Tokens.LogoutAll(ctx, u.GetID())
		}}
	return nil
}

// SetOrigin sets the origin reset links start with, "http://host:port":
// the address the server listens on, once it is known (-addr may name
// port 0). Call it before serving.
func (a *App) SetOrigin(origin string) {
	if a.resetRequest != nil {
		a.resetRequest.Origin = origin
	}
}
