package tokens_test

import (
	"context"
	"testing"

	"github.com/reinhardt-go/auth/core/jwtauth"
)

// The benchmarks, in one run:
//
//	go test -run '^$' -bench . -benchmem ./core/tokens/
//
// Refresh is a whole rotation on the memory stores (verify, check, user
// lookup, consume, mint, record, blacklist); the SQLite numbers are in
// stores/sqlstore. Revocation is the hook on a verified-token cache hit:
// "hook" alone, and VerifyAccess of a cached token with and without it.

func BenchmarkRefresh(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	tok := e.pair(b, e.alice).Refresh
	b.ReportAllocs()
	for b.Loop() {
		p, err := e.m.Refresh(ctx, tok)
		if err != nil {
			b.Fatal(err)
		}
		tok = p.Refresh
	}
}

func BenchmarkRevocation(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	p := e.pair(b, e.alice)
	c, err := e.j.VerifyAccess(ctx, p.Access)
	if err != nil {
		b.Fatal(err)
	}
	hook := e.m.Revocation()
	b.Run("hook", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if revoked, err := hook.Revoked(ctx, c); revoked || err != nil {
				b.Fatal(revoked, err)
			}
		}
	})
	b.Run("hook-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if revoked, err := hook.Revoked(ctx, c); revoked || err != nil {
					b.Error(revoked, err)
					return
				}
			}
		})
	})
	b.Run("cache-hit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.j.VerifyAccess(ctx, p.Access); err != nil {
				b.Fatal(err)
			}
		}
	})
	plain, err := jwtauth.New(secret, jwtauth.WithClock(e.clk.Now))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := plain.VerifyAccess(ctx, p.Access); err != nil {
		b.Fatal(err)
	}
	b.Run("cache-hit-without-hook", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := plain.VerifyAccess(ctx, p.Access); err != nil {
				b.Fatal(err)
			}
		}
	})
}
