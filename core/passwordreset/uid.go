package passwordreset

import (
	"encoding/base64"
	"errors"
	"unicode/utf8"
)

// MaxUIDLength bounds the encoded uid DecodeUID reads: 256 characters, the
// base64 of a 192-byte primary key, beyond any Django pk.
const MaxUIDLength = 256

// ErrBadUID is DecodeUID's error for anything that is not an encoded uid.
var ErrBadUID = errors.New("passwordreset: malformed uid")

// EncodeUID is Django's urlsafe_base64_encode(force_bytes(pk)): the
// URL-safe base64 of the primary key's text, without padding, for the
// uidb64 part of a reset link.
func EncodeUID(pk string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(pk))
}

// DecodeUID is Django's urlsafe_base64_decode(uidb64).decode(): the
// primary key a link names, or ErrBadUID. It is strict where Python is
// lenient: only the URL-safe alphabet without padding (and unused bits
// zero, so that one uid has one spelling), at most
// MaxUIDLength characters, and UTF-8 text; Django never makes other uids.
func DecodeUID(uidb64 string) (string, error) {
	if uidb64 == "" || len(uidb64) > MaxUIDLength {
		return "", ErrBadUID
	}
	for i := 0; i < len(uidb64); i++ {
		c := uidb64[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "", ErrBadUID
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(uidb64)
	if err != nil || len(b) == 0 || !utf8.Valid(b) {
		return "", ErrBadUID
	}
	return string(b), nil
}
