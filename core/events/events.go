package events

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind names a kind of event. The values are stable: they are the audit
// table's kind column and the Prometheus label, and the first three are
// the names of Django's signals.
type Kind string

// The kinds of events.
const (
	KindLoggedIn           Kind = "user_logged_in"
	KindLoggedOut          Kind = "user_logged_out"
	KindLoginFailed        Kind = "user_login_failed"
	KindPasswordChanged    Kind = "password_changed"
	KindPasswordReset      Kind = "password_reset"
	KindMFAEnabled         Kind = "mfa_enabled"
	KindMFADisabled        Kind = "mfa_disabled"
	KindTokenFamilyRevoked Kind = "token_family_revoked"
	KindThrottled          Kind = "throttled"
	KindSessionsEnded      Kind = "sessions_ended"
	KindOAuth2TokenRevoked Kind = "oauth2_token_revoked"
)

// Kinds returns every kind, in the order of the constants: for a metric
// that starts every series at zero, or a check that covers them all.
func Kinds() []Kind {
	return []Kind{KindLoggedIn, KindLoggedOut, KindLoginFailed, KindPasswordChanged, KindPasswordReset,
		KindMFAEnabled, KindMFADisabled, KindTokenFamilyRevoked, KindThrottled, KindSessionsEnded, KindOAuth2TokenRevoked}
}

// Event is one security event: a pointer to one of the event types of
// this package (the interface cannot be implemented elsewhere, so a type
// switch over the types is complete).
type Event interface {
	// Kind is the event's kind.
	Kind() Kind
	// EventMeta is what every event has: when, whose, from where.
	EventMeta() Meta
	meta() *Meta
}

// Meta is what every event carries. Fields that do not apply are empty.
type Meta struct {
	// At is when the event happened; Dispatcher.Emit sets it when zero.
	At time.Time
	// UserID is the id of the user the event is about ("" when no user
	// is known, as for a failed login with a wrong password).
	UserID string
	// RemoteAddr is the client address: the peer address of the request
	// (no port), or the client address a throttle counted (behind trusted
	// proxies). Dispatcher.Emit takes it from the context (WithSource)
	// when empty.
	RemoteAddr string
	// RequestID is the request's X-Request-Id (see WithSource), "" when it
	// had none.
	RequestID string
}

// EventMeta returns m; with meta, it makes every event type implement
// Event.
func (m *Meta) EventMeta() Meta { return *m }

func (m *Meta) meta() *Meta { return m }

// MaxUsernameRunes is the most of a typed username a LoginFailed or a
// Throttled event keeps: Django's username max_length.
const MaxUsernameRunes = 150

// TypedUsername is a username as a client typed it, made fit for an
// event: invalid UTF-8 replaced with U+FFFD and capped at
// MaxUsernameRunes runes.
func TypedUsername(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= MaxUsernameRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == MaxUsernameRunes {
			return s[:i]
		}
		n++
	}
	return s
}

// Methods of LoggedIn, LoggedOut and LoginFailed.
const (
	MethodSession = "session"
	MethodJWT     = "jwt"
	MethodBasic   = "basic"
)

// LoggedIn is Django's user_logged_in: a login succeeded and a session
// or a token pair was issued.
type LoggedIn struct {
	Meta `json:"-"`
	// Method is how: MethodSession (a session login) or MethodJWT (a
	// token pair from the obtain endpoint).
	Method string `json:"method"`
}

// Kind implements Event.
func (*LoggedIn) Kind() Kind { return KindLoggedIn }

// LoggedOut is Django's user_logged_out: a logged-in session was ended by
// its user.
type LoggedOut struct {
	Meta   `json:"-"`
	Method string `json:"method"`
}

// Kind implements Event.
func (*LoggedOut) Kind() Kind { return KindLoggedOut }

// FailureReason says why a login failed, no more precisely than the
// client was told.
type FailureReason string

// The reasons of a failed login.
const (
	// ReasonCredentials: the username or the password is wrong, or the
	// user is inactive (one answer for the three, as the client gets).
	ReasonCredentials FailureReason = "credentials"
	// ReasonOTP: the password was right and the one-time code was
	// wrong, expired or used (the client is told that much).
	ReasonOTP FailureReason = "otp"
)

