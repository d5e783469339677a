package sessions_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/gob"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/stores/memory"
)

// setCookie returns the Set-Cookie header of the session cookie, "" when
// there is none.
func setCookie(res *http.Response) string {
	for _, v := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "sessionid=") {
			return v
		}
	}
	return ""
}

func TestCookieAttributes(t *testing.T) {
	clk := newClock()
	a := newApp(t, sessiontest.BackendCase{Name: "memory", Open: sessiontest.OpenMemory}, clk)
	b := newBrowser(t, a.h)
	res := b.do("POST", "/set", "k=a&v=1")
	key := b.cookies["sessionid"]
	want := fmt.Sprintf("sessionid=%s; Path=/; Expires=%s; Max-Age=3600; HttpOnly; Secure; SameSite=Lax",
		key, clk.now().Add(time.Hour).UTC().Format(http.TimeFormat))
	if got := setCookie(res); got != want {
		t.Errorf("Set-Cookie:\n got %s\nwant %s", got, want)
	}
	if !sessions.SessionID(key).IsKey() {
		t.Errorf("cookie value %q is not a 32-character key", key)
	}
	if res.Header.Get("Vary") != "Cookie" {
		t.Errorf("Vary = %q; want Cookie", res.Header.Get("Vary"))
	}

	a.m.Cookie = sessions.CookieConfig{Name: "sessionid", Domain: "example.com", Path: "/app", SameSite: http.SameSiteStrictMode, Partitioned: true, Secure: true}
	res = b.do("POST", "/set", "k=a&v=2")
	want = "sessionid=" + key + "; Path=/app; Domain=example.com; Secure; SameSite=Strict; Partitioned"
	if got := setCookie(res); got != want {
		t.Errorf("configured Set-Cookie:\n got %s\nwant %s", got, want)
	}

	// Logout ends the cookie with Django's attributes.
	res = b.do("POST", "/logout", "")
	if got := setCookie(res); !strings.Contains(got, "Max-Age=0") || !strings.Contains(got, "Expires=Thu, 01 Jan 1970 00:00:00 GMT") {
		t.Errorf("logout Set-Cookie = %s", got)
	}
}

func TestSavedOnlyWhenModified(t *testing.T) {
	clk := newClock()
	a := newApp(t, sessiontest.BackendCase{Name: "memory", Open: sessiontest.OpenMemory}, clk)
	b := newBrowser(t, a.h)
	if res := b.do("GET", "/get?k=a", ""); setCookie(res) != "" {
		t.Error("a read of an empty session set a cookie")
	}
	if len(b.cookies) != 0 {
		t.Error("an empty session was saved")
	}
	b.do("POST", "/set", "k=a&v=1")
	clk.advance(time.Minute)
	res := b.do("GET", "/get?k=a", "")
	if setCookie(res) != "" {
		t.Error("an unmodified session within the touch interval was saved")
	}
	if bodyOf(res) != "1" {
		t.Error("value lost")
	}
	// Past the touch interval (6 min of an hour) a read extends the idle
	// timeout: saved again, with a fresh Max-Age.
	clk.advance(6*time.Minute + time.Second)
	res = b.do("GET", "/get?k=a", "")
	if c := setCookie(res); !strings.Contains(c, "Max-Age=3600") {
		t.Errorf("the touch did not refresh the cookie: %q", c)
	}
}

func TestIdleTimeout(t *testing.T) {
	clk := newClock()
	a := newApp(t, sessiontest.BackendCase{Name: "memory", Open: sessiontest.OpenMemory}, clk)
	b := newBrowser(t, a.h)
	b.login("alice")
	for range 5 { // active every 50 minutes: stays logged in
		clk.advance(50 * time.Minute)
		if code, _ := b.me(); code != 200 {
			t.Fatalf("logged out while active at %v", clk.now())
		}
	}
	clk.advance(61 * time.Minute)
	if code, _ := b.me(); code != 403 {
		t.Error("still logged in after an hour idle")
	}
}

