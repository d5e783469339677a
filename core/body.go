package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// DefaultMaxBodyBytes is the body cap used when none is configured: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// ReadBody reads the whole body of r, at most max bytes (max <= 0 means
// DefaultMaxBodyBytes). A longer body gives ErrRequestTooLarge.
func ReadBody(r Request, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	b, err := io.ReadAll(io.LimitReader(r.Body(), max+1))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, ErrRequestTooLarge
		}
		return nil, ParseError("")
	}
	if int64(len(b)) > max {
		return nil, ErrRequestTooLarge
	}
	return b, nil
}

// msgNullCharacters is DRF's ProhibitNullCharactersValidator message.
const msgNullCharacters = "Null characters are not allowed."

// DecodeBody decodes a JSON or form-encoded body into dst, the way DRF's
// parsers do for the endpoints of this library. dst must be a pointer to a
// struct whose fields carry json tags; form fields are matched by the same
// names (string fields only). Unknown JSON fields are refused with a 400,
// as is malformed JSON; unknown form fields are ignored (forms carry
// csrfmiddlewaretoken and the like). Text with a NUL character, and form
// values that are not UTF-8, are refused with a 400; a body of another
// media type gets 415.
func DecodeBody(r Request, max int64, dst any) error {
	body, err := ReadBody(r, max)
	if err != nil {
		return err
	}
	ct := r.Header("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	switch {
	case mt == "application/json" || (ct == "" && len(bytes.TrimSpace(body)) > 0 && bytes.TrimSpace(body)[0] == '{'):
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(dst); err != nil {
			return ParseError(jsonParseDetail(err))
		}
		if dec.More() {
			return ParseError("JSON parse error - Extra data")
		}
		if bytes.Contains(body, []byte(`\u0000`)) {
			return ValidationError{"non_field_errors": {msgNullCharacters}}
		}
		return nil
	case mt == "application/x-www-form-urlencoded" || (ct == "" && len(body) == 0):
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return ParseError("Malformed form data.")
		}
		for _, vs := range vals {
			for _, v := range vs {
				if !utf8.ValidString(v) {
					return ParseError("Malformed form data.")
				}
				if strings.IndexByte(v, 0) >= 0 {
					return ValidationError{"non_field_errors": {msgNullCharacters}}
				}
			}
		}
		return decodeForm(vals, dst)
	default:
		return &APIError{Status: ErrUnsupportedMediaType.Status, Code: ErrUnsupportedMediaType.Code,
			Detail: "Unsupported media type \"" + ct + "\" in request."}
	}
}

func jsonParseDetail(err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return "JSON parse error - field " + ute.Field + " has the wrong type"
	}
	if strings.HasPrefix(err.Error(), "json: unknown field ") {
		return "JSON parse error - unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "JSON parse error"
}

// decodeForm fills the string fields of the struct dst points at from vals
// by json tag name, through a JSON round trip so the tag rules stay one.
func decodeForm(vals url.Values, dst any) error {
	m := make(map[string]string, len(vals))
	for k, v := range vals {
		if len(v) > 0 {
			m[k] = v[0]
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ParseError("Malformed form data.")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(dst); err != nil {
		return ParseError("Malformed form data.")
	}
	return nil
}
