package sessions_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
)

// The reference README's "SessionAuthentication": an in-memory session
// backend, a request authenticated by its session cookie, and get_user.
func ExampleSessionAuthentication() {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	pw := "secret123"
	alice, _ := users.CreateUser(ctx, "alice", &pw, nil)

	sessionBackend := memory.NewSessionBackend()
	defer sessionBackend.Close()
	secret := []byte("django-insecure-example-secret")
	auth := sessions.NewSessionAuthentication(secret, core.NewModelBackend(users))
	auth.Manager = sessions.NewManager(sessionBackend)

	// Log alice in: a session with her id, backend and session auth hash.
	s := auth.Manager.New()
	u, _ := users.UserByID(ctx, alice.GetID())
	_ = auth.Login(ctx, s, u, "")
	_ = s.Save(ctx)

	// Authenticate user from request (checks session cookie).
	r := httptest.NewRequest("GET", "/api/me", nil)
	r.Header.Set("Cookie", "sessionid="+string(s.Key()))
	id, err := auth.Authenticate(core.NewHTTPRequest(r))
	fmt.Println(id.User.GetUsername(), id.Method, err)

	// Get user by ID.
	if user, _ := auth.GetUser(ctx, alice.GetID()); user != nil {
		fmt.Println("User:", user.GetUsername())
	}

	// Logging out ends the session: the same cookie is anonymous.
	_ = id.Credentials.(core.Logouter).Logout(ctx)
	id, err = auth.Authenticate(core.NewHTTPRequest(r))
	fmt.Println(id, err)
	// Output:
	// alice session <nil>
	// User: alice
	// <nil> <nil>
}

// The reference README's high-level Session API: a dictionary with typed
// reads, modification tracking, flush and cycle_key.
func ExampleSession() {
	ctx := context.Background()
	backend := memory.NewSessionBackend()
	defer backend.Close()

	s := sessions.New(backend)
	s.Set("user_id", 42)
	s.Set("cart", []string{"apple", "pear"})
	fmt.Println(s.Keys(), s.IsModified(), s.ContainsKey("cart"))
	_ = s.Save(ctx) // kept for the default TTL, 3600 s
	fmt.Println(s.IsModified(), len(s.Key()), s.TTL())

	// The next request loads it; typed reads need no assertion.
	s, _ = sessions.Open(ctx, backend, s.Key())
	id, _ := sessions.GetAs[int](s, "user_id")
	cart, _ := sessions.GetAs[[]string](s, "cart")
	v, _ := s.Get("user_id") // untyped: JSON numbers are float64
	fmt.Println(id, cart, v, s.IsAccessed())

	for k, v := range s.Items() {
		fmt.Println(k, v)
	}
	old := s.Key()
	_ = s.CycleKey(ctx) // keep the data, new key, old one deleted
	gone, _ := backend.Exists(ctx, old)
	fmt.Println(s.Key() != old, gone, s.Len())

	s.Delete("cart")
	_ = s.Flush(ctx) // clear, delete the stored session, new key at next save
	fmt.Println(s.Key() == "", s.IsEmpty())
	// Output:
	// [cart user_id] true true
	// false 32 1h0m0s
	// 42 [apple pear] 42 true
	// cart [apple pear]
	// user_id 42
	// true false 2
	// true true
}

// A cookie-backed session: the data travels encrypted in the cookie and
// the server keeps one generation per session, so logout is real.
func ExampleCookieSessionBackend() {
	ctx := context.Background()
	gens := memory.NewGenerationStore()
	defer gens.Close()
	secret := []byte("django-insecure-example-secret")
	backend, _ := sessions.NewCookieSessionBackend(gens, sessions.DeriveCookieKey(secret))
	m := sessions.NewManager(backend)

	s := m.New()
	s.Set("theme", "dark")
	_ = s.Save(ctx)
	cookie := s.Key() // what the Manager sends as the sessionid cookie
	fmt.Println(len(cookie) > 100)

	s2, _ := m.Open(ctx, cookie)
	theme, _ := sessions.GetAs[string](s2, "theme")
	fmt.Println(theme)

	_ = s2.Flush(ctx) // logout
	s3, _ := m.Open(ctx, cookie)
	fmt.Println(s3.IsEmpty())
	// Output:
	// true
	// dark
	// true
}

// The middleware for net/http, with its defaults.
func ExampleManager() {
	backend := memory.NewSessionBackend()
	defer backend.Close()
	m := sessions.NewManager(backend)
	fmt.Println(m.Cookie.Name, m.Cookie.Path, m.Cookie.Secure, m.Cookie.HttpOnly, m.Cookie.SameSite == http.SameSiteLaxMode, m.IdleTimeout, m.Lifetime == 14*24*time.Hour)
	// Output:
	// sessionid / true true true 1h0m0s true
}
