package hashers

import "context"

// PasswordHasher hashes and verifies passwords in one Django encoded format.
// Implementations in this package are safe for concurrent use as long as
// their exported fields are not changed after first use.
type PasswordHasher interface {
	// Algorithm returns Django's algorithm name: "argon2",
	// "pbkdf2_sha256", ... It is the text before the first '$' of the
	// encodings the hasher produces (except for the unsalted legacy
	// formats; see Registry.Identify).
	Algorithm() string

	// Hash returns Django's encoded string for password with a new random
	// salt (Django's make_password).
	Hash(ctx context.Context, password string) (string, error)

	// Verify reports whether password matches encoded, comparing in
	// constant time. A wrong password gives (false, nil). A malformed,
	// unsupported or over-limit encoding gives an error wrapping
	// ErrMalformedHash, ErrUnsupported or ErrLimitExceeded.
	Verify(ctx context.Context, password, encoded string) (bool, error)

	// MustUpdate reports whether encoded should be re-hashed with this
	// hasher's current parameters. It reports false for encodings it
	// cannot parse (Verify reports those as errors).
	MustUpdate(encoded string) bool
}

// SaltedHasher is implemented by hashers that can encode with a caller-chosen
// salt: Django's encode(password, salt). It exists for fixed-salt test
// vectors and interoperability checks; use Hash for real passwords. An empty
// salt or one containing '$' gives ErrInvalidSalt.
type SaltedHasher interface {
	Encode(ctx context.Context, password, salt string) (string, error)
}

// RuntimeHardener is implemented by hashers with a work factor that can be
// topped up: Django's harden_runtime. When a password is wrong and the stored
// hash has a lower work factor than the hasher's current setting,
// Registry.VerifyPassword calls HardenRuntime so the failed check costs about
// as much as a check against a current hash, hiding which users have old
// hashes.
type RuntimeHardener interface {
	HardenRuntime(ctx context.Context, password, encoded string)
}

// limited is implemented by hashers that run under a Limiter.
type limited interface {
	limiter() *Limiter
}
