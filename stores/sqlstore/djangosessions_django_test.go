package sqlstore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/djangosession"
	"github.com/reinhardt-go/auth/internal/djangotest"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// TestDjangoFormatSessionsWithDjango: Django 3.2 and DjangoSessionBackend
// share one database and secret key. A session Django's test client
// logged in authenticates a request here; a login here is get_user in
// Django, with Django's three login keys; logout on either side is
// anonymous on the other; a password change on either side ends the
// user's sessions of the other (the session auth hash), while the session
// that changed it here stays logged in on both; after a key rotation,
// Django's sessions of the old key (a fallback here) still log in. On
// SQLite, on PostgreSQL when REINHARDT_TEST_POSTGRES is set and Django
// has psycopg2, and on MariaDB when REINHARDT_TEST_MYSQL is set and Django
// has MySQLdb.
func TestDjangoFormatSessionsWithDjango(t *testing.T) {
	djangotest.Require(t)
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "shared.sqlite3")
		djangoFormatInterop(t, openURL(t, "sqlite:"+path), djangotest.DB{SQLite: path})
	})
	t.Run("Postgres", func(t *testing.T) {
		if postgresURLOrEmpty() == "" && !djangotest.Required() {
			t.Skip("REINHARDT_TEST_POSTGRES is not set")
		}
		u, schema := postgresSchema(t)
		djangoFormatInterop(t, openURL(t, u), djangotest.DB{Postgres: u, Schema: schema})
	})
	t.Run("MariaDB", func(t *testing.T) {
		u, _ := mysqlDatabase(t)
		djangoFormatInterop(t, openURL(t, u), djangotest.DB{MySQL: u})
	})
}

// goSide is a service of this library on the shared database: GET /me
// answers the session's user (401 anonymous), POST /login?u=&p= logs in,
// POST /logout logs out, POST /password?p= changes the password of the
// session's user and keeps the session (update_session_auth_hash).
type goSide struct {
	t       *testing.T
	handler http.Handler
}

