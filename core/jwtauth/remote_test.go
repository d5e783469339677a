package jwtauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// issuer is another service publishing its JWKS over HTTP.
type issuer struct {
	mu           sync.Mutex
	jwks         []byte
	cacheControl string
	status       int
	delay        time.Duration
	fetches      atomic.Int64
	srv          *httptest.Server
}

func newIssuer(t *testing.T) *issuer {
	is := &issuer{cacheControl: "public, max-age=300", status: 200}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is.fetches.Add(1)
		is.mu.Lock()
		body, cc, status, delay := is.jwks, is.cacheControl, is.status, is.delay
		is.mu.Unlock()
		time.Sleep(delay)
		w.Header().Set("Cache-Control", cc)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) publish(j *jwtauth.JWTAuth) {
	is.mu.Lock()
	is.jwks = j.JWKS()
	is.mu.Unlock()
}

func (is *issuer) set(f func(is *issuer)) {
	is.mu.Lock()
	f(is)
	is.mu.Unlock()
}

func TestRemoteKeySet(t *testing.T) {
	testKeys(t)
	clk := newClock(t0)
	// The other issuer signs with k1; later rotates to k2.
	other, err := jwtauth.NewWithKey(mustKey(t, "k1", jwtauth.RS256, rsaKey), clk.Option())
	if err != nil {
		t.Fatal(err)
	}
	is := newIssuer(t)
	is.publish(other)

	rs := jwtauth.NewRemoteKeySet(is.srv.URL, jwtauth.WithHTTPClient(is.srv.Client()), clk.RemoteOpt())
	local := mustNew(t, secret, clk.Option(), jwtauth.WithKeySet(rs))

	// Local tokens never touch the remote set.
	mine, _ := local.GenerateToken("1", "me")
	if _, err := local.VerifyToken(mine); err != nil || is.fetches.Load() != 0 {
		t.Fatalf("local token: %v, %d fetches", err, is.fetches.Load())
	}

	tok1, _ := other.GenerateToken("42", "remote")
	if c, err := local.VerifyToken(tok1); err != nil || c.UserID != "42" {
		t.Fatalf("remote token: %v %v", c, err)
	}
	if n := is.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	// Known kid: served from the set (and the token cache) without fetching.
	tok1b, _ := other.GenerateToken("43", "remote")
	for range 10 {
		if _, err := local.VerifyToken(tok1b); err != nil {
			t.Fatal(err)
		}
	}
	if n := is.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches for a known kid, want 1", n)
	}

	// An unknown kid within 10 s of the last fetch: no fetch, refused.
	forged := sign(t, jwt.SigningMethodRS256, rsaKey2, accessClaims(t0, "1"), map[string]any{"kid": "forged"})
	_, err = local.VerifyToken(forged)
	wantTokenError(t, err, jwtauth.MsgInvalid, jwtauth.ErrUnknownKey)
	if n := is.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1 (rate limited)", n)
	}

	// The issuer rotates to k2. 100 concurrent verifications of a k2
	// token, 11 s later: one fetch between them.
	if err := other.AddKey(mustKey(t, "k2", jwtauth.ES256, ecKey)); err != nil {
		t.Fatal(err)
	}
	_ = other.SetSigningKey("k2")
	is.publish(other)
	is.set(func(is *issuer) { is.delay = 20 * time.Millisecond })
	tok2, _ := other.GenerateToken("44", "remote")
	clk.Advance(11 * time.Second)
	concurrently(t, 100, func() error { _, err := local.VerifyToken(tok2); return err })
	if n := is.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches after 100 concurrent unknown-kid verifications, want 2", n)
	}
	// 100 concurrent verifications of a kid nobody has: no fetch at all
	// within the interval, and at most one after it.
	concurrently(t, 100, func() error {
		if _, err := local.VerifyToken(forged); !errors.Is(err, jwtauth.ErrUnknownKey) {
			return err
		}
		return nil
	})
	if n := is.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
	clk.Advance(11 * time.Second)
	concurrently(t, 100, func() error {
		if _, err := local.VerifyToken(forged); !errors.Is(err, jwtauth.ErrUnknownKey) {
			return err
		}
		return nil
	})
	if n := is.fetches.Load(); n != 3 {
		t.Fatalf("%d fetches, want 3", n)
	}

	// The issuer retires k1: once the set refreshes, k1 tokens (cached
	// ones included) stop verifying; k2 ones keep going.
	if err := other.RetireKey("k1"); err != nil {
		t.Fatal(err)
	}
	is.publish(other)
	clk.Advance(301 * time.Second)                  // past max-age=300
	tok2b, _ := other.GenerateToken("45", "remote") // not in the token cache
	if _, err := local.VerifyToken(tok2b); err != nil {
		t.Fatal(err)
	}
	if n := is.fetches.Load(); n != 4 {
		t.Fatalf("%d fetches after expiry, want 4", n)
	}
	_, err = local.VerifyToken(tok1b)
	wantTokenError(t, err, jwtauth.MsgInvalid, jwtauth.ErrUnknownKey)
	if _, err := local.VerifyToken(tok2); err != nil {
		t.Errorf("k2 token after k1 retired: %v", err)
	}
}

