package echoauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	echoauth "github.com/reinhardt-go/auth/adapters/echo"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
)

func serve(e *echo.Echo, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, r)
	return rec
}

// A guard without the middleware in front counts the request as anonymous
// and refuses it: a wiring mistake fails closed.
func TestRequireWithoutMiddlewareFailsClosed(t *testing.T) {
	e := echo.New()
	called := false
	var user core.User
	e.GET("/", func(c echo.Context) error { called = true; return nil }, func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { user = echoauth.User(c); return next(c) }
	}, echoauth.Require(core.IsAuthenticated{}))
	r := httptest.NewRequest("GET", "/", nil)
	r.SetBasicAuth("alice", "pw")
	rec := serve(e, r)
	if called || rec.Code != http.StatusForbidden || rec.Body.String() != `{"detail":"You do not have permission to perform this action."}` {
		t.Fatalf("called=%v status=%d body=%s", called, rec.Code, rec.Body)
	}
	if user == nil || user.IsAuthenticated() {
		t.Fatalf("user without middleware: %#v", user)
	}
}

func TestDeclaredBodyOverCapNeverReachesHandler(t *testing.T) {
	eng := core.NewEngine()
	eng.MaxBodyBytes = 10
	e := echo.New()
	called := false
	e.Use(echoauth.Middleware(eng))
	e.POST("/", func(c echo.Context) error { called = true; return nil })
	rec := serve(e, httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", 11))))
	if called || rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("called=%v status=%d", called, rec.Code)
	}
}

func basicEngine(t *testing.T) *core.Engine {
	users := core.NewDefaultUserManager()
	if _, err := users.CreateUser(context.Background(), "alice", new("s3cret-pass"), nil); err != nil {
		t.Fatal(err)
	}
	return core.NewEngine(&core.BasicAuthentication{Backend: core.NewModelBackend(users)})
}

// The identity is the same in echo's context and in the request's
// context.Context.
func TestIdentityInBothContexts(t *testing.T) {
	e := echo.New()
	e.Use(echoauth.Middleware(basicEngine(t)))
	e.GET("/", func(c echo.Context) error {
		id := echoauth.Identity(c)
		if id != core.IdentityFromContext(c.Request().Context()) || id.Method != "basic" {
			t.Errorf("identity %+v", id)
		}
		u, ok := echoauth.UserAs[*core.DefaultUser](c)
		if !ok || u.Username != "alice" || echoauth.User(c).GetUsername() != "alice" {
			t.Errorf("user %v %v", u, ok)
		}
		return c.NoContent(http.StatusNoContent)
	})
	r := httptest.NewRequest("GET", "/", nil)
	r.SetBasicAuth("alice", "s3cret-pass")
	if rec := serve(e, r); rec.Code != http.StatusNoContent {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
}

// WriteError goes through echo's Response: Committed and Status are right,
// and the HTTPErrorHandler does not answer a second time when the handler
// returns an error after it.
func TestWriteErrorKeepsEchoBookkeeping(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = echoauth.ErrorHandler(basicEngine(t))
	e.Use(echoauth.Middleware(basicEngine(t)))
	e.GET("/", func(c echo.Context) error {
		if err := echoauth.WriteError(c, core.ErrNotAuthenticated); err != nil {
			return err
		}
		if !c.Response().Committed || c.Response().Status != http.StatusUnauthorized {
			t.Errorf("committed=%v status=%d", c.Response().Committed, c.Response().Status)
		}
		// A second error is not rendered over the first.
		err := echoauth.WriteError(c, core.ErrPermissionDenied)
		if !errors.Is(err, core.ErrPermissionDenied) {
			t.Errorf("second WriteError: %v", err)
		}
		return err
	})
	rec := serve(e, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 401 || rec.Body.String() != `{"detail":"Authentication credentials were not provided."}` || rec.Header().Get("WWW-Authenticate") != `Basic realm="api"` {
		t.Fatalf("%d %q %s", rec.Code, rec.Header(), rec.Body)
	}
}

func TestErrorHandler(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = echoauth.ErrorHandler(basicEngine(t))
	e.GET("/x", func(c echo.Context) error { return nil })
	e.GET("/core", func(c echo.Context) error { return core.ErrNotAuthenticated })
	e.GET("/validation", func(c echo.Context) error { return core.ValidationError{"title": {"This field is required."}} })
	e.GET("/bad", func(c echo.Context) error { return echo.NewHTTPError(http.StatusBadRequest, "bad thing") })
	e.GET("/gateway", func(c echo.Context) error { return echo.NewHTTPError(http.StatusBadGateway, "upstream secret") })
	e.GET("/boom", func(c echo.Context) error { return errors.New("db password is hunter2") })
	e.GET("/wrapped", func(c echo.Context) error {
		return echo.NewHTTPError(http.StatusInternalServerError).SetInternal(echo.ErrNotFound)
	})
	for _, tc := range []struct {
		method, path string
		status       int
		body, header string
	}{
		{"GET", "/nowhere", 404, `{"detail":"Not found."}`, ""},
		{"PATCH", "/x", 405, `{"detail":"Method \"PATCH\" not allowed."}`, "Allow"},
		{"GET", "/core", 401, `{"detail":"Authentication credentials were not provided."}`, "WWW-Authenticate"},
		{"GET", "/validation", 400, `{"title":["This field is required."]}`, ""},
		{"GET", "/bad", 400, `{"detail":"bad thing"}`, ""},
		{"GET", "/gateway", 502, `{"detail":"A server error occurred."}`, ""},
		{"GET", "/boom", 500, `{"detail":"A server error occurred."}`, ""},
		{"GET", "/wrapped", 404, `{"detail":"Not found."}`, ""},
	} {
		rec := serve(e, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status || rec.Body.String() != tc.body || rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %s %q", tc.method, tc.path, rec.Code, rec.Body, rec.Header())
		}
		if tc.header != "" && rec.Header().Get(tc.header) == "" {
			t.Errorf("%s %s: no %s header", tc.method, tc.path, tc.header)
		}
	}
}

func newSessions(t *testing.T) *sessions.Manager {
	b := memory.NewSessionBackend()
	t.Cleanup(func() { _ = b.Close() })
	m := sessions.NewManager(b)
	m.Cookie.Secure = false
	return m
}

func sessionCookie(rec *httptest.ResponseRecorder) string {
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessions.DefaultCookieName {
			return c.Value
		}
	}
	return ""
}

// The session is committed before the headers go out, whoever writes the
// response, and also when nothing is written.
func TestSessionsCommitBeforeHeaders(t *testing.T) {
	m := newSessions(t)
	e := echo.New()
	e.HTTPErrorHandler = echoauth.ErrorHandler(core.NewEngine())
	e.Use(echoauth.Sessions(m))
	set := func(c echo.Context) { echoauth.SessionFrom(c).Set("n", 1) }
	e.GET("/string", func(c echo.Context) error { set(c); return c.String(http.StatusOK, "hi") })
	e.GET("/nothing", func(c echo.Context) error { set(c); return nil })
	e.GET("/error", func(c echo.Context) error { set(c); return core.ErrPermissionDenied })
	e.GET("/read", func(c echo.Context) error {
		n, _ := sessions.GetAs[float64](echoauth.SessionFrom(c), "n")
		if n != 1 {
			t.Errorf("session value %v", n)
		}
		return c.NoContent(http.StatusNoContent)
	})
	for path, status := range map[string]int{"/string": 200, "/nothing": 200, "/error": 403} {
		rec := serve(e, httptest.NewRequest("GET", path, nil))
		key := sessionCookie(rec)
		if rec.Code != status || key == "" {
			t.Errorf("%s: %d cookie %q", path, rec.Code, key)
			continue
		}
		r := httptest.NewRequest("GET", "/read", nil)
		r.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: key})
		if rec := serve(e, r); rec.Code != http.StatusNoContent {
			t.Errorf("%s: read back %d", path, rec.Code)
		}
	}
}

type failingSave struct{ sessions.SessionBackend }

func (failingSave) Save(context.Context, sessions.SessionID, sessions.Record) error {
	return core.ErrStoreUnavailable
}

// A session that cannot be saved replaces the handler's response with the
// error, and echo's Response reports the status that went out.
func TestSessionCommitFailureReplacesResponse(t *testing.T) {
	m := newSessions(t)
	m.Backend = failingSave{m.Backend}
	e := echo.New()
	var status int
	var writeErr error
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			status = c.Response().Status
			return err
		}
	}, echoauth.Sessions(m))
	e.GET("/", func(c echo.Context) error {
		echoauth.SessionFrom(c).Set("n", 1)
		writeErr = c.String(http.StatusOK, "secret handler body")
		return nil
	})
	rec := serve(e, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Body.String() != `{"detail":"Service temporarily unavailable, try again later."}` || sessionCookie(rec) != "" {
		t.Fatalf("%d %s %q", rec.Code, rec.Body, rec.Header())
	}
	if status != http.StatusServiceUnavailable || writeErr == nil {
		t.Fatalf("echo status %d, handler's write error %v", status, writeErr)
	}
}

// CSRF records what csrf.Prepare records: the Host, for the Origin check,
// and the csrfmiddlewaretoken field of a form, whose body the handler still
// reads.
func TestCSRFFormToken(t *testing.T) {
	p, err := csrf.New(csrf.WithSecureCookie(false))
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = echoauth.ErrorHandler(core.NewEngine())
	e.Use(echoauth.Sessions(newSessions(t)), echoauth.CSRF(p))
	e.GET("/csrf", echoauth.Endpoint(p.TokenEndpoint()))
	e.POST("/form", func(c echo.Context) error {
		if err := p.Check(core.NewHTTPRequest(c.Request()), echoauth.SessionFrom(c)); err != nil {
			return err
		}
		return c.String(http.StatusOK, c.FormValue("title"))
	})
	rec := serve(e, httptest.NewRequest("GET", "/csrf", nil))
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == csrf.CookieName {
			cookie = c
		}
	}
	if rec.Code != 200 || cookie == nil {
		t.Fatalf("csrf: %d %s", rec.Code, rec.Body)
	}
	token := strings.TrimSuffix(strings.TrimPrefix(rec.Body.String(), `{"csrfToken":"`), `"}`)
	post := func(form url.Values, origin string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "http://app.example/form", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", origin)
		r.AddCookie(cookie)
		return serve(e, r)
	}
	if rec := post(url.Values{"title": {"hello"}, csrf.FormField: {token}}, "http://app.example"); rec.Code != 200 || rec.Body.String() != "hello" {
		t.Errorf("form with token: %d %s", rec.Code, rec.Body)
	}
	if rec := post(url.Values{"title": {"hello"}}, "http://app.example"); rec.Code != 403 || rec.Body.String() != `{"detail":"CSRF Failed: CSRF token missing."}` {
		t.Errorf("form without token: %d %s", rec.Code, rec.Body)
	}
	if rec := post(url.Values{"title": {"hello"}, csrf.FormField: {token}}, "http://evil.example"); rec.Code != 403 {
		t.Errorf("cross-origin form: %d %s", rec.Code, rec.Body)
	}
	big := url.Values{"title": {strings.Repeat("x", core.DefaultMaxBodyBytes)}}
	if rec := post(big, "http://app.example"); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("big form: %d %s", rec.Code, rec.Body)
	}
}

func BenchmarkMiddlewareBasicAnonymous(b *testing.B) {
	e := echo.New()
	e.Use(echoauth.Middleware(core.NewEngine(core.NewHTTPBasicAuth())))
	e.GET("/", func(echo.Context) error { return nil }, echoauth.Require(core.AllowAny{}))
	r := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		e.ServeHTTP(w, r)
	}
}
