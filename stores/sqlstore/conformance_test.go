package sqlstore_test

import (
	"testing"

	"github.com/reinhardt-go/auth/stores/sqlstore"
	"github.com/reinhardt-go/auth/stores/storetest"
)

var _ storetest.PermissionAdmin = (*sqlstore.Store)(nil)

// TestUserStore runs the shared store conformance suite on every dialect.
func TestUserStore(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		storetest.TestUserStore(t, func(t *testing.T) storetest.Store { return open(t) })
	})
}
