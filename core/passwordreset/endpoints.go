package passwordreset

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/mail"
	"github.com/reinhardt-go/auth/core/validators"
)

// Users is how the reset endpoints find and change users:
// stores/sqlstore.Store and core.DefaultUserManager implement it.
type Users interface {
	// UsersByEmail returns every user whose e-mail address is email
	// case-insensitively (core.FoldEmail, after the database's
	// email__iexact, as Django's PasswordResetForm.get_users), active or
	// not, whatever their password; none (and no error) for an unknown
	// address. An error means the store failed.
	UsersByEmail(ctx context.Context, email string) ([]core.BaseUser, error)
	// UserByID returns the user whose GetID() is id, or (nil, nil).
	UserByID(ctx context.Context, id string) (core.BaseUser, error)
	// ReplacePasswordHash stores a new encoded password for the user id
	// if the stored one is still old (core.PasswordHashReplacer): of two
	// confirmations of one link, exactly one changes the password.
	ReplacePasswordHash(ctx context.Context, id, old, encoded string) (bool, error)
}

// DefaultPath is the path of reset links before "{uid}/{token}": Django's
// password_reset_confirm URL under /accounts/ (without its trailing
// slash).
const DefaultPath = "/accounts/reset/"

// DefaultFromEmail is the sender when From is empty: Django's
// DEFAULT_FROM_EMAIL default.
const DefaultFromEmail = "webmaster@localhost"

// Messages of the endpoints (DRF's field messages; "Invalid value" is
// dj-rest-auth's for a bad uid or token).
const (
	msgRequired     = "This field is required."
	msgBlank        = "This field may not be blank."
	msgInvalidEmail = "Enter a valid email address."
	msgInvalidValue = "Invalid value"
)

// RequestEndpoint is Django's PasswordResetView as a JSON (or form) API:
// POST {"email"} → 204, whether or not a user has that address, with
// nothing in the response that tells them apart. Each active user whose
// address is email case-insensitively (Users.UsersByEmail; Django's
// get_users) and whose password is usable is mailed a link,
// Origin + Path + "{uid}/{token}", at the address the user has (not the
// one typed, so a look-alike address never receives another's link).
//
// The work is the same for a known and an unknown address: the same
// lookup, then a token and a rendered mail for each user, or for a
// stand-in when there is none, whose mail is not queued. Mail goes
// through Queue, so the response never waits for a mail server; a mail
// the queue refuses is logged (Queue logs it too) and the answer is
// still 204, as an error would tell that the address is known.
//
// Guard, when set, counts every valid request per client address and per
// e-mail address (throttle.NewResetThrottle) and refuses with 429 and
// Retry-After past its rate. A malformed address is 400 with DRF's
// EmailField messages and counts nothing (it mails nobody).
//
// Users, Tokens, Queue and Origin are required. Configure the fields
// before the first request; the endpoint is then safe for concurrent
// use.
type RequestEndpoint struct {
	Users  Users
	Tokens *Generator
	// Queue sends the mail in the background.
	Queue *mail.Queue
	// Origin is the site's scheme and host, "https://example.com", which
	// links start with (Django's protocol://domain). It is configured,
	// never taken from the request's Host header, which a client chooses
	// (password-reset poisoning).
	Origin string
	// Path comes between the origin and "{uid}/{token}"; default
	// DefaultPath.
	Path string
	// From is the sender; default DefaultFromEmail.
	From string
	// SiteName names the site in the mail; default the origin's host.
	SiteName string
	// Templates make the mail; nil means DefaultTemplates().
	Templates *Templates
	// Guard throttles requests per client address and per e-mail address;
	// nil: none.
	Guard core.LoginGuard
	// Logger receives a record for each mail not queued; nil means
	// slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes caps the body; 0 means core.DefaultMaxBodyBytes.
	MaxBodyBytes int64

	once      sync.Once
	templates *Templates
	origin    *url.URL
	configErr error
}

type resetRequest struct {
	Email *string `json:"email"`
}

func (e *RequestEndpoint) init() error {
	e.once.Do(func() {
		switch {
		case e.Users == nil || e.Tokens == nil || e.Queue == nil:
			e.configErr = errors.New("passwordreset: RequestEndpoint needs Users, Tokens and Queue")
			return
		}
		u, err := url.Parse(e.Origin)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			e.configErr = fmt.Errorf("passwordreset: Origin %q is not a scheme and host such as https://example.com", e.Origin)
			return
		}
		u.Path = ""
		e.origin = u
		e.templates = e.Templates
		if e.templates == nil {
			e.templates = DefaultTemplates()
		}
	})
	return e.configErr
}

