package tokens

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// Messages of simplejwt's views and serializers that this package answers
// with, beside jwtauth's token messages (jwtauth.MsgBlacklisted, ...).
const (
	// MsgNoActiveAccount: the obtain endpoint's credentials match no active
	// user.
	MsgNoActiveAccount = "No active account found with the given credentials"
	// MsgNoActiveAccountForToken: the user of a refresh token no longer
	// exists or is inactive.
	MsgNoActiveAccountForToken = "No active account found for the given token."
	// MsgFamilyBlacklisted: the token's family was revoked (simplejwt's
	// token_family app).
	MsgFamilyBlacklisted = "Token family is blacklisted"
)

// The errors of the endpoints that are not token errors. They render as
// DRF's AuthenticationFailed: 401 {"detail": ...}, without the code.
var (
	// ErrNoActiveAccount: wrong credentials, or an inactive user.
	ErrNoActiveAccount = &core.APIError{Status: http.StatusUnauthorized, Detail: MsgNoActiveAccount, Code: "no_active_account"}
	// ErrNoActiveAccountForToken: a refresh token's user is gone or
	// inactive.
	ErrNoActiveAccountForToken = &core.APIError{Status: http.StatusUnauthorized, Detail: MsgNoActiveAccountForToken, Code: "no_active_account"}
)

// Causes of the *jwtauth.TokenError a refused token gets; each also
// matches jwtauth.ErrRevoked (and every TokenError core.ErrInvalidToken).
var (
	// ErrBlacklisted: the token's jti is blacklisted (for a refresh token:
	// it was rotated out or logged out).
	ErrBlacklisted = errors.New("tokens: token blacklisted")
	// ErrReused: a spent refresh token was presented again; its whole
	// family has been revoked.
	ErrReused = errors.New("tokens: spent refresh token presented again, family revoked")
	// ErrFamilyRevoked: the token's family was revoked.
	ErrFamilyRevoked = errors.New("tokens: token family revoked")
	// ErrUnknownFamily: the token names a family the store does not have
	// (or one of another user).
	ErrUnknownFamily = errors.New("tokens: token family unknown")
	// ErrBeforeValidAfter: the token was issued before its user's "valid
	// after" stamp (a logout everywhere, a password change).
	ErrBeforeValidAfter = errors.New("tokens: token issued before the user's valid-after stamp")
	// ErrUnknownToken: the store has no record of the refresh token.
	ErrUnknownToken = errors.New("tokens: refresh token unknown to the store")
)

// errNoJWT: the manager is used before its JWT is set.
var errNoJWT = errors.New("tokens: TokenRotationManager.JWT is not set")

func revokedErr(msg string, cause error) error {
	return &jwtauth.TokenError{Message: msg, Err: fmt.Errorf("%w: %w", cause, jwtauth.ErrRevoked)}
}

// challenged is an endpoint error with its own WWW-Authenticate challenge:
// simplejwt's token views answer 401 with `Bearer realm="api"` whatever
// the project's authenticators are. It implements core.Challenger; see
// the package documentation for how it is rendered.
type challenged struct {
	err       error
	challenge string
}

func (e *challenged) Error() string     { return e.err.Error() }
func (e *challenged) Unwrap() error     { return e.err }
func (e *challenged) Challenge() string { return e.challenge }
