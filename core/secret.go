package core

import (
	"crypto/rand"
	"strings"
	"unicode/utf8"
)

// secretKeyChars is Django's get_random_secret_key alphabet.
const secretKeyChars = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"

// NewSecretKey returns a new site secret key as Django's
// get_random_secret_key makes one: 50 characters of
// a-z0-9!@#$%^&*(-_=+), uniformly from crypto/rand (about 282 bits).
func NewSecretKey() string {
	const n = len(secretKeyChars)
	const limit = 256 - 256%n // reject bytes that would bias the choice
	out := make([]byte, 0, 50)
	var buf [64]byte
	for len(out) < 50 {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails (Go 1.24+)
		for _, b := range buf {
			if int(b) < limit && len(out) < 50 {
				out = append(out, secretKeyChars[int(b)%n])
			}
		}
	}
	return string(out)
}

// Django's security.W009 thresholds (django/core/checks/security/base.py).
const (
	// SecretKeyMinLength is the fewest characters a good key has.
	SecretKeyMinLength = 50
	// SecretKeyMinUniqueChars is the fewest distinct characters it has.
	SecretKeyMinUniqueChars = 5
	// SecretKeyInsecurePrefix starts the keys Django's startproject
	// writes into a new project's settings, meant for development only.
	SecretKeyInsecurePrefix = "django-insecure-"
)

// WeakSecretKeyWarning is the warning for a key WeakSecretKey refuses:
// Django's security.W009, naming the showcase's flag and this library's
// generator.
const WeakSecretKeyWarning = "the secret key has fewer than 50 characters, fewer than 5 distinct characters, " +
	"or the prefix 'django-insecure-' of a generated development key; token signatures, session hashes and " +
	"password-reset links are only as strong as it is: use a long random key (authctl gensecret)"

// WeakSecretKey reports whether key fails Django's deployment check
// security.W009: fewer than SecretKeyMinLength characters, fewer than
// SecretKeyMinUniqueChars distinct characters, or SecretKeyInsecurePrefix.
// Characters are counted as Python counts them (code points). A weak key
// still works; whoever reads the configuration warns (Django's check is a
// warning too).
func WeakSecretKey(key string) bool {
	if strings.HasPrefix(key, SecretKeyInsecurePrefix) || utf8.RuneCountInString(key) < SecretKeyMinLength {
		return true
	}
	seen := make(map[rune]struct{}, SecretKeyMinUniqueChars)
	for _, r := range key {
		seen[r] = struct{}{}
		if len(seen) >= SecretKeyMinUniqueChars {
			return false
		}
	}
	return true
}