func TestAbsoluteTimeout(t *testing.T) {
	clk := newClock()
	a := newApp(t, sessiontest.BackendCase{Name: "cookie", Open: sessiontest.OpenCookie}, clk)
	b := newBrowser(t, a.h)
	b.login("alice")
	start := clk.now()
	for clk.now().Sub(start) < sessions.DefaultLifetime-time.Hour {
		clk.advance(50 * time.Minute)
		if code, _ := b.me(); code != 200 {
			t.Fatalf("logged out after %v although active", clk.now().Sub(start))
		}
	}
	// The expiry never goes past the lifetime, whatever the activity.
	clk.advance(time.Hour)
	if code, _ := b.me(); code != 403 {
		t.Errorf("still logged in %v after login; the lifetime is %v", clk.now().Sub(start), sessions.DefaultLifetime)
	}

	// A Lifetime shortened later applies to existing sessions.
	b.login("alice")
	clk.advance(2 * time.Minute)
	a.m.Lifetime = time.Minute
	if code, _ := b.me(); code != 403 {
		t.Error("a session past the shortened lifetime was accepted")
	}
}

func TestIdleTimeoutOff(t *testing.T) {
	clk := newClock()
	a := newApp(t, sessiontest.BackendCase{Name: "memory", Open: sessiontest.OpenMemory}, clk)
	a.m.IdleTimeout = 0
	b := newBrowser(t, a.h)
	res := b.do("POST", "/set", "k=a&v=1")
	if c := setCookie(res); !strings.Contains(c, fmt.Sprintf("Max-Age=%d", int(sessions.DefaultLifetime/time.Second))) {
		t.Errorf("without an idle timeout the cookie should last the lifetime: %s", c)
	}
	clk.advance(10 * 24 * time.Hour)
	if res := b.do("GET", "/get?k=a", ""); setCookie(res) != "" || bodyOf(res) != "1" {
		t.Error("without an idle timeout, a read should neither touch nor lose the session")
	}
	a.m.Cookie.Persist = false
	res = b.do("POST", "/set", "k=a&v=2")
	if c := setCookie(res); strings.Contains(c, "Max-Age") || strings.Contains(c, "Expires") {
		t.Errorf("a browser-session cookie has an age: %s", c)
	}
}

// TestCommitBeforeHeaders: the session is committed before the first byte
// of the response, however the handler writes.
func TestCommitBeforeHeaders(t *testing.T) {
	b := memory.NewSessionBackend()
	defer b.Close()
	m := sessions.NewManager(b)
	handlers := map[string]http.HandlerFunc{
		"Write": func(w http.ResponseWriter, r *http.Request) {
			sessions.FromContext(r.Context()).Set("k", 1)
			_, _ = w.Write([]byte("body"))
		},
		"WriteHeader": func(w http.ResponseWriter, r *http.Request) {
			sessions.FromContext(r.Context()).Set("k", 1)
			w.WriteHeader(201)
			sessions.FromContext(r.Context()).Set("late", 1) // after the headers: not saved
		},
		"Flush": func(w http.ResponseWriter, r *http.Request) {
			sessions.FromContext(r.Context()).Set("k", 1)
			w.(http.Flusher).Flush()
		},
		"ReadFrom": func(w http.ResponseWriter, r *http.Request) {
			sessions.FromContext(r.Context()).Set("k", 1)
			_, _ = io.Copy(w, strings.NewReader("body"))
		},
		"Nothing": func(w http.ResponseWriter, r *http.Request) {
			sessions.FromContext(r.Context()).Set("k", 1)
		},
		"ResponseController": func(w http.ResponseWriter, r *http.Request) {
			sessions.FromContext(r.Context()).Set("k", 1)
			_ = http.NewResponseController(w).Flush()
		},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			w := httptest.NewRecorder()
			m.Handler(h).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			c := setCookie(w.Result())
			if c == "" {
				t.Fatal("no session cookie")
			}
			v := strings.TrimPrefix(strings.SplitN(c, ";", 2)[0], "sessionid=")
			s, err := m.Open(context.Background(), sessions.SessionID(v))
			if err != nil || !s.ContainsKey("k") || s.ContainsKey("late") {
				t.Errorf("stored session: %v, keys %v", err, s.Keys())
			}
		})
	}
}

// failingBackend fails every call as an unreachable store does.
type failingBackend struct{ sessions.SessionBackend }

var errDown = fmt.Errorf("redis: connection refused: %w", core.ErrStoreUnavailable)

