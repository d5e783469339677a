package core

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/reinhardt-go/auth/core/events"
)

// LoginGuard limits guessing on every path that checks a password or a
// second factor: the token obtain endpoint, the session login, HTTP Basic
// and the MFA endpoints. throttle.LoginThrottle is the implementation.
//
// Begin is called before the password (or code) is verified, with the
// request (for the client address) and the username as typed. It counts
// the attempt as a failure at once, so that concurrent guesses cannot all
// pass a check made before any of them is counted, and refuses with a
// *ThrottledError when the client or the username has used up its budget,
// or with an error wrapping ErrStoreUnavailable when its store fails (the
// login then fails closed). When the credentials turn out right the caller
// calls the returned attempt's Succeeded, which takes the count back: only
// failures use up the budget.
type LoginGuard interface {
	Begin(r Request, username string) (LoginAttempt, error)
}

// LoginAttempt is one attempt counted by a LoginGuard.
type LoginAttempt interface {
	// Succeeded takes back the count of an attempt whose credentials were
	// right. It is called at most once.
	Succeeded(ctx context.Context) error
}

// SecondFactor is a second factor users may turn on (mfa.MFAAuthentication
// through mfa.SecondFactor).
type SecondFactor interface {
	// Required reports whether u has the second factor on. An error means
	// the store failed; the login is then refused.
	Required(ctx context.Context, u User) (bool, error)
	// Verify reports whether otp is a valid second factor of u that has
	// not been used, and uses it up: a code is accepted once.
	Verify(ctx context.Context, u User, otp string) (bool, error)
}

// The errors of a login whose user has a second factor on. Both render
// 401 with their code in the body: {"detail": "...", "code":
// "mfa_required"}.
var (
	// ErrMFARequired: the password was right, and the request carried no
	// one-time password (or, for Basic, cannot carry one).
	ErrMFARequired = &APIError{Status: http.StatusUnauthorized, Detail: "This account has two-factor authentication on: send the current code as otp.", Code: "mfa_required", RenderCode: true}
	// ErrInvalidOTP: the one-time password is wrong, expired or already
	// used.
	ErrInvalidOTP = &APIError{Status: http.StatusUnauthorized, Detail: "The authentication code is wrong, expired or already used.", Code: "invalid_otp", RenderCode: true}
)

// MaxOTPBytes is the longest one-time password (a TOTP code or a recovery
// code) a login takes; longer ones are refused as bad input.
const MaxOTPBytes = 64

// ErrUserInactive: the backend returned an inactive user (one that
// returns them, as Django's AllowAllUsersModelBackend); the login paths
// refuse it with their own message.
var ErrUserInactive = errors.New("user inactive")

// PasswordLogin checks one login by username, password and, for a user
// with a second factor, a one-time password; every login path (the token
// endpoint, the session login, Basic) runs it, so none is a side door
// around the guard or the second factor. Guard, SecondFactor and OTPGuard
// are optional. It is safe for concurrent use.
type PasswordLogin struct {
	Backend      AuthBackend
	Guard        LoginGuard
	SecondFactor SecondFactor
	// OTPGuard also counts the one-time passwords checked, by username,
	// at a slower rate than Guard (throttle.NewOTPThrottle): whoever has
	// the password still gets few guesses at a 6-digit code.
	OTPGuard LoginGuard
	// Events receives an events.LoginFailed for every refused password or
	// one-time password (Django's user_login_failed); nil: none. A login
	// refused by a guard before any check is the guard's to report
	// (throttle.WithEvents).
	Events *events.Dispatcher
	// Method names the login path in the events: events.MethodSession,
	// MethodJWT or MethodBasic.
	Method string
}