func concurrently(t *testing.T, n int, f func() error) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			<-start
			if err := f(); err != nil {
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestRemoteKeySetFailures(t *testing.T) {
	testKeys(t)
	clk := newClock(t0)
	other, _ := jwtauth.NewWithKey(mustKey(t, "k1", jwtauth.EdDSA, edKey), clk.Option())
	tok, _ := other.GenerateToken("1", "x")
	is := newIssuer(t)
	is.set(func(is *issuer) { is.status = 500 })

	rs := jwtauth.NewRemoteKeySet(is.srv.URL, clk.RemoteOpt())
	local, err := jwtauth.NewVerifier(clk.Option(), jwtauth.WithKeySet(rs), jwtauth.WithCacheSize(0))
	if err != nil {
		t.Fatal(err)
	}
	// Never fetched: fail closed, 503.
	_, err = local.VerifyToken(tok)
	if !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatalf("err = %v, want ErrStoreUnavailable", err)
	}
	if status, _, _ := render(err, ""); status != 503 {
		t.Errorf("rendered %d", status)
	}
	// Retried only after the interval.
	_, _ = local.VerifyToken(tok)
	if n := is.fetches.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
	is.set(func(is *issuer) { is.status = 200; is.jwks = other.JWKS(); is.cacheControl = "max-age=5" })
	clk.Advance(10 * time.Second)
	if err := rs.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := local.VerifyToken(tok); err != nil {
		t.Fatal(err)
	}
	// max-age=5 is raised to the 1 min floor: no fetch 30 s later.
	clk.Advance(30 * time.Second)
	if _, err := local.VerifyToken(tok); err != nil || is.fetches.Load() != 2 {
		t.Fatalf("%v, %d fetches", err, is.fetches.Load())
	}
	// Expired and the issuer is down: the stale keys keep serving...
	is.set(func(is *issuer) { is.status = 503 })
	clk.Advance(time.Minute)
	if _, err := local.VerifyToken(tok); err != nil {
		t.Fatalf("stale keys not served: %v", err)
	}
	// ...for at most the maximum TTL past their expiry.
	clk.Advance(25 * time.Hour)
	if _, err := local.VerifyToken(tok); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatalf("err = %v, want ErrStoreUnavailable", err)
	}
	// A body too large, or not JSON, is a failed fetch.
	for _, body := range [][]byte{make([]byte, jwtauth.MaxJWKSBytes+1), []byte("<html>")} {
		is.set(func(is *issuer) { is.status = 200; is.jwks = body })
		clk.Advance(time.Minute)
		if err := rs.Refresh(context.Background()); !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("bad body: %v", err)
		}
	}
	// A bad URL.
	bad := jwtauth.NewRemoteKeySet("http://[::1]:namedport/jwks")
	if _, err := bad.Key("x"); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("bad url: %v", err)
	}
}

func TestRemoteCacheControl(t *testing.T) {
	testKeys(t)
	clk := newClock(t0)
	other, _ := jwtauth.NewWithKey(mustKey(t, "k1", jwtauth.ES256, ecKey))
	is := newIssuer(t)
	is.publish(other)
	for _, tc := range []struct {
		cc    string
		fresh time.Duration // still cached after this long
		stale time.Duration // refetched after this long
	}{
		{"public, max-age=600", 599 * time.Second, 601 * time.Second},
		{"max-age=\"120\"", 119 * time.Second, 121 * time.Second},
		{"no-store", 59 * time.Second, 61 * time.Second},
		{"", 14 * time.Minute, 16 * time.Minute},
		{"max-age=99999999", 23 * time.Hour, 25 * time.Hour},
		{"max-age=1", 59 * time.Second, 61 * time.Second},
	} {
		is.set(func(is *issuer) { is.cacheControl = tc.cc })
		rs := jwtauth.NewRemoteKeySet(is.srv.URL, clk.RemoteOpt(), jwtauth.WithCacheTTL(time.Minute, 24*time.Hour),
			jwtauth.WithRefreshInterval(time.Second), jwtauth.WithFetchTimeout(5*time.Second))
		start := is.fetches.Load()
		clk.Set(t0)
		if k, err := rs.Key("k1"); err != nil || k == nil {
			t.Fatalf("%q: %v %v", tc.cc, k, err)
		}
		clk.Set(t0.Add(tc.fresh))
		_, _ = rs.Key("k1")
		if n := is.fetches.Load() - start; n != 1 {
			t.Errorf("%q: %d fetches within %v, want 1", tc.cc, n, tc.fresh)
		}
		clk.Set(t0.Add(tc.stale))
		_, _ = rs.Key("k1")
		if n := is.fetches.Load() - start; n != 2 {
			t.Errorf("%q: %d fetches after %v, want 2", tc.cc, n, tc.stale)
		}
	}
}

func TestRemoteRefreshContext(t *testing.T) {
	is := newIssuer(t)
	is.set(func(is *issuer) { is.jwks = []byte(`{"keys":[]}`); is.delay = 200 * time.Millisecond })
	rs := jwtauth.NewRemoteKeySet(is.srv.URL)
	go func() { _ = rs.Refresh(context.Background()) }()
	for is.fetches.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := rs.Refresh(ctx); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("waiting with an expired context: %v", err)
	}
}
