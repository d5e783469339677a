package hashers

import (
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"
)

// parseDecimal parses a canonical unsigned decimal: one or more ASCII digits,
// no sign, no spaces, no leading zero (except "0" itself), at most max. It is
// the rule of argon2's reference decoder, and for the Django formats it
// accepts exactly the numbers Django writes with "%d", so every string that
// Django would re-encode differently is rejected.
func parseDecimal(s string, max uint64) (uint64, bool) {
	if s == "" || len(s) > 20 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > max {
		return 0, false
	}
	return v, true
}

// ctEqual compares a and b in constant time (for equal lengths; lengths are
// public in every format here).
func ctEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// ctEqualString is ctEqual for strings.
func ctEqualString(a, b string) bool { return ctEqual([]byte(a), []byte(b)) }

// decodeB64 decodes standard base64 with padding, rejecting non-canonical
// encodings (non-zero trailing bits, embedded newlines, which encoding/base64
// would otherwise skip), and requires exactly size bytes. The encoded length
// is checked before anything is allocated.
func decodeB64(s string, size int) ([]byte, bool) {
	enc := base64.StdEncoding.Strict()
	if len(s) != enc.EncodedLen(size) || strings.ContainsAny(s, "\r\n") {
		return nil, false
	}
	b, err := enc.DecodeString(s)
	if err != nil || len(b) != size {
		return nil, false
	}
	return b, true
}

// decodeRawB64 decodes unpadded standard base64 (argon2's PHC encoding),
// rejecting non-canonical encodings and embedded newlines.
func decodeRawB64(s string) ([]byte, bool) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, false
	}
	b, err := base64.RawStdEncoding.Strict().DecodeString(s)
	return b, err == nil
}

// encodeB64 is standard base64 with padding (Django's base64.b64encode).
func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// encodeRawB64 is unpadded standard base64 (argon2-cffi's encoding).
func encodeRawB64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }
