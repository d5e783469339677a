package sessions_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
)

var testSecret = []byte("django-insecure-test-secret-key-for-sessions-0123456789")

func fastHashers() *hashers.Registry {
	h := hashers.NewPBKDF2SHA256Hasher()
	h.Iterations = 1000
	return hashers.New(h)
}

// app is a small site: login, logout, password change and a protected
// page, behind the Manager's middleware, authenticating with
// SessionAuthentication first (so refusals are 403, as DRF's defaults).
type app struct {
	t       testing.TB
	m       *sessions.Manager
	auth    *sessions.SessionAuthentication
	users   *core.DefaultUserManager
	model   *core.ModelBackend
	engine  *core.Engine
	h       http.Handler
	clock   *clock
	started chan struct{} // /slow signals it loaded the session
	release chan struct{} // and waits for this
}

func newApp(t testing.TB, bc sessiontest.BackendCase, clk *clock) *app {
	ctx := context.Background()
	var now func() time.Time
	if clk != nil {
		now = clk.now
	}
	users := core.NewDefaultUserManager()
	users.Hashers = fastHashers()
	for _, name := range []string{"alice", "bob"} {
		pw := name + "-password"
		if _, err := users.CreateUser(ctx, name, &pw, nil); err != nil {
			t.Fatal(err)
		}
	}
	model := core.NewModelBackend(users)
	model.Hashers = users.Hashers
	m := sessions.NewManager(bc.Open(t, now))
	m.Now = now
	auth := sessions.NewSessionAuthentication(testSecret, model)
	a := &app{t: t, m: m, auth: auth, users: users, model: model, engine: core.NewEngine(auth), clock: clk,
		started: make(chan struct{}), release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := auth.Logout(r.Context(), sessions.FromContext(r.Context())); err != nil {
			a.fail(w, err)
			return
		}
		fmt.Fprint(w, "bye")
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		id, ok := a.identify(w, r)
		if ok {
			fmt.Fprintf(w, "%s via %s", id.User.GetUsername(), id.Method)
		}
	})
	mux.HandleFunc("POST /password", a.changePassword)
	mux.HandleFunc("POST /set", func(w http.ResponseWriter, r *http.Request) {
		sessions.FromContext(r.Context()).Set(r.FormValue("k"), r.FormValue("v"))
		fmt.Fprint(w, "set")
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		v, _ := sessions.GetAs[string](sessions.FromContext(r.Context()), r.FormValue("k"))
		fmt.Fprint(w, v)
	})
	mux.HandleFunc("POST /slow", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := a.identify(w, r); !ok {
			return
		}
		a.started <- struct{}{}
		<-a.release
		sessions.FromContext(r.Context()).Set("written", "by the slow request")
		fmt.Fprint(w, "done")
	})
	a.h = m.Handler(mux)
	return a
}

func (a *app) fail(w http.ResponseWriter, err error) {
	_ = a.engine.WriteError(core.NewHTTPResponse(w), err)
}

// identify authenticates as an adapter's middleware would, and answers
// anonymous requests as DRF's IsAuthenticated does.
func (a *app) identify(w http.ResponseWriter, r *http.Request) (*core.Identity, bool) {
	id, err := a.engine.Authenticate(core.NewHTTPRequest(r))
	if err == nil && !id.User.IsAuthenticated() {
		err = core.ErrNotAuthenticated
	}
	if err != nil {
		a.fail(w, err)
		return nil, false
	}
	return id, true
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	u, err := a.model.Authenticate(r.Context(), r.FormValue("username"), r.FormValue("password"))
	if err != nil || u == nil {
		a.fail(w, core.NewAuthError(core.ErrInvalidCredentials, "Invalid username/password."))
		return
	}
	if err := a.auth.Login(r.Context(), sessions.FromContext(r.Context()), u.(core.BaseUser), ""); err != nil {
		a.fail(w, err)
		return
	}
	fmt.Fprint(w, "welcome")
}

func (a *app) changePassword(w http.ResponseWriter, r *http.Request) {
	id, ok := a.identify(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	encoded, err := a.users.Hashers.MakePassword(ctx, r.FormValue("new"))
	if err == nil {
		err = a.users.SetPasswordHash(ctx, id.User.GetID(), encoded)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	u, _ := a.users.UserByID(ctx, id.User.GetID())
	if err := a.auth.UpdateSessionAuthHash(ctx, sessions.FromContext(ctx), u); err != nil {
		a.fail(w, err)
		return
	}
	fmt.Fprint(w, "changed")
}

func (b *browser) login(user string) {
	b.t.Helper()
	if res := b.do("POST", "/login", "username="+user+"&password="+user+"-password"); res.StatusCode != 200 {
		b.t.Fatalf("login %s: %d %s", user, res.StatusCode, bodyOf(res))
	}
}

// me returns the status and body of GET /me.
func (b *browser) me() (int, string) {
	res := b.do("GET", "/me", "")
	return res.StatusCode, bodyOf(res)
}

// withCookie sends one request with the given session cookie and no jar.
func (a *app) withCookie(method, path, cookie string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "https://example.com"+path, nil)
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: cookie})
	}
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, r)
	return w
}

func forEachBackend(t *testing.T, f func(t *testing.T, bc sessiontest.BackendCase)) {
	for _, bc := range allBackends {
		t.Run(bc.Name, func(t *testing.T) {
			t.Parallel()
			f(t, bc)
		})
	}
}

