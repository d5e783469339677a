package tokens_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/memory"
)

var secret = []byte("tokens-test-secret-0123456789abcdef")

// clock is a settable clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// t0 is in the middle of a second, so that second-granularity rules are
// exercised.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 400_000_000, time.UTC)

// env is a manager over memory stores with users in a DefaultUserManager.
type env struct {
	m       *tokens.TokenRotationManager
	j       *jwtauth.JWTAuth
	clk     *clock
	bl      *memory.Blacklist
	rs      *memory.RefreshStore
	users   *core.DefaultUserManager
	backend *core.ModelBackend
	alice   *core.DefaultUser
	bob     *core.DefaultUser
}

func fastHashers() *hashers.Registry {
	h := hashers.NewPBKDF2SHA256Hasher()
	h.Iterations = 1000
	return hashers.New(h)
}

func newEnv(t testing.TB, opts ...jwtauth.Option) *env {
	t.Helper()
	e := &env{clk: newClock(t0), bl: memory.NewBlacklist(), rs: memory.NewRefreshStore()}
	e.bl.Now, e.rs.Now = e.clk.Now, e.clk.Now
	e.m = tokens.NewTokenRotationManager(e.bl, e.rs)
	j, err := jwtauth.New(secret, append([]jwtauth.Option{jwtauth.WithRevocation(e.m.Revocation()), jwtauth.WithClock(e.clk.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	e.j = j
	e.users = core.NewDefaultUserManager()
	e.users.Hashers = fastHashers()
	e.backend = core.NewModelBackend(e.users)
	e.backend.Hashers = e.users.Hashers
	e.m.JWT, e.m.Users = j, e.backend
	e.alice = e.user(t, "alice", "alice password", nil)
	e.bob = e.user(t, "bob", "bob password", nil)
	return e
}

func (e *env) user(t testing.TB, name, pw string, extra map[string]any) *core.DefaultUser {
	t.Helper()
	u, err := e.users.CreateUser(context.Background(), name, &pw, extra)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) pair(t testing.TB, u core.User) *jwtauth.TokenPair {
	t.Helper()
	p, err := e.m.IssuePair(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) deactivate(t testing.TB, u *core.DefaultUser) {
	t.Helper()
	v := *u
	v.Active = false
	if err := e.users.Update(context.Background(), &v); err != nil {
		t.Fatal(err)
	}
}

// render is core.WriteError with the change the package documentation
// asks of core: an error carrying its own challenge (core.Challenger) is
// rendered with it, whatever the engine's.
func render(w core.Response, err error, engineChallenge string) {
	challenge := engineChallenge
	var c core.Challenger
	if errors.As(err, &c) && c.Challenge() != "" {
		challenge = c.Challenge()
	}
	_ = core.WriteError(w, err, challenge)
}

// do serves a request with body (JSON unless contentType says otherwise)
// and renders an error as an adapter whose engine has no challenge would
// (a session-first engine), through render.
func do(t testing.TB, ep core.Endpoint, method, contentType, body string, ctx context.Context) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "/api/token", io.NopCloser(bytes.NewBufferString(body)))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if ctx != nil {
		r = r.WithContext(ctx)
	}
	rec := httptest.NewRecorder()
	w := core.NewHTTPResponse(rec)
	if err := ep.Serve(w, core.NewHTTPRequest(r)); err != nil {
		render(w, err, "")
	}
	return rec
}

func post(t testing.TB, ep core.Endpoint, body string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, ep, http.MethodPost, "application/json", body, nil)
}

// expect checks status, body (exactly) and the WWW-Authenticate header.
func expect(t testing.TB, what string, rec *httptest.ResponseRecorder, status int, body, challenge string) {
	t.Helper()
	if rec.Code != status || rec.Body.String() != body || rec.Header().Get("WWW-Authenticate") != challenge {
		t.Errorf("%s: %d %s (WWW-Authenticate %q); want %d %s (%q)", what, rec.Code, rec.Body.String(),
			rec.Header().Get("WWW-Authenticate"), status, body, challenge)
	}
}

const bearer = `Bearer realm="api"`

// jsonString quotes s for a JSON body.
func jsonString(s string) string {
	b, _ := core.MarshalJSON(s)
	return string(b)
}

func tokenError(t testing.TB, err error) *jwtauth.TokenError {
	t.Helper()
	var te *jwtauth.TokenError
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a token error", err)
	}
	return te
}
