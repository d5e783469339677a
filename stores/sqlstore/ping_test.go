package sqlstore_test

import (
	"errors"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/readiness"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

var _ readiness.Checker = (*sqlstore.Store)(nil)

// TestPing: an open database answers; a closed one fails with an error
// wrapping core.ErrStoreUnavailable.
func TestPing(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		s := open(t)
		ctx := testCtx(t)
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		_ = s.Close()
		if err := s.Ping(ctx); !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("Ping after Close = %v; want an error wrapping core.ErrStoreUnavailable", err)
		}
	})
}
