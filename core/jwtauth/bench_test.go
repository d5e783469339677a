package jwtauth_test

import (
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// The benchmarks compare a verification here with golang-jwt's bare
// ParseWithClaims on the same HS256 token and key (the same checks: the
// algorithm, exp required, iat), in one run:
//
//	go test -run '^$' -bench . -benchmem ./core/jwtauth/
//
// "first-seen" is a token not in the cache (cache off); "cache-miss" a
// different token each time with the cache on (verification plus
// insertion and eviction), to compare with BareParseWithClaims/
// struct-distinct; "cache-hit" the same token again.

func benchToken(b *testing.B, j *jwtauth.JWTAuth, user string) string {
	b.Helper()
	tok, err := j.GenerateToken(user, "alice")
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

type structClaims struct {
	TokenType string `json:"token_type"`
	jwt.RegisteredClaims
	UserID   string `json:"user_id"`
	Username string `json:"username"`
}

func BenchmarkBareParseWithClaims(b *testing.B) {
	j := mustNew(b, secret)
	tok := benchToken(b, j, "42")
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	keyFunc := func(*jwt.Token) (any, error) { return secret, nil }
	b.Run("MapClaims", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parser.ParseWithClaims(tok, jwt.MapClaims{}, keyFunc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("struct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parser.ParseWithClaims(tok, &structClaims{}, keyFunc); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A different token each time, as VerifyToken/cache-miss.
	pool := tokenPool(b)
	b.Run("struct-distinct", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := parser.ParseWithClaims(pool[i%len(pool)], &structClaims{}, keyFunc); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

var (
	poolOnce sync.Once
	pool     []string
)

// tokenPool is 16384 distinct tokens signed with secret: cycling through
// them with a 1024-entry cache misses (practically) every time.
func tokenPool(b *testing.B) []string {
	poolOnce.Do(func() {
		j := mustNew(b, secret)
		pool = make([]string, 1<<14)
		for i := range pool {
			pool[i] = benchToken(b, j, strconv.Itoa(i))
		}
	})
	return pool
}

func BenchmarkVerifyToken(b *testing.B) {
	b.Run("first-seen", func(b *testing.B) {
		j := mustNew(b, secret, jwtauth.WithCacheSize(0))
		tok := benchToken(b, j, "42")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := j.VerifyToken(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cache-miss", func(b *testing.B) {
		j := mustNew(b, secret, jwtauth.WithCacheSize(1024))
		toks := tokenPool(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := j.VerifyToken(toks[i%len(toks)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("cache-hit", func(b *testing.B) {
		j := mustNew(b, secret)
		tok := benchToken(b, j, "42")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := j.VerifyToken(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cache-hit-parallel", func(b *testing.B) {
		j := mustNew(b, secret)
		tok := benchToken(b, j, "42")
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := j.VerifyToken(tok); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	testKeys(b)
	for _, alg := range []struct {
		alg jwtauth.Algorithm
		key any
	}{{jwtauth.RS256, rsaKey}, {jwtauth.ES256, ecKey}, {jwtauth.EdDSA, edKey}} {
		b.Run("first-seen-"+string(alg.alg), func(b *testing.B) {
			j, _ := jwtauth.NewWithKey(mustKey(b, "k", alg.alg, alg.key), jwtauth.WithCacheSize(0))
			tok := benchToken(b, j, "42")
			b.ReportAllocs()
			for b.Loop() {
				if _, err := j.VerifyToken(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBearerAuthenticate(b *testing.B) {
	us := newUsers(&core.SimpleUser{ID: "42", Username: "alice", Active: true})
	run := func(b *testing.B, j *jwtauth.JWTAuth) {
		a := jwtauth.NewAuthentication(j, us)
		hr := httptest.NewRequest("GET", "/api/items", nil)
		hr.Header.Set("Authorization", "Bearer "+benchToken(b, j, "42"))
		r := core.NewHTTPRequest(hr)
		b.ReportAllocs()
		for b.Loop() {
			id, err := a.Authenticate(r)
			if err != nil || id == nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("first-seen", func(b *testing.B) { run(b, mustNew(b, secret, jwtauth.WithCacheSize(0))) })
	b.Run("cache-hit", func(b *testing.B) { run(b, mustNew(b, secret)) })
}