// Authenticate checks the credentials of a request. otp is the one-time
// password the request carried, "" for none. It returns the user, or nil
// and nil when the username or password is wrong or the user is inactive
// (the caller answers with its own message), or an error: a
// *ThrottledError from the guard (no password is checked), ErrMFARequired,
// ErrInvalidOTP, or a store failure.
//
// A wrong password or a wrong one-time password counts against the guard;
// a right password without a one-time password (ErrMFARequired) does not,
// as it guesses nothing.
//
// A username or password with a NUL character is wrong without being
// checked (and counts): no password can be set with one (Django's forms
// and DRF's serializers refuse null characters), and the hashers'
// VerifyPassword refuses one too (PBKDF2's HMAC pads its key with NULs, so
// "secret\x00" would match a hash of "secret"); a login does not spend a
// hash on it.
func (p *PasswordLogin) Authenticate(r Request, username, password, otp string) (User, error) {
	ctx := r.Context()
	var attempt LoginAttempt
	if p.Guard != nil {
		a, err := p.Guard.Begin(r, username)
		if err != nil {
			return nil, err
		}
		attempt = a
	}
	if strings.IndexByte(password, 0) >= 0 || strings.IndexByte(username, 0) >= 0 {
		p.failed(r, "", username, events.ReasonCredentials)
		return nil, nil // counted: a failure
	}
	u, err := p.Backend.Authenticate(ctx, username, password)
	if err != nil {
		return nil, err // counted: a failure (or a store error, which counts too)
	}
	if isNil(u) {
		p.failed(r, "", username, events.ReasonCredentials)
		return nil, nil // counted: a failure
	}
	if !u.IsActive() {
		// A backend that returns inactive users (Django's
		// AllowAllUsersModelBackend); counted as a failure.
		p.failed(r, "", username, events.ReasonCredentials)
		return nil, ErrUserInactive
	}
	if p.SecondFactor != nil {
		on, err := p.SecondFactor.Required(ctx, u)
		if err != nil {
			return nil, err
		}
		if on && otp == "" {
			if err := succeeded(ctx, attempt); err != nil {
				return nil, err
			}
			return nil, ErrMFARequired
		}
		if on {
			ok, err := Guarded(r, p.OTPGuard, username, func(ctx context.Context) (bool, error) {
				return p.SecondFactor.Verify(ctx, u, otp)
			})
			var throttled *ThrottledError
			if errors.As(err, &throttled) {
				// No code was checked: the right password guessed nothing.
				return nil, errors.Join(err, succeeded(ctx, attempt))
			}
			if err != nil {
				return nil, err
			}
			if !ok {
				p.failed(r, u.GetID(), username, events.ReasonOTP)
				return nil, ErrInvalidOTP
			}
		}
	}
	if err := succeeded(ctx, attempt); err != nil {
		return nil, err
	}
	return u, nil
}

// failed emits the events.LoginFailed of a refused login. userID is set
// only when the password was right: a wrong one must not tie the typed
// username to an account.
func (p *PasswordLogin) failed(r Request, userID, username string, reason events.FailureReason) {
	if p.Events == nil {
		return
	}
	e := &events.LoginFailed{Username: events.TypedUsername(username), Reason: reason, Method: p.Method}
	e.UserID = userID
	p.Events.Emit(EventContext(r), e)
}

func succeeded(ctx context.Context, a LoginAttempt) error {
	if a == nil {
		return nil
	}
	return a.Succeeded(ctx)
}

// Guarded runs check, a verification of a secret the request sent (a
// password, a one-time code), as one attempt of guard for username: the
// attempt is counted before check runs (a refusal is the guard's error,
// and check does not run) and taken back when check reports true. A nil
// guard counts nothing.
func Guarded(r Request, guard LoginGuard, username string, check func(context.Context) (bool, error)) (bool, error) {
	ctx := r.Context()
	if guard == nil {
		return check(ctx)
	}
	attempt, err := guard.Begin(r, username)
	if err != nil {
		return false, err
	}
	ok, err := check(ctx)
	if err != nil || !ok {
		return false, err
	}
	return true, attempt.Succeeded(ctx)
}

// Guards is a LoginGuard that counts an attempt in each of guards: it is
// refused when any of them refuses (the ones that counted it take it back),
// and Succeeded takes it back from all.
func Guards(guards ...LoginGuard) LoginGuard { return multiGuard(guards) }

type multiGuard []LoginGuard

func (m multiGuard) Begin(r Request, username string) (LoginAttempt, error) {
	attempts := make(multiAttempt, 0, len(m))
	for _, g := range m {
		if g == nil {
			continue
		}
		a, err := g.Begin(r, username)
		if err != nil {
			return nil, errors.Join(err, attempts.Succeeded(r.Context()))
		}
		attempts = append(attempts, a)
	}
	return attempts, nil
}

type multiAttempt []LoginAttempt

func (m multiAttempt) Succeeded(ctx context.Context) error {
	var errs []error
	for _, a := range m {
		errs = append(errs, a.Succeeded(ctx))
	}
	return errors.Join(errs...)
}
