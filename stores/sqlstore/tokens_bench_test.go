package sqlstore_test

import (
	"context"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// BenchmarkTokenRefresh is a whole rotation (verify, the state query, the
// user's row, the conditional UPDATE, mint, record, blacklist) on each
// database; "revocation" the hook's one query on a verified-token cache
// hit.
//
//	go test -run '^$' -bench Token -benchmem ./stores/sqlstore/
func BenchmarkTokenRefresh(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *sqlstore.Store
	}{{"SQLiteMemory", openMemory}, {"SQLiteFile", openFile}, {"Postgres", func(tb testing.TB) *sqlstore.Store {
		if postgresURLOrEmpty() == "" {
			tb.Skip("REINHARDT_TEST_POSTGRES is not set")
		}
		return openPostgres(tb)
	}}} {
		b.Run(db.name, func(b *testing.B) {
			ctx := context.Background()
			s := db.open(b)
			u, err := s.CreateUser(ctx, "alice", nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			ts := s.Tokens()
			m := tokens.NewTokenRotationManager(ts, ts)
			if m.JWT, err = jwtauth.New([]byte(interopSecret), jwtauth.WithRevocation(m.Revocation())); err != nil {
				b.Fatal(err)
			}
			m.Users = core.NewModelBackend(s)
			p, err := m.IssuePair(ctx, u)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("refresh", func(b *testing.B) {
				tok := p.Refresh
				b.ReportAllocs()
				for b.Loop() {
					np, err := m.Refresh(ctx, tok)
					if err != nil {
						b.Fatal(err)
					}
					tok = np.Refresh
				}
			})
			q, err := m.IssuePair(ctx, u)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("revocation", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := m.JWT.VerifyAccess(ctx, q.Access); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
