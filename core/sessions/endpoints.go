package sessions

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/validators"
)

// LoginAtKey is the session key of the login time (Unix nanoseconds), which
// per-user "valid after" stamps compare with (logout everywhere).
const LoginAtKey = "_auth_login_at"

// Messages of the session endpoints (Django's).
const (
	msgInvalidLogin     = "Invalid username/password."
	msgOldPasswordWrong = "Your old password was entered incorrectly. Please enter it again."
	msgFieldRequired    = "This field is required."
)

// LoginHooks are what a login or password change also does: rotate the
// CSRF token (Django's rotate_token), record last_login, end the user's
// tokens. Each is optional.
type LoginHooks struct {
	// RotateCSRF gives the client a new CSRF secret at login.
	RotateCSRF func(r core.Request, w core.Response) error
	// RecordLogin sets last_login (core.ModelBackend.RecordLogin).
	RecordLogin func(ctx context.Context, u core.BaseUser, now time.Time) error
	// PasswordChanged runs after a password change: end the user's refresh
	// tokens (tokens.TokenRotationManager.LogoutAll).
	PasswordChanged func(ctx context.Context, u core.BaseUser) error
}

// LoginEndpoint is Django's login view as a JSON (or form) API: POST
// {"username","password"} → 200 {"id","username"} and a new session key
// (the key always changes, even when the session already belonged to the
// user), or 401 "Invalid username/password." for wrong credentials or an
// inactive user. The username is NFKC-normalized first, as Django's
// AuthenticationForm does, so a compatibility form of a name ("ａｌｉｃｅ")
// finds its user; the token endpoint and Basic, as simplejwt's and DRF's,
// look the name up as sent. As Django's LoginView is csrf_protect, the request must
// pass Auth.CSRF when it is set (GET /api/auth/csrf gives the token), so a
// cross-site form cannot log a victim into the attacker's account. It needs
// the session in the request's context (Manager.Handler or the adapter's
// session middleware).
//
// Guard and SecondFactor make it a core.PasswordLogin: failed logins are
// throttled (429 with Retry-After), and a user with a second factor on
// must send the one-time password as "otp" (401 with the code
// "mfa_required" without it, "invalid_otp" for a wrong, expired or used
// one). A blank "otp" counts as none.
type LoginEndpoint struct {
	Auth *SessionAuthentication
	// Backend checks the credentials; BackendName is the name Login stores
	// (a key of Auth.Backends).
	Backend     core.AuthBackend
	BackendName string
	// Guard limits failed logins (throttle.LoginThrottle); nil: none.
	Guard core.LoginGuard
	// SecondFactor is the users' second factor (an mfa.MFAAuthentication); nil:
	// none.
	SecondFactor core.SecondFactor
	// OTPGuard also counts wrong one-time passwords, by username
	// (throttle.NewOTPThrottle); nil: none.
	OTPGuard core.LoginGuard
	Hooks    LoginHooks
	// TrustedProxies are the peers whose X-Forwarded-For names the
	// client whose address a login records (Session.SetClient, shown
	// by core/sessions/usersessions); none: the peer's address.
	TrustedProxies []netip.Prefix
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

type credentials struct {
	Username *string `json:"username"`
	Password *string `json:"password"`
	OTP      *string `json:"otp"`
}

func requireFields(fields map[string]*string, order ...string) error {
	var v core.FieldErrors // in order, as DRF renders a serializer's errors
	for _, name := range order {
		switch p := fields[name]; {
		case p == nil:
			v.Add(name, msgFieldRequired)
		case *p == "":
			v.Add(name, "This field may not be blank.")
		case len(*p) > core.MaxPasswordBytes:
			v.Add(name, "Ensure this field has no more than "+strconv.Itoa(core.MaxPasswordBytes)+" characters.")
		}
	}
	return v.Err()
}

func now(f func() time.Time) time.Time {
	if f != nil {
		return f()
	}
	return time.Now()
}

// Serve implements core.Endpoint.
func (e *LoginEndpoint) Serve(w core.Response, r core.Request) error {
	ctx := r.Context()
	s := FromContext(ctx)
	if s == nil {
		return errors.New("sessions: LoginEndpoint needs the session middleware")
	}
	// CSRF first, as Django's middleware checks it before any view runs:
	// a forged login gets 403 whatever its body.
	if e.Auth.CSRF != nil {
		if err := e.Auth.CSRF(r, s); err != nil {
			return err
		}
	}
	var in credentials
	if err := core.DecodeBody(r, 0, &in); err != nil {
		return err
	}
	if err := requireFields(map[string]*string{"username": in.Username, "password": in.Password}, "username", "password"); err != nil {
		return err
	}
	otp := ""
	if in.OTP != nil {
		otp = strings.TrimSpace(*in.OTP)
		if len(otp) > core.MaxOTPBytes {
			var v core.FieldErrors
			v.Add("otp", "Ensure this field has no more than "+strconv.Itoa(core.MaxOTPBytes)+" characters.")
			return v.Err()
		}
	}
	u, err := e.LogIn(w, r, *in.Username, *in.Password, otp)
	if err != nil {
		return err
	}
	return core.WriteJSON(w, http.StatusOK, struct {
		ID       any    `json:"id"`
		Username string `json:"username"`
	}{userID(u), u.GetUsername()})
}

// LogIn is what Serve does once it has read the credentials, for a login
// form of another shape (an HTML page): it checks them through
// core.PasswordLogin with the endpoint's Guard, SecondFactor and OTPGuard,
// logs the request's session in under a new key, records the login time
// and runs the hooks, then emits an events.LoggedIn to Auth.Events (a
// refused login an events.LoginFailed). The username is NFKC-normalized
// first, as Django's AuthenticationForm reads it, whatever the form's
// shape. A wrong username or password, or an inactive user,
// is an error wrapping core.ErrInvalidCredentials with Django's message;
// the other errors are PasswordLogin's (a *core.ThrottledError,
// core.ErrMFARequired, core.ErrInvalidOTP, a store failure). The caller
// checks CSRF first, as Serve does.
func (e *LoginEndpoint) LogIn(w core.Response, r core.Request, username, password, otp string) (core.BaseUser, error) {
	username = core.NormalizeTypedUsername(username)
	ctx := r.Context()
	s := FromContext(ctx)
	if s == nil {
		return nil, errors.New("sessions: LoginEndpoint needs the session middleware")
	}
	login := core.PasswordLogin{Backend: e.Backend, Guard: e.Guard, SecondFactor: e.SecondFactor, OTPGuard: e.OTPGuard,
		Events: e.Auth.Events, Method: events.MethodSession}
	u, err := login.Authenticate(r, username, password, otp)
	if err != nil && !errors.Is(err, core.ErrUserInactive) {
		return nil, err
	}
	bu, ok := u.(core.BaseUser)
	if !ok || err != nil {
		return nil, core.NewAuthError(core.ErrInvalidCredentials, msgInvalidLogin)
	}
	before := s.Key()
	if err := e.Auth.Login(ctx, s, bu, e.BackendName); err != nil {
		return nil, err
	}
	var ip string
	if a := core.ClientIP(r, e.TrustedProxies); a.IsValid() {
		ip = a.String()
	}
	s.SetClient(r.Header("User-Agent"), ip)
	if s.Key() == before && before != "" {
		// Django keeps the key of a session that already belongs to this
		// user; a login here always moves it, so an old key never gains a
		// fresh login time.
		if err := s.CycleKey(ctx); err != nil {
			return nil, err
		}
	}
	t := now(e.Now)
	s.Set(LoginAtKey, t.UnixNano())
	if err := e.afterLogin(r, w, bu, t); err != nil {
		// Do not leave a logged-in session behind a failed login.
		_ = s.Flush(ctx)
		return nil, err
	}
	ev := &events.LoggedIn{Method: events.MethodSession}
	ev.UserID = bu.GetID()
	e.Auth.Events.Emit(core.EventContext(r), ev)
	return bu, nil
}

func (e *LoginEndpoint) afterLogin(r core.Request, w core.Response, u core.BaseUser, t time.Time) error {
	if e.Hooks.RecordLogin != nil {
		if err := e.Hooks.RecordLogin(r.Context(), u, t); err != nil {
			return err
		}
	}
	if e.Hooks.RotateCSRF != nil {
		return e.Hooks.RotateCSRF(r, w)
	}
	return nil
}

// userID is the id as a number when it is one (Django's integer pk).
func userID(u core.User) any {
	if n, err := strconv.ParseInt(u.GetID(), 10, 64); err == nil {
		return n
	}
	return u.GetID()
}

// LogoutEndpoint is Django's logout: the session is flushed (deleted on the
// server, a new key on the next save); 204.
type LogoutEndpoint struct {
	Auth *SessionAuthentication
}

// Serve implements core.Endpoint.
func (e *LogoutEndpoint) Serve(w core.Response, r core.Request) error {
	if s := FromContext(r.Context()); s != nil {
		if err := e.Auth.Logout(core.EventContext(r), s); err != nil {
			return err
		}
	}
	return w.Write(http.StatusNoContent, nil)
}

// PasswordChangeStore persists a new password hash.
type PasswordChangeStore interface {
	SetPasswordHash(ctx context.Context, id, encoded string) error
}

// PasswordChangeEndpoint is Django's PasswordChangeView as an API: POST
// {"old_password","new_password"} for the authenticated user → 204; the
// new password must pass the validators (Django's messages). The user's
// other sessions end (their auth hash no longer matches); the current one
// is kept (update_session_auth_hash); Hooks.PasswordChanged ends the
// user's tokens. A change emits an events.PasswordChanged to Auth.Events.
type PasswordChangeEndpoint struct {
	Auth  *SessionAuthentication
	Store PasswordChangeStore
	// Validators judge the new password; nil means
	// validators.DefaultValidators().
	Validators []validators.Validator
	Hooks      LoginHooks
	// Guard limits wrong old passwords as it limits failed logins (the
	// same counts: a stolen session is not a way to guess the password
	// faster); nil: none.
	Guard core.LoginGuard
}

type passwordChange struct {
	Old *string `json:"old_password"`
	New *string `json:"new_password"`
}

// Serve implements core.Endpoint.
func (e *PasswordChangeEndpoint) Serve(w core.Response, r core.Request) error {
	ctx := r.Context()
	u, ok := core.UserFromContext(ctx).(core.BaseUser)
	if !ok || !u.IsAuthenticated() {
		return core.ErrNotAuthenticated
	}
	var in passwordChange
	if err := core.DecodeBody(r, 0, &in); err != nil {
		return err
	}
	if err := requireFields(map[string]*string{"old_password": in.Old, "new_password": in.New}, "old_password", "new_password"); err != nil {
		return err
	}
	ok, err := core.Guarded(r, e.Guard, u.GetUsername(), func(ctx context.Context) (bool, error) {
		ok, err := core.CheckPassword(ctx, u, *in.Old)
		if ok {
			err = nil // a hash upgrade that failed to save does not make the password wrong
		}
		return ok, err
	})
	if err != nil {
		return err
	}
	if !ok {
		return core.ValidationError{"old_password": {msgOldPasswordWrong}}
	}
	vs := e.Validators
	if vs == nil {
		vs = validators.DefaultValidators()
	}
	var ve *validators.ValidationError
	if err := validators.Validate(*in.New, validators.AttributesOf(u), vs...); errors.As(err, &ve) {
		return core.ValidationError{"new_password": ve.Messages()}
	} else if err != nil {
		return err
	}
	if err := core.SetPassword(ctx, u, *in.New); err != nil {
		return err
	}
	// Tokens end before the new password is stored: if storing fails, the
	// user is logged out with the old password intact (fail closed), never
	// left with a new password and live old tokens.
	if e.Hooks.PasswordChanged != nil {
		// The events the hook emits (events.SessionsEnded) name the
		// password change as their cause.
		if err := e.Hooks.PasswordChanged(events.WithCause(core.EventContext(r), events.KindPasswordChanged), u); err != nil {
			return err
		}
	}
	if err := e.Store.SetPasswordHash(ctx, u.GetID(), u.PasswordHash()); err != nil {
		return err
	}
	ev := &events.PasswordChanged{}
	ev.UserID = u.GetID()
	e.Auth.Events.Emit(core.EventContext(r), ev)
	if s := FromContext(ctx); s != nil && core.IdentityFromContext(ctx).Method == "session" {
		// update_session_auth_hash: this session lives on, under a new key,
		// and counts as logged in after whatever PasswordChanged ended.
		if err := e.Auth.UpdateSessionAuthHash(ctx, s, u); err != nil {
			return err
		}
		s.Set(LoginAtKey, time.Now().UnixNano())
	}
	return w.Write(http.StatusNoContent, nil)
}
