package sqlstore_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// sessionRequest is a core.Request with a session cookie.
type sessionRequest struct {
	core.Request
	cookie string
}

func (r *sessionRequest) Cookie(string) string { return r.cookie }

// sessionResponse is a core.Response that keeps the last cookie set.
type sessionResponse struct {
	h      http.Header
	cookie *http.Cookie
}

func (w *sessionResponse) Header() http.Header              { return w.h }
func (w *sessionResponse) SetCookie(c *http.Cookie)         { w.cookie = c }
func (w *sessionResponse) Write(status int, b []byte) error { return nil }

// BenchmarkSessionLoadModifySave is one request's session work on each
// database: load the session from its cookie, read and change a counter,
// save it and set the cookie, through the Manager's Load and Commit as the
// adapters call them (one SELECT and one conditional UPDATE).
//
//	go test -run '^$' -bench SessionLoadModifySave -benchmem ./stores/sqlstore/
func BenchmarkSessionLoadModifySave(b *testing.B) {
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
			m := sessions.NewManager(db.open(b).Sessions())
			s := m.New()
			s.Set("user_id", "42")
			s.Set("n", 0)
			if err := s.Save(ctx); err != nil {
				b.Fatal(err)
			}
			req := &sessionRequest{cookie: string(s.Key())}
			w := &sessionResponse{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				s, err := m.Load(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := sessions.GetAs[int](s, "n")
				s.Set("n", n+1)
				if err := m.Commit(ctx, s, w); err != nil {
					b.Fatal(err)
				}
				req.cookie = w.cookie.Value
				clear(w.h)
			}
		})
	}
}
