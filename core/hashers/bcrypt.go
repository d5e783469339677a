package hashers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// DefaultBcryptRounds is Django's bcrypt cost (log2 rounds).
const DefaultBcryptRounds = 12

const (
	bcryptMaxPassword = 72 // bytes bcrypt uses
	bcryptMCFLen      = 60 // "$2b$12$" + 22 salt + 31 hash characters
	bcryptSaltEnd     = 29 // "$2b$12$" + 22 salt characters: Django's data[:29]
	bcryptAlphabet    = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// BcryptSHA256Hasher is Django's BCryptSHA256PasswordHasher: bcrypt over the
// lower-case hex of SHA-256(password), so long passwords are not truncated:
//
//	bcrypt_sha256$$2b$12$<22 salt><31 hash>
//
// New hashes use the "$2b$" prefix as Django (pyca/bcrypt) does;
// golang.org/x/crypto/bcrypt writes "$2a$", which is the same algorithm for
// every input bcrypt_sha256 and bcrypt accept here. Verify accepts "$2a$",
// "$2b$" and "$2y$".
//
// BcryptSHA256Hasher does not implement SaltedHasher:
// golang.org/x/crypto/bcrypt has no API to hash with a chosen salt.
//
// The zero value has the default cost and limits.
type BcryptSHA256Hasher struct {
	// Rounds is the bcrypt cost (log2 of the rounds) for new hashes,
	// 4 to 31. Default 12.
	Rounds int
	// Limits caps the cost accepted from stored hashes.
	Limits Limits
	// Limiter bounds concurrent hashing work; each bcrypt computation (and
	// each HardenRuntime) holds one slot (and no memory). nil means
	// unbounded.
	Limiter *Limiter

	onHarden func(password, salt string) // tests only
}

// BcryptHasher is Django's BCryptPasswordHasher: bcrypt over the raw
// password, "bcrypt$$2b$12$...". bcrypt uses at most 72 bytes of password:
// Hash refuses longer passwords with ErrPasswordTooLong (as pyca/bcrypt 5
// does) and Verify reports them as not matching. Passwords containing a NUL
// byte are refused the same way, since pyca/bcrypt rejects them and C bcrypt
// would stop at the NUL. Prefer BcryptSHA256Hasher.
//
// BcryptHasher does not implement SaltedHasher (see BcryptSHA256Hasher).
//
// The zero value has the default cost and limits.
type BcryptHasher struct {
	// Rounds is the bcrypt cost (log2 of the rounds) for new hashes,
	// 4 to 31. Default 12.
	Rounds int
	// Limits caps the cost accepted from stored hashes.
	Limits Limits
	// Limiter bounds concurrent hashing work; each bcrypt computation (and
	// each HardenRuntime) holds one slot (and no memory). nil means
	// unbounded.
	Limiter *Limiter

	onHarden func(password, salt string) // tests only
}

// NewBcryptSHA256Hasher returns a bcrypt_sha256 hasher with cost 12,
// DefaultLimits and no Limiter.
func NewBcryptSHA256Hasher() *BcryptSHA256Hasher {
	return &BcryptSHA256Hasher{Rounds: DefaultBcryptRounds, Limits: DefaultLimits()}
}

// NewBcryptHasher returns a bcrypt hasher with cost 12, DefaultLimits and
// no Limiter.
func NewBcryptHasher() *BcryptHasher {
	return &BcryptHasher{Rounds: DefaultBcryptRounds, Limits: DefaultLimits()}
}

// bcryptCore is the implementation shared by both bcrypt hashers.
type bcryptCore struct {
	algorithm string
	prehash   bool
	rounds    int
	limits    Limits
	limiter   *Limiter
	onHarden  func(password, salt string)
}

func (h *BcryptSHA256Hasher) core() bcryptCore {
	return bcryptCore{"bcrypt_sha256", true, h.Rounds, h.Limits.resolved(), h.Limiter, h.onHarden}
}

func (h *BcryptHasher) core() bcryptCore {
	return bcryptCore{"bcrypt", false, h.Rounds, h.Limits.resolved(), h.Limiter, h.onHarden}
}

func (h *BcryptSHA256Hasher) limiter() *Limiter { return h.Limiter }

func (h *BcryptHasher) limiter() *Limiter { return h.Limiter }

// Algorithm returns "bcrypt_sha256".
func (h *BcryptSHA256Hasher) Algorithm() string { return "bcrypt_sha256" }

// Algorithm returns "bcrypt".
func (h *BcryptHasher) Algorithm() string { return "bcrypt" }

// Hash returns "bcrypt_sha256$" + a new bcrypt hash of hex(SHA-256(password)).
func (h *BcryptSHA256Hasher) Hash(ctx context.Context, password string) (string, error) {
	return h.core().hash(ctx, password)
}

// Hash returns "bcrypt$" + a new bcrypt hash of password. Passwords longer
// than 72 bytes or containing NUL give ErrPasswordTooLong / ErrUnsupported.
func (h *BcryptHasher) Hash(ctx context.Context, password string) (string, error) {
	return h.core().hash(ctx, password)
}

// Verify reports whether password matches encoded.
func (h *BcryptSHA256Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	return h.core().verify(ctx, password, encoded)
}

// Verify reports whether password matches encoded. A password longer than 72
// bytes or containing NUL never matches.
func (h *BcryptHasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	return h.core().verify(ctx, password, encoded)
}

// MustUpdate reports whether encoded has a lower cost than Rounds. (Django
// re-hashes when the cost merely differs; a higher cost is kept here.)
func (h *BcryptSHA256Hasher) MustUpdate(encoded string) bool { return h.core().mustUpdate(encoded) }

// MustUpdate reports whether encoded has a lower cost than Rounds.
func (h *BcryptHasher) MustUpdate(encoded string) bool { return h.core().mustUpdate(encoded) }

// HardenRuntime runs 2^(Rounds-cost)-1 extra bcrypt computations at the
// encoded cost with the encoded salt, as Django does, so a wrong password
// against a cheaper hash costs as much as against a current one. It stops
// early if ctx ends. The work runs under Limiter; if no slot can be had
// (ErrBusy) it is skipped.
func (h *BcryptSHA256Hasher) HardenRuntime(ctx context.Context, password, encoded string) {
	h.core().harden(ctx, password, encoded)
}

// HardenRuntime runs 2^(Rounds-cost)-1 extra bcrypt computations, as Django
// does, under Limiter. It stops early if ctx ends.
func (h *BcryptHasher) HardenRuntime(ctx context.Context, password, encoded string) {
	h.core().harden(ctx, password, encoded)
}

func (c bcryptCore) cost() int {
	if c.rounds == 0 {
		return DefaultBcryptRounds
	}
	return c.rounds
}

// secret returns the bytes bcrypt hashes for password.
func (c bcryptCore) secret(password string) ([]byte, error) {
	if c.prehash {
		sum := sha256.Sum256([]byte(password))
		return []byte(hex.EncodeToString(sum[:])), nil
	}
	if len(password) > bcryptMaxPassword {
		return nil, fmt.Errorf("%w: bcrypt uses at most %d bytes of password, got %d; use bcrypt_sha256", ErrPasswordTooLong, bcryptMaxPassword, len(password))
	}
	if strings.IndexByte(password, 0) >= 0 {
		return nil, fmt.Errorf("%w: bcrypt passwords may not contain NUL bytes", ErrUnsupported)
	}
	return []byte(password), nil
}

func (c bcryptCore) hash(ctx context.Context, password string) (string, error) {
	cost := c.cost()
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return "", malformed(c.algorithm, "hasher configuration: Rounds must be %d to %d", bcrypt.MinCost, bcrypt.MaxCost)
	}
	if cost > c.limits.MaxBcryptCost {
		return "", overLimit(c.algorithm, "hasher configuration: cost %d exceeds the limit of %d", cost, c.limits.MaxBcryptCost)
	}
	secret, err := c.secret(password)
	if err != nil {
		return "", err
	}
	var mcf []byte
	if lerr := c.limiter.run(ctx, 0, func() { mcf, err = bcrypt.GenerateFromPassword(secret, cost) }); lerr != nil {
		return "", lerr
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", c.algorithm, err)
	}
	if len(mcf) != bcryptMCFLen || string(mcf[:4]) != "$2a$" {
		return "", fmt.Errorf("%s: unexpected output from golang.org/x/crypto/bcrypt", c.algorithm)
	}
	copy(mcf[:4], "$2b$")
	return c.algorithm + "$" + string(mcf), nil
}

