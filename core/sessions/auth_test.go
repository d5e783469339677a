package sessions_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
)

// authRequest is a request whose context carries s.
func authRequest(s *sessions.Session) core.Request {
	r := httptest.NewRequest("GET", "/", nil)
	return core.NewHTTPRequest(r.WithContext(sessions.NewContext(r.Context(), s)))
}

func user(t *testing.T, a *app, name string) core.BaseUser {
	t.Helper()
	u, err := a.users.UserByUsername(context.Background(), name)
	if err != nil || u == nil {
		t.Fatal(err)
	}
	return u
}

// TestDjangoLogin checks login()'s key and data semantics (vectors §3).
func TestDjangoLogin(t *testing.T) {
	ctx := context.Background()
	a := newApp(t, sessiontest.BackendCase{Name: "memory", Open: sessiontest.OpenMemory}, nil)
	alice, bob := user(t, a, "alice"), user(t, a, "bob")

	// An anonymous session with data: login cycles the key and keeps the
	// data.
	s := a.m.New()
	s.Set("cart", "apple")
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	anon := s.Key()
	if err := a.auth.Login(ctx, s, alice, ""); err != nil {
		t.Fatal(err)
	}
	if s.Key() == anon || s.Key() == "" {
		t.Error("login did not cycle the key")
	}
	if ok, _ := a.m.Backend.Exists(ctx, anon); ok {
		t.Error("login left the anonymous session stored")
	}
	if v, _ := sessions.GetAs[string](s, "cart"); v != "apple" {
		t.Error("login lost the anonymous data")
	}
	id, _ := sessions.GetAs[string](s, sessions.SessionKey)
	backend, _ := sessions.GetAs[string](s, sessions.BackendSessionKey)
	hash, _ := sessions.GetAs[string](s, sessions.HashSessionKey)
	if id != alice.GetID() || backend != sessions.DefaultBackendName || hash != core.GetSessionAuthHash(alice, testSecret) || len(hash) != 64 {
		t.Errorf("stored %q %q %q", id, backend, hash)
	}
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}

	// The same user again with the same hash: left as is, no new key.
	same := s.Key()
	if err := a.auth.Login(ctx, s, alice, ""); err != nil {
		t.Fatal(err)
	}
	if s.Key() != same {
		t.Error("logging the same user in again cycled the key")
	}
	if v, _ := sessions.GetAs[string](s, "cart"); v != "apple" {
		t.Error("logging the same user in again lost data")
	}

	// Another user: flushed (data gone, new key).
	if err := a.auth.Login(ctx, s, bob, ""); err != nil {
		t.Fatal(err)
	}
	if s.ContainsKey("cart") || s.Key() == same {
		t.Errorf("login as another user kept the session (cart %v, same key %v)", s.ContainsKey("cart"), s.Key() == same)
	}
	if ok, _ := a.m.Backend.Exists(ctx, same); ok {
		t.Error("the other user's session is still stored")
	}
	if id, _ := sessions.GetAs[string](s, sessions.SessionKey); id != bob.GetID() {
		t.Errorf("user id %q", id)
	}

	// The same user with another hash (password changed elsewhere): flushed.
	s.Set("cart", "pear")
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	s.Set(sessions.HashSessionKey, "0000")
	if err := a.auth.Login(ctx, s, bob, ""); err != nil {
		t.Fatal(err)
	}
	if s.ContainsKey("cart") {
		t.Error("a different hash did not flush the session")
	}

	// Logout flushes.
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	loggedIn := s.Key()
	if err := a.auth.Logout(ctx, s); err != nil {
		t.Fatal(err)
	}
	if s.Key() != "" || !s.IsEmpty() {
		t.Error("logout did not flush")
	}
	if ok, _ := a.m.Backend.Exists(ctx, loggedIn); ok {
		t.Error("logout left the session stored")
	}

	// Several backends and none named: Django's ValueError.
	a.auth.Backends["other"] = a.model
	if err := a.auth.Login(ctx, a.m.New(), alice, ""); !errors.Is(err, sessions.ErrBackendRequired) {
		t.Errorf("login with two backends and none named: %v", err)
	}
	if err := a.auth.Login(ctx, a.m.New(), alice, "nope"); err == nil {
		t.Error("login with an unknown backend name succeeded")
	}
	if err := a.auth.Login(ctx, a.m.New(), alice, "other"); err != nil {
		t.Error(err)
	}
	if err := a.auth.Login(ctx, nil, alice, "other"); err == nil {
		t.Error("login without a session succeeded")
	}
}

