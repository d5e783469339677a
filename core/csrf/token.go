package csrf

import (
	"crypto/rand"
	"crypto/subtle"
)

// Django's token geometry (django/middleware/csrf.py).
const (
	// SecretLength is the length of a CSRF secret: 32 characters of
	// [a-zA-Z0-9] (CSRF_SECRET_LENGTH), about 190 bits.
	SecretLength = 32
	// TokenLength is the length of a masked token: a 32-character mask
	// followed by the secret shifted by it (CSRF_TOKEN_LENGTH).
	TokenLength = 2 * SecretLength
)

// allowedChars is Django's CSRF_ALLOWED_CHARS, in its order
// (string.ascii_letters + string.digits): the order is part of the
// masking arithmetic, so tokens interoperate only with this exact string.
const allowedChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

const nChars = len(allowedChars) // 62

// charIndex maps a byte to its index in allowedChars, -1 for bytes outside
// it.
var charIndex = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < nChars; i++ {
		t[allowedChars[i]] = int8(i)
	}
	return t
}()

// Django's format reasons (InvalidTokenFormat), phrases without a subject
// since they describe either the cookie or the submitted token.
const (
	reasonIncorrectLength   = "has incorrect length"
	reasonInvalidCharacters = "has invalid characters"
)

// NewSecret returns a new CSRF secret: 32 characters drawn uniformly from
// [a-zA-Z0-9] with crypto/rand, as Django's _get_new_csrf_string.
func NewSecret() string {
	const limit = 256 - 256%nChars // reject bytes that would bias the choice
	var out [SecretLength]byte
	var buf [48]byte
	for i := 0; i < SecretLength; {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails (Go 1.24+)
		for _, b := range buf {
			if int(b) < limit && i < SecretLength {
				out[i] = allowedChars[int(b)%nChars]
				i++
			}
		}
	}
	return string(out[:])
}

// MaskSecret returns a masked token for secret: a fresh random 32-character
// mask followed by each secret character shifted by the mask character at
// the same position, modulo 62 — Django's _mask_cipher_secret, so a token
// made here verifies in Django and the other way round. Every call gives a
// different token for the same secret (against BREACH). secret must be a
// valid secret (ValidSecret); MaskSecret panics otherwise.
func MaskSecret(secret string) string {
	return maskWith(secret, NewSecret())
}

// maskWith masks secret with the given mask (both 32 valid characters).
func maskWith(secret, mask string) string {
	if !ValidSecret(secret) || !ValidSecret(mask) {
		panic("csrf: MaskSecret of something that is not a 32-character [a-zA-Z0-9] secret")
	}
	var out [TokenLength]byte
	copy(out[:], mask)
	for i := 0; i < SecretLength; i++ {
		out[SecretLength+i] = allowedChars[(int(charIndex[secret[i]])+int(charIndex[mask[i]]))%nChars]
	}
	return string(out[:])
}

// UnmaskToken returns the secret of a masked token, Django's
// _unmask_cipher_token. ok is false when token is not 64 characters of
// [a-zA-Z0-9].
func UnmaskToken(token string) (secret string, ok bool) {
	if len(token) != TokenLength || checkFormat(token) != "" {
		return "", false
	}
	var out [SecretLength]byte
	for i := 0; i < SecretLength; i++ {
		d := int(charIndex[token[SecretLength+i]]) - int(charIndex[token[i]])
		if d < 0 { // Python's negative indexes count from the end
			d += nChars
		}
		out[i] = allowedChars[d]
	}
	return string(out[:]), true
}

// ValidSecret reports whether s has the form of a secret: 32 characters
// of [a-zA-Z0-9].
func ValidSecret(s string) bool {
	return len(s) == SecretLength && checkFormat(s) == ""
}

// checkFormat is Django's _check_token_format: "" for a value of 32 or 64
// characters of [a-zA-Z0-9], else the reason (length first, as Django).
func checkFormat(v string) string {
	if len(v) != SecretLength && len(v) != TokenLength {
		return reasonIncorrectLength
	}
	bad := 0
	for i := 0; i < len(v); i++ {
		bad |= int(charIndex[v[i]]) >> 7 // -1 sets the sign bit
	}
	if bad != 0 {
		return reasonInvalidCharacters
	}
	return ""
}

// secretOf returns the secret a well-formed stored value holds: the value
// itself when it is a 32-character secret (Django 4.1+), or the unmasked
// value of a 64-character token (Django before 4.1, and CSRF_COOKIE_MASKED).
// ok is false for anything else.
func secretOf(v string) (string, bool) {
	switch {
	case len(v) == TokenLength:
		return UnmaskToken(v)
	case ValidSecret(v):
		return v, true
	}
	return "", false
}

// tokenMatches is Django's _does_token_match: token (32 or 64 valid
// characters; 64 means masked) against secret, in constant time.
func tokenMatches(token, secret string) bool {
	if len(token) == TokenLength {
		var ok bool
		if token, ok = UnmaskToken(token); !ok {
			return false
		}
	}
	return len(token) == SecretLength && subtle.ConstantTimeCompare([]byte(token), []byte(secret)) == 1
}

// VerifyToken reports whether token — masked (64 characters) or a bare
// secret (32) — belongs to the stored value, which may itself be a secret
// or a masked token (see the Protector's cookie forms). The comparison of
// secrets is constant-time.
func VerifyToken(token, stored string) bool {
	secret, ok := secretOf(stored)
	if !ok || checkFormat(token) != "" {
		return false
	}
	return tokenMatches(token, secret)
}
