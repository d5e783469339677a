package hashers

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/crypto/scrypt"
)

// Scrypt defaults: Django 5.1 and later (parallelism was 1 before 5.1).
const (
	DefaultScryptN = 1 << 14
	DefaultScryptR = 8
	DefaultScryptP = 5
)

const (
	scryptAlgorithm = "scrypt"
	scryptKeyLen    = 64 // Django's dklen
)

// ScryptHasher is Django's ScryptPasswordHasher:
//
//	scrypt$<n>$<salt>$<r>$<p>$<base64 hash>
//
// scrypt with the UTF-8 bytes of the salt string as salt and a 64-byte
// derived key in standard base64 with padding. scrypt is memory-hard (128*N*r
// bytes, 16 MiB by default); every computation runs under Limiter, holding
// one slot and 128*N*r bytes of its memory budget.
//
// A zero field means its default, so &ScryptHasher{} equals NewScryptHasher().
type ScryptHasher struct {
	// N is the work factor, a power of two greater than 1. Default 16384.
	N int
	// R is the block size. Default 8.
	R int
	// P is the parallelism. Default 5 (Django >= 5.1).
	P int
	// Limits caps the parameters accepted from stored hashes.
	Limits Limits
	// Limiter bounds concurrent hashing work; each scrypt computation holds
	// one slot and 128*N*r bytes of its memory budget. nil means unbounded.
	Limiter *Limiter
}

// NewScryptHasher returns a scrypt hasher with N=16384, r=8, p=5,
// DefaultLimits and no Limiter.
func NewScryptHasher() *ScryptHasher {
	return &ScryptHasher{N: DefaultScryptN, R: DefaultScryptR, P: DefaultScryptP, Limits: DefaultLimits()}
}

// Algorithm returns "scrypt".
func (h *ScryptHasher) Algorithm() string { return scryptAlgorithm }

func (h *ScryptHasher) limiter() *Limiter { return h.Limiter }

// scryptEncoded is a parsed scrypt encoding.
type scryptEncoded struct {
	n, r, p int
	salt    string
	hash    string // base64, unchecked
}

func (h *ScryptHasher) config() scryptEncoded {
	c := scryptEncoded{n: h.N, r: h.R, p: h.P}
	if c.n <= 0 {
		c.n = DefaultScryptN
	}
	if c.r <= 0 {
		c.r = DefaultScryptR
	}
	if c.p <= 0 {
		c.p = DefaultScryptP
	}
	return c
}

// parseScrypt splits encoded into its fields, checking syntax only.
func parseScrypt(encoded string) (scryptEncoded, error) {
	var e scryptEncoded
	rest, ok := strings.CutPrefix(encoded, scryptAlgorithm+"$")
	if !ok {
		return e, malformed(scryptAlgorithm, "missing %q prefix", scryptAlgorithm+"$")
	}
	parts := strings.SplitN(rest, "$", 6)
	if len(parts) != 5 {
		return e, malformed(scryptAlgorithm, "expected scrypt$<n>$<salt>$<r>$<p>$<hash>")
	}
	for _, f := range []struct {
		name string
		text string
		dst  *int
	}{{"n", parts[0], &e.n}, {"r", parts[2], &e.r}, {"p", parts[3], &e.p}} {
		v, ok := parseDecimal(f.text, math.MaxInt32)
		if !ok || v == 0 {
			return e, malformed(scryptAlgorithm, "invalid %s", f.name)
		}
		*f.dst = int(v)
	}
	if parts[1] == "" {
		return e, malformed(scryptAlgorithm, "empty salt")
	}
	e.salt, e.hash = parts[1], parts[4]
	return e, nil
}

// check validates the parameters and limits before any allocation.
func (e scryptEncoded) check(l Limits) error {
	l = l.resolved()
	switch {
	case e.n <= 1 || e.n&(e.n-1) != 0:
		return malformed(scryptAlgorithm, "n=%d is not a power of two greater than 1", e.n)
	case e.n > l.MaxScryptN:
		return overLimit(scryptAlgorithm, "n=%d exceeds the limit of %d", e.n, l.MaxScryptN)
	case e.r > l.MaxScryptR:
		return overLimit(scryptAlgorithm, "r=%d exceeds the limit of %d", e.r, l.MaxScryptR)
	case e.p > l.MaxScryptP:
		return overLimit(scryptAlgorithm, "p=%d exceeds the limit of %d", e.p, l.MaxScryptP)
	case 128*uint64(e.n)*uint64(e.r) > uint64(l.MaxScryptMemory):
		return overLimit(scryptAlgorithm, "128*n*r = %d bytes exceeds the limit of %d", 128*uint64(e.n)*uint64(e.r), l.MaxScryptMemory)
	}
	return nil
}

