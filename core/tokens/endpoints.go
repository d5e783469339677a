package tokens

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// The endpoints serve simplejwt's token views byte for byte (bodies,
// statuses, field order, messages), over a TokenRotationManager. Each
// answers POST only (405 otherwise), reads a JSON or form body with
// core.DecodeBody (MaxBodyBytes, 0 meaning core.DefaultMaxBodyBytes) and
// returns the errors it does not answer itself for the adapter to render.
// Those errors carry simplejwt's challenge, `Bearer realm="api"` (the
// first of the JWTAuth's header types): they implement core.Challenger,
// and a 401 is rendered with that challenge whatever the engine's first
// authenticator is (see the package documentation).
//
// Validation errors (400) are written by the endpoints themselves, in
// DRF's field order.

// LoginRecorder records a successful login: core.ModelBackend's
// RecordLogin, Django's update_last_login.
type LoginRecorder interface {
	RecordLogin(ctx context.Context, u core.BaseUser, now time.Time) error
}

// ObtainPairEndpoint is simplejwt's TokenObtainPairView: POST
// {"username", "password"} → 200 {"refresh", "access"}, a new pair in a
// new family (TokenRotationManager.IssuePair), and an events.LoggedIn to
// Manager.Events. Credentials that match no
// active user get 401 {"detail": "No active account found with the given
// credentials"}; a missing, null, non-string or blank field gets DRF's
// 400; a password over core.MaxPasswordBytes bytes gets 400 without being
// hashed.
//
// As DRF, the username is stripped of surrounding whitespace; unlike
// simplejwt, the password is not (Django's own login form does not strip
// it, and a password set with spaces must keep working); a password of
// whitespace only is refused as blank, as DRF does.
//
// Guard and SecondFactor make it a core.PasswordLogin: failed logins are
// throttled (429 with Retry-After), and a user with a second factor on
// must send the one-time password as "otp" (401 with the code
// "mfa_required" without it, "invalid_otp" for a wrong, expired or used
// one). "otp" is optional, may be null or blank, and is ignored for a
// user without a second factor.
type ObtainPairEndpoint struct {
	Manager *TokenRotationManager
	// Backend checks the credentials (core.ModelBackend, a
	// core.CompositeAuthBackend).
	Backend core.AuthBackend
	// Guard limits failed logins (throttle.LoginThrottle); nil: none.
	Guard core.LoginGuard
	// SecondFactor is the users' second factor (an mfa.MFAAuthentication); nil:
	// none.
	SecondFactor core.SecondFactor
	// OTPGuard also counts wrong one-time passwords, by username
	// (throttle.NewOTPThrottle); nil: none.
	OTPGuard core.LoginGuard
	// LastLogin, when set, records the login (simplejwt's
	// UPDATE_LAST_LOGIN, off by default): core.ModelBackend.
	LastLogin    LoginRecorder
	MaxBodyBytes int64
}

// Serve implements core.Endpoint.
func (e *ObtainPairEndpoint) Serve(w core.Response, r core.Request) error {
	if r.Method() != http.MethodPost {
		return core.MethodNotAllowed(r.Method())
	}
	var in struct {
		Username charField `json:"username"`
		Password charField `json:"password"`
		OTP      charField `json:"otp"`
	}
	if err := core.DecodeBody(r, e.MaxBodyBytes, &in); err != nil {
		return e.Manager.challenged(err)
	}
	var errs core.FieldErrors
	username, msg := in.Username.validate(false)
	errs.Add("username", msg)
	password, msg := in.Password.validate(true)
	if msg == "" && len(password) > core.MaxPasswordBytes {
		msg = msgPasswordTooLong
	}
	errs.Add("password", msg)
	otp, msg := in.OTP.optional(core.MaxOTPBytes)
	errs.Add("otp", msg)
	if errs.Len() > 0 {
		return core.WriteJSON(w, http.StatusBadRequest, &errs)
	}
	ctx := r.Context()
	login := core.PasswordLogin{Backend: e.Backend, Guard: e.Guard, SecondFactor: e.SecondFactor, OTPGuard: e.OTPGuard,
		Events: e.Manager.Events, Method: events.MethodJWT}
	u, err := login.Authenticate(r, username, password, otp)
	if errors.Is(err, core.ErrUserInactive) || (err == nil && isNil(u)) {
		err = ErrNoActiveAccount
	}
	if err != nil {
		return e.Manager.challenged(err)
	}
	pair, err := e.Manager.IssuePair(ctx, u)
	if err != nil {
		return e.Manager.challenged(err)
	}
	if e.LastLogin != nil {
		if bu, ok := u.(core.BaseUser); ok {
			if err := e.LastLogin.RecordLogin(ctx, bu, e.Manager.now()); err != nil {
				return e.Manager.challenged(err)
			}
		}
	}
	ev := &events.LoggedIn{Method: events.MethodJWT}
	ev.UserID = u.GetID()
	e.Manager.Events.Emit(e.Manager.eventContext(r), ev)
	return core.WriteJSON(w, http.StatusOK, pair)
}