// TestGetUserSemantics checks Authenticate against Django's get_user().
func TestGetUserSemantics(t *testing.T) {
	ctx := context.Background()
	a := newApp(t, sessiontest.BackendCase{Name: "memory", Open: sessiontest.OpenMemory}, nil)
	alice := user(t, a, "alice")
	login := func() *sessions.Session {
		s := a.m.New()
		if err := a.auth.Login(ctx, s, alice, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}

	s := login()
	id, err := a.auth.Authenticate(authRequest(s))
	if err != nil || id == nil || id.User.GetUsername() != "alice" || id.Method != "session" {
		t.Fatalf("Authenticate = %+v, %v", id, err)
	}
	if _, ok := id.Credentials.(core.Logouter); !ok {
		t.Error("the credentials are not a core.Logouter")
	}
	if cr := id.Credentials.(*sessions.SessionCredentials); cr.Session() != s {
		t.Error("the credentials do not hold the session")
	}
	if err := id.Credentials.(core.Logouter).Logout(ctx); err != nil || s.Key() != "" {
		t.Errorf("Logouter.Logout = %v, key %q", err, s.Key())
	}

	// No user in the session, an unknown backend, an unknown or inactive
	// user: (nil, nil).
	if id, err := a.auth.Authenticate(authRequest(a.m.New())); id != nil || err != nil {
		t.Errorf("anonymous session: %v, %v", id, err)
	}
	s = login()
	s.Set(sessions.BackendSessionKey, "removed.Backend")
	if id, err := a.auth.Authenticate(authRequest(s)); id != nil || err != nil {
		t.Errorf("unknown backend: %v, %v", id, err)
	}
	s = login()
	s.Set(sessions.SessionKey, "999")
	if id, err := a.auth.Authenticate(authRequest(s)); id != nil || err != nil {
		t.Errorf("unknown user: %v, %v", id, err)
	}
	if id, err := a.auth.Authenticate(core.NewHTTPRequest(httptest.NewRequest("GET", "/", nil))); id != nil || err != nil {
		t.Errorf("no session and no Manager: %v, %v", id, err)
	}

	// A missing or wrong hash: flushed, anonymous.
	for _, h := range []string{"", "wrong"} {
		s = login()
		key := s.Key()
		s.Set(sessions.HashSessionKey, h)
		if id, err := a.auth.Authenticate(authRequest(s)); id != nil || err != nil {
			t.Errorf("hash %q: %v, %v", h, id, err)
		}
		if ok, _ := a.m.Backend.Exists(ctx, key); ok || !s.IsEmpty() {
			t.Errorf("hash %q: the session was not flushed", h)
		}
	}

	// A hash made with a fallback secret: accepted, key cycled, hash
	// rewritten.
	old := []byte("the-previous-secret-key")
	a.auth.Secret, a.auth.FallbackSecrets = old, nil
	s = login()
	key := s.Key()
	a.auth.Secret, a.auth.FallbackSecrets = testSecret, [][]byte{old}
	id, err = a.auth.Authenticate(authRequest(s))
	if err != nil || id == nil {
		t.Fatalf("fallback secret: %v, %v", id, err)
	}
	if h, _ := sessions.GetAs[string](s, sessions.HashSessionKey); h != core.GetSessionAuthHash(alice, testSecret) {
		t.Error("the hash was not rewritten with the current secret")
	}
	if s.Key() == key {
		t.Error("the key was not cycled")
	}

	// Without a session in the context, the Manager loads it from the
	// cookie, read-only.
	s = login()
	a.auth.Manager = a.m
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: a.m.Cookie.Name, Value: string(s.Key())})
	if id, err := a.auth.Authenticate(core.NewHTTPRequest(r)); err != nil || id == nil || id.User.GetUsername() != "alice" {
		t.Errorf("loaded by the Manager: %v, %v", id, err)
	}
	if u, err := a.auth.GetUser(ctx, alice.GetID()); err != nil || u.GetUsername() != "alice" {
		t.Errorf("GetUser = %v, %v", u, err)
	}
	if u, err := a.auth.GetUser(ctx, "999"); err != nil || u != nil {
		t.Errorf("GetUser(unknown) = %v, %v", u, err)
	}
}
