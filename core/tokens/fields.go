package tokens

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"

	"github.com/reinhardt-go/auth/internal/jsonstr"
)

// DRF's field messages.
const (
	msgRequired        = "This field is required."
	msgNull            = "This field may not be null."
	msgBlank           = "This field may not be blank."
	msgInvalidString   = "Not a valid string."
	msgPasswordTooLong = "Ensure this field has no more than 4096 characters."
)

// charField is a DRF CharField in a request body: a JSON string, or a
// number (DRF takes its text); null and other JSON values are kept aside
// to be refused with DRF's messages. In a form every value is a string.
type charField struct {
	set, null, invalid bool
	s                  string
}

// UnmarshalJSON implements json.Unmarshaler; it never fails, so that the
// field is judged by validate with DRF's messages.
func (f *charField) UnmarshalJSON(b []byte) error {
	f.set = true
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		f.invalid = true
	case string(b) == "null":
		f.null = true
	case b[0] == '"':
		// jsonstr reads the literal in one pass, as encoding/json would
		// in two (a megabyte's password, escaped or not); what it does
		// not take (bytes that are not UTF-8) goes to encoding/json.
		if s, ok := jsonstr.Unquote(b); ok {
			f.s = s
		} else if err := json.Unmarshal(b, &f.s); err != nil {
			f.invalid = true
		}
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		f.s = string(b)
	default: // true, false, an object or an array
		f.invalid = true
	}
	return nil
}

// validate applies DRF's CharField rules (required, not null, a string,
// not blank after stripping whitespace) and returns the value stripped,
// as DRF's trim_whitespace does, unless keepSpace, or the error message.
func (f *charField) validate(keepSpace bool) (string, string) {
	switch {
	case !f.set:
		return "", msgRequired
	case f.null:
		return "", msgNull
	case f.invalid:
		return "", msgInvalidString
	}
	stripped := pyStrip(f.s)
	if stripped == "" {
		return "", msgBlank
	}
	if keepSpace {
		return f.s, ""
	}
	return stripped, ""
}

// optional applies the rules of an optional CharField that may be blank
// or null (the otp field): absent, null or blank after stripping is "",
// a non-string is msgInvalidString, and a value over max bytes DRF's
// max_length message.
func (f *charField) optional(max int) (string, string) {
	switch {
	case !f.set, f.null:
		return "", ""
	case f.invalid:
		return "", msgInvalidString
	}
	s := pyStrip(f.s)
	if len(s) > max {
		return "", "Ensure this field has no more than " + strconv.Itoa(max) + " characters."
	}
	return s, ""
}

// pyStrip is Python's str.strip(): Unicode whitespace and the separators
// U+001C to U+001F.
func pyStrip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) })
}