func newGoSide(t *testing.T, s *sqlstore.Store, secret string, fallbacks ...string) *goSide {
	b := djangoBackend(t, s, djangoCodec(t, secret, fallbacks...))
	m := sessions.NewManager(b)
	users := &core.ModelBackend{Store: s, Hashers: fastHashers()}
	auth := &sessions.SessionAuthentication{Backends: map[string]core.AuthBackend{djangosession.BackendName: users}, Secret: []byte(secret)}
	for _, f := range fallbacks {
		auth.FallbackSecrets = append(auth.FallbackSecrets, []byte(f))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		id, err := auth.Authenticate(core.NewHTTPRequest(r))
		switch {
		case err != nil:
			http.Error(w, err.Error(), 500)
		case id == nil:
			w.WriteHeader(401)
		default:
			fmt.Fprint(w, id.User.GetUsername())
		}
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		u, err := users.Authenticate(r.Context(), r.URL.Query().Get("u"), r.URL.Query().Get("p"))
		bu, ok := u.(core.BaseUser)
		if err != nil || !ok {
			w.WriteHeader(401)
			return
		}
		if err := auth.Login(r.Context(), sessions.FromContext(r.Context()), bu, djangosession.BackendName); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := auth.Logout(r.Context(), sessions.FromContext(r.Context())); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("POST /password", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, err := auth.Authenticate(core.NewHTTPRequest(r))
		if err != nil || id == nil {
			w.WriteHeader(401)
			return
		}
		u := id.User.(core.BaseUser)
		if err := core.SetPassword(ctx, u, r.URL.Query().Get("p")); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if err := s.SetPasswordHash(ctx, u.GetID(), u.PasswordHash()); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if err := auth.UpdateSessionAuthHash(ctx, sessions.FromContext(ctx), u); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	return &goSide{t: t, handler: m.Handler(mux)}
}

// do sends a request with the session cookie key ("" for none) and returns
// the status, the body and the session key the client holds afterwards.
func (g *goSide) do(method, target, key string) (int, string, string) {
	g.t.Helper()
	r := httptest.NewRequest(method, "http://example.com"+target, nil)
	if key != "" {
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	}
	w := httptest.NewRecorder()
	g.handler.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.Name == "sessionid" {
			key = c.Value
			if c.MaxAge < 0 {
				key = ""
			}
		}
	}
	return w.Code, w.Body.String(), key
}

func (g *goSide) me(key string) string {
	g.t.Helper()
	code, body, _ := g.do("GET", "/me", key)
	switch code {
	case 200:
		return body
	case 401:
		return ""
	}
	g.t.Fatalf("GET /me: %d %s", code, body)
	return ""
}

func (g *goSide) login(user, pw string) string {
	g.t.Helper()
	code, body, key := g.do("POST", "/login?u="+user+"&p="+pw, "")
	if code != 200 || key == "" {
		g.t.Fatalf("login %s here: %d %s", user, code, body)
	}
	return key
}

func djangoFormatInterop(t *testing.T, s *sqlstore.Store, db djangotest.DB) {
	ctx := testCtx(t)
	const pw = "a-long-pass-phrase"
	for _, name := range []string{"alice", "bob", "carol"} {
		if _, err := s.CreateUser(ctx, name, new(pw), nil); err != nil {
			t.Fatal(err)
		}
	}
	g := newGoSide(t, s, djangoSecret)
	django := func(calls ...djangotest.SessionCall) []djangotest.SessionReply {
		t.Helper()
		return djangotest.Sessions(t, djangotest.Project{DB: db, Secret: djangoSecret, PBKDF2Iterations: fastIterations}, calls...)
	}

	// Django's test client logs alice and bob in; its sessions log in here.
	out := django(djangotest.SessionCall{Op: "login", Username: "alice", Password: pw},
		djangotest.SessionCall{Op: "login", Username: "bob", Password: pw})
	aliceDj, bobDj := out[0].Key, out[1].Key
	if !out[0].OK || !out[1].OK || len(aliceDj) != 32 {
		t.Fatalf("Django's test client: %+v", out)
	}
	if got := g.me(aliceDj); got != "alice" {
		t.Fatalf("Django's session of alice here: %q", got)
	}

	// A login here is a login in Django, with Django's keys.
	bobGo := g.login("bob", pw)
	out = django(djangotest.SessionCall{Op: "get_user", Key: bobGo}, djangotest.SessionCall{Op: "session", Key: bobGo})
	bob, err := s.GetByUsername(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if out[0].User != "bob" {
		t.Errorf("Django's get_user of the session made here: %+v", out[0])
	}
	data := out[1].Data
	if data[sessions.SessionKey] != fmt.Sprint(bob.ID) || data[sessions.BackendSessionKey] != "django.contrib.auth.backends.ModelBackend" ||
		data[sessions.HashSessionKey] != core.GetSessionAuthHash(bob, []byte(djangoSecret)) {
		t.Errorf("the login keys Django reads: %v", data)
	}

	// Logout here is anonymous in Django; logout in Django is anonymous here.
	if code, body, _ := g.do("POST", "/logout", bobGo); code != 200 {
		t.Fatalf("logout here: %d %s", code, body)
	}
	out = django(djangotest.SessionCall{Op: "get_user", Key: bobGo}, djangotest.SessionCall{Op: "logout", Key: aliceDj})
	if out[0].User != "" || out[0].Exists {
		t.Errorf("Django after the logout here: %+v", out[0])
	}
	if out[1].Exists {
		t.Errorf("Django's logout kept the session: %+v", out[1])
	}
	if got := g.me(aliceDj); got != "" {
		t.Errorf("the session Django logged out is %q here", got)
	}

	// A password change in Django ends alice's session here.
	aliceGo := g.login("alice", pw)
	django(djangotest.SessionCall{Op: "set_password", Username: "alice", Password: "changed-in-django-1"})
	if got := g.me(aliceGo); got != "" {
		t.Errorf("after Django changed alice's password her session here is %q", got)
	}
	if out := django(djangotest.SessionCall{Op: "session", Key: aliceGo}); out[0].Exists {
		t.Error("the session whose hash no longer matches was not flushed")
	}

	// A password change here ends bob's session in Django, and keeps the
	// session that made it, here and in Django.
	bobGo = g.login("bob", pw)
	code, body, bobGo2 := g.do("POST", "/password?p=changed-in-go-1", bobGo)
	if code != 200 || bobGo2 == "" || bobGo2 == bobGo {
		t.Fatalf("password change here: %d %s, key %q → %q", code, body, bobGo, bobGo2)
	}
	if got := g.me(bobGo2); got != "bob" {
		t.Errorf("the session that changed the password here: %q", got)
	}
	out = django(djangotest.SessionCall{Op: "get_user", Key: bobDj}, djangotest.SessionCall{Op: "get_user", Key: bobGo2})
	if out[0].User != "" || out[0].Exists {
		t.Errorf("bob's Django session after the password change here: %+v", out[0])
	}
	if out[1].User != "bob" {
		t.Errorf("the session that changed the password, in Django: %+v", out[1])
	}

	// Key rotation: Django logged carol in under the old key; with it as
	// a fallback here her session logs in, moves to the current key, and
	// Django (now on the current key) reads it.
	const oldKey = "the-django-secret-key-before-the-rotation"
	out = djangotest.Sessions(t, djangotest.Project{DB: db, Secret: oldKey, PBKDF2Iterations: fastIterations}, djangotest.SessionCall{Op: "login", Username: "carol", Password: pw})
	if got := g.me(out[0].Key); got != "" {
		t.Errorf("the old key's session without the fallback: %q", got)
	}
	rotated := newGoSide(t, s, djangoSecret, oldKey)
	code, body, carol := rotated.do("GET", "/me", out[0].Key)
	if code != 200 || body != "carol" || carol == out[0].Key || carol == "" {
		t.Fatalf("the old key's session with the fallback: %d %q, key %q → %q", code, body, out[0].Key, carol)
	}
	if out := django(djangotest.SessionCall{Op: "get_user", Key: carol}); out[0].User != "carol" {
		t.Errorf("the session moved to the current key, in Django: %+v", out[0])
	}
}
