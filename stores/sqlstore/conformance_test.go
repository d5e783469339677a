package sqlstore_test

import (
	"errors"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/reinhardt-go/auth/core"
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

// TestCaseVariantsPostgresRepeatableRead: on a PostgreSQL whose
// transactions default to repeatable read, creating a user still sees the
// case variants committed while it waited for its lock: of 20 racing case
// variants of a name, one is created.
func TestCaseVariantsPostgresRepeatableRead(t *testing.T) {
	postgresURL(t)
	u, _ := postgresSchema(t)
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	q.Set("default_transaction_isolation", "repeatable read")
	parsed.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // libpq reads no "+" as a space
	s := openURL(t, parsed.String())
	ctx := testCtx(t)
	for _, base := range []string{"kathy", "laura", "maria"} {
		var wg sync.WaitGroup
		var created atomic.Int32
		start := make(chan struct{})
		for bits := range 20 {
			b := []byte(base)
			for i := range b {
				if bits&(1<<i) != 0 {
					b[i] -= 'a' - 'A'
				}
			}
			wg.Go(func() {
				<-start
				_, err := s.CreateUser(ctx, string(b), nil, nil)
				switch {
				case err == nil:
					created.Add(1)
				case !errors.Is(err, core.ErrDuplicateUsername):
					t.Errorf("CreateUser(%s): %v", b, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if n := created.Load(); n != 1 {
			t.Errorf("20 racing case variants of %s: %d created, want 1", base, n)
		}
	}
}