// Serve implements core.Endpoint.
func (e *RequestEndpoint) Serve(w core.Response, r core.Request) error {
	if err := e.init(); err != nil {
		return err
	}
	var in resetRequest
	if err := core.DecodeBody(r, e.MaxBodyBytes, &in); err != nil {
		return err
	}
	email, msg := cleanEmail(in.Email)
	if msg != "" {
		return core.ValidationError{"email": {msg}}
	}
	if e.Guard != nil {
		// Every request counts; none is ever taken back.
		if _, err := e.Guard.Begin(r, email); err != nil {
			return err
		}
	}
	ctx := r.Context()
	users, err := e.Users.UsersByEmail(ctx, email)
	if err != nil {
		return err
	}
	sent := false
	for _, u := range users {
		to, ok := recipient(u)
		if !ok {
			continue
		}
		sent = true
		m, err := e.message(u, to)
		if err != nil {
			return err
		}
		if err := e.Queue.Enqueue(m); err != nil {
			e.logger().LogAttrs(ctx, slog.LevelError, "passwordreset: reset mail not queued",
				slog.String("user_id", u.GetID()), slog.String("error", err.Error()))
		}
	}
	if !sent {
		// The same work for nobody: a token and a mail for a stand-in,
		// validated as Enqueue validates it, then dropped.
		m, err := e.message(&core.DefaultUser{Username: email, Email: email, Password: "!"}, email)
		if err != nil {
			return err
		}
		_ = m.Validate()
	}
	return w.Write(http.StatusNoContent, nil)
}

// cleanEmail is DRF's EmailField: required, not blank once trimmed, at
// most 254 characters, an address Django's EmailValidator accepts. It
// returns the trimmed address or the message.
func cleanEmail(p *string) (string, string) {
	if p == nil {
		return "", msgRequired
	}
	email := strings.TrimSpace(*p)
	switch {
	case email == "":
		return "", msgBlank
	case utf8.RuneCountInString(email) > core.MaxEmailLength:
		return "", "Ensure this field has no more than " + strconv.Itoa(core.MaxEmailLength) + " characters."
	case !core.ValidEmail(email):
		return "", msgInvalidEmail
	}
	return email, ""
}

// recipient is the address to mail u's link to: the user's own, when u is
// active, has a usable password and an address (Django's get_users).
func recipient(u core.BaseUser) (string, bool) {
	eu, ok := u.(EmailUser)
	if !ok || !u.IsActive() || !core.HasUsablePassword(u) || eu.GetEmail() == "" {
		return "", false
	}
	return eu.GetEmail(), true
}

// message renders u's reset mail to the address to.
func (e *RequestEndpoint) message(u core.BaseUser, to string) (*mail.Message, error) {
	uid, token := EncodeUID(u.GetID()), e.Tokens.MakeToken(u)
	path := e.Path
	if path == "" {
		path = DefaultPath
	}
	site := e.SiteName
	if site == "" {
		site = e.origin.Host
	}
	from := e.From
	if from == "" {
		from = DefaultFromEmail
	}
	return e.templates.Message(from, &MailData{
		Email: to, Username: u.GetUsername(), SiteName: site,
		Protocol: e.origin.Scheme, Domain: e.origin.Host,
		UID: uid, Token: token,
		Link: e.origin.String() + path + uid + "/" + token,
	})
}

func (e *RequestEndpoint) logger() *slog.Logger {
	if e.Logger != nil {
		return e.Logger
	}
	return slog.Default()
}

