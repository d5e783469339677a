package sqlstore_test

import (
	"testing"

	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/sqlstore"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// TestTokenStores runs the token conformance suite (the 50-way refresh
// race among it) on every dialect.
func TestTokenStores(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		storetest.TestTokenStores(t, func(t *testing.T) (tokens.TokenBlacklist, tokens.RefreshStore) {
			ts := open(t).Tokens()
			return ts, ts
		})
	})
}
