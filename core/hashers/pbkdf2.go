package hashers

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultPBKDF2Iterations is Django 6.1's PBKDF2 iteration count, shared by
// pbkdf2_sha256 and pbkdf2_sha1.
const DefaultPBKDF2Iterations = 1_500_000

// PBKDF2Hasher is Django's PBKDF2PasswordHasher ("pbkdf2_sha256") or
// PBKDF2SHA1PasswordHasher ("pbkdf2_sha1"):
//
//	pbkdf2_sha256$<iterations>$<salt>$<base64 hash>
//
// PBKDF2-HMAC with the UTF-8 password as key and the UTF-8 bytes of the salt
// string as salt; the derived key is the digest size (32 or 20 bytes),
// written in standard base64 with padding.
//
// The zero value is a pbkdf2_sha256 hasher with default iterations; use
// NewPBKDF2SHA1Hasher for pbkdf2_sha1.
type PBKDF2Hasher struct {
	// Iterations is the iteration count for new hashes. Default 1,500,000.
	Iterations int
	// Limits caps the iteration count accepted from stored hashes.
	Limits Limits
	// Limiter bounds concurrent hashing work; each PBKDF2 computation holds
	// one slot (and no memory). nil means unbounded.
	Limiter *Limiter

	sha1 bool
	// onDerive, if set, observes every PBKDF2 computation (tests only).
	onDerive func(password, salt string, iterations int)
}

// NewPBKDF2SHA256Hasher returns a pbkdf2_sha256 hasher with 1,500,000
// iterations, DefaultLimits and no Limiter.
func NewPBKDF2SHA256Hasher() *PBKDF2Hasher {
	return &PBKDF2Hasher{Iterations: DefaultPBKDF2Iterations, Limits: DefaultLimits()}
}

// NewPBKDF2SHA1Hasher returns a pbkdf2_sha1 hasher with 1,500,000 iterations,
// DefaultLimits and no Limiter.
func NewPBKDF2SHA1Hasher() *PBKDF2Hasher {
	return &PBKDF2Hasher{Iterations: DefaultPBKDF2Iterations, Limits: DefaultLimits(), sha1: true}
}

// Algorithm returns "pbkdf2_sha256" or "pbkdf2_sha1".
func (h *PBKDF2Hasher) Algorithm() string {
	if h.sha1 {
		return "pbkdf2_sha1"
	}
	return "pbkdf2_sha256"
}

func (h *PBKDF2Hasher) limiter() *Limiter { return h.Limiter }

func (h *PBKDF2Hasher) digest() (func() hash.Hash, int) {
	if h.sha1 {
		return sha1.New, sha1.Size
	}
	return sha256.New, sha256.Size
}

func (h *PBKDF2Hasher) iterations() int {
	if h.Iterations <= 0 {
		return DefaultPBKDF2Iterations
	}
	return h.Iterations
}

// pbkdf2Key is PBKDF2-HMAC (crypto/pbkdf2).
func pbkdf2Key(newHash func() hash.Hash, password string, salt []byte, iterations, keyLen int) ([]byte, error) {
	return pbkdf2.Key(newHash, password, salt, iterations, keyLen)
}

// derive computes the raw derived key.
func (h *PBKDF2Hasher) derive(password, salt string, iterations int) ([]byte, error) {
	if h.onDerive != nil {
		h.onDerive(password, salt, iterations)
	}
	newHash, size := h.digest()
	key, err := pbkdf2Key(newHash, password, []byte(salt), iterations, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Algorithm(), err)
	}
	return key, nil
}

// deriveLimited is derive under the limiter.
func (h *PBKDF2Hasher) deriveLimited(ctx context.Context, password, salt string, iterations int) ([]byte, error) {
	var key []byte
	var kerr error
	if err := h.Limiter.run(ctx, 0, func() { key, kerr = h.derive(password, salt, iterations) }); err != nil {
		return nil, err
	}
	return key, kerr
}

// Hash returns the encoding of password with a new random salt.
func (h *PBKDF2Hasher) Hash(ctx context.Context, password string) (string, error) {
	return h.Encode(ctx, password, newSalt())
}

