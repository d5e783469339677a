package redisstore_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/redisstore"
)

// BenchmarkLoadModifySave is one request's session work against a real
// Redis: load the session from its cookie, read and change a counter, save
// it and set the cookie, through the Manager's Load and Commit as the
// adapters call them (one GET and one EVALSHA).
func BenchmarkLoadModifySave(b *testing.B) {
	c := redisClient(b)
	for _, bc := range []struct {
		name string
		open func() sessions.SessionBackend
	}{
		{"redis", func() sessions.SessionBackend {
			return redisstore.NewSessionBackend(c, redisstore.WithPrefix(testPrefix(b, c)))
		}},
		{"cookie+redis", func() sessions.SessionBackend {
			key := make([]byte, 32)
			cb, err := sessions.NewCookieSessionBackend(redisstore.NewCache(c, redisstore.WithPrefix(testPrefix(b, c))), key)
			if err != nil {
				b.Fatal(err)
			}
			return cb
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			m := sessions.NewManager(bc.open())
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
		})
	}
}
