package hashers_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/reinhardt-go/auth/core/hashers"
)

// Passwords used throughout Django's tests.
const (
	letmein  = "lètmein"
	letmeinz = "lètmeinz"
	// long100 is the 100-character password of Django's test_bcrypt_sha256.
	long100 = "VSK0UYV6FFQVZ0KG88DYN9WADAADZO1CTSIVDJUNZSUML6IBX7LN7ZS3R5JGB3RGZ7VI7G7DJQ9NI8BQFSRPTG6UWTTVESA5ZPUN"
)

// Cheap hashers for tests that exercise logic rather than work factors.
func fastArgon2() *hashers.Argon2Hasher {
	return &hashers.Argon2Hasher{Time: 1, Memory: 64, Threads: 1, KeyLen: 32}
}

func fastPBKDF2() *hashers.PBKDF2Hasher {
	h := hashers.NewPBKDF2SHA256Hasher()
	h.Iterations = 1000
	return h
}

func fastPBKDF2SHA1() *hashers.PBKDF2Hasher {
	h := hashers.NewPBKDF2SHA1Hasher()
	h.Iterations = 1000
	return h
}

func fastBcryptSHA256() *hashers.BcryptSHA256Hasher { return &hashers.BcryptSHA256Hasher{Rounds: 4} }
func fastBcrypt() *hashers.BcryptHasher             { return &hashers.BcryptHasher{Rounds: 4} }
func fastScrypt() *hashers.ScryptHasher             { return &hashers.ScryptHasher{N: 16, R: 8, P: 1} }

// fastRegistry mirrors Default with cheap parameters.
func fastRegistry() *hashers.Registry {
	return hashers.New(fastArgon2(), fastPBKDF2(), fastPBKDF2SHA1(), fastBcryptSHA256(), fastBcrypt(),
		fastScrypt(), hashers.NewMD5Hasher(), hashers.NewSHA1Hasher(), hashers.NewUnsaltedMD5Hasher(),
		hashers.NewUnsaltedSHA1Hasher())
}

// countingHasher is a test double (Django's tests use mock.patch): it
// records calls and delegates to inner.
type countingHasher struct {
	inner hashers.PasswordHasher

	mustUpdate func(string) bool // overrides inner.MustUpdate when set

	mu       sync.Mutex
	hashed   []string
	verified int
	hardened int
}

func (c *countingHasher) Algorithm() string { return c.inner.Algorithm() }

func (c *countingHasher) Hash(ctx context.Context, password string) (string, error) {
	c.mu.Lock()
	c.hashed = append(c.hashed, password)
	c.mu.Unlock()
	return c.inner.Hash(ctx, password)
}

func (c *countingHasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	c.mu.Lock()
	c.verified++
	c.mu.Unlock()
	return c.inner.Verify(ctx, password, encoded)
}

func (c *countingHasher) MustUpdate(encoded string) bool {
	if c.mustUpdate != nil {
		return c.mustUpdate(encoded)
	}
	return c.inner.MustUpdate(encoded)
}

func (c *countingHasher) HardenRuntime(ctx context.Context, password, encoded string) {
	c.mu.Lock()
	c.hardened++
	c.mu.Unlock()
	if h, ok := c.inner.(hashers.RuntimeHardener); ok {
		h.HardenRuntime(ctx, password, encoded)
	}
}

func mustHash(t testing.TB, h hashers.PasswordHasher, password string) string {
	t.Helper()
	enc, err := h.Hash(context.Background(), password)
	if err != nil {
		t.Fatalf("%s.Hash: %v", h.Algorithm(), err)
	}
	return enc
}

func mustEncode(t testing.TB, h hashers.PasswordHasher, password, salt string) string {
	t.Helper()
	sh, ok := h.(hashers.SaltedHasher)
	if !ok {
		t.Fatalf("%s does not implement SaltedHasher", h.Algorithm())
	}
	enc, err := sh.Encode(context.Background(), password, salt)
	if err != nil {
		t.Fatalf("%s.Encode: %v", h.Algorithm(), err)
	}
	return enc
}

func verify(t testing.TB, h hashers.PasswordHasher, password, encoded string) bool {
	t.Helper()
	ok, err := h.Verify(context.Background(), password, encoded)
	if err != nil {
		t.Fatalf("%s.Verify(%q): %v", h.Algorithm(), encoded, err)
	}
	return ok
}

// isKnownError reports whether err wraps one of the package's sentinels.
func isKnownError(err error) bool {
	for _, s := range []error{hashers.ErrUnknownAlgorithm, hashers.ErrMalformedHash, hashers.ErrUnsupported,
		hashers.ErrLimitExceeded, hashers.ErrBusy, hashers.ErrInvalidSalt, hashers.ErrPasswordTooLong,
		hashers.ErrVerifyOnly} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func replaceOnce(s, old, repl string) string { return strings.Replace(s, old, repl, 1) }
