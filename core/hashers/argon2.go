package hashers

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2 defaults (OWASP's minimum recommendation for Argon2id: 19 MiB,
// two passes, one lane).
const (
	DefaultArgon2Time    = 2
	DefaultArgon2Memory  = 19456 // KiB (19 MiB)
	DefaultArgon2Threads = 1
	DefaultArgon2KeyLen  = 32
)

const (
	argon2Algorithm = "argon2"
	argon2Version   = 0x13 // 19, the only version golang.org/x/crypto implements
	argon2MinSalt   = 8    // ARGON2_MIN_SALT_LENGTH
	argon2MinTag    = 4    // ARGON2_MIN_OUTLEN
)

// Argon2Hasher is Django's Argon2PasswordHasher: argon2 with the argon2-cffi
// PHC string prefixed by "argon2", e.g.
//
//	argon2$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with unpadded standard base64. Hash creates Argon2id hashes with a Django
// salt() (22 characters of [a-zA-Z0-9]) whose ASCII bytes are the argon2 salt,
// exactly as Django does.
//
// Verify accepts argon2id and argon2i, version 19, any tag length from 4 to
// Limits.MaxKeyLen bytes. It refuses argon2d and version 16 (the pre-2016
// form, written without "v=") with ErrUnsupported, because
// golang.org/x/crypto/argon2 implements only Argon2i and Argon2id at version
// 0x13.
//
// MustUpdate deliberately differs from Django: Django re-hashes whenever any
// parameter differs from its settings; this hasher re-hashes only hashes that
// are weaker (see MustUpdate), so a stronger Django hash such as
// m=102400,t=2,p=8 is never "upgraded" down to these defaults.
//
// A zero field means its default, so &Argon2Hasher{} equals NewArgon2Hasher().
type Argon2Hasher struct {
	// Time is the number of passes (t). Default 2.
	Time uint32
	// Memory is the memory cost (m) in KiB. Default 19456 (19 MiB).
	Memory uint32
	// Threads is the parallelism (p, lanes). Default 1.
	Threads uint8
	// KeyLen is the tag length in bytes. Default 32 (argon2-cffi >= 21.2).
	KeyLen uint32
	// Limits caps the parameters accepted from stored hashes.
	Limits Limits
	// Limiter bounds concurrent hashing work; each argon2 computation holds
	// one slot and m KiB of its memory budget. nil means unbounded.
	Limiter *Limiter
}

// NewArgon2Hasher returns an Argon2id hasher with the default parameters:
// Time 2, Memory 19456 KiB, Threads 1, KeyLen 32, DefaultLimits, no Limiter.
func NewArgon2Hasher() *Argon2Hasher {
	return &Argon2Hasher{
		Time:    DefaultArgon2Time,
		Memory:  DefaultArgon2Memory,
		Threads: DefaultArgon2Threads,
		KeyLen:  DefaultArgon2KeyLen,
		Limits:  DefaultLimits(),
	}
}

// Algorithm returns "argon2".
func (h *Argon2Hasher) Algorithm() string { return argon2Algorithm }

func (h *Argon2Hasher) limiter() *Limiter { return h.Limiter }

// argon2Params are the fields of an argon2 encoding. salt and hash are the
// still-encoded base64 strings.
type argon2Params struct {
	variant string // argon2id, argon2i or argon2d
	version uint32 // 0x10 when the encoding has no v= field
	memory  uint32
	time    uint32
	threads uint32
	salt    string
	hash    string
}

// config returns the hasher's parameters with defaults applied.
func (h *Argon2Hasher) config() argon2Params {
	p := argon2Params{variant: "argon2id", version: argon2Version,
		memory: h.Memory, time: h.Time, threads: uint32(h.Threads)}
	if p.memory == 0 {
		p.memory = DefaultArgon2Memory
	}
	if p.time == 0 {
		p.time = DefaultArgon2Time
	}
	if p.threads == 0 {
		p.threads = DefaultArgon2Threads
	}
	return p
}

func (h *Argon2Hasher) keyLen() uint32 {
	if h.KeyLen == 0 {
		return DefaultArgon2KeyLen
	}
	return h.KeyLen
}

// parseArgon2 splits an encoding into its fields, following the grammar of
// argon2's reference decoder: "argon2" + "$<variant>[$v=<n>]$m=<n>,t=<n>,p=<n>$<salt>$<hash>".
// It checks only the syntax; see argon2Params.check.
func parseArgon2(encoded string) (argon2Params, error) {
	var p argon2Params
	rest, ok := strings.CutPrefix(encoded, argon2Algorithm+"$")
	if !ok {
		return p, malformed(argon2Algorithm, "missing %q prefix", argon2Algorithm+"$")
	}
	parts := strings.SplitN(rest, "$", 6)
	if len(parts) < 4 {
		return p, malformed(argon2Algorithm, "expected $<variant>$v=<version>$m=<m>,t=<t>,p=<p>$<salt>$<hash>")
	}
	p.variant = parts[0]
	switch p.variant {
	case "argon2id", "argon2i", "argon2d":
	default:
		return p, malformed(argon2Algorithm, "unknown variant (want argon2id or argon2i)")
	}
	fields := parts[1:]
	p.version = 0x10 // the reference decoder's default when v= is absent
	if v, ok := strings.CutPrefix(fields[0], "v="); ok {
		n, ok := parseDecimal(v, math.MaxUint32)
		if !ok {
			return p, malformed(argon2Algorithm, "invalid version")
		}
		p.version = uint32(n)
		fields = fields[1:]
	}
	if len(fields) != 3 {
		return p, malformed(argon2Algorithm, "expected $<variant>$v=<version>$m=<m>,t=<t>,p=<p>$<salt>$<hash>")
	}
	params := strings.Split(fields[0], ",")
	if len(params) != 3 {
		return p, malformed(argon2Algorithm, "expected m=<m>,t=<t>,p=<p>")
	}
	for i, dst := range []*uint32{&p.memory, &p.time, &p.threads} {
		key := "mtp"[i : i+1]
		v, ok := strings.CutPrefix(params[i], key+"=")
		if !ok {
			return p, malformed(argon2Algorithm, "expected m=<m>,t=<t>,p=<p>")
		}
		n, ok := parseDecimal(v, math.MaxUint32)
		if !ok {
			return p, malformed(argon2Algorithm, "invalid %s", key)
		}
		*dst = uint32(n)
	}
	p.salt, p.hash = fields[1], fields[2]
	return p, nil
}

// tagLen is the decoded length of the base64 tag.
func (p argon2Params) tagLen() int { return len(p.hash) * 6 / 8 }

// check validates a parsed encoding: variant and version, parameter ranges
// and limits, all before anything is allocated.
func (p argon2Params) check(l Limits) error {
	switch {
	case p.variant == "argon2d":
		return fmt.Errorf("%w: argon2: argon2d is not implemented by golang.org/x/crypto/argon2 (only argon2id and argon2i)", ErrUnsupported)
	case p.version == 0x10:
		return fmt.Errorf("%w: argon2: version 16 (v=16 or no v= field, argon2 before 2016) is not implemented by golang.org/x/crypto/argon2, which implements only version 19 (0x13)", ErrUnsupported)
	case p.version != argon2Version:
		return malformed(argon2Algorithm, "unknown version %d", p.version)
	}
	l = l.resolved()
	switch {
	case p.time < 1:
		return malformed(argon2Algorithm, "t must be at least 1")
	case p.threads < 1:
		return malformed(argon2Algorithm, "p must be at least 1")
	case p.threads > uint32(l.MaxArgon2Threads):
		return overLimit(argon2Algorithm, "p=%d exceeds the limit of %d", p.threads, l.MaxArgon2Threads)
	case p.memory > l.MaxArgon2Memory:
		return overLimit(argon2Algorithm, "m=%d KiB exceeds the limit of %d KiB", p.memory, l.MaxArgon2Memory)
	case p.time > l.MaxArgon2Time:
		return overLimit(argon2Algorithm, "t=%d exceeds the limit of %d", p.time, l.MaxArgon2Time)
	case uint64(p.memory) < 8*uint64(p.threads):
		return malformed(argon2Algorithm, "m=%d is below 8*p", p.memory)
	case uint64(p.tagLen()) > uint64(l.MaxKeyLen):
		return overLimit(argon2Algorithm, "tag length %d exceeds the limit of %d bytes", p.tagLen(), l.MaxKeyLen)
	}
	return nil
}

// String formats p as Django stores it.
func (p argon2Params) String() string {
	var b strings.Builder
	b.Grow(40 + len(p.salt) + len(p.hash))
	b.WriteString(argon2Algorithm + "$" + p.variant + "$")
	if p.version != 0x10 {
		b.WriteString("v=" + strconv.FormatUint(uint64(p.version), 10) + "$")
	}
	b.WriteString("m=" + strconv.FormatUint(uint64(p.memory), 10))
	b.WriteString(",t=" + strconv.FormatUint(uint64(p.time), 10))
	b.WriteString(",p=" + strconv.FormatUint(uint64(p.threads), 10))
	b.WriteString("$" + p.salt + "$" + p.hash)
	return b.String()
}

// memoryBytes is the memory an argon2 computation with p holds in a
// Limiter: m KiB.
func (p argon2Params) memoryBytes() int64 { return int64(p.memory) * 1024 }

// derive runs argon2 under the limiter.
func (h *Argon2Hasher) derive(ctx context.Context, variant string, password, salt []byte, p argon2Params, keyLen uint32) ([]byte, error) {
	var key []byte
	err := h.Limiter.run(ctx, p.memoryBytes(), func() {
		if variant == "argon2i" {
			key = argon2.Key(password, salt, p.time, p.memory, uint8(p.threads), keyLen)
		} else {
			key = argon2.IDKey(password, salt, p.time, p.memory, uint8(p.threads), keyLen)
		}
	})
	return key, err
}

// Hash returns an Argon2id encoding of password with a new random salt.
func (h *Argon2Hasher) Hash(ctx context.Context, password string) (string, error) {
	return h.Encode(ctx, password, newSalt())
}

// Encode returns the Argon2id encoding of password with the given salt, whose
// UTF-8 bytes are the argon2 salt (Django's encode). The salt must be at
// least 8 bytes and must not contain '$'.
func (h *Argon2Hasher) Encode(ctx context.Context, password, salt string) (string, error) {
	if err := checkSalt(salt); err != nil {
		return "", err
	}
	if len(salt) < argon2MinSalt {
		return "", fmt.Errorf("argon2 salts must be at least %d bytes: %w", argon2MinSalt, ErrInvalidSalt)
	}
	p := h.config()
	keyLen := h.keyLen()
	if err := p.check(h.Limits); err != nil {
		return "", fmt.Errorf("argon2: hasher configuration: %w", err)
	}
	if keyLen < argon2MinTag {
		return "", malformed(argon2Algorithm, "hasher configuration: KeyLen must be at least %d", argon2MinTag)
	}
	if keyLen > h.Limits.resolved().MaxKeyLen {
		return "", overLimit(argon2Algorithm, "hasher configuration: KeyLen %d exceeds the limit of %d", keyLen, h.Limits.resolved().MaxKeyLen)
	}
	key, err := h.derive(ctx, p.variant, []byte(password), []byte(salt), p, keyLen)
	if err != nil {
		return "", err
	}
	p.salt = encodeRawB64([]byte(salt))
	p.hash = encodeRawB64(key)
	return p.String(), nil
}

// prepare parses and validates encoded as Verify needs it, before any work:
// syntax, variant and version, limits, salt and tag.
func (h *Argon2Hasher) prepare(encoded string) (p argon2Params, salt, want []byte, err error) {
	p, err = parseArgon2(encoded)
	if err != nil {
		return p, nil, nil, err
	}
	if err := p.check(h.Limits); err != nil {
		return p, nil, nil, err
	}
	if len(p.hash) < 6 { // 6 base64 characters encode 4 bytes
		return p, nil, nil, malformed(argon2Algorithm, "tag shorter than %d bytes", argon2MinTag)
	}
	salt, ok := decodeRawB64(p.salt)
	if !ok {
		return p, nil, nil, malformed(argon2Algorithm, "invalid salt encoding")
	}
	if len(salt) < argon2MinSalt {
		return p, nil, nil, malformed(argon2Algorithm, "salt shorter than %d bytes", argon2MinSalt)
	}
	want, ok = decodeRawB64(p.hash)
	if !ok {
		return p, nil, nil, malformed(argon2Algorithm, "invalid hash encoding")
	}
	return p, salt, want, nil
}

// Verify reports whether password matches an argon2id or argon2i (version
// 19) encoding. Parameters are checked against Limits before any work.
func (h *Argon2Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	p, salt, want, err := h.prepare(encoded)
	if err != nil {
		return false, err
	}
	got, err := h.derive(ctx, p.variant, []byte(password), salt, p, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return ctEqual(got, want), nil
}

// simParams returns the work parameters of a verifiable encoding:
// variant (0 argon2id, 1 argon2i), m, t, p, salt and tag lengths.
func (h *Argon2Hasher) simParams(encoded string) (workParams, error) {
	p, salt, want, err := h.prepare(encoded)
	if err != nil {
		return workParams{}, err
	}
	var variant uint64
	if p.variant == "argon2i" {
		variant = 1
	}
	return workParams{variant, uint64(p.memory), uint64(p.time), uint64(p.threads), uint64(len(salt)), uint64(len(want))}, nil
}

// simDummy returns an encoding with the parameters w (from simParams), a
// random salt and a random tag.
func (h *Argon2Hasher) simDummy(w workParams) string {
	p := argon2Params{variant: "argon2id", version: argon2Version,
		memory: uint32(w[1]), time: uint32(w[2]), threads: uint32(w[3])}
	if w[0] == 1 {
		p.variant = "argon2i"
	}
	p.salt = encodeRawB64([]byte(randomString(dummySaltLen(w[4]))))
	p.hash = encodeRawB64(randomBytes(int(w[5])))
	return p.String()
}

// MustUpdate reports whether encoded should be re-hashed: when it is not
// Argon2id, its version is not 19, it is weaker than this hasher (m < Memory,
// t < Time or tag length < KeyLen), or its salt is weak by Django's rule
// (decoded salt length * log2(62) < 128 bits).
//
// Unlike Django, which re-hashes whenever the parameters merely differ, this
// never downgrades a stronger hash. Parallelism is not compared: the work
// (m*t) is the same whatever the number of lanes, so p=8 versus p=1 is not
// a weakness either way.
func (h *Argon2Hasher) MustUpdate(encoded string) bool {
	p, err := parseArgon2(encoded)
	if err != nil {
		return false
	}
	if p.variant != "argon2id" || p.version != argon2Version {
		return true
	}
	c := h.config()
	if p.memory < c.memory || p.time < c.time || uint32(p.tagLen()) < h.keyLen() {
		return true
	}
	salt, ok := decodeRawB64(p.salt)
	if !ok {
		return false
	}
	return mustUpdateSalt(len(salt))
}