// TestFixation: a session key an attacker planted before login is never
// the session after it, whether the store knows it or not, with every
// backend.
func TestFixation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, bc sessiontest.BackendCase) {
		a := newApp(t, bc, nil)
		attacker := newBrowser(t, a.h)
		if res := attacker.do("POST", "/set", "k=cart&v=apple"); res.StatusCode != 200 {
			t.Fatal(res.StatusCode)
		}
		planted := attacker.cookies["sessionid"]
		if planted == "" {
			t.Fatal("no anonymous session")
		}
		victim := newBrowser(t, a.h)
		victim.cookies["sessionid"] = planted
		victim.login("alice")
		after := victim.cookies["sessionid"]
		if after == "" || after == planted {
			t.Fatalf("the session after login is the planted one")
		}
		if code, body := victim.me(); code != 200 || body != "alice via session" {
			t.Fatalf("victim: %d %s", code, body)
		}
		if res := victim.do("GET", "/get?k=cart", ""); bodyOf(res) != "apple" {
			t.Error("login did not keep the anonymous session's data (cycle_key)")
		}
		if code, _ := attacker.me(); code != 403 {
			t.Errorf("the attacker's planted session is logged in: %d", code)
		}

		// A key the store never issued.
		chosen := "attackerchosenkey000000000000000"
		victim2 := newBrowser(t, a.h)
		victim2.cookies["sessionid"] = chosen
		victim2.login("bob")
		if got := victim2.cookies["sessionid"]; got == chosen || got == "" {
			t.Fatalf("an attacker-chosen key was adopted")
		}
		if w := a.withCookie("GET", "/me", chosen); w.Code != 403 {
			t.Errorf("the chosen key is logged in: %d", w.Code)
		}
	})
}

// TestLogoutReplay: after logout, the old cookie is anonymous with every
// backend, the cookie backend included: 403 when SessionAuthentication is
// the first authenticator (no challenge), 401 when Basic is.
func TestLogoutReplay(t *testing.T) {
	forEachBackend(t, func(t *testing.T, bc sessiontest.BackendCase) {
		a := newApp(t, bc, nil)
		b := newBrowser(t, a.h)
		b.login("alice")
		old := b.cookies["sessionid"]
		if code, _ := b.me(); code != 200 {
			t.Fatal("not logged in")
		}
		res := b.do("POST", "/logout", "")
		if res.StatusCode != 200 || b.cookies["sessionid"] != "" {
			t.Fatalf("logout: %d, cookie left %q", res.StatusCode, b.cookies["sessionid"])
		}
		var expired bool
		for _, c := range res.Cookies() {
			expired = expired || (c.Name == "sessionid" && c.MaxAge < 0)
		}
		if !expired {
			t.Error("logout did not expire the cookie")
		}
		if w := a.withCookie("GET", "/me", old); w.Code != 403 {
			t.Errorf("replayed cookie after logout: %d %s; want 403", w.Code, w.Body)
		}
		a.engine.Authenticators = []core.Authenticator{&core.BasicAuthentication{Backend: a.model}, a.auth}
		if w := a.withCookie("GET", "/me", old); w.Code != 401 || w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("replayed cookie with Basic first: %d; want 401 with a challenge", w.Code)
		}
	})
}

// TestSlowRequestAfterLogout: a request still running when its session is
// logged out cannot bring the session back; its save fails with
// ErrConflict (409), with every backend.
func TestSlowRequestAfterLogout(t *testing.T) {
	forEachBackend(t, func(t *testing.T, bc sessiontest.BackendCase) {
		a := newApp(t, bc, nil)
		b := newBrowser(t, a.h)
		b.login("alice")
		cookie := b.cookies["sessionid"]
		done := make(chan *httptest.ResponseRecorder)
		go func() { done <- a.withCookie("POST", "/slow", cookie) }()
		<-a.started
		if w := a.withCookie("POST", "/logout", cookie); w.Code != 200 {
			t.Fatalf("logout: %d", w.Code)
		}
		close(a.release)
		w := <-done
		if w.Code != http.StatusConflict {
			t.Errorf("the slow request finished with %d %s; want 409", w.Code, w.Body)
		}
		if c := w.Result().Cookies(); len(c) != 0 {
			t.Errorf("the slow request set cookies: %v", c)
		}
		if w := a.withCookie("GET", "/me", cookie); w.Code != 403 {
			t.Errorf("the session came back: %d", w.Code)
		}
		if ok, err := a.m.Backend.Exists(context.Background(), sessions.SessionID(cookie)); ok || err != nil {
			t.Errorf("the store has the session again: %v, %v", ok, err)
		}
	})
}

// TestPasswordChangeEndsOtherSessions: update_session_auth_hash keeps the
// session that changed the password; every other session of the user is
// logged out and flushed at its next request.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, bc sessiontest.BackendCase) {
		a := newApp(t, bc, nil)
		laptop, phone := newBrowser(t, a.h), newBrowser(t, a.h)
		laptop.login("alice")
		phone.login("alice")
		phoneCookie := phone.cookies["sessionid"]
		before := laptop.cookies["sessionid"]
		if res := laptop.do("POST", "/password", "new=s3cret-new"); res.StatusCode != 200 {
			t.Fatalf("password change: %d %s", res.StatusCode, bodyOf(res))
		}
		if laptop.cookies["sessionid"] == before {
			t.Error("the password change did not cycle the key")
		}
		if code, body := laptop.me(); code != 200 {
			t.Errorf("the session that changed the password: %d %s", code, body)
		}
		if w := a.withCookie("GET", "/me", before); w.Code != 403 {
			t.Errorf("the pre-change cookie: %d", w.Code)
		}
		if code, _ := phone.me(); code != 403 {
			t.Errorf("the other session survived the password change: %d", code)
		}
		if ok, _ := a.m.Backend.Exists(context.Background(), sessions.SessionID(phoneCookie)); ok {
			t.Error("the other session was not flushed")
		}
	})
}
