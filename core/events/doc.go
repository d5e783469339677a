// Package events is the security events of reinhardt-auth: Django's auth
// signals (user_logged_in, user_logged_out, user_login_failed) and the
// other things a security team asks to see — a password changed or
// reset, two-factor authentication turned on or off, a token family
// revoked, a request throttled, a user's sessions and tokens ended by a
// password change or a "log out everywhere" — as typed events that
// application code subscribes to.
//
// # Events
//
// Each event is its own Go type ([LoggedIn], [LoginFailed], …), a pointer
// to which implements [Event]: its [Kind] (the name a log, a metric and the
// audit table use, "user_logged_in" as Django's signal), and its EventMeta, the
// time, the user's id when there is one, the client address and the
// request id. Switch on the type to read an event's own fields.
//
// No event carries a secret: no password, token, one-time code, reset
// link or session key. A failed login carries the username as the client
// typed it, capped at [MaxUsernameRunes] runes (Django's username
// max_length), because that is what a security team needs to see
// credential stuffing; its [FailureReason] says no more than the client
// was told.
//
// # The dispatcher
//
// A [Dispatcher] holds the subscribers and is configured on the parts
// that emit, never in a global: core.PasswordLogin and
// core.BasicAuthentication (failed logins),
// sessions.SessionAuthentication (session login, logout, password
// change), tokens.TokenRotationManager (token login, revoked families,
// logout everywhere), throttle's WithEvents option, the MFA endpoints
// (mfa.MFAAuthentication.Events), passwordreset.ConfirmEndpoint and the
// OAuth2 provider's revocation. A nil *Dispatcher emits nothing, so every
// such field is optional.
//
// Subscribers run synchronously, in the order they were added, in the
// goroutine of the request, as Django's signals do: a subscriber sees the
// event before the response is written. The contract:
//
//   - A subscriber must not keep the request waiting: one that writes to
//     a slow system (a remote log, a SIEM) hands the event to a queue of
//     its own. The context it gets is the request's, with its deadline.
//   - An error a subscriber returns is logged (Dispatcher.Logger) and
//     counted ([Dispatcher.Failures]); it does not change the request's
//     answer. A login is not refused because the audit log is down.
//   - A subscriber that panics is recovered the same way: logged with its
//     stack, counted, and the next subscriber still runs. A panic never
//     turns a login into a 500.
//   - Events are shared between subscribers: a subscriber must not modify
//     one.
//
// sqlstore.AuditLog is a subscriber that keeps the events in the
// database, and the promevents package counts them for Prometheus.
package events