// memoryBytes is the memory a computation holds in a Limiter: 128*N*r
// bytes, the quantity Limits.MaxScryptMemory caps.
func (e scryptEncoded) memoryBytes() int64 { return 128 * int64(e.n) * int64(e.r) }

// derive runs scrypt under the limiter.
func (h *ScryptHasher) derive(ctx context.Context, password, salt string, e scryptEncoded) ([]byte, error) {
	var key []byte
	var kerr error
	err := h.Limiter.run(ctx, e.memoryBytes(), func() {
		key, kerr = scrypt.Key([]byte(password), []byte(salt), e.n, e.r, e.p, scryptKeyLen)
	})
	if err != nil {
		return nil, err
	}
	if kerr != nil {
		return nil, malformed(scryptAlgorithm, "%v", kerr)
	}
	return key, nil
}

// Hash returns the encoding of password with a new random salt.
func (h *ScryptHasher) Hash(ctx context.Context, password string) (string, error) {
	return h.Encode(ctx, password, newSalt())
}

// Encode returns the encoding of password with the given salt (Django's
// encode). An empty salt or one containing '$' gives ErrInvalidSalt.
func (h *ScryptHasher) Encode(ctx context.Context, password, salt string) (string, error) {
	if err := checkSalt(salt); err != nil {
		return "", err
	}
	c := h.config()
	if err := c.check(h.Limits); err != nil {
		return "", fmt.Errorf("scrypt: hasher configuration: %w", err)
	}
	key, err := h.derive(ctx, password, salt, c)
	if err != nil {
		return "", err
	}
	return scryptAlgorithm + "$" + strconv.Itoa(c.n) + "$" + salt + "$" + strconv.Itoa(c.r) + "$" +
		strconv.Itoa(c.p) + "$" + encodeB64(key), nil
}

// prepare parses and validates encoded as Verify needs it, before any work.
func (h *ScryptHasher) prepare(encoded string) (e scryptEncoded, want []byte, err error) {
	e, err = parseScrypt(encoded)
	if err != nil {
		return e, nil, err
	}
	if err := e.check(h.Limits); err != nil {
		return e, nil, err
	}
	want, ok := decodeB64(e.hash, scryptKeyLen)
	if !ok {
		return e, nil, malformed(scryptAlgorithm, "hash is not %d bytes of padded base64", scryptKeyLen)
	}
	return e, want, nil
}

// Verify reports whether password matches encoded. Parameters are checked
// against Limits before any work.
func (h *ScryptHasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	e, want, err := h.prepare(encoded)
	if err != nil {
		return false, err
	}
	got, err := h.derive(ctx, password, e.salt, e)
	if err != nil {
		return false, err
	}
	return ctEqual(got, want), nil
}

// simParams returns the work parameters of a verifiable encoding: n, r, p
// and the salt length in bytes.
func (h *ScryptHasher) simParams(encoded string) (workParams, error) {
	e, _, err := h.prepare(encoded)
	if err != nil {
		return workParams{}, err
	}
	return workParams{uint64(e.n), uint64(e.r), uint64(e.p), uint64(len(e.salt))}, nil
}

// simDummy returns an encoding with the parameters w (from simParams), a
// random salt and a random hash.
func (h *ScryptHasher) simDummy(w workParams) string {
	return scryptAlgorithm + "$" + strconv.FormatUint(w[0], 10) + "$" + randomString(dummySaltLen(w[3])) + "$" +
		strconv.FormatUint(w[1], 10) + "$" + strconv.FormatUint(w[2], 10) + "$" + encodeB64(randomBytes(scryptKeyLen))
}

// MustUpdate reports whether encoded is weaker than this hasher: n < N,
// r < R or p < P. (Django re-hashes when they merely differ; it does not
// check scrypt salts.)
func (h *ScryptHasher) MustUpdate(encoded string) bool {
	e, err := parseScrypt(encoded)
	if err != nil {
		return false
	}
	c := h.config()
	return e.n < c.n || e.r < c.r || e.p < c.p
}