// RefreshEndpoint is simplejwt's TokenRefreshView with
// ROTATE_REFRESH_TOKENS and BLACKLIST_AFTER_ROTATION: POST {"refresh"} →
// 200 {"access", "refresh"} (TokenRotationManager.Refresh). A refresh
// token presented a second time gets 401 {"detail": "Token is
// blacklisted", "code": "token_not_valid"} and its whole family is
// revoked; an expired one 401 {"detail": "Token is expired", "code":
// "token_not_valid"}, an invalid one the same with "Token is invalid".
type RefreshEndpoint struct {
	Manager      *TokenRotationManager
	MaxBodyBytes int64
}

// Serve implements core.Endpoint.
func (e *RefreshEndpoint) Serve(w core.Response, r core.Request) error {
	token, done, err := readToken(w, r, e.Manager, e.MaxBodyBytes, "refresh")
	if done || err != nil {
		return err
	}
	pair, err := e.Manager.Refresh(e.Manager.eventContext(r), token)
	if err != nil {
		return e.Manager.challenged(err)
	}
	return core.WriteJSON(w, http.StatusOK, struct {
		Access  string `json:"access"`
		Refresh string `json:"refresh"`
	}{pair.Access, pair.Refresh})
}

// VerifyEndpoint is simplejwt's TokenVerifyView: POST {"token"} → 200 {}
// for a token of any type that verifies and is not revoked; 401 {"detail":
// "Token is invalid", "code": "token_not_valid"} (or the other
// token messages) for one that does not. A token whose jti is blacklisted
// gets what simplejwt's serializer answers, 400 {"non_field_errors":
// ["Token is blacklisted"]}; one of a revoked family 401 "Token family is
// blacklisted"; one from before a logout everywhere 401 "Token is
// blacklisted".
type VerifyEndpoint struct {
	Manager      *TokenRotationManager
	MaxBodyBytes int64
}

// Serve implements core.Endpoint.
func (e *VerifyEndpoint) Serve(w core.Response, r core.Request) error {
	token, done, err := readToken(w, r, e.Manager, e.MaxBodyBytes, "token")
	if done || err != nil {
		return err
	}
	j, err := e.Manager.jwtAuth()
	if err != nil {
		return err
	}
	_, kind, err := e.Manager.verify(r.Context(), j, token, jwtauth.UntypedToken)
	switch {
	case err != nil:
		return e.Manager.challenged(err)
	case kind == revokedJTI:
		return core.ValidationError{"non_field_errors": {jwtauth.MsgBlacklisted}}
	case kind != notRevoked:
		return e.Manager.challenged(refusal(kind))
	}
	return core.WriteJSON(w, http.StatusOK, struct{}{})
}

