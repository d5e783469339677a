package hashers

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry is Django's PASSWORD_HASHERS setting: a preferred hasher, used for
// new hashes and as the upgrade target, and further hashers accepted for
// verification. A Registry is safe for concurrent use. Its hashers are fixed
// by New; the only state it changes is the simulation template that sets the
// cost of simulated checks (see SimulateCheck and SetSimulation).
type Registry struct {
	preferred PasswordHasher
	ordered   []PasswordHasher
	byAlg     map[string]PasswordHasher

	sim atomic.Pointer[simTemplate] // nil until a real verification or SetSimulation
}

// New returns a Registry whose preferred hasher is preferred (Django's
// PASSWORD_HASHERS[0]) and which also verifies with others. If two hashers
// share an algorithm name, the preferred one wins, then the earlier one.
// nil entries in others are skipped. New panics if preferred is nil.
//
// The preferred hasher must be able to hash: with a verify-only hasher,
// MakePassword returns ErrVerifyOnly.
func New(preferred PasswordHasher, others ...PasswordHasher) *Registry {
	if preferred == nil {
		panic("hashers: New called with a nil preferred hasher")
	}
	r := &Registry{preferred: preferred, byAlg: make(map[string]PasswordHasher, 1+len(others))}
	for _, h := range append([]PasswordHasher{preferred}, others...) {
		if h == nil {
			continue
		}
		if _, dup := r.byAlg[h.Algorithm()]; dup {
			continue
		}
		r.byAlg[h.Algorithm()] = h
		r.ordered = append(r.ordered, h)
	}
	return r
}

// minDefaultMemoryBudget is the smallest MaxMemory of Default's Limiter.
const minDefaultMemoryBudget = 64 << 20

// defaultRegistry is the package's only package-level state; see Default.
var defaultRegistry = sync.OnceValue(func() *Registry {
	a := NewArgon2Hasher()
	p256, p1 := NewPBKDF2SHA256Hasher(), NewPBKDF2SHA1Hasher()
	b256, b := NewBcryptSHA256Hasher(), NewBcryptHasher()
	s := NewScryptHasher()
	lim := NewLimiter(max(2, runtime.GOMAXPROCS(0)))
	lim.MaxMemory = max(4*a.config().memoryBytes(), minDefaultMemoryBudget,
		int64(a.Limits.resolved().MaxArgon2Memory)*1024, s.Limits.resolved().MaxScryptMemory)
	a.Limiter, p256.Limiter, p1.Limiter, b256.Limiter, b.Limiter, s.Limiter = lim, lim, lim, lim, lim, lim
	return New(a, p256, p1, b256, b, s,
		NewMD5Hasher(),
		NewSHA1Hasher(),
		NewUnsaltedMD5Hasher(),
		NewUnsaltedSHA1Hasher(),
	)
})

// Default returns the process-wide default Registry, built once on first use:
// Argon2id (NewArgon2Hasher) preferred, then pbkdf2_sha256, pbkdf2_sha1,
// bcrypt_sha256, bcrypt, scrypt, md5, sha1, unsalted_md5 and unsalted_sha1
// accepted for verification (and upgraded to argon2 on the next successful
// CheckPassword).
//
// All its hashers with a work factor (argon2, both PBKDF2, both bcrypt,
// scrypt) share one Limiter: max(2, GOMAXPROCS) slots, a memory budget
// (MaxMemory) of the largest of 4 × the preferred argon2 memory, 64 MiB and
// the largest single computation the default Limits admit (argon2 256 MiB,
// scrypt 256 MiB), so 256 MiB with the defaults, and the default MaxWait of
// 5 s. (A smaller budget would refuse hashes the Limits accept, such as
// Django 6.1's argon2 default of m=102400 KiB, with ErrLimitExceeded.)
//
// This is the package's only package-level value, and it is one on purpose:
// the Limiter bounds the CPU and memory of concurrent hashes for the whole
// process, which only works if every caller shares it. Code that needs other
// settings builds its own Registry with New (and may share a Limiter
// between registries the same way).
func Default() *Registry { return defaultRegistry() }

// Preferred returns the preferred hasher.
func (r *Registry) Preferred() PasswordHasher { return r.preferred }

// Get returns the hasher for a Django algorithm name.
func (r *Registry) Get(algorithm string) (PasswordHasher, bool) {
	h, ok := r.byAlg[algorithm]
	return h, ok
}

// Hashers returns the installed hashers, preferred first.
func (r *Registry) Hashers() []PasswordHasher {
	return append([]PasswordHasher(nil), r.ordered...)
}

