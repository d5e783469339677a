package mfastore

import (
	"context"
	"errors"
	"time"
)

// Errors of the stores (and of package mfa, which names them too).
var (
	// ErrNotEnrolled: the user has no MFA record (or, for VerifyCode and
	// Disable, no confirmed one).
	ErrNotEnrolled = errors.New("mfa: user is not enrolled")
	// ErrAlreadyEnrolled: the user has a confirmed record; disable it
	// first.
	ErrAlreadyEnrolled = errors.New("mfa: user is already enrolled")
)

// Record is a user's MFA enrollment as a Store keeps it.
type Record struct {
	// UserID is the user's primary key (core.User.ID), at most 255 bytes.
	UserID string
	// Secret is the encrypted TOTP secret (see the package doc), opaque to
	// the store.
	Secret string
	// Confirmed reports whether a first valid code confirmed the
	// enrollment: only then is MFA on for the user.
	Confirmed bool
	// LastStep is the time step of the last accepted code, 0 before any.
	LastStep int64
	// CreatedAt is when the enrollment began.
	CreatedAt time.Time
	// RecoveryCodes is how many unused recovery codes the user has.
	RecoveryCodes int
}

// Store keeps MFA records. Implementations are safe for concurrent use;
// a done context is an error. Every method that changes a record is atomic
// with respect to the others, across processes for a shared store.
type Store interface {
	// Get returns the user's record, or ErrNotEnrolled.
	Get(ctx context.Context, userID string) (Record, error)
	// Begin stores rec (Confirmed false, LastStep 0) as the user's
	// record, replacing an unconfirmed one and its recovery codes; it
	// returns ErrAlreadyEnrolled, and changes nothing, when the user has a
	// confirmed record.
	Begin(ctx context.Context, rec Record) error
	// Confirm confirms the user's unconfirmed record, sets its LastStep to
	// step and its recovery codes to hashes, in one step, if the record
	// is unconfirmed and its LastStep is below step. It reports whether it
	// did; false (and nil) when it did not, ErrNotEnrolled when there is
	// no record.
	Confirm(ctx context.Context, userID string, step int64, hashes []string) (bool, error)
	// AdvanceStep sets the LastStep of the user's confirmed record to step
	// if it is below step (a compare-and-set), reporting whether it did:
	// of concurrent calls with one step exactly one gets true.
	AdvanceStep(ctx context.Context, userID string, step int64) (bool, error)
	// SetRecoveryCodes replaces the recovery codes of the user's confirmed
	// record with hashes; ErrNotEnrolled without one.
	SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error
	// ConsumeRecoveryCode removes hash from the recovery codes of the
	// user's confirmed record, reporting whether it was there: of
	// concurrent calls with one hash exactly one gets true.
	ConsumeRecoveryCode(ctx context.Context, userID, hash string) (bool, error)
	// Delete removes the user's record and recovery codes; no error when
	// there is none.
	Delete(ctx context.Context, userID string) error
}
