package sqlstore_test

import (
	"testing"

	"github.com/reinhardt-go/auth/core/mfa"
	"github.com/reinhardt-go/auth/stores/sqlstore"
	"github.com/reinhardt-go/auth/stores/storetest/mfatest"
)

// TestMFAStore runs core/mfa's Store conformance suite on every dialect.
func TestMFAStore(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		mfatest.TestMFAStore(t, func(t *testing.T) mfa.Store { return open(t).MFA() })
	})
}
