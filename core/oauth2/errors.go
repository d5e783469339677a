package oauth2

import (
	"errors"
	"net/http"

	"github.com/reinhardt-go/auth/core"
)

// Error codes of RFC 6749 (sections 4.1.2.1 and 5.2), RFC 6750 section
// 3.1, RFC 7009 and OpenID Connect Core section 3.1.2.6.
const (
	ErrCodeInvalidRequest          = "invalid_request"
	ErrCodeInvalidClient           = "invalid_client"
	ErrCodeInvalidGrant            = "invalid_grant"
	ErrCodeUnauthorizedClient      = "unauthorized_client"
	ErrCodeUnsupportedGrantType    = "unsupported_grant_type"
	ErrCodeUnsupportedResponseType = "unsupported_response_type"
	ErrCodeInvalidScope            = "invalid_scope"
	ErrCodeAccessDenied            = "access_denied"
	ErrCodeServerError             = "server_error"
	ErrCodeTemporarilyUnavailable  = "temporarily_unavailable"
	ErrCodeLoginRequired           = "login_required"
	ErrCodeConsentRequired         = "consent_required"
	ErrCodeInvalidToken            = "invalid_token"
	ErrCodeInsufficientScope       = "insufficient_scope"
)

// Error is an OAuth2 error: rendered as RFC 6749 section 5.2's JSON
// {"error","error_description"} with Status (400 unless said otherwise),
// or as the error and error_description parameters of a redirect.
type Error struct {
	// Code is one of the ErrCode… values.
	Code string
	// Description is error_description: human-readable, ASCII.
	Description string
	// Status is the HTTP status of a JSON answer.
	Status int
}

// Error returns "oauth2: code: description".
func (e *Error) Error() string {
	if e.Description == "" {
		return "oauth2: " + e.Code
	}
	return "oauth2: " + e.Code + ": " + e.Description
}

// Is matches another *Error with the same Code, so that
// errors.Is(err, &oauth2.Error{Code: oauth2.ErrCodeInvalidGrant}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func oerr(code, desc string) *Error {
	return &Error{Code: code, Description: desc, Status: http.StatusBadRequest}
}

func invalidRequest(desc string) *Error { return oerr(ErrCodeInvalidRequest, desc) }
func invalidGrant(desc string) *Error   { return oerr(ErrCodeInvalidGrant, desc) }
func invalidScope(desc string) *Error   { return oerr(ErrCodeInvalidScope, desc) }

// errInvalidClient is the token endpoint's failed client authentication:
// 401 with a Basic challenge (RFC 6749 section 5.2).
func errInvalidClient() *Error {
	return &Error{Code: ErrCodeInvalidClient, Description: "Client authentication failed.", Status: http.StatusUnauthorized}
}

// asError maps any error to the OAuth2 error it is answered with: an
// *Error as it is; a store failure (core.ErrStoreUnavailable) or a
// password hasher too busy (503) temporarily_unavailable; a bad value
// invalid_request; anything else server_error (its cause never shown).
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch ae := core.ToAPIError(err); ae.Status {
	case http.StatusServiceUnavailable:
		return &Error{Code: ErrCodeTemporarilyUnavailable, Description: "The server is temporarily unavailable.", Status: http.StatusServiceUnavailable}
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return &Error{Code: ErrCodeInvalidRequest, Description: ae.Detail, Status: ae.Status}
	}
	return &Error{Code: ErrCodeServerError, Description: "The server encountered an unexpected condition.", Status: http.StatusInternalServerError}
}

// noStore sets the headers of every token-endpoint answer (RFC 6749
// section 5.1).
func noStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

// writeError writes err as RFC 6749 section 5.2's JSON, with
// Cache-Control: no-store; a 401 carries WWW-Authenticate: Basic.
func writeError(w core.Response, err error) error {
	e := asError(err)
	if e.Status == http.StatusUnauthorized && e.Code == ErrCodeInvalidClient {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth2"`)
	}
	body, merr := marshalErrorBody(errorBody{e.Code, e.Description})
	return writeNoStoreJSON(w, e.Status, body, merr)
}

type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}
