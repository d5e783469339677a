package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/reinhardt-go/auth/core/hashers"
)

// MarshalJSON encodes v the way DRF's JSONRenderer does: compact, UTF-8
// (no \u escapes for non-ASCII and no HTML escaping), no trailing newline.
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w Response, status int, v any) error {
	b, err := MarshalJSON(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	return w.Write(status, b)
}

// errorBody is the DRF error body: detail first, then code and messages.
type errorBody struct {
	Detail   string `json:"detail"`
	Code     string `json:"code,omitempty"`
	Messages any    `json:"messages,omitempty"`
}

// WriteError renders err as DRF does. challenge is the WWW-Authenticate
// value of the first configured authenticator ("" when it has none): an
// authentication failure is 401 with that header when there is one, and 403
// otherwise. An error that implements Challenger brings its own challenge
// (simplejwt's token views always answer `Bearer realm="api"`). A ValidationError or *FieldErrors is 400 with its fields; an *APIError is its
// own status; ErrInvalidInput is 400; ErrStoreUnavailable and a password
// hasher too busy to take more work (hashers.ErrBusy) are 503; anything
// else is 500 with a generic message (the cause is never shown). The 503
// of a busy hasher carries Retry-After: the maximum wait of the limiter
// that refused it, in seconds (hashers.RetryAfter; 5 by default). A
// ThrottledError is 429 with Retry-After: its wait in seconds (DRF).
func WriteError(w Response, err error, challenge string) error {
	var fe *FieldErrors
	if errors.As(err, &fe) {
		return WriteJSON(w, http.StatusBadRequest, fe)
	}
	var ve ValidationError
	if errors.As(err, &ve) {
		return WriteJSON(w, http.StatusBadRequest, map[string][]string(ve))
	}
	ae := ToAPIError(err)
	status := ae.Status
	var te *ThrottledError
	if errors.As(err, &te) && te.Wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(te.Wait))
	}
	if secs, busy := hashers.RetryAfter(err); busy && status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	if status == http.StatusUnauthorized {
		var own Challenger
		if errors.As(err, &own) && own.Challenge() != "" {
			challenge = own.Challenge()
		}
		if challenge == "" {
			status = http.StatusForbidden
		} else {
			w.Header().Set("WWW-Authenticate", challenge)
		}
	}
	body := errorBody{Detail: ae.Detail, Messages: ae.Messages}
	if ae.RenderCode || ae.Messages != nil {
		body.Code = ae.Code
	}
	return WriteJSON(w, status, body)
}

// ToAPIError maps any error to the APIError it renders as: its status,
// detail and code (a ValidationError or *FieldErrors is ErrBadInput, 400;
// WriteError writes their fields).
func ToAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	var te *ThrottledError
	if errors.As(err, &te) {
		return te.APIError()
	}
	var authErr *AuthenticationError
	if errors.As(err, &authErr) {
		detail := authErr.Detail
		if detail == "" {
			detail = ErrAuthenticationFailed.Detail
		}
		code := authErr.Code
		if code == "" {
			code = ErrAuthenticationFailed.Code
		}
		return &APIError{Status: http.StatusUnauthorized, Detail: detail, Code: code}
	}
	var fe *FieldErrors
	var ve ValidationError
	switch {
	case errors.As(err, &fe), errors.As(err, &ve):
		return ErrBadInput // WriteError renders the fields themselves
	case errors.Is(err, ErrInvalidInput):
		return ErrBadInput
	case errors.Is(err, ErrStoreUnavailable), errors.Is(err, hashers.ErrBusy):
		return ErrServiceUnavailable
	}
	return ErrServerError
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