// Encode returns the encoding of password with the given salt (Django's
// encode). An empty salt or one containing '$' gives ErrInvalidSalt.
func (h *PBKDF2Hasher) Encode(ctx context.Context, password, salt string) (string, error) {
	if err := checkSalt(salt); err != nil {
		return "", err
	}
	iterations := h.iterations()
	if max := h.Limits.resolved().MaxPBKDF2Iterations; iterations > max {
		return "", overLimit(h.Algorithm(), "hasher configuration: %d iterations exceed the limit of %d", iterations, max)
	}
	key, err := h.deriveLimited(ctx, password, salt, iterations)
	if err != nil {
		return "", err
	}
	return h.Algorithm() + "$" + strconv.Itoa(iterations) + "$" + salt + "$" + encodeB64(key), nil
}

// pbkdf2Encoded is a parsed PBKDF2 encoding.
type pbkdf2Encoded struct {
	iterations int
	salt       string
	hash       string // base64, unchecked
}

// parse splits encoded into its fields, checking syntax only.
func (h *PBKDF2Hasher) parse(encoded string) (pbkdf2Encoded, error) {
	var e pbkdf2Encoded
	alg := h.Algorithm()
	rest, ok := strings.CutPrefix(encoded, alg+"$")
	if !ok {
		return e, malformed(alg, "missing %q prefix", alg+"$")
	}
	parts := strings.SplitN(rest, "$", 3)
	if len(parts) != 3 {
		return e, malformed(alg, "expected %s$<iterations>$<salt>$<hash>", alg)
	}
	n, ok := parseDecimal(parts[0], math.MaxInt32)
	if !ok || n == 0 {
		return e, malformed(alg, "invalid iteration count")
	}
	if parts[1] == "" {
		return e, malformed(alg, "empty salt")
	}
	e.iterations, e.salt, e.hash = int(n), parts[1], parts[2]
	return e, nil
}

// prepare parses and validates encoded as Verify needs it, before any work.
func (h *PBKDF2Hasher) prepare(encoded string) (e pbkdf2Encoded, want []byte, err error) {
	e, err = h.parse(encoded)
	if err != nil {
		return e, nil, err
	}
	if max := h.Limits.resolved().MaxPBKDF2Iterations; e.iterations > max {
		return e, nil, overLimit(h.Algorithm(), "%d iterations exceed the limit of %d", e.iterations, max)
	}
	_, size := h.digest()
	want, ok := decodeB64(e.hash, size)
	if !ok {
		return e, nil, malformed(h.Algorithm(), "hash is not %d bytes of padded base64", size)
	}
	return e, want, nil
}

// Verify reports whether password matches encoded. The iteration count is
// checked against Limits.MaxPBKDF2Iterations before any work.
func (h *PBKDF2Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	e, want, err := h.prepare(encoded)
	if err != nil {
		return false, err
	}
	got, err := h.deriveLimited(ctx, password, e.salt, e.iterations)
	if err != nil {
		return false, err
	}
	return ctEqual(got, want), nil
}

// simParams returns the work parameters of a verifiable encoding: the
// iteration count and the salt length in characters.
func (h *PBKDF2Hasher) simParams(encoded string) (workParams, error) {
	e, _, err := h.prepare(encoded)
	if err != nil {
		return workParams{}, err
	}
	return workParams{uint64(e.iterations), uint64(utf8.RuneCountInString(e.salt))}, nil
}

// simDummy returns an encoding with the parameters w (from simParams), a
// random salt and a random hash.
func (h *PBKDF2Hasher) simDummy(w workParams) string {
	_, size := h.digest()
	return h.Algorithm() + "$" + strconv.FormatUint(w[0], 10) + "$" + randomString(dummySaltLen(w[1])) + "$" +
		encodeB64(randomBytes(size))
}

// MustUpdate reports whether encoded has fewer iterations than this hasher,
// or a weak salt (fewer than 22 characters: Django's must_update_salt).
// Unlike Django it does not re-hash encodings with more iterations.
func (h *PBKDF2Hasher) MustUpdate(encoded string) bool {
	e, err := h.parse(encoded)
	if err != nil {
		return false
	}
	return e.iterations < h.iterations() || mustUpdateSalt(utf8.RuneCountInString(e.salt))
}

// HardenRuntime runs the iterations encoded is missing compared with this
// hasher, once, as Django's harden_runtime does: a wrong password against
// an old, cheaper hash then costs as much as against a current one. The work
// runs under Limiter; if no slot can be had (ErrBusy) it is skipped.
func (h *PBKDF2Hasher) HardenRuntime(ctx context.Context, password, encoded string) {
	e, err := h.parse(encoded)
	if err != nil {
		return
	}
	if extra := h.iterations() - e.iterations; extra > 0 {
		_, _ = h.deriveLimited(ctx, password, e.salt, extra)
	}
}