// parse returns the bcrypt MCF string of encoded and its cost, checking the
// syntax strictly: "$2a$", "$2b$" or "$2y$", a two-digit cost from 04 to 31,
// a canonical 22-character salt and a canonical 31-character hash.
func (c bcryptCore) parse(encoded string) (mcf string, cost int, err error) {
	mcf, ok := strings.CutPrefix(encoded, c.algorithm+"$")
	if !ok {
		return "", 0, malformed(c.algorithm, "missing %q prefix", c.algorithm+"$")
	}
	if len(mcf) != bcryptMCFLen {
		return "", 0, malformed(c.algorithm, "expected %s$$2b$<cost>$<53 characters>", c.algorithm)
	}
	switch mcf[:4] {
	case "$2a$", "$2b$", "$2y$":
	default:
		return "", 0, malformed(c.algorithm, "unknown bcrypt prefix (want $2a$, $2b$ or $2y$)")
	}
	d1, d2 := mcf[4], mcf[5]
	if d1 < '0' || d1 > '9' || d2 < '0' || d2 > '9' || mcf[6] != '$' {
		return "", 0, malformed(c.algorithm, "invalid cost")
	}
	cost = int(d1-'0')*10 + int(d2-'0')
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return "", 0, malformed(c.algorithm, "cost %d outside %d to %d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	for i := 7; i < len(mcf); i++ {
		if strings.IndexByte(bcryptAlphabet, mcf[i]) < 0 {
			return "", 0, malformed(c.algorithm, "invalid character in salt or hash")
		}
	}
	// The 22nd salt character carries 2 significant bits and the 31st hash
	// character 4: real bcrypt never sets the others (Django, which compares
	// re-encoded strings, would never match such a hash).
	if strings.IndexByte(bcryptAlphabet, mcf[bcryptSaltEnd-1])%16 != 0 ||
		strings.IndexByte(bcryptAlphabet, mcf[len(mcf)-1])%4 != 0 {
		return "", 0, malformed(c.algorithm, "non-canonical salt or hash encoding")
	}
	return mcf, cost, nil
}