// Limiter returns the Limiter of the preferred hasher if it has one,
// otherwise the first Limiter among the other hashers, otherwise nil. For
// Default it is the Limiter shared by all its hashers.
func (r *Registry) Limiter() *Limiter {
	for _, h := range r.ordered {
		if l, ok := h.(limited); ok && l.limiter() != nil {
			return l.limiter()
		}
	}
	return nil
}

// algorithmOf applies Django's identify_hasher rules, in order:
//  1. 32 characters without '$', or 37 characters starting "md5$$":
//     unsalted_md5;
//  2. 46 characters starting "sha1$$": unsalted_sha1;
//  3. otherwise the text before the first '$' (the whole string if none).
func algorithmOf(encoded string) string {
	switch {
	case len(encoded) == 32 && !strings.Contains(encoded, "$"),
		len(encoded) == 37 && strings.HasPrefix(encoded, "md5$$"):
		return "unsalted_md5"
	case len(encoded) == 46 && strings.HasPrefix(encoded, "sha1$$"):
		return "unsalted_sha1"
	}
	alg, _, _ := strings.Cut(encoded, "$")
	return alg
}

// Identify returns the hasher for encoded by Django's identify_hasher rules
// (see algorithmOf). An algorithm that is not installed gives an
// *UnknownAlgorithmError (wrapping ErrUnknownAlgorithm) with Django's
// message: Unknown password hashing algorithm '<alg>'. Did you specify it in
// the PASSWORD_HASHERS setting?
//
// Identify looks only at the algorithm name; it does not validate the rest.
// Note that the message quotes everything before the first '$', which for a
// string without '$' is the whole string.
func (r *Registry) Identify(encoded string) (PasswordHasher, error) {
	alg := algorithmOf(encoded)
	if h, ok := r.byAlg[alg]; ok {
		return h, nil
	}
	return nil, &UnknownAlgorithmError{Algorithm: alg}
}

// MakePassword hashes password with the preferred hasher and a new salt
// (Django's make_password). The empty string is a valid password. Use
// MakeUnusablePassword for make_password(None).
func (r *Registry) MakePassword(ctx context.Context, password string) (string, error) {
	return r.preferred.Hash(ctx, password)
}

// MakeUnusablePassword returns "!" followed by 40 random characters of
// [a-zA-Z0-9] (Django's make_password(None)). It never verifies, and
// IsPasswordUsable reports false for it.
func MakeUnusablePassword() string {
	return "!" + randomString(unusableSuffixLength)
}

// IsPasswordUsable reports whether encoded was not made by
// MakeUnusablePassword, i.e. does not start with "!". As in Django, the empty
// string and garbage such as "lètmein_badencoded" count as usable.
func IsPasswordUsable(encoded string) bool {
	return !strings.HasPrefix(encoded, "!")
}