func (failingBackend) Load(context.Context, sessions.SessionID) (sessions.Record, bool, error) {
	return sessions.Record{}, false, errDown
}
func (failingBackend) Save(context.Context, sessions.SessionID, sessions.Record) error {
	return errDown
}
func (failingBackend) Delete(context.Context, sessions.SessionID) error { return errDown }
func (failingBackend) Exists(context.Context, sessions.SessionID) (bool, error) {
	return false, errDown
}

// TestFailClosed: a store that cannot be reached fails the request (503),
// never authenticates it, and a failed commit replaces the response.
func TestFailClosed(t *testing.T) {
	m := sessions.NewManager(failingBackend{})
	called := false
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "sessionid", Value: string(sessions.GenerateKey())})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if called || w.Code != 503 || !strings.Contains(w.Body.String(), "Service temporarily unavailable") {
		t.Errorf("load failure: handler called %v, %d %s", called, w.Code, w.Body)
	}

	auth := sessions.NewSessionAuthentication(testSecret, core.NewModelBackend(core.NewDefaultUserManager()))
	auth.Manager = m
	if id, err := auth.Authenticate(core.NewHTTPRequest(r)); id != nil || !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Authenticate with the store down = %v, %v; want ErrStoreUnavailable", id, err)
	}

	// Load works, Save fails: the handler's response is replaced.
	mb := memory.NewSessionBackend()
	defer mb.Close()
	m2 := sessions.NewManager(saveFails{mb})
	h = m2.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sessions.FromContext(r.Context()).Set("k", 1)
		w.WriteHeader(200)
		if _, err := w.Write([]byte("secret page")); err == nil {
			t.Error("writing after a failed commit succeeded")
		}
	}))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 503 || strings.Contains(w.Body.String(), "secret") || setCookie(w.Result()) != "" {
		t.Errorf("commit failure: %d %s", w.Code, w.Body)
	}

	// A custom error handler.
	m2.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) { w.WriteHeader(599) }
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 599 {
		t.Errorf("ErrorHandler not used: %d", w.Code)
	}
}

type saveFails struct{ *memory.SessionBackend }

func (saveFails) Save(context.Context, sessions.SessionID, sessions.Record) error { return errDown }

// TestManagerCommit drives Load and Commit directly, as the adapters do.
func TestManagerCommit(t *testing.T) {
	ctx := context.Background()
	b := memory.NewSessionBackend()
	defer b.Close()
	m := sessions.NewManager(b)
	s, err := m.Load(ctx, &fakeRequest{cookie: "unknown-key"})
	if err != nil || s.Key() != "" {
		t.Fatalf("Load(unknown) = %q, %v", s.Key(), err)
	}
	s.Set("n", 1)
	w := &fakeResponse{}
	if err := m.Commit(ctx, s, w); err != nil || w.cookie == nil || w.cookie.Value == "unknown-key" || w.cookie.Value != string(s.Key()) {
		t.Fatalf("Commit = %v, cookie %+v", err, w.cookie)
	}
	key := s.Key()

	// Emptying a stored session deletes it and its cookie.
	s2, _ := m.Load(ctx, &fakeRequest{cookie: string(key)})
	s2.Delete("n")
	w = &fakeResponse{}
	if err := m.Commit(ctx, s2, w); err != nil || w.cookie == nil || w.cookie.MaxAge >= 0 {
		t.Fatalf("Commit(emptied) = %v, cookie %+v", err, w.cookie)
	}
	if ok, _ := b.Exists(ctx, key); ok {
		t.Error("the emptied session is still stored")
	}

	// A client cookie that is too long is not even looked up.
	long := strings.Repeat("a", maxCookieSize+1)
	if s, err := m.Load(ctx, &fakeRequest{cookie: long}); err != nil || s.Key() != "" {
		t.Error("an over-long cookie")
	}

	// A session stored with another serializer reads as not found.
	s3 := m.New()
	s3.Set("k", "v")
	if err := s3.Save(ctx); err != nil {
		t.Fatal(err)
	}
	m.Serializer = gob.Serializer
	if s4, err := m.Open(ctx, s3.Key()); err != nil || s4.Key() != "" || !s4.IsEmpty() {
		t.Errorf("a session of another serializer: key %q, %v", s4.Key(), err)
	}
	if sessions.FromContext(ctx) != nil {
		t.Error("FromContext of a bare context")
	}
	if got := sessions.FromContext(sessions.NewContext(ctx, s3)); got != s3 {
		t.Error("FromContext")
	}
}

