package hashers

import (
	"crypto/rand"
	"math"
	"strings"
)

// randomStringChars is Django's RANDOM_STRING_CHARS.
const randomStringChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// saltEntropy is Django's BasePasswordHasher.salt_entropy, in bits.
const saltEntropy = 128

// saltLength is ceil(saltEntropy / log2(62)) = 22, the length of Django's
// salt().
const saltLength = 22

// unusableSuffixLength is Django's UNUSABLE_PASSWORD_SUFFIX_LENGTH.
const unusableSuffixLength = 40

// randomString returns n characters drawn uniformly from randomStringChars
// using crypto/rand (Django's get_random_string). It uses rejection sampling,
// so there is no modulo bias.
func randomString(n int) string {
	const alphabet = len(randomStringChars) // 62
	const limit = 256 - 256%alphabet        // 248: largest multiple of 62 <= 256
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		rand.Read(buf) // never fails (Go 1.24+)
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, randomStringChars[int(b)%alphabet])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

// newSalt returns a fresh salt as Django's salt() does: 22 characters from
// [a-zA-Z0-9], giving at least 128 bits of entropy.
func newSalt() string { return randomString(saltLength) }

// mustUpdateSalt is Django's must_update_salt: it reports whether a salt of
// length characters carries fewer than 128 bits of entropy when each
// character counts log2(62) bits. True for 21 characters or fewer.
func mustUpdateSalt(length int) bool {
	return float64(length)*math.Log2(float64(len(randomStringChars))) < saltEntropy
}

// checkSalt applies Django's rule for encode(password, salt).
func checkSalt(salt string) error {
	if salt == "" || strings.Contains(salt, "$") {
		return ErrInvalidSalt
	}
	return nil
}

// randomBytes returns n bytes from crypto/rand.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (Go 1.24+)
	return b
}
