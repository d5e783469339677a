package redisstore_test

import (
	"testing"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/storetest"
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
			storetest.BenchmarkLoadModifySave(b, bc.open())
		})
	}
}