// VerifyPassword is Django 6.1's verify_password. It returns whether password
// matches encoded and whether encoded should be re-hashed with the preferred
// hasher:
//
//  1. If encoded is unusable ("!..."), names an algorithm that is not
//     installed, or password has a NUL character (which Django's forms
//     refuse, and which would match a PBKDF2 hash of the password without
//     it, since HMAC pads its key with NULs), it runs the fake runtime (see SimulateCheck) so the failure
//     costs as much as a real check (CVE-2024-39329), and returns
//     (false, false, nil).
//  2. mustUpdate is true if encoded's hasher is not the preferred one, or the
//     preferred hasher's MustUpdate says so.
//  3. correct is the hasher's constant-time Verify.
//  4. If the password is wrong, the hasher is the preferred one and
//     mustUpdate is true, the hasher's HardenRuntime (if it is a
//     RuntimeHardener) tops the work up to the current work factor.
//
// An encoding of an installed algorithm that cannot be verified (malformed,
// unsupported such as argon2d or argon2 version 16, or beyond the Limits)
// is refused by the hasher before any work; VerifyPassword then runs the
// fake runtime too, so the refusal takes as long as a real check, and
// returns (false, false, err) with err wrapping both ErrUnverifiable and the
// cause (ErrMalformedHash, ErrUnsupported or ErrLimitExceeded). Callers
// should treat it as a wrong password and log it; the error text never
// contains the encoding. (Django raises instead, which answers a login
// with a fast error.)
//
// Other errors are operational and returned as they are: a context that
// ends, or a Limiter whose MaxWait passes, while waiting for a slot
// (ErrBusy), also during the fake runtime.
//
// A successful Verify updates the simulation template (see SimulateCheck).
func (r *Registry) VerifyPassword(ctx context.Context, password, encoded string) (correct, mustUpdate bool, err error) {
	if strings.IndexByte(password, 0) >= 0 {
		// PBKDF2's HMAC pads its key with NULs, so "secret\x00" would
		// verify against a hash of "secret"; no Django form or DRF field
		// takes a NUL (ProhibitNullCharactersValidator). A password with
		// one is wrong, after the time a check takes (a stand-in without
		// the NULs, which bcrypt refuses, is checked instead).
		if err := r.simulate(ctx, strings.ReplaceAll(password, "\x00", "0"), randomString(unusableSuffixLength)); err != nil {
			return false, false, fmt.Errorf("hashers: simulating a password check: %w", err)
		}
		return false, false, nil
	}
	var hasher PasswordHasher
	if IsPasswordUsable(encoded) {
		hasher, _ = r.Identify(encoded) // unknown algorithm: fake runtime below
	}
	if hasher == nil {
		if err := r.simulate(ctx, password, randomString(unusableSuffixLength)); err != nil {
			return false, false, fmt.Errorf("hashers: simulating a password check: %w", err)
		}
		return false, false, nil
	}
	hasherChanged := hasher.Algorithm() != r.preferred.Algorithm()
	mustUpdate = hasherChanged || r.preferred.MustUpdate(encoded)
	correct, err = hasher.Verify(ctx, password, encoded)
	if err != nil {
		if !unverifiable(err) {
			return false, false, err
		}
		if serr := r.simulate(ctx, password, randomString(unusableSuffixLength)); serr != nil {
			// Busy: report it like any check that could not run, not as
			// ErrUnverifiable (which callers treat as a wrong password).
			return false, false, fmt.Errorf("hashers: simulating a password check: %w", serr)
		}
		return false, false, fmt.Errorf("%w: %w", ErrUnverifiable, err)
	}
	r.record(hasher, encoded)
	if !correct && !hasherChanged && mustUpdate {
		if hr, ok := hasher.(RuntimeHardener); ok {
			hr.HardenRuntime(ctx, password, encoded)
		}
	}
	return correct, mustUpdate, nil
}

// unverifiable reports whether err is a hasher's refusal of the encoding
// itself.
func unverifiable(err error) bool {
	return errors.Is(err, ErrMalformedHash) || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrLimitExceeded)
}

// CheckPassword is Django's check_password: it verifies password against
// encoded and, only when the password is correct and the encoding must be
// updated, calls setter (if not nil) with the raw password so the caller can
// store MakePassword(password). A wrong password never calls setter.
//
// An encoding that cannot be verified gives (false, err) with err wrapping
// ErrUnverifiable and the cause, after the time of a real check (see
// VerifyPassword).
//
// If setter fails, CheckPassword returns true together with setter's error
// (wrapped): the password was correct, only the upgrade failed.
func (r *Registry) CheckPassword(ctx context.Context, password, encoded string, setter func(ctx context.Context, password string) error) (bool, error) {
	correct, mustUpdate, err := r.VerifyPassword(ctx, password, encoded)
	if err != nil {
		return false, err
	}
	if setter != nil && correct && mustUpdate {
		if err := setter(ctx, password); err != nil {
			return true, fmt.Errorf("hashers: upgrading the password hash: %w", err)
		}
	}
	return correct, nil
}

// SimulateCheck spends the time of a wrong password and discards the result.
// Authentication code calls it for unknown users, so that a login attempt
// for a user who does not exist costs as much as a wrong password (Django's
// ModelBackend runs set_password for the same reason). VerifyPassword's
// fake runtime does the same work.
//
// The work mirrors the hashes actually stored: the Registry keeps a dummy
// encoding with the algorithm and work parameters of the most recent real
// verification (VerifyPassword or CheckPassword with no error), but a random
// salt and digest, and SimulateCheck verifies password against it (and runs
// HardenRuntime when a real check of such a hash would). So on a database
// of Django pbkdf2_sha256 hashes at 1,500,000 iterations, an unknown user
// costs 1,500,000 iterations, not one Argon2id hash. Only this package's
// hashers with a work factor update the dummy; it is rebuilt only when the
// parameters change. Before any real verification, SimulateCheck hashes
// password with the preferred hasher. SetSimulation pins the dummy's cost
// instead, which is advisable when the stored hashes are mixed.
//
// The work runs under the hasher's Limiter, so SimulateCheck can fail with
// ErrBusy.
func (r *Registry) SimulateCheck(ctx context.Context, password string) error {
	return r.simulate(ctx, password, password)
}
