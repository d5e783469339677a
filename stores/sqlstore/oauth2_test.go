package sqlstore_test

import (
	"testing"

	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
	"github.com/reinhardt-go/auth/stores/sqlstore"
	"github.com/reinhardt-go/auth/stores/storetest/oauth2test"
)

// TestOAuth2Store runs core/oauth2's Store conformance suite, with its
// 50-goroutine races on one code and one refresh token, on every dialect.
func TestOAuth2Store(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		oauth2test.TestStore(t, func(t *testing.T) oauth2store.Store { return open(t).OAuth2() })
	})
}
