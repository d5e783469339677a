package hashers

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of these with
// context (test with errors.Is). No error ever contains a password, a salt or
// a digest; only algorithm names and numeric parameters are quoted.
var (
	// ErrUnknownAlgorithm reports an encoded password whose algorithm is not
	// installed in the Registry. The concrete error is an
	// *UnknownAlgorithmError carrying Django's message.
	ErrUnknownAlgorithm = errors.New("hashers: unknown password hashing algorithm")

	// ErrMalformedHash reports an encoded password that cannot be parsed, or
	// whose parameters are invalid for its algorithm.
	ErrMalformedHash = errors.New("hashers: malformed encoded password")

	// ErrUnsupported reports a well-formed encoding that this package cannot
	// verify, such as argon2d or argon2 version 16 (golang.org/x/crypto/argon2
	// implements only Argon2i and Argon2id, version 0x13).
	ErrUnsupported = errors.New("hashers: unsupported password hash")

	// ErrLimitExceeded reports work-factor parameters beyond the configured
	// Limits, or a computation needing more memory than a Limiter's whole
	// MaxMemory budget. Such work is refused before any memory is allocated
	// or any hashing work is done.
	ErrLimitExceeded = errors.New("hashers: password hash parameters exceed the configured limits")

	// ErrUnverifiable reports a stored encoding that names an installed
	// algorithm but cannot be verified: malformed, unsupported or over the
	// Limits. Registry.VerifyPassword and CheckPassword return it (wrapping
	// the specific cause, ErrMalformedHash, ErrUnsupported or
	// ErrLimitExceeded) only after spending the time of a real check, so
	// such accounts cannot be told apart by timing. Treat it as a wrong
	// password and log it: the stored hash needs attention. Its text never
	// contains the encoded hash.
	ErrUnverifiable = errors.New("hashers: the stored password hash cannot be verified")

	// ErrBusy reports that no Limiter slot could be had in time: the
	// context ended, or Limiter.MaxWait passed, while waiting. The returned
	// error also wraps the context's error, or context.DeadlineExceeded
	// for MaxWait.
	ErrBusy = errors.New("hashers: timed out waiting for a password hashing slot")

	// ErrInvalidSalt reports an empty salt or one containing '$', or a salt
	// too short for argon2 (fewer than 8 bytes). Its text is Django's
	// ValueError message, word for word.
	ErrInvalidSalt = errors.New("salt must be provided and cannot contain $.")

	// ErrPasswordTooLong reports a password the algorithm cannot hash without
	// truncation (bcrypt: more than 72 bytes).
	ErrPasswordTooLong = errors.New("hashers: password too long")

	// ErrVerifyOnly reports an attempt to create a hash with a legacy hasher
	// that is kept only to verify (and then upgrade) old hashes.
	ErrVerifyOnly = errors.New("hashers: hasher can only verify passwords")
)

// UnknownAlgorithmError is returned by Registry.Identify when the encoded
// password names an algorithm that is not installed. Its message is Django's,
// word for word. It wraps ErrUnknownAlgorithm.
type UnknownAlgorithmError struct {
	// Algorithm is the algorithm name read from the encoded password.
	Algorithm string
}

// Error returns Django's message: Unknown password hashing algorithm '<alg>'.
// Did you specify it in the PASSWORD_HASHERS setting?
func (e *UnknownAlgorithmError) Error() string {
	return fmt.Sprintf("Unknown password hashing algorithm '%s'. Did you specify it in the PASSWORD_HASHERS setting?", e.Algorithm)
}

// Unwrap returns ErrUnknownAlgorithm.
func (e *UnknownAlgorithmError) Unwrap() error { return ErrUnknownAlgorithm }

// malformed returns an error wrapping ErrMalformedHash.
func malformed(alg, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformedHash, alg, fmt.Sprintf(format, args...))
}

// overLimit returns an error wrapping ErrLimitExceeded.
func overLimit(alg, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrLimitExceeded, alg, fmt.Sprintf(format, args...))
}