// LoginFailed is Django's user_login_failed: a login's credentials were
// refused (a login refused by a throttle before any check is a Throttled
// event instead).
type LoginFailed struct {
	// Meta.UserID is set for ReasonOTP only, when the password told who
	// the user is.
	Meta `json:"-"`
	// Username is the username as typed (TypedUsername): it may be
	// nobody's.
	Username string        `json:"username"`
	Reason   FailureReason `json:"reason"`
	// Method is the login path: MethodSession, MethodJWT or MethodBasic.
	Method string `json:"method"`
}

// Kind implements Event.
func (*LoginFailed) Kind() Kind { return KindLoginFailed }

// PasswordChanged: a user changed their password, giving the old one.
type PasswordChanged struct {
	Meta `json:"-"`
}

// Kind implements Event.
func (*PasswordChanged) Kind() Kind { return KindPasswordChanged }

// PasswordReset: a password was set through a password-reset link.
type PasswordReset struct {
	Meta `json:"-"`
}

// Kind implements Event.
func (*PasswordReset) Kind() Kind { return KindPasswordReset }

// MFAEnabled: a user confirmed a two-factor enrollment; logins now ask
// for a one-time code.
type MFAEnabled struct {
	Meta `json:"-"`
}

// Kind implements Event.
func (*MFAEnabled) Kind() Kind { return KindMFAEnabled }

// MFADisabled: a user turned two-factor authentication off.
type MFADisabled struct {
	Meta `json:"-"`
}

// Kind implements Event.
func (*MFADisabled) Kind() Kind { return KindMFADisabled }

// TokenFamilyRevoked: every token of one login (a refresh-token family)
// stopped working.
type TokenFamilyRevoked struct {
	Meta `json:"-"`
	// Reason is the token store's reason: "compromised" when a spent
	// refresh token came back (reuse: a stolen token or a replay),
	// "logout" for the blacklist endpoint.
	Reason string `json:"reason"`
}

// Kind implements Event.
func (*TokenFamilyRevoked) Kind() Kind { return KindTokenFamilyRevoked }

// Throttled: a throttle refused a request.
type Throttled struct {
	Meta `json:"-"`
	// Scope is the throttle's: "login", "otp", "reset" for the login
	// throttles, DRF's scope ("anon", "user", …) for a Throttle.
	Scope string `json:"scope"`
	// Username is the username as typed (TypedUsername) for the login
	// and one-time-code throttles, "" otherwise (a reset throttle counts
	// e-mail addresses, which stay out of events).
	Username string `json:"username,omitempty"`
	// Wait is how long the client was told to wait.
	Wait time.Duration `json:"wait_ns"`
}

// Kind implements Event.
func (*Throttled) Kind() Kind { return KindThrottled }

// SessionsEnded: a user's "valid after" stamp moved to now, ending every
// session and token the user had before (except the session that asked,
// for a password change).
type SessionsEnded struct {
	Meta `json:"-"`
	// Cause is what ended them: KindPasswordChanged, KindPasswordReset,
	// or "" for a "log out everywhere".
	Cause Kind `json:"cause,omitempty"`
}

// Kind implements Event.
func (*SessionsEnded) Kind() Kind { return KindSessionsEnded }

// OAuth2TokenRevoked: an OAuth2 client revoked one of its tokens
// (RFC 7009).
type OAuth2TokenRevoked struct {
	Meta     `json:"-"`
	ClientID string `json:"client_id"`
}

// Kind implements Event.
func (*OAuth2TokenRevoked) Kind() Kind { return KindOAuth2TokenRevoked }

// Source is where the request of an event came from.
type Source struct {
	RemoteAddr, RequestID string
}

type sourceKey struct{}

// WithSource returns ctx carrying src, which Dispatcher.Emit puts in the
// events emitted with it (core.EventContext makes it from a request).
func WithSource(ctx context.Context, src Source) context.Context {
	return context.WithValue(ctx, sourceKey{}, src)
}

// SourceFrom returns the Source WithSource put in ctx, zero when none.
func SourceFrom(ctx context.Context) Source {
	src, _ := ctx.Value(sourceKey{}).(Source)
	return src
}

type causeKey struct{}

// WithCause returns ctx telling a SessionsEnded emitted with it what
// ended the sessions (a password change or reset).
func WithCause(ctx context.Context, k Kind) context.Context {
	return context.WithValue(ctx, causeKey{}, k)
}

// CauseFrom returns the Kind WithCause put in ctx, "" when none.
func CauseFrom(ctx context.Context) Kind {
	k, _ := ctx.Value(causeKey{}).(Kind)
	return k
}
