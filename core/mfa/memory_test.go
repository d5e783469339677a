package mfa_test

import (
	"testing"

	"github.com/reinhardt-go/auth/core/mfa"
	"github.com/reinhardt-go/auth/stores/storetest/mfatest"
)

// TestMemoryStore runs the Store conformance suite on MemoryStore.
func TestMemoryStore(t *testing.T) {
	mfatest.TestMFAStore(t, func(*testing.T) mfa.Store { return mfa.NewMemoryStore() })
}
