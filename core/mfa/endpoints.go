package mfa

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
)

// The endpoints let an authenticated user manage TOTP: enroll, confirm,
// disable, and replace the recovery codes. Each answers POST only (405
// otherwise), is for the request's authenticated user (core.ErrNotAuthenticated
// otherwise; guard the routes with core.IsAuthenticated as well), reads a
// JSON or form body with core.DecodeBody, and returns the errors it does
// not write itself for the adapter to render. A wrong code is a DRF
// validation error, 400 {"code": ["..."]}, and counts against Guard, the
// same login guard as the login paths (a code is a guess like a password).

// Messages of the endpoints.
const (
	msgCodeRequired  = "This field is required."
	msgCodeBlank     = "This field may not be blank."
	msgCodeInvalid   = "The code is wrong, expired or already used."
	msgNotEnrolled   = "Two-factor authentication is not on for this account."
	msgNotStarted    = "Enroll first: no two-factor enrollment is waiting for a code."
	msgAlreadyActive = "Two-factor authentication is already on: disable it first."
)

// EnrollEndpoint begins TOTP enrollment: POST → 200 {"secret",
// "otpauth_url", "qr_png"} (qr_png: the otpauth URL as a base64 PNG QR
// code). MFA is not on until ConfirmEndpoint; enrolling again before that
// replaces the secret. A user with MFA on gets 400.
//
// It asks for no password: whoever holds the user's session or token can
// enroll an authenticator of their own, and the user then cannot log in
// again without it. Applications that want to prevent that put a
// password check (core.PasswordLogin) in front of the route.
type EnrollEndpoint struct {
	MFA *MFAAuthentication
}

// Serve implements core.Endpoint.
func (e *EnrollEndpoint) Serve(w core.Response, r core.Request) error {
	u, err := endpointUser(r)
	if err != nil {
		return err
	}
	enr, err := e.MFA.RegisterUser(r.Context(), u.GetID(), u.GetUsername())
	if errors.Is(err, ErrAlreadyEnrolled) {
		return badRequest(msgAlreadyActive)
	}
	if err != nil {
		return err
	}
	return core.WriteJSON(w, http.StatusOK, struct {
		Secret string `json:"secret"`
		URL    string `json:"otpauth_url"`
		QR     string `json:"qr_png"`
	}{enr.Secret, enr.URL, base64.StdEncoding.EncodeToString(enr.QRCodePNG)})
}

// ConfirmEndpoint completes enrollment with the first code of the user's
// app: POST {"code"} → 204, MFA is on from now (an events.MFAEnabled to
// MFA.Events). The recovery codes
// Confirm makes are not shown here: RecoveryCodesEndpoint gives a set.
// Existing sessions and tokens of the user keep working.
type ConfirmEndpoint struct {
	MFA   *MFAAuthentication
	Guard core.LoginGuard
}

// Serve implements core.Endpoint.
func (e *ConfirmEndpoint) Serve(w core.Response, r core.Request) error {
	u, code, err := codeRequest(r)
	if err != nil {
		return err
	}
	err = guarded(r, e.Guard, u, func(ctx context.Context) (bool, error) {
		_, err := e.MFA.Confirm(ctx, u.GetID(), code)
		return err == nil, err
	})
	switch {
	case errors.Is(err, ErrNotEnrolled):
		return badRequest(msgNotStarted)
	case errors.Is(err, ErrAlreadyEnrolled):
		return badRequest(msgAlreadyActive)
	case err != nil:
		return err
	}
	ev := &events.MFAEnabled{}
	ev.UserID = u.GetID()
	e.MFA.Events.Emit(core.EventContext(r), ev)
	return w.Write(http.StatusNoContent, nil)
}

// DisableEndpoint turns MFA off: POST {"code"} with a current TOTP code
// or a recovery code → 204, and an events.MFADisabled to MFA.Events.
type DisableEndpoint struct {
	MFA   *MFAAuthentication
	Guard core.LoginGuard
}

// Serve implements core.Endpoint.
func (e *DisableEndpoint) Serve(w core.Response, r core.Request) error {
	u, code, err := codeRequest(r)
	if err != nil {
		return err
	}
	err = guarded(r, e.Guard, u, func(ctx context.Context) (bool, error) {
		err := e.MFA.Disable(ctx, u.GetID(), code)
		return err == nil, err
	})
	if errors.Is(err, ErrNotEnrolled) {
		return badRequest(msgNotEnrolled)
	}
	if err != nil {
		return err
	}
	ev := &events.MFADisabled{}
	ev.UserID = u.GetID()
	e.MFA.Events.Emit(core.EventContext(r), ev)
	return w.Write(http.StatusNoContent, nil)
}

