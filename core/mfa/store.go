package mfa

import (
	"errors"

	"github.com/reinhardt-go/auth/core/mfa/mfastore"
)

// The store contract lives in package mfastore, which imports only the
// standard library, so that a store implementation does not compile the
// TOTP and QR-code libraries; these names are the same types and values.
type (
	// Store keeps MFA records: see mfastore.Store.
	Store = mfastore.Store
	// Record is a user's MFA enrollment as a Store keeps it: see
	// mfastore.Record.
	Record = mfastore.Record
)

// Errors of the package and its stores.
var (
	// ErrNotEnrolled: the user has no MFA record (or, for VerifyCode and
	// Disable, no confirmed one).
	ErrNotEnrolled = mfastore.ErrNotEnrolled
	// ErrAlreadyEnrolled: the user has a confirmed record; disable it
	// first.
	ErrAlreadyEnrolled = mfastore.ErrAlreadyEnrolled
	// ErrInvalidCode: the code is wrong, expired, already used or not a
	// code at all.
	ErrInvalidCode = errors.New("mfa: invalid code")
)
