package hashers

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// Registry is Django's PASSWORD_HASHERS setting: a preferred hasher, used for
// new hashes and as the upgrade target, and further hashers accepted for
// verification. A Registry is immutable and safe for concurrent use.
type Registry struct {
	preferred PasswordHasher
	ordered   []PasswordHasher
	byAlg     map[string]PasswordHasher
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

// defaultRegistry is the package's only package-level state; see Default.
var defaultRegistry = sync.OnceValue(func() *Registry {
	lim := NewLimiter(max(2, runtime.GOMAXPROCS(0)))
	a := NewArgon2Hasher()
	a.Limiter = lim
	s := NewScryptHasher()
	s.Limiter = lim
	return New(a,
		NewPBKDF2SHA256Hasher(),
		NewPBKDF2SHA1Hasher(),
		NewBcryptSHA256Hasher(),
		NewBcryptHasher(),
		s,
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
// The argon2 and scrypt hashers share one Limiter of max(2, GOMAXPROCS)
// slots. This is the package's only package-level value, and it is one on
// purpose: the Limiter bounds the memory of concurrent memory-hard hashes
// for the whole process, which only works if every caller shares it. Code
// that needs other settings builds its own Registry with New (and may share a
// Limiter between registries the same way).
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
// Default it is the Limiter shared by argon2 and scrypt.
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
//  1. If encoded is unusable ("!...") or names an algorithm that is not
//     installed, it runs MakePassword on a random 40-character string once,
//     so the failure costs as much as a real check (CVE-2024-39329), and
//     returns (false, false, nil).
//  2. mustUpdate is true if encoded's hasher is not the preferred one, or the
//     preferred hasher's MustUpdate says so.
//  3. correct is the hasher's constant-time Verify.
//  4. If the password is wrong, the hasher is the preferred one and
//     mustUpdate is true, the hasher's HardenRuntime (if it is a
//     RuntimeHardener) tops the work up to the current work factor.
//
// A malformed, unsupported or over-limit encoding returns an error (Django
// raises); so does a context that ends while waiting for a Limiter slot.
func (r *Registry) VerifyPassword(ctx context.Context, password, encoded string) (correct, mustUpdate bool, err error) {
	var hasher PasswordHasher
	if IsPasswordUsable(encoded) {
		hasher, _ = r.Identify(encoded) // unknown algorithm: fake runtime below
	}
	if hasher == nil {
		if _, err := r.MakePassword(ctx, randomString(unusableSuffixLength)); err != nil {
			return false, false, fmt.Errorf("hashers: simulating a password check: %w", err)
		}
		return false, false, nil
	}
	hasherChanged := hasher.Algorithm() != r.preferred.Algorithm()
	mustUpdate = hasherChanged || r.preferred.MustUpdate(encoded)
	correct, err = hasher.Verify(ctx, password, encoded)
	if err != nil {
		return false, false, err
	}
	if !correct && !hasherChanged && mustUpdate {
		if hr, ok := hasher.(RuntimeHardener); ok {
			hr.HardenRuntime(ctx, password, encoded)
		}
	}
	return correct, mustUpdate, nil
}

// CheckPassword is Django's check_password: it verifies password against
// encoded and, only when the password is correct and the encoding must be
// updated, calls setter (if not nil) with the raw password so the caller can
// store MakePassword(password). A wrong password never calls setter.
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

// SimulateCheck spends the time of one MakePassword and discards the result.
// Authentication code calls it for unknown users, so that a login attempt
// for a user who does not exist costs as much as a wrong password (Django's
// ModelBackend runs set_password for the same reason).
func (r *Registry) SimulateCheck(ctx context.Context, password string) error {
	_, err := r.MakePassword(ctx, password)
	return err
}
