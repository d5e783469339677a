package oauth2_test

import (
	"testing"

	"github.com/reinhardt-go/auth/core/oauth2"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
	"github.com/reinhardt-go/auth/stores/storetest/oauth2test"
)

// TestMemoryStore runs the store conformance suite on MemoryStore.
func TestMemoryStore(t *testing.T) {
	oauth2test.TestStore(t, func(t *testing.T) oauth2store.Store { return oauth2.NewMemoryStore() })
}
