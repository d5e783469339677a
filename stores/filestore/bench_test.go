package filestore_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
)

type fakeRequest struct {
	core.Request
	cookie string
}

func (r *fakeRequest) Cookie(string) string { return r.cookie }

type fakeResponse struct {
	h      http.Header
	cookie *http.Cookie
}

func (w *fakeResponse) Header() http.Header              { return w.h }
func (w *fakeResponse) SetCookie(c *http.Cookie)         { w.cookie = c }
func (w *fakeResponse) Write(status int, b []byte) error { return nil }

// BenchmarkLoadModifySave is one request's session work through the
// Manager: a read of the session's file, then a locked save (temporary
// file, fsync, rename, fsync of the directory) in a temporary directory.
func BenchmarkLoadModifySave(b *testing.B) {
	ctx := context.Background()
	m := sessions.NewManager(open(b, b.TempDir()))
	s := m.New()
	s.Set("user_id", "42")
	s.Set("n", 0)
	if err := s.Save(ctx); err != nil {
		b.Fatal(err)
	}
	req := &fakeRequest{cookie: string(s.Key())}
	w := &fakeResponse{h: http.Header{}}
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
