package hashers

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Legacy hashers. None of them has a work factor: a leaked hash is cheap to
// brute-force. They exist to verify passwords stored by old Django
// installations so that Registry.CheckPassword can upgrade them to the
// preferred hasher on the next successful login. Every comparison is
// constant-time.

// MD5Hasher is Django's MD5PasswordHasher: "md5$<salt>$<hex(md5(salt+password))>".
// Django still ships it (it is fast, for tests), so it can hash as well as
// verify. Never use it for real passwords.
type MD5Hasher struct{}

// SHA1Hasher is Django's SHA1PasswordHasher (removed in Django 5.1):
// "sha1$<salt>$<hex(sha1(salt+password))>". Verify only: Hash returns
// ErrVerifyOnly.
type SHA1Hasher struct{}

// UnsaltedMD5Hasher is Django's UnsaltedMD5PasswordHasher (removed in Django
// 5.1): a bare 32-character hex MD5 of the password, or the same prefixed by
// "md5$$". Verify only.
type UnsaltedMD5Hasher struct{}

// UnsaltedSHA1Hasher is Django's UnsaltedSHA1PasswordHasher (removed in
// Django 5.1): "sha1$$" followed by the hex SHA-1 of the password. The bare
// hex digest is not accepted. Verify only.
type UnsaltedSHA1Hasher struct{}

// NewMD5Hasher returns the salted MD5 hasher.
func NewMD5Hasher() *MD5Hasher { return &MD5Hasher{} }

// NewSHA1Hasher returns the verify-only salted SHA-1 hasher.
func NewSHA1Hasher() *SHA1Hasher { return &SHA1Hasher{} }

// NewUnsaltedMD5Hasher returns the verify-only unsalted MD5 hasher.
func NewUnsaltedMD5Hasher() *UnsaltedMD5Hasher { return &UnsaltedMD5Hasher{} }

// NewUnsaltedSHA1Hasher returns the verify-only unsalted SHA-1 hasher.
func NewUnsaltedSHA1Hasher() *UnsaltedSHA1Hasher { return &UnsaltedSHA1Hasher{} }

// Algorithm returns "md5".
func (*MD5Hasher) Algorithm() string { return "md5" }

// Algorithm returns "sha1".
func (*SHA1Hasher) Algorithm() string { return "sha1" }

// Algorithm returns "unsalted_md5".
func (*UnsaltedMD5Hasher) Algorithm() string { return "unsalted_md5" }

// Algorithm returns "unsalted_sha1".
func (*UnsaltedSHA1Hasher) Algorithm() string { return "unsalted_sha1" }

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// parseSalted splits "<alg>$<salt>$<hex>" with a non-empty salt and a digest
// of hexLen characters.
func parseSalted(alg, encoded string, hexLen int) (salt, digest string, err error) {
	rest, ok := strings.CutPrefix(encoded, alg+"$")
	if !ok {
		return "", "", malformed(alg, "missing %q prefix", alg+"$")
	}
	salt, digest, ok = strings.Cut(rest, "$")
	if !ok || salt == "" || len(digest) != hexLen {
		return "", "", malformed(alg, "expected %s$<salt>$<%d hex digits>", alg, hexLen)
	}
	return salt, digest, nil
}

// Hash returns the md5 encoding of password with a new random salt.
func (h *MD5Hasher) Hash(ctx context.Context, password string) (string, error) {
	return h.Encode(ctx, password, newSalt())
}

// Encode returns "md5$<salt>$<hex>" (Django's encode). An empty salt or one
// containing '$' gives ErrInvalidSalt.
func (*MD5Hasher) Encode(_ context.Context, password, salt string) (string, error) {
	if err := checkSalt(salt); err != nil {
		return "", err
	}
	return "md5$" + salt + "$" + md5Hex(salt+password), nil
}