// prepare parses and validates encoded as verify needs it, before any work,
// and returns its bcrypt MCF string and cost.
func (c bcryptCore) prepare(encoded string) (mcf string, cost int, err error) {
	mcf, cost, err = c.parse(encoded)
	if err != nil {
		return "", 0, err
	}
	if cost > c.limits.MaxBcryptCost {
		return "", 0, overLimit(c.algorithm, "cost %d exceeds the limit of %d", cost, c.limits.MaxBcryptCost)
	}
	return mcf, cost, nil
}

func (c bcryptCore) verify(ctx context.Context, password, encoded string) (bool, error) {
	mcf, _, err := c.prepare(encoded)
	if err != nil {
		return false, err
	}
	secret, err := c.secret(password)
	if err != nil {
		// Over-long or NUL-containing passwords cannot match (bcrypt only).
		return false, nil
	}
	// CompareHashAndPassword compares in constant time.
	if lerr := c.limiter.run(ctx, 0, func() { err = bcrypt.CompareHashAndPassword([]byte(mcf), secret) }); lerr != nil {
		return false, lerr
	}
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		// Not reachable after parse; the library's message is not quoted,
		// since some of its errors include characters of the hash.
		return false, malformed(c.algorithm, "rejected by golang.org/x/crypto/bcrypt")
	}
}

// simParams returns the work parameters of a verifiable encoding: its cost.
func (c bcryptCore) simParams(encoded string) (workParams, error) {
	_, cost, err := c.prepare(encoded)
	if err != nil {
		return workParams{}, err
	}
	return workParams{uint64(cost)}, nil
}

// simDummy returns "<alg>$$2b$<cost>$" followed by a random canonical salt
// and hash.
func (c bcryptCore) simDummy(w workParams) string {
	b := make([]byte, 0, len(c.algorithm)+1+bcryptMCFLen)
	b = append(b, c.algorithm...)
	b = append(b, "$$2b$"...)
	b = append(b, byte('0'+w[0]/10), byte('0'+w[0]%10), '$')
	r := randomBytes(bcryptMCFLen - 7)
	for i, x := range r {
		switch i {
		case bcryptSaltEnd - 7 - 1: // last salt character: 2 significant bits
			x &^= 15
		case len(r) - 1: // last hash character: 4 significant bits
			x &^= 3
		}
		b = append(b, bcryptAlphabet[x%64])
	}
	return string(b)
}

func (h *BcryptSHA256Hasher) simParams(encoded string) (workParams, error) {
	return h.core().simParams(encoded)
}

func (h *BcryptSHA256Hasher) simDummy(w workParams) string { return h.core().simDummy(w) }

func (h *BcryptHasher) simParams(encoded string) (workParams, error) {
	return h.core().simParams(encoded)
}

func (h *BcryptHasher) simDummy(w workParams) string { return h.core().simDummy(w) }

func (c bcryptCore) mustUpdate(encoded string) bool {
	_, cost, err := c.parse(encoded)
	return err == nil && cost < c.cost()
}

func (c bcryptCore) harden(ctx context.Context, password, encoded string) {
	mcf, cost, err := c.parse(encoded)
	if err != nil || cost >= c.cost() || c.cost() > c.limits.MaxBcryptCost {
		return
	}
	secret, err := c.secret(password)
	if err != nil {
		return
	}
	// Django: diff = 2**(self.rounds - rounds) - 1 encodes with data[:29].
	_ = c.limiter.run(ctx, 0, func() {
		for diff := (1 << (c.cost() - cost)) - 1; diff > 0 && ctx.Err() == nil; diff-- {
			if c.onHarden != nil {
				c.onHarden(password, mcf[:bcryptSaltEnd])
			}
			_ = bcrypt.CompareHashAndPassword([]byte(mcf), secret)
		}
	})
}