// TestUnknownCookieDeleted: as Django's SessionMiddleware, a request that
// used its session while its cookie named a session the store does not
// know gets the cookie deleted (with Vary: Cookie); a request that did not
// use the session leaves the cookie alone.
func TestUnknownCookieDeleted(t *testing.T) {
	for _, bc := range []sessiontest.BackendCase{{Name: "memory", Open: sessiontest.OpenMemory}, {Name: "cookie", Open: sessiontest.OpenCookie}} {
		t.Run(bc.Name, func(t *testing.T) {
			clk := newClock()
			a := newApp(t, bc, clk)
			b := newBrowser(t, a.h)
			b.cookies["sessionid"] = "abcdefghijklmnopqrstuvwxyz012345"
			if res := b.do("GET", "/nothing-here", ""); setCookie(res) != "" || res.StatusCode != 404 {
				t.Errorf("a request that did not use the session: %d, Set-Cookie %q", res.StatusCode, setCookie(res))
			}
			// A value too short for a key is deleted even then, as Django
			// does.
			b.cookies["sessionid"] = "short"
			if res := b.do("GET", "/nothing-here", ""); !strings.Contains(setCookie(res), "Max-Age=0") {
				t.Errorf("a 5-character cookie: Set-Cookie %q", setCookie(res))
			}
			b.cookies["sessionid"] = "abcdefghijklmnopqrstuvwxyz012345"
			res := b.do("GET", "/get?k=a", "")
			if c := setCookie(res); !strings.Contains(c, "Max-Age=0") || res.Header.Get("Vary") != "Cookie" {
				t.Errorf("unknown key: Set-Cookie %q, Vary %q", c, res.Header.Get("Vary"))
			}
			if _, ok := b.cookies["sessionid"]; ok {
				t.Error("the browser kept the cookie")
			}
			// An expired session's cookie goes the same way.
			b.do("POST", "/set", "k=a&v=1")
			clk.advance(2 * time.Hour)
			res = b.do("GET", "/get?k=a", "")
			if c := setCookie(res); !strings.Contains(c, "Max-Age=0") || bodyOf(res) != "" {
				t.Errorf("expired session: Set-Cookie %q", c)
			}
		})
	}
}

// TestCommitAfterClientLeft: a client that goes away after sending its
// request cancels the request's context (net/http, Gin and Echo do); the
// session the handler changed is still saved, and an emptied (logged-out)
// session still deleted, within the context's deadline.
func TestCommitAfterClientLeft(t *testing.T) {
	b := memory.NewSessionBackend()
	m := sessions.NewManager(b)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := m.Load(ctx, &fakeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	s.Set("n", 1)
	cancel() // the client left while the handler ran
	w := &fakeResponse{}
	if err := m.Commit(ctx, s, w); err != nil {
		t.Fatalf("Commit after the client left: %v", err)
	}
	if ok, err := b.Exists(context.Background(), s.Key()); !ok || err != nil {
		t.Fatalf("the session was not saved: %v %v", ok, err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	s2, err := m.Open(ctx, s.Key())
	if err != nil || s2.Key() == "" {
		t.Fatalf("Open: %q %v", s2.Key(), err)
	}
	s2.Delete("n") // emptied: Commit deletes it
	cancel()
	if err := m.Commit(ctx, s2, &fakeResponse{}); err != nil {
		t.Fatalf("Commit of a logout after the client left: %v", err)
	}
	if ok, _ := b.Exists(context.Background(), s.Key()); ok {
		t.Fatal("the logged-out session is still stored")
	}

	// A request already past its deadline does not write.
	ctx, cancel = context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	s3, _ := m.Load(ctx, &fakeRequest{})
	s3.Set("n", 1)
	if err := m.Commit(ctx, s3, &fakeResponse{}); err == nil {
		t.Fatal("Commit past the request's deadline succeeded")
	}
}
