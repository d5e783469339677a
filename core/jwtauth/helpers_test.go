package jwtauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"math/big"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// secret is a 32-byte HS256 secret.
var secret = []byte("0123456789abcdef0123456789abcdef")

var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	rsaKey2  *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	edKey    ed25519.PrivateKey
)

// rsaSmallKey is a 1024-bit RSA public key, too small to accept.
func rsaSmallKey() (*rsa.PublicKey, error) {
	return &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 1023), E: 65537}, nil
}

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if rsaKey2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if _, edKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
			panic(err)
		}
	})
}

// clock is a settable clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *clock) Now() time.Time                  { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration)         { c.ns.Add(int64(d)) }
func (c *clock) Set(t time.Time)                 { c.ns.Store(t.UnixNano()) }
func (c *clock) Option() jwtauth.Option          { return jwtauth.WithClock(c.Now) }
func (c *clock) RemoteOpt() jwtauth.RemoteOption { return jwtauth.WithRemoteClock(c.Now) }

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func mustNew(t testing.TB, key []byte, opts ...jwtauth.Option) *jwtauth.JWTAuth {
	t.Helper()
	j, err := jwtauth.New(key, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return j
}

func mustKey(t testing.TB, kid string, alg jwtauth.Algorithm, key any) *jwtauth.Key {
	t.Helper()
	k, err := jwtauth.NewKey(kid, alg, key)
	if err != nil {
		t.Fatalf("NewKey(%q, %s): %v", kid, alg, err)
	}
	return k
}

// sign signs arbitrary claims with golang-jwt, adding the given header
// entries: the attacker's (or a foreign issuer's) token.
func sign(t testing.TB, method jwt.SigningMethod, key any, claims jwt.MapClaims, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// accessClaims are simplejwt access claims at now.
func accessClaims(now time.Time, userID any) jwt.MapClaims {
	return jwt.MapClaims{
		"token_type": "access",
		"exp":        now.Add(5 * time.Minute).Unix(),
		"iat":        now.Unix(),
		"jti":        "7d1b8a2c9f4e4a6b8c0d1e2f3a4b5c6d",
		"user_id":    userID,
	}
}

func seg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// wantTokenError checks err is a *TokenError with msg and cause (nil: any).
func wantTokenError(t *testing.T, err error, msg string, cause error) {
	t.Helper()
	var te *jwtauth.TokenError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v (%T), want a *TokenError", err, err)
	}
	if te.Message != msg {
		t.Errorf("message = %q, want %q (err %v)", te.Message, msg, err)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Errorf("err = %v, want cause %v", err, cause)
	}
	if !errors.Is(err, core.ErrInvalidToken) {
		t.Errorf("errors.Is(err, core.ErrInvalidToken) = false")
	}
}

// users is an in-memory UserLookup.
type users struct {
	m   map[string]core.User
	err error
}

func (u *users) GetUser(_ context.Context, id string) (core.User, error) {
	if u.err != nil {
		return nil, u.err
	}
	if usr, ok := u.m[id]; ok {
		return usr, nil
	}
	return nil, nil
}

func newUsers(us ...*core.SimpleUser) *users {
	m := map[string]core.User{}
	for _, u := range us {
		m[u.ID] = u
	}
	return &users{m: m}
}

func request(headers ...string) core.Request {
	r := httptest.NewRequest("GET", "/", nil)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		r.Header.Set(k, strings.TrimPrefix(v, " "))
	}
	return core.NewHTTPRequest(r)
}

// render writes err as the engine would and returns status, body and the
// WWW-Authenticate header.
func render(err error, challenge string) (int, string, string) {
	rec := httptest.NewRecorder()
	_ = core.WriteError(core.NewHTTPResponse(rec), err, challenge)
	return rec.Code, rec.Body.String(), rec.Header().Get("WWW-Authenticate")
}