// BlacklistEndpoint is simplejwt's TokenBlacklistView: POST {"refresh"} →
// 200 {} (TokenRotationManager.Blacklist: the token is blacklisted and its
// family revoked). As in simplejwt, a token that cannot be blacklisted
// again is refused with 401 (and ended all the same): since blacklisting
// revokes the family, a second call gets {"detail": "Token family is
// blacklisted", "code": "token_not_valid"}, and a spent (rotated) token
// {"detail": "Token is blacklisted", "code": "token_not_valid"}.
type BlacklistEndpoint struct {
	Manager      *TokenRotationManager
	MaxBodyBytes int64
}

// Serve implements core.Endpoint.
func (e *BlacklistEndpoint) Serve(w core.Response, r core.Request) error {
	token, done, err := readToken(w, r, e.Manager, e.MaxBodyBytes, "refresh")
	if done || err != nil {
		return err
	}
	prior, err := e.Manager.revoke(e.Manager.eventContext(r), token, Logout)
	if err != nil {
		return e.Manager.challenged(err)
	}
	if prior != notRevoked {
		return e.Manager.challenged(refusal(prior))
	}
	return core.WriteJSON(w, http.StatusOK, struct{}{})
}

// LogoutAllEndpoint ends every token of the authenticated user: POST →
// 204 (TokenRotationManager.LogoutAll: every refresh and access token
// issued before stops working, on every device). The identity is the one
// the adapter's middleware put in the request's context; an anonymous
// request gets core.ErrNotAuthenticated (rendered with the engine's
// challenge).
type LogoutAllEndpoint struct {
	Manager *TokenRotationManager
	// Also, when set, runs after the tokens are revoked, for what else a
	// logout everywhere ends (the user's sessions).
	Also func(ctx context.Context, u core.User) error
}

// Serve implements core.Endpoint.
func (e *LogoutAllEndpoint) Serve(w core.Response, r core.Request) error {
	if r.Method() != http.MethodPost {
		return core.MethodNotAllowed(r.Method())
	}
	ctx := e.Manager.eventContext(r)
	u := core.UserFromContext(ctx)
	if !u.IsAuthenticated() {
		return core.ErrNotAuthenticated
	}
	if err := e.Manager.LogoutAll(ctx, u.GetID()); err != nil {
		return err
	}
	if e.Also != nil {
		if err := e.Also(ctx, u); err != nil {
			return err
		}
	}
	// A 204 has no body: some ResponseWriters (httptest's) refuse even
	// an empty write after it.
	if err := w.Write(http.StatusNoContent, nil); err != nil && !errors.Is(err, http.ErrBodyNotAllowed) {
		return err
	}
	return nil
}

// readToken reads the one field of a token view's body. done is true when
// the request was answered (400 written) or refused (err).
func readToken(w core.Response, r core.Request, m *TokenRotationManager, max int64, name string) (token string, done bool, err error) {
	if r.Method() != http.MethodPost {
		return "", true, core.MethodNotAllowed(r.Method())
	}
	var f charField
	if name == "token" {
		var in struct {
			Token charField `json:"token"`
		}
		err, f = core.DecodeBody(r, max, &in), in.Token
	} else {
		var in struct {
			Refresh charField `json:"refresh"`
		}
		err, f = core.DecodeBody(r, max, &in), in.Refresh
	}
	if err != nil {
		return "", true, m.challenged(err)
	}
	token, msg := f.validate(false)
	if msg != "" {
		return "", true, core.WriteJSON(w, http.StatusBadRequest, core.ValidationError{name: {msg}})
	}
	return token, false, nil
}

// challenged gives err simplejwt's challenge.
func (m *TokenRotationManager) challenged(err error) error {
	if err == nil {
		return nil
	}
	realm := `Bearer realm="api"`
	if m.JWT != nil {
		realm = m.JWT.HeaderTypes()[0] + ` realm="api"`
	}
	return &challenged{err: err, challenge: realm}
}

// eventContext is r's context with the source of the events it may emit
// (core.EventContext), or just r's context when there are no Events.
func (m *TokenRotationManager) eventContext(r core.Request) context.Context {
	if m.Events == nil {
		return r.Context()
	}
	return core.EventContext(r)
}
