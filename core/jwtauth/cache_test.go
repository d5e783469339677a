package jwtauth_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core/jwtauth"
)

func TestCacheHitIsTheSameVerification(t *testing.T) {
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option(), jwtauth.WithTokenTTL(time.Minute))
	tok, _ := j.GenerateToken("1", "a")
	c1, err := j.VerifyToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := j.VerifyToken(string([]byte(tok))) // another string, same token
	if err != nil {
		t.Fatal(err)
	}
	if c1 != c2 {
		t.Error("second verification was not a cache hit")
	}
	if jwtauth.CacheLen(j) != 1 {
		t.Errorf("cache holds %d", jwtauth.CacheLen(j))
	}
	if m, err := c2.Map(); err != nil || m["user_id"] != "1" {
		t.Errorf("Map of cached claims: %v %v", m, err)
	}
	// Expiry is honoured on a hit.
	clk.Advance(time.Minute)
	_, err = j.VerifyToken(tok)
	wantTokenError(t, err, jwtauth.MsgExpired, jwt.ErrTokenExpired)

	// Refresh tokens are not cached (they are single-use under rotation).
	pair, _ := j.NewPair("1", nil)
	_, _ = j.VerifyRefresh(t.Context(), pair.Refresh)
	if jwtauth.CacheLen(j) != 1 {
		t.Errorf("refresh token cached")
	}
	// A hit still answers the type question: the refresh token is refused
	// as access every time.
	for range 2 {
		_, err = j.VerifyToken(pair.Refresh)
		wantTokenError(t, err, jwtauth.MsgWrongType, nil)
	}
	// A tampered token with the same prefix is not a hit.
	_, err = j.VerifyToken(tok[:len(tok)-1] + "A")
	if err == nil {
		t.Error("tampered token verified")
	}
}

func TestCacheLeewayOnHit(t *testing.T) {
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option(), jwtauth.WithTokenTTL(time.Minute), jwtauth.WithLeeway(5*time.Second))
	tok, _ := j.GenerateToken("1", "a")
	_, _ = j.VerifyToken(tok)
	clk.Advance(time.Minute + 4*time.Second)
	if _, err := j.VerifyToken(tok); err != nil {
		t.Errorf("within leeway: %v", err)
	}
	clk.Advance(time.Second)
	if _, err := j.VerifyToken(tok); err == nil {
		t.Error("past leeway: verified from the cache")
	}
}

func TestCacheBounded(t *testing.T) {
	clk := newClock(t0)
	for _, size := range []int{1, 10, 300, 1000} {
		j := mustNew(t, secret, clk.Option(), jwtauth.WithCacheSize(size))
		for i := range size * 3 {
			tok, _ := j.GenerateToken(strconv.Itoa(i), "u")
			if _, err := j.VerifyToken(tok); err != nil {
				t.Fatal(err)
			}
		}
		// Each shard is bounded by ceil(size/shards).
		if n := jwtauth.CacheLen(j); n > size+64 || n == 0 {
			t.Errorf("size %d: cache holds %d", size, n)
		}
	}
	off := mustNew(t, secret, jwtauth.WithCacheSize(0))
	tok, _ := off.GenerateToken("1", "u")
	c1, _ := off.VerifyToken(tok)
	c2, _ := off.VerifyToken(tok)
	if c1 == c2 || jwtauth.CacheLen(off) != 0 {
		t.Error("cache not off")
	}
}

func TestCacheEvictsExpiredFirst(t *testing.T) {
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option(), jwtauth.WithCacheSize(4))
	// Four cached tokens, all in use; the first expires in a minute, the
	// others in an hour.
	var toks []string
	var claims []*jwtauth.Claims
	for i := range 4 {
		c := accessClaims(t0, strconv.Itoa(i))
		c["exp"] = t0.Add(time.Hour).Unix()
		if i == 0 {
			c["exp"] = t0.Add(time.Minute).Unix()
		}
		tok := sign(t, jwt.SigningMethodHS256, secret, c, nil)
		first, _ := j.VerifyToken(tok)
		if again, _ := j.VerifyToken(tok); again != first {
			t.Fatal("not cached")
		}
		toks, claims = append(toks, tok), append(claims, first)
	}
	clk.Advance(2 * time.Minute)
	fresh, _ := j.GenerateToken("fresh", "u")
	_, _ = j.VerifyToken(fresh)
	if n := jwtauth.CacheLen(j); n != 4 {
		t.Errorf("cache holds %d, want 4", n)
	}
	for i := 1; i < 4; i++ {
		if c, _ := j.VerifyToken(toks[i]); c != claims[i] {
			t.Errorf("live token %d was evicted instead of the expired one", i)
		}
	}
}

func TestCacheConcurrent(t *testing.T) {
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option(), jwtauth.WithCacheSize(64))
	toks := make([]string, 200)
	for i := range toks {
		toks[i], _ = j.GenerateToken(strconv.Itoa(i), "u")
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 2000 {
				tok := toks[(i*7+g)%len(toks)]
				c, err := j.VerifyToken(tok)
				if err != nil || c.UserID != strconv.Itoa((i*7+g)%len(toks)) {
					t.Errorf("%v %v", c, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// A token in use survives a flood of tokens seen once (CLOCK gives it a
// second chance each time the hand passes).
func TestCacheKeepsHotTokens(t *testing.T) {
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option(), jwtauth.WithCacheSize(64))
	hot, _ := j.GenerateToken("hot", "u")
	first, _ := j.VerifyToken(hot)
	for i := range 1000 {
		once, _ := j.GenerateToken(strconv.Itoa(i), "u")
		if _, err := j.VerifyToken(once); err != nil {
			t.Fatal(err)
		}
		if c, _ := j.VerifyToken(hot); c != first {
			t.Fatalf("hot token evicted after %d one-time tokens", i+1)
		}
	}
	if n := jwtauth.CacheLen(j); n != 64 {
		t.Errorf("cache holds %d, want 64", n)
	}
}
