package core

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The kinds of AuthenticationError. Each is a sentinel that errors.Is
// matches against any *AuthenticationError of that kind, in the manner of
// fs.ErrNotExist and *fs.PathError.
var (
	// ErrInvalidCredentials: wrong username or password, or credentials
	// that cannot be decoded.
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrUserNotFound: the credentials name a user who does not exist (or
	// no longer does).
	ErrUserNotFound = errors.New("user not found")
	// ErrSessionExpired: the session has expired.
	ErrSessionExpired = errors.New("session expired")
	// ErrInvalidToken: a token is malformed, expired, revoked or signed by
	// an unknown key.
	ErrInvalidToken = errors.New("invalid token")
	// ErrUnknown: any other authentication failure.
	ErrUnknown = errors.New("authentication failed")
)

// ErrStoreUnavailable marks a failure of a store (database, cache) as
// opposed to a negative answer from it. Requests that meet it fail closed:
// the Engine renders 503 and never authenticates. Stores wrap their
// system errors with it.
var ErrStoreUnavailable = errors.New("store unavailable")

// ErrInvalidInput marks a value a store cannot keep (text with a NUL
// byte, a string longer than its column): the request's fault, rendered
// 400, never a store failure.
var ErrInvalidInput = errors.New("invalid input")

// AuthenticationError is the error every authenticator and backend returns
// when credentials are present and wrong. Kind is one of the Err… sentinels
// above; errors.Is(err, ErrInvalidToken) is true for an AuthenticationError
// of that kind. Detail is the message shown to the client (DRF's detail);
// Code is DRF's machine-readable code. Err, when set, is the underlying
// cause; it is never shown to the client.
type AuthenticationError struct {
	Kind   error
	Detail string
	Code   string
	Err    error
}

// NewAuthError returns an AuthenticationError of the given kind with the
// client-facing detail message.
func NewAuthError(kind error, detail string) *AuthenticationError {
	return &AuthenticationError{Kind: kind, Detail: detail}
}

// Error returns the detail, and the cause when there is one.
func (e *AuthenticationError) Error() string {
	msg := e.Detail
	if msg == "" {
		msg = e.kind().Error()
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *AuthenticationError) kind() error {
	if e.Kind == nil {
		return ErrUnknown
	}
	return e.Kind
}

// Is reports whether target is this error's kind.
func (e *AuthenticationError) Is(target error) bool { return target == e.kind() }

// Unwrap returns the cause.
func (e *AuthenticationError) Unwrap() error { return e.Err }

// APIError is an error with its HTTP rendering: DRF's APIException. The
// body is {"detail": Detail}, followed by "code" when RenderCode is set and
// by "messages" when Messages is not nil (simplejwt's token errors).
type APIError struct {
	Status     int
	Detail     string
	Code       string
	RenderCode bool
	Messages   any
}

// Error returns the detail.
func (e *APIError) Error() string { return e.Detail }

// Is matches another *APIError with the same status and code, so that
// errors.Is(err, ErrPermissionDenied) is true for a PermissionDenied with a
// custom message.
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	return ok && t.Status == e.Status && t.Code == e.Code
}

// DRF's exceptions, with DRF's messages and codes. Treat them as constants.
var (
	// ErrNotAuthenticated: credentials were needed and none were given.
	// Rendered 401 with the first authenticator's challenge, or 403 when
	// that authenticator has none (DRF).
	ErrNotAuthenticated = &APIError{Status: http.StatusUnauthorized, Detail: "Authentication credentials were not provided.", Code: "not_authenticated"}
	// ErrAuthenticationFailed: DRF's AuthenticationFailed default.
	ErrAuthenticationFailed = &APIError{Status: http.StatusUnauthorized, Detail: "Incorrect authentication credentials.", Code: "authentication_failed"}
	// ErrPermissionDenied: the user is known but lacks permission.
	ErrPermissionDenied = &APIError{Status: http.StatusForbidden, Detail: "You do not have permission to perform this action.", Code: "permission_denied"}
	// ErrNotFound: DRF's NotFound / Django's Http404.
	ErrNotFound = &APIError{Status: http.StatusNotFound, Detail: "Not found.", Code: "not_found"}
	// ErrRequestTooLarge: the body is over the configured cap.
	ErrRequestTooLarge = &APIError{Status: http.StatusRequestEntityTooLarge, Detail: "Request body too large.", Code: "request_too_large"}
	// ErrUnsupportedMediaType: the body is neither JSON nor a form.
	ErrUnsupportedMediaType = &APIError{Status: http.StatusUnsupportedMediaType, Detail: "Unsupported media type in request.", Code: "unsupported_media_type"}
	// ErrBadInput: a value the request sent cannot be stored (ErrInvalidInput).
	ErrBadInput = &APIError{Status: http.StatusBadRequest, Detail: "Invalid input.", Code: "invalid"}
	// ErrServiceUnavailable: a store is down; the request failed closed.
	ErrServiceUnavailable = &APIError{Status: http.StatusServiceUnavailable, Detail: "Service temporarily unavailable, try again later.", Code: "service_unavailable"}
	// ErrServerError: anything unexpected. Its cause is never shown.
	ErrServerError = &APIError{Status: http.StatusInternalServerError, Detail: "A server error occurred.", Code: "error"}
)

// ThrottledError is DRF's Throttled: rendered 429 with the body
// {"detail": "Request was throttled. Expected available in N seconds."}
// and the header Retry-After: N. Wait is N, the wait rounded up to whole
// seconds as DRF does (math.ceil); 0 means unknown, and then the detail
// is "Request was throttled." alone and no Retry-After is sent.
type ThrottledError struct {
	Wait int
}

// Throttled returns DRF's Throttled for a wait, rounded up to whole
// seconds; a negative wait counts as unknown.
func Throttled(wait time.Duration) *ThrottledError {
	if wait <= 0 {
		return &ThrottledError{}
	}
	return &ThrottledError{Wait: int((wait + time.Second - 1) / time.Second)}
}

// Error returns DRF's detail: "Expected available in 1 second." in the
// singular, "N seconds." otherwise.
func (e *ThrottledError) Error() string {
	const detail = "Request was throttled."
	switch {
	case e.Wait <= 0:
		return detail
	case e.Wait == 1:
		return detail + " Expected available in 1 second."
	}
	return detail + " Expected available in " + strconv.Itoa(e.Wait) + " seconds."
}

// APIError is the 429 the error renders as.
func (e *ThrottledError) APIError() *APIError {
	return &APIError{Status: http.StatusTooManyRequests, Detail: e.Error(), Code: "throttled"}
}

// PermissionDenied returns DRF's PermissionDenied with a custom message.
func PermissionDenied(detail string) *APIError {
	if detail == "" {
		return ErrPermissionDenied
	}
	return &APIError{Status: http.StatusForbidden, Detail: detail, Code: "permission_denied"}
}

// MethodNotAllowed returns DRF's MethodNotAllowed for method.
func MethodNotAllowed(method string) *APIError {
	return &APIError{Status: http.StatusMethodNotAllowed, Detail: fmt.Sprintf("Method %q not allowed.", method), Code: "method_not_allowed"}
}

// ParseError returns DRF's ParseError ("Malformed request." by default).
func ParseError(detail string) *APIError {
	if detail == "" {
		detail = "Malformed request."
	}
	return &APIError{Status: http.StatusBadRequest, Detail: detail, Code: "parse_error"}
}

// ValidationError is DRF's field-keyed validation error: rendered 400 as
// {"field": ["message", ...]}. The key "non_field_errors" holds errors that
// belong to no single field.
type ValidationError map[string][]string

// Error lists the fields and their messages.
func (v ValidationError) Error() string {
	s := "validation failed:"
	for _, k := range sortedKeys(v) {
		for _, m := range v[k] {
			s += " " + k + ": " + m + ";"
		}
	}
	return s
}

// Add appends message to field.
func (v ValidationError) Add(field, message string) { v[field] = append(v[field], message) }

// FieldErrors is a ValidationError that renders its fields in the order
// they were first added, as DRF renders a serializer's errors (in the
// order the serializer declares its fields; a ValidationError, a map,
// renders them sorted). Add the messages in declaration order and return
// Err. errors.As finds the ValidationError through it. The zero value is
// empty and ready to use.
type FieldErrors struct {
	order  []string
	fields ValidationError
}

// Add appends message to field; an empty message adds nothing.
func (f *FieldErrors) Add(field, message string) {
	if message == "" {
		return
	}
	if f.fields == nil {
		f.fields = ValidationError{}
	}
	if _, seen := f.fields[field]; !seen {
		f.order = append(f.order, field)
	}
	f.fields.Add(field, message)
}

// Set adds messages to field, in order (Add for each).
func (f *FieldErrors) Set(field string, messages []string) {
	for _, m := range messages {
		f.Add(field, m)
	}
}

// Len is the number of fields with errors.
func (f *FieldErrors) Len() int { return len(f.order) }

// Err returns f as an error, or nil when no field has one.
func (f *FieldErrors) Err() error {
	if f.Len() == 0 {
		return nil
	}
	return f
}

// Error lists the fields and their messages.
func (f *FieldErrors) Error() string { return f.fields.Error() }

// Unwrap returns the errors as a ValidationError.
func (f *FieldErrors) Unwrap() error { return f.fields }

// MarshalJSON renders {"field": ["message", ...], ...} in order.
func (f *FieldErrors) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, name := range f.order {
		if i > 0 {
			b.WriteByte(',')
		}
		for j, v := range []any{name, f.fields[name]} {
			enc, err := MarshalJSON(v)
			if err != nil {
				return nil, err
			}
			b.Write(enc)
			if j == 0 {
				b.WriteByte(':')
			}
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
