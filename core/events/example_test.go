package events_test

import (
	"context"
	"fmt"
	"time"

	"github.com/reinhardt-go/auth/core/events"
)

// A subscriber that reads the events it cares about by their type. In a
// service the dispatcher is set on the parts that emit
// (core.PasswordLogin.Events, sessions.SessionAuthentication.Events,
// tokens.TokenRotationManager.Events, …), and sqlstore.AuditLog and
// promevents subscribe to it.
func Example() {
	d := events.New(events.SubscriberFunc(func(_ context.Context, e events.Event) error {
		switch e := e.(type) {
		case *events.LoginFailed:
			fmt.Printf("%s: %q (%s) from %s\n", e.Kind(), e.Username, e.Reason, e.RemoteAddr)
		case *events.LoggedIn:
			fmt.Printf("%s: user %s by %s\n", e.Kind(), e.UserID, e.Method)
		}
		return nil
	}))
	d.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

	ctx := events.WithSource(context.Background(), events.Source{RemoteAddr: "192.0.2.7"})
	d.Emit(ctx, &events.LoginFailed{Username: "alice", Reason: events.ReasonCredentials, Method: events.MethodJWT})
	in := &events.LoggedIn{Method: events.MethodJWT}
	in.UserID = "1"
	d.Emit(ctx, in)
	// Output:
	// user_login_failed: "alice" (credentials) from 192.0.2.7
	// user_logged_in: user 1 by jwt
}