// DefaultFreshEnrollment is how long after an enrollment began
// RecoveryCodesEndpoint gives codes without asking for one.
const DefaultFreshEnrollment = 15 * time.Minute

// RecoveryCodesEndpoint replaces the user's recovery codes: POST → 200
// {"codes": [10 codes]}, each usable once as the otp of a login; the
// previous codes stop working. A user without MFA on gets 400.
//
// New codes are a way to turn MFA off (DisableEndpoint takes one), so
// they need proof beyond the session or token that authenticates the
// request, which may be stolen: the body {"code"} with a current TOTP code
// or an unused recovery code (counted by Guard, as on the other code
// endpoints). Right after enrolling — within FreshEnrollment of the
// enrollment's start, DefaultFreshEnrollment when zero — no code is
// needed: these are the codes the user writes down as they set MFA up.
type RecoveryCodesEndpoint struct {
	MFA             *MFAAuthentication
	Guard           core.LoginGuard
	FreshEnrollment time.Duration
}

// Serve implements core.Endpoint.
func (e *RecoveryCodesEndpoint) Serve(w core.Response, r core.Request) error {
	u, err := endpointUser(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	rec, err := e.MFA.confirmed(ctx, u.GetID())
	if errors.Is(err, ErrNotEnrolled) {
		return badRequest(msgNotEnrolled)
	}
	if err != nil {
		return err
	}
	fresh := e.FreshEnrollment
	if fresh <= 0 {
		fresh = DefaultFreshEnrollment
	}
	if e.MFA.now().Sub(rec.CreatedAt) > fresh {
		_, code, err := codeRequest(r)
		if err != nil {
			return err
		}
		if err := guarded(r, e.Guard, u, func(ctx context.Context) (bool, error) {
			return e.MFA.VerifyOTP(ctx, u.GetID(), code)
		}); err != nil {
			return err
		}
	}
	codes, err := e.MFA.NewRecoveryCodes(ctx, u.GetID())
	if errors.Is(err, ErrNotEnrolled) {
		return badRequest(msgNotEnrolled)
	}
	if err != nil {
		return err
	}
	return core.WriteJSON(w, http.StatusOK, struct {
		Codes []string `json:"codes"`
	}{codes})
}

// endpointUser is the request's authenticated user, for a POST.
func endpointUser(r core.Request) (core.User, error) {
	if r.Method() != http.MethodPost {
		return nil, core.MethodNotAllowed(r.Method())
	}
	u := core.UserFromContext(r.Context())
	if u == nil || !u.IsAuthenticated() {
		return nil, core.ErrNotAuthenticated
	}
	return u, nil
}

// codeRequest reads {"code"}: required, not blank, at most
// core.MaxOTPBytes bytes.
func codeRequest(r core.Request) (core.User, string, error) {
	u, err := endpointUser(r)
	if err != nil {
		return nil, "", err
	}
	var in struct {
		Code *string `json:"code"`
	}
	if err := core.DecodeBody(r, 0, &in); err != nil {
		return nil, "", err
	}
	var code string
	if in.Code != nil {
		code = strings.TrimSpace(*in.Code)
	}
	switch {
	case in.Code == nil:
		return nil, "", core.ValidationError{"code": {msgCodeRequired}}
	case code == "":
		return nil, "", core.ValidationError{"code": {msgCodeBlank}}
	case len(code) > core.MaxOTPBytes:
		return nil, "", core.ValidationError{"code": {msgCodeInvalid}}
	}
	return u, code, nil
}

// guarded runs check, a verification of a code that answers
// ErrInvalidCode for a wrong one, as one attempt of guard (core.Guarded):
// a refused attempt is the guard's error, a wrong code stays counted and
// is 400 {"code": [...]}, a right one is taken back.
func guarded(r core.Request, guard core.LoginGuard, u core.User, check func(context.Context) (bool, error)) error {
	ok, err := core.Guarded(r, guard, u.GetUsername(), func(ctx context.Context) (bool, error) {
		ok, err := check(ctx)
		if errors.Is(err, ErrInvalidCode) {
			return false, nil
		}
		return ok, err
	})
	if err != nil {
		return err
	}
	if !ok {
		return core.ValidationError{"code": {msgCodeInvalid}}
	}
	return nil
}

// badRequest is 400 {"detail": msg}.
func badRequest(msg string) error {
	return &core.APIError{Status: http.StatusBadRequest, Detail: msg, Code: "invalid"}
}
