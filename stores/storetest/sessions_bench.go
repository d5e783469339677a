package storetest

import (
	"context"
	"net/http"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
)

// BenchmarkLoadModifySave is one request's session work through a
// sessions.Manager over backend, as the adapters call it: Load the session
// of the previous response's cookie, read and increment a counter, Commit
// (save and set the cookie). Every session backend's benchmark calls it,
// so their numbers compare.
func BenchmarkLoadModifySave(b *testing.B, backend sessions.SessionBackend) {
	ctx := context.Background()
	m := sessions.NewManager(backend)
	s := m.New()
	s.Set("user_id", "42")
	s.Set("n", 0)
	if err := s.Save(ctx); err != nil {
		b.Fatal(err)
	}
	req := &cookieRequest{cookie: string(s.Key())}
	w := &cookieResponse{h: http.Header{}}
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
}

// cookieRequest is a request that carries only a session cookie.
type cookieRequest struct {
	core.Request
	cookie string
}

func (r *cookieRequest) Cookie(string) string { return r.cookie }

// cookieResponse keeps the last cookie set.
type cookieResponse struct {
	h      http.Header
	cookie *http.Cookie
}

func (w *cookieResponse) Header() http.Header      { return w.h }
func (w *cookieResponse) SetCookie(c *http.Cookie) { w.cookie = c }
func (w *cookieResponse) Write(int, []byte) error  { return nil }
