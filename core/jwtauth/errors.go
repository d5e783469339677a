package jwtauth

import (
	"errors"
	"net/http"

	"github.com/reinhardt-go/auth/core"
)

// MaxTokenBytes is the longest token accepted. A longer one is refused
// before any splitting, base64 decoding or JSON parsing, so an oversized
// header cannot be used to burn CPU or memory.
const MaxTokenBytes = 8 << 10

// simplejwt's TokenError messages, shown to clients in the "message" (or
// "detail") member of a token error.
const (
	// MsgInvalid: anything PyJWT refuses but expiry (bad signature, not
	// yet valid, wrong audience or issuer, malformed, unknown key), as
	// simplejwt 5.5's TokenError.
	MsgInvalid = "Token is invalid"
	// MsgExpired: the token's exp has passed (and nothing PyJWT checks
	// before exp failed), as simplejwt 5.5's ExpiredTokenError.
	MsgExpired = "Token is expired"
	// MsgNoExp: the token has no exp claim.
	MsgNoExp = "Token has no 'exp' claim"
	// MsgNoID: the token has no jti claim.
	MsgNoID = "Token has no id"
	// MsgNoType: the token has no token_type claim.
	MsgNoType = "Token has no type"
	// MsgWrongType: the token's token_type is not the one required.
	MsgWrongType = "Token has wrong type"
	// MsgBlacklisted: the revocation hook refused the token.
	MsgBlacklisted = "Token is blacklisted"
)

// Causes of a *TokenError (errors.Is sees them through it). The errors of
// golang-jwt (jwt.ErrTokenExpired, jwt.ErrTokenSignatureInvalid, ...) are
// visible the same way.
var (
	ErrTokenTooLarge     = errors.New("jwtauth: token longer than MaxTokenBytes")
	ErrUnknownKey        = errors.New("jwtauth: no key for the token's kid")
	ErrAlgorithmMismatch = errors.New("jwtauth: token alg is not its key's algorithm")
	ErrCritHeader        = errors.New("jwtauth: token header has crit")
	ErrMissingClaim      = errors.New("jwtauth: required claim missing")
	ErrWrongTokenType    = errors.New("jwtauth: wrong token type")
	ErrRevoked           = errors.New("jwtauth: token revoked")
	// ErrAmbiguousClaim: the payload has a claim whose name differs from
	// a modelled one (user_id, exp, ...) only in case or by Unicode
	// folding, such as USER_ID or User_Id, or has a modelled claim twice.
	// PyJWT and simplejwt match names exactly and take the last of
	// duplicates; encoding/json matches names case-insensitively and
	// skips a null duplicate, so two services could disagree about whom
	// the token names. Such a token is refused.
	ErrAmbiguousClaim = errors.New("jwtauth: claim named ambiguously")
)

// Configuration errors.
var (
	// ErrNoSigningKey: the JWTAuth has no key with a private part to sign
	// with (a verify-only key ring).
	ErrNoSigningKey = errors.New("jwtauth: no signing key")
	// ErrWeakKey: an HMAC secret shorter than its hash (32 bytes for
	// HS256, RFC 7518 section 3.2), an RSA key under 2048 bits, or a
	// secret that is really a PEM-encoded key.
	ErrWeakKey = errors.New("jwtauth: key too weak")
)

// TokenError is a token that failed verification. Message is simplejwt's
// message for the failure (one of the Msg… constants); Err is the cause,
// never shown to clients. errors.Is(err, core.ErrInvalidToken) is true for
// every TokenError.
//
// Rendered through core.WriteError it is what simplejwt's token views
// answer: 401 {"detail": Message, "code": "token_not_valid"}. The
// Authentication wraps it in the body of simplejwt's JWTAuthentication
// instead.
type TokenError struct {
	Message string
	Err     error
}

// Error returns the message and the cause.
func (e *TokenError) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *TokenError) Unwrap() error { return e.Err }

// Is makes every TokenError a core.ErrInvalidToken.
func (e *TokenError) Is(target error) bool { return target == core.ErrInvalidToken }

// As renders the error as simplejwt's views do, for core.ToAPIError.
func (e *TokenError) As(target any) bool {
	if p, ok := target.(**core.APIError); ok {
		*p = &core.APIError{Status: http.StatusUnauthorized, Detail: e.Message, Code: "token_not_valid", RenderCode: true}
		return true
	}
	return false
}

func tokenErr(msg string, cause error) *TokenError { return &TokenError{Message: msg, Err: cause} }

// authError is an authentication failure of the Authentication with
// simplejwt's rendering (api) and a cause that errors.Is sees (a
// *TokenError or a *core.AuthenticationError of the right kind).
type authError struct {
	api   *core.APIError
	cause error
}

func (e *authError) Error() string { return e.cause.Error() }
func (e *authError) Unwrap() error { return e.cause }

// As hands core.ToAPIError the body to render.
func (e *authError) As(target any) bool {
	if p, ok := target.(**core.APIError); ok {
		*p = e.api
		return true
	}
	return false
}

// tokenMessage is one entry of simplejwt's "messages" list.
type tokenMessage struct {
	TokenClass string `json:"token_class"`
	TokenType  string `json:"token_type"`
	Message    string `json:"message"`
}

func invalidTokenFailure(te *TokenError) error {
	return &authError{
		api: &core.APIError{
			Status:   http.StatusUnauthorized,
			Detail:   "Given token not valid for any token type",
			Code:     "token_not_valid",
			Messages: []tokenMessage{{TokenClass: "AccessToken", TokenType: "access", Message: te.Message}},
		},
		cause: te,
	}
}

func failure(kind error, detail, code string) error {
	return &authError{
		api:   &core.APIError{Status: http.StatusUnauthorized, Detail: detail, Code: code, RenderCode: true},
		cause: &core.AuthenticationError{Kind: kind, Detail: detail, Code: code},
	}
}