// Verify reports whether password matches encoded.
func (*MD5Hasher) Verify(_ context.Context, password, encoded string) (bool, error) {
	salt, digest, err := parseSalted("md5", encoded, md5.Size*2)
	if err != nil {
		return false, err
	}
	return ctEqualString(md5Hex(salt+password), digest), nil
}

// MustUpdate reports whether the salt is weak (Django's rule: fewer than 22
// characters).
func (*MD5Hasher) MustUpdate(encoded string) bool {
	salt, _, err := parseSalted("md5", encoded, md5.Size*2)
	return err == nil && mustUpdateSalt(utf8.RuneCountInString(salt))
}

func verifyOnly(alg string) error {
	return fmt.Errorf("%w: %s is kept only to verify old hashes", ErrVerifyOnly, alg)
}

// Hash returns ErrVerifyOnly.
func (*SHA1Hasher) Hash(context.Context, string) (string, error) { return "", verifyOnly("sha1") }

// Verify reports whether password matches "sha1$<salt>$<hex>".
func (*SHA1Hasher) Verify(_ context.Context, password, encoded string) (bool, error) {
	salt, digest, err := parseSalted("sha1", encoded, sha1.Size*2)
	if err != nil {
		return false, err
	}
	return ctEqualString(sha1Hex(salt+password), digest), nil
}

// MustUpdate reports true for every well-formed encoding: this format is
// never current.
func (*SHA1Hasher) MustUpdate(encoded string) bool {
	_, _, err := parseSalted("sha1", encoded, sha1.Size*2)
	return err == nil
}

// unsaltedMD5Digest returns the hex digest of a bare or "md5$$" encoding.
func unsaltedMD5Digest(encoded string) (string, error) {
	switch {
	case len(encoded) == 32 && !strings.Contains(encoded, "$"):
		return encoded, nil
	case len(encoded) == 37 && strings.HasPrefix(encoded, "md5$$"):
		return encoded[5:], nil
	}
	return "", malformed("unsalted_md5", "expected 32 hex digits, optionally prefixed by md5$$")
}

// Hash returns ErrVerifyOnly.
func (*UnsaltedMD5Hasher) Hash(context.Context, string) (string, error) {
	return "", verifyOnly("unsalted_md5")
}

// Verify reports whether password matches a bare 32-digit hex MD5 or
// "md5$$<hex>".
func (*UnsaltedMD5Hasher) Verify(_ context.Context, password, encoded string) (bool, error) {
	digest, err := unsaltedMD5Digest(encoded)
	if err != nil {
		return false, err
	}
	return ctEqualString(md5Hex(password), digest), nil
}

// MustUpdate reports true for every well-formed encoding.
func (*UnsaltedMD5Hasher) MustUpdate(encoded string) bool {
	_, err := unsaltedMD5Digest(encoded)
	return err == nil
}

func unsaltedSHA1Digest(encoded string) (string, error) {
	if len(encoded) == 46 && strings.HasPrefix(encoded, "sha1$$") {
		return encoded[6:], nil
	}
	return "", malformed("unsalted_sha1", "expected sha1$$ followed by 40 hex digits")
}

// Hash returns ErrVerifyOnly.
func (*UnsaltedSHA1Hasher) Hash(context.Context, string) (string, error) {
	return "", verifyOnly("unsalted_sha1")
}

// Verify reports whether password matches "sha1$$<hex>". A bare hex digest
// is malformed, as in Django, where it never verifies.
func (*UnsaltedSHA1Hasher) Verify(_ context.Context, password, encoded string) (bool, error) {
	digest, err := unsaltedSHA1Digest(encoded)
	if err != nil {
		return false, err
	}
	return ctEqualString(sha1Hex(password), digest), nil
}

// MustUpdate reports true for every well-formed encoding.
func (*UnsaltedSHA1Hasher) MustUpdate(encoded string) bool {
	_, err := unsaltedSHA1Digest(encoded)
	return err == nil
}