// ConfirmEndpoint is Django's PasswordResetConfirmView as a JSON (or
// form) API: POST {"uid","token","new_password"} → 204 once the password
// is set. Refusals are 400 with field errors, checked in this order, and
// change nothing: a missing or blank field; "uid" when it names no user
// (malformed, unknown, or an inactive user); "token" when the token is
// not one Tokens made for that user in the last Tokens.Timeout (malformed,
// expired, or used: a token dies when the password changes); then
// "new_password" with the validators' messages (Django's), judged with
// the user's attributes. A good token stays usable after a refused
// attempt.
//
// On success PasswordChanged runs first, then the new hash is stored, so
// that a failure leaves the old password with the user's sessions and
// tokens already ended (fail closed), never a new password beside live
// old tokens.
//
// Users and Tokens are required.
type ConfirmEndpoint struct {
	Users  Users
	Tokens *Generator
	// Validators judge the new password; nil means
	// validators.DefaultValidators().
	Validators []validators.Validator
	// PasswordChanged ends the user's sessions and refresh tokens, as
	// sessions.LoginHooks.PasswordChanged does after a password change
	// (tokens.TokenRotationManager.LogoutAll); nil: nothing more than the
	// new password hash, which ends the sessions whose auth hash it was.
	PasswordChanged func(ctx context.Context, u core.BaseUser) error
	// Events receives an events.PasswordReset for every password set
	// through a link; nil: none. The events PasswordChanged emits
	// (events.SessionsEnded) get events.KindPasswordReset as their cause.
	Events *events.Dispatcher
	// MaxBodyBytes caps the body; 0 means core.DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

type resetConfirm struct {
	UID         *string `json:"uid"`
	Token       *string `json:"token"`
	NewPassword *string `json:"new_password"`
}

// Serve implements core.Endpoint.
func (e *ConfirmEndpoint) Serve(w core.Response, r core.Request) error {
	if e.Users == nil || e.Tokens == nil {
		return errors.New("passwordreset: ConfirmEndpoint needs Users and Tokens")
	}
	var in resetConfirm
	if err := core.DecodeBody(r, e.MaxBodyBytes, &in); err != nil {
		return err
	}
	var verr core.FieldErrors // DRF's order: the serializer's fields
	for _, f := range []struct {
		name string
		v    *string
	}{{"uid", in.UID}, {"token", in.Token}, {"new_password", in.NewPassword}} {
		switch {
		case f.v == nil:
			verr.Add(f.name, msgRequired)
		case *f.v == "":
			verr.Add(f.name, msgBlank)
		case len(*f.v) > core.MaxPasswordBytes:
			verr.Add(f.name, "Ensure this field has no more than "+strconv.Itoa(core.MaxPasswordBytes)+" characters.")
		}
	}
	if err := verr.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	u, err := e.user(ctx, *in.UID)
	if err != nil {
		return err
	}
	if u == nil {
		return core.ValidationError{"uid": {msgInvalidValue}}
	}
	if !e.Tokens.CheckToken(u, *in.Token) {
		return core.ValidationError{"token": {msgInvalidValue}}
	}
	vs := e.Validators
	if vs == nil {
		vs = validators.DefaultValidators()
	}
	var ve *validators.ValidationError
	if err := validators.Validate(*in.NewPassword, validators.AttributesOf(u), vs...); errors.As(err, &ve) {
		return core.ValidationError{"new_password": ve.Messages()}
	} else if err != nil {
		return err
	}
	old := u.PasswordHash()
	if err := core.SetPassword(ctx, u, *in.NewPassword); err != nil {
		return err
	}
	// Before the password is stored, so that a failure here leaves the
	// old password with the user logged out, never a new password beside
	// live old tokens.
	if e.PasswordChanged != nil {
		if err := e.PasswordChanged(events.WithCause(core.EventContext(r), events.KindPasswordReset), u); err != nil {
			return err
		}
	}
	// Only if the password is still the one the token was checked
	// against: a link confirmed twice at once changes it once.
	replaced, err := e.Users.ReplacePasswordHash(ctx, u.GetID(), old, u.PasswordHash())
	if err != nil {
		return err
	}
	if !replaced {
		return core.ValidationError{"token": {msgInvalidValue}}
	}
	ev := &events.PasswordReset{}
	ev.UserID = u.GetID()
	e.Events.Emit(core.EventContext(r), ev)
	return w.Write(http.StatusNoContent, nil)
}

// ValidLink reports whether uid and token make a good reset link: uid
// names an active user and token is one Tokens made for that user, not
// expired and not used (the checks Serve makes before it looks at the new
// password). It changes nothing. Django's PasswordResetConfirmView makes
// it before it shows the form, so that a dead link says so at once; an
// error means the store failed.
func (e *ConfirmEndpoint) ValidLink(ctx context.Context, uid, token string) (bool, error) {
	if e.Users == nil || e.Tokens == nil {
		return false, errors.New("passwordreset: ConfirmEndpoint needs Users and Tokens")
	}
	if uid == "" || token == "" || len(token) > core.MaxPasswordBytes {
		return false, nil
	}
	u, err := e.user(ctx, uid)
	if err != nil || u == nil {
		return false, err
	}
	return e.Tokens.CheckToken(u, token), nil
}

// user is the active user uid names, or nil.
func (e *ConfirmEndpoint) user(ctx context.Context, uid string) (core.BaseUser, error) {
	pk, err := DecodeUID(uid)
	if err != nil {
		return nil, nil
	}
	u, err := e.Users.UserByID(ctx, pk)
	if err != nil || u == nil || !u.IsActive() {
		return nil, err
	}
	return u, nil
}

var (
	_ core.Endpoint = (*RequestEndpoint)(nil)
	_ core.Endpoint = (*ConfirmEndpoint)(nil)
)
