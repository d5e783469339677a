package mfa

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// Kind is what an otp field holds.
type Kind int

const (
	// KindTOTP is a TOTP code: exactly the configured number of ASCII
	// digits.
	KindTOTP Kind = iota + 1
	// KindRecovery is a recovery code: 16 characters of the lower-case
	// base32 alphabet (a-z, 2-7), in four groups of four separated by "-"
	// or not separated; upper case is accepted.
	KindRecovery
)

// MaxOTPLen is the longest otp value ParseOTP looks at; longer is invalid.
const MaxOTPLen = 64

// recoveryLen is a recovery code's length without separators: 16 base32
// characters, 80 random bits.
const recoveryLen = 16

var recoveryEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ParseOTP classifies the otp field a client sent, with digits the TOTP
// length: a TOTP code (returned as it is) or a recovery code (returned in
// its canonical form, lower case without separators). Anything else,
// including leading or trailing spaces, is ErrInvalidCode. It never
// panics.
func ParseOTP(s string, digits int) (Kind, string, error) {
	if len(s) == 0 || len(s) > MaxOTPLen {
		return 0, "", ErrInvalidCode
	}
	if len(s) == digits && allDigits(s) {
		return KindTOTP, s, nil
	}
	var b [recoveryLen]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' {
			// Only between groups of four: "abcd-efgh-ijkl-mnop".
			if n == 0 || n%4 != 0 || n == recoveryLen || i+1 == len(s) || s[i+1] == '-' {
				return 0, "", ErrInvalidCode
			}
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') || n == recoveryLen {
			return 0, "", ErrInvalidCode
		}
		b[n] = c
		n++
	}
	if n != recoveryLen {
		return 0, "", ErrInvalidCode
	}
	// Separators all or none.
	if dashes := strings.Count(s, "-"); dashes != 0 && dashes != recoveryLen/4-1 {
		return 0, "", ErrInvalidCode
	}
	return KindRecovery, string(b[:]), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// newRecoveryCode returns a fresh code as shown to the user
// ("abcd-efgh-ijkl-mnop") and the hash the store keeps.
func newRecoveryCode() (code, hash string, err error) {
	var raw [recoveryLen * 5 / 8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", "", err
	}
	c := recoveryEncoding.EncodeToString(raw[:])
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16], hashRecovery(c), nil
}

// hashRecovery is the stored form of a canonical recovery code: SHA-256,
// hex (see the package doc for why a fast unkeyed hash is enough).
func hashRecovery(canonical string) string {
	h := sha256.Sum256([]byte(canonical))
	return hex.EncodeToString(h[:])
}
