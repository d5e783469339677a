package fiberauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	fiberauth "github.com/reinhardt-go/auth/adapters/fiber"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
	"github.com/valyala/fasthttp"
)

type result struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, app *fiber.App, req *http.Request) result {
	t.Helper()
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b)}
}

func (r result) expect(t *testing.T, status int, body string) {
	t.Helper()
	if r.status != status || (body != "" && r.body != body) {
		t.Errorf("got %d %.300s\nwant %d %s", r.status, r.body, status, body)
	}
}

const (
	denied      = `{"detail":"You do not have permission to perform this action."}`
	tooLarge    = `{"detail":"Request body too large."}`
	notFound    = `{"detail":"Not found."}`
	notProvided = `{"detail":"Authentication credentials were not provided."}`
)

// A guard without the middleware in front counts the request as anonymous
// and refuses it: a wiring mistake fails closed.
func TestRequireWithoutMiddlewareFailsClosed(t *testing.T) {
	app := fiber.New()
	called := false
	app.Get("/", fiberauth.Require(core.IsAuthenticated{}), func(c *fiber.Ctx) error {
		called = true
		return nil
	})
	var user core.User
	app.Get("/open", func(c *fiber.Ctx) error {
		user = fiberauth.User(c)
		return nil
	})
	req := httptest.NewRequest("GET", "/", nil)
	req.SetBasicAuth("alice", "pw")
	do(t, app, req).expect(t, 403, denied)
	if called {
		t.Fatal("handler ran")
	}
	req = httptest.NewRequest("GET", "/open", nil)
	req.SetBasicAuth("alice", "pw")
	do(t, app, req)
	if user == nil || user.IsAuthenticated() {
		t.Fatalf("user without middleware: %v", user)
	}
	authenticatedOnly := core.ObjectPermissionFunc(func(_ context.Context, pc *core.PermissionContext, _ any) bool { return pc.IsAuthenticated })
	if err := fiberauth.CheckObjectPermissions(app.AcquireCtx(new(fasthttp.RequestCtx)), "obj", authenticatedOnly); !errors.Is(err, core.ErrPermissionDenied) {
		t.Fatalf("object check without middleware: %v", err)
	}
}

func TestBodyCap(t *testing.T) {
	for _, stream := range []bool{false, true} {
		e := core.NewEngine()
		e.MaxBodyBytes = 10
		app := fiber.New(fiber.Config{StreamRequestBody: stream, ErrorHandler: fiberauth.ErrorHandler(e), DisableStartupMessage: true})
		app.Use(fiberauth.Middleware(e))
		var got []byte
		app.Post("/", func(c *fiber.Ctx) error {
			var err error
			got, err = core.ReadBody(fiberauth.NewRequest(c), 0)
			if err != nil {
				return err
			}
			return c.SendStatus(204)
		})
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		serve(t, app, l)
		send := func(body string, chunked bool) result {
			t.Helper()
			var rd io.Reader = strings.NewReader(body)
			if chunked {
				rd = io.MultiReader(rd) // hides the length
			}
			req, _ := http.NewRequest("POST", "http://"+l.Addr().String()+"/", rd)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("stream=%v: %v", stream, err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return result{resp.StatusCode, resp.Header, string(b)}
		}
		got = nil
		send(strings.Repeat("x", 11), false).expect(t, 413, tooLarge) // declared over the cap
		send(strings.Repeat("x", 11), true).expect(t, 413, tooLarge)  // chunked over the cap
		if got != nil {
			t.Fatalf("stream=%v: handler ran", stream)
		}
		send("0123456789", true).expect(t, 204, "") // the handler reads the same bytes
		if string(got) != "0123456789" {
			t.Fatalf("stream=%v: body %q", stream, got)
		}
	}
}

// A core endpoint mounted without the middleware still reads at most the
// default cap.
func TestEndpointBodyCapWithoutMiddleware(t *testing.T) {
	app := fiber.New()
	app.Post("/", fiberauth.Endpoint(core.EndpointFunc(func(w core.Response, r core.Request) error {
		if _, err := core.ReadBody(r, 0); err != nil {
			return err
		}
		return w.Write(204, nil)
	})))
	do(t, app, httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", core.DefaultMaxBodyBytes+1)))).expect(t, 413, tooLarge)
	do(t, app, httptest.NewRequest("POST", "/", strings.NewReader("x"))).expect(t, 204, "")
}

func TestErrorHandler(t *testing.T) {
	e := core.NewEngine(core.NewHTTPBasicAuth())
	var logged bytes.Buffer
	e.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	app := newApp(e)
	app.Use(fiberauth.Middleware(e))
	app.Get("/x", func(c *fiber.Ctx) error { return c.SendString("x") })
	app.Get("/missing", func(c *fiber.Ctx) error { return core.ErrNotFound })
	app.Get("/invalid", func(c *fiber.Ctx) error { return core.ValidationError{"title": {"This field is required."}} })
	app.Get("/boom", func(c *fiber.Ctx) error { return errors.New("secret cause") })
	app.Get("/teapot", func(c *fiber.Ctx) error { return fiber.ErrTeapot })
	app.Get("/unauth", func(c *fiber.Ctx) error { return fiber.ErrUnauthorized })

	do(t, app, httptest.NewRequest("GET", "/nowhere", nil)).expect(t, 404, notFound)
	r := do(t, app, httptest.NewRequest("POST", "/x", nil))
	r.expect(t, 405, `{"detail":"Method \"POST\" not allowed."}`)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	do(t, app, httptest.NewRequest("GET", "/missing", nil)).expect(t, 404, notFound)
	do(t, app, httptest.NewRequest("GET", "/invalid", nil)).expect(t, 400, `{"title":["This field is required."]}`)
	do(t, app, httptest.NewRequest("GET", "/boom", nil)).expect(t, 500, `{"detail":"A server error occurred."}`)
	if !strings.Contains(logged.String(), "secret cause") {
		t.Errorf("the cause of a 500 is not logged: %q", logged.String())
	}
	do(t, app, httptest.NewRequest("GET", "/teapot", nil)).expect(t, 418, `{"detail":"I'm a teapot."}`)
	r = do(t, app, httptest.NewRequest("GET", "/unauth", nil))
	r.expect(t, 401, notProvided)
	if ch := r.header.Get("WWW-Authenticate"); ch != `Basic realm="api"` {
		t.Errorf("challenge %q", ch)
	}
}

// The limits over a real connection: fasthttp's refusals are DRF bodies,
// and none resets the connection.
func TestLimitsOverTheWire(t *testing.T) {
	e := core.NewEngine(core.NewHTTPBasicAuth())
	app := newApp(e)
	app.Use(fiberauth.Middleware(e))
	app.All("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve(t, app, l)
	base := "http://" + l.Addr().String()
	client := &http.Client{Timeout: 10 * time.Second}
	send := func(req *http.Request) result {
		t.Helper()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", req.Method, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return result{resp.StatusCode, resp.Header, string(b)}
	}
	req, _ := http.NewRequest("GET", base+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("h", 60<<10))
	send(req).expect(t, 200, "ok")
	req, _ = http.NewRequest("GET", base+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("h", 70<<10))
	send(req).expect(t, 431, `{"detail":"Request header fields too large."}`)
	req, _ = http.NewRequest("POST", base+"/", strings.NewReader(strings.Repeat("x", 3<<20)))
	send(req).expect(t, 413, tooLarge)
	// Over Fiber's BodyLimit: fasthttp refuses, ErrorHandler renders.
	req, _ = http.NewRequest("POST", base+"/", strings.NewReader(strings.Repeat("x", 5<<20)))
	if resp, err := client.Do(req); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		result{resp.StatusCode, resp.Header, string(b)}.expect(t, 413, tooLarge)
	} // a client still sending when the server closes may see a reset: fasthttp's, past Fiber's limit

	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// (fasthttp 1.51 waits for more data when the bad line is the last
	// one; see examples/fiber.)
	_, _ = conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\nX: y\r\n\r\n"))
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	raw, _ := io.ReadAll(conn)
	if !bytes.HasPrefix(raw, []byte("HTTP/1.1 400")) || !bytes.HasSuffix(raw, []byte(`{"detail":"Malformed request."}`)) {
		t.Errorf("malformed header: %q", raw)
	}
}

// Identity reaches handlers through the user context and Locals, and the
// response helpers keep headers set with Fiber.
func TestIdentityAndEndpointHeaders(t *testing.T) {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	_, _ = users.CreateUser(ctx, "alice", new("s3cret-pass"), nil)
	e := core.NewEngine(&core.BasicAuthentication{Backend: core.NewModelBackend(users)})
	app := newApp(e)
	app.Use(fiberauth.Middleware(e))
	app.Get("/me", func(c *fiber.Ctx) error {
		u, ok := fiberauth.UserAs[*core.DefaultUser](c)
		local := c.Locals(fiberauth.IdentityKey).(*core.Identity)
		if local != fiberauth.Identity(c) || c.Locals(fiberauth.UserKey) != fiberauth.User(c) {
			return errors.New("locals and context disagree")
		}
		if !ok {
			return c.SendString("anonymous")
		}
		return c.SendString(u.Username)
	})
	app.Get("/ep", func(c *fiber.Ctx) error {
		c.Set("Vary", "Cookie")
		c.Cookie(&fiber.Cookie{Name: "a", Value: "1"})
		return c.Next()
	}, fiberauth.Endpoint(core.EndpointFunc(func(w core.Response, r core.Request) error {
		if !strings.Contains(strings.Join(w.Header().Values("Vary"), ","), "Cookie") {
			w.Header().Add("Vary", "Cookie")
		}
		w.SetCookie(&http.Cookie{Name: "b", Value: "2", Path: "/"})
		w.Header().Set("X-Seen-Path", r.Path())
		return core.WriteJSON(w, 201, map[string]string{"method": r.Method()})
	})))

	do(t, app, httptest.NewRequest("GET", "/me", nil)).expect(t, 200, "anonymous")
	req := httptest.NewRequest("GET", "/me", nil)
	req.SetBasicAuth("alice", "s3cret-pass")
	do(t, app, req).expect(t, 200, "alice")

	r := do(t, app, httptest.NewRequest("GET", "/ep", nil))
	r.expect(t, 201, `{"method":"GET"}`)
	if v := r.header.Values("Vary"); len(v) != 1 || v[0] != "Cookie" {
		t.Errorf("Vary %q", v)
	}
	if c := r.header.Values("Set-Cookie"); len(c) != 2 || !strings.HasPrefix(c[0], "a=1") || c[1] != "b=2; Path=/" {
		t.Errorf("Set-Cookie %q", c)
	}
	if p := r.header.Get("X-Seen-Path"); p != "/ep" {
		t.Errorf("path %q", p)
	}
}

func TestSessions(t *testing.T) {
	backend := memory.NewSessionBackend()
	defer backend.Close()
	m := sessions.NewManager(backend)
	m.Cookie.Secure = false
	app := newApp(core.NewEngine())
	app.Use(fiberauth.Sessions(m))
	app.Post("/set", func(c *fiber.Ctx) error {
		fiberauth.SessionFrom(c).Set("n", c.Query("n"))
		return c.SendStatus(204)
	})
	app.Post("/set-then-fail", func(c *fiber.Ctx) error {
		fiberauth.SessionFrom(c).Set("n", "failed")
		return core.ErrNotFound
	})
	app.Get("/get", func(c *fiber.Ctx) error {
		v, _ := sessions.GetAs[string](fiberauth.SessionFrom(c), "n")
		return c.SendString(v)
	})

	r := do(t, app, httptest.NewRequest("POST", "/set?n=one", nil))
	r.expect(t, 204, "")
	cookie := r.header.Get("Set-Cookie")
	if !strings.HasPrefix(cookie, "sessionid=") || !strings.Contains(cookie, "HttpOnly") || r.header.Get("Vary") != "Cookie" {
		t.Fatalf("Set-Cookie %q Vary %q", cookie, r.header.Get("Vary"))
	}
	sid := strings.TrimPrefix(strings.SplitN(cookie, ";", 2)[0], "sessionid=")
	req := httptest.NewRequest("GET", "/get", nil)
	req.AddCookie(&http.Cookie{Name: "sessionid", Value: sid})
	do(t, app, req).expect(t, 200, "one")

	// An error response is rendered before the commit, and carries the
	// session's cookie.
	r = do(t, app, httptest.NewRequest("POST", "/set-then-fail", nil))
	r.expect(t, 404, notFound)
	if !strings.HasPrefix(r.header.Get("Set-Cookie"), "sessionid=") {
		t.Errorf("no session cookie on an error response: %q", r.header.Values("Set-Cookie"))
	}

	// A commit that fails replaces the response.
	failing := sessions.NewManager(failingBackend{backend})
	app = newApp(core.NewEngine())
	app.Use(fiberauth.Sessions(failing))
	app.Post("/set", func(c *fiber.Ctx) error {
		fiberauth.SessionFrom(c).Set("n", "x")
		return c.SendString("saved, supposedly")
	})
	do(t, app, httptest.NewRequest("POST", "/set", nil)).expect(t, 503, `{"detail":"Service temporarily unavailable, try again later."}`)
}

type failingBackend struct{ sessions.SessionBackend }

func (failingBackend) Save(context.Context, sessions.SessionID, sessions.Record) error {
	return core.ErrStoreUnavailable
}

// CSRF records the form field and the host, so that the protector's
// check (which the session authenticator runs) sees them.
func TestCSRF(t *testing.T) {
	p, err := csrf.New(csrf.WithSecureCookie(false))
	if err != nil {
		t.Fatal(err)
	}
	app := newApp(core.NewEngine())
	app.Use(fiberauth.CSRF(p))
	app.Get("/token", fiberauth.Endpoint(p.TokenEndpoint()))
	app.Post("/form", func(c *fiber.Ctx) error {
		if err := p.Check(fiberauth.NewRequest(c), nil); err != nil {
			return fiberauth.WriteError(c, err)
		}
		return c.SendString("ok")
	})

	r := do(t, app, httptest.NewRequest("GET", "/token", nil))
	var tok struct {
		Token string `json:"csrfToken"`
	}
	if err := json.Unmarshal([]byte(r.body), &tok); err != nil || r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	secret := strings.TrimPrefix(strings.SplitN(r.header.Get("Set-Cookie"), ";", 2)[0], "csrftoken=")

	post := func(body, ct string, headers ...string) result {
		req := httptest.NewRequest("POST", "/form", strings.NewReader(body))
		req.Host = "api.example"
		req.Header.Set("Content-Type", ct)
		req.AddCookie(&http.Cookie{Name: "csrftoken", Value: secret})
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return do(t, app, req)
	}
	form := "csrfmiddlewaretoken=" + url.QueryEscape(tok.Token) + "&title=x"
	post(form, "application/x-www-form-urlencoded").expect(t, 200, "ok")
	post(form, "application/x-www-form-urlencoded", "Origin", "http://api.example").expect(t, 200, "ok")
	post(form, "application/x-www-form-urlencoded", "Origin", "https://evil.example").expect(t, 403,
		`{"detail":"CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins."}`)
	post("title=x", "application/x-www-form-urlencoded").expect(t, 403, `{"detail":"CSRF Failed: CSRF token missing."}`)
	multipart := "--b\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n" + tok.Token + "\r\n--b--\r\n"
	post(multipart, "multipart/form-data; boundary=b").expect(t, 200, "ok")
	post(`{"title":"x"}`, "application/json", "X-CSRFToken", tok.Token).expect(t, 200, "ok")
	post(strings.Repeat("x", core.DefaultMaxBodyBytes+1), "application/x-www-form-urlencoded").expect(t, 413, tooLarge)
}

func BenchmarkMiddlewareBasicAnonymous(b *testing.B) {
	e := core.NewEngine(core.NewHTTPBasicAuth())
	app := fiber.New()
	app.Use(fiberauth.Middleware(e))
	app.Get("/", fiberauth.Require(core.AllowAny{}), func(c *fiber.Ctx) error { return nil })
	h := app.Handler()
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/")
	b.ReportAllocs()
	for b.Loop() {
		h(&ctx)
	}
}

// A JWT-protected route whose token the server has verified before (the
// token cache answers).
func BenchmarkMiddlewareJWTCached(b *testing.B) {
	j, err := jwtauth.New([]byte("a-test-secret-of-at-least-32-bytes!!"))
	if err != nil {
		b.Fatal(err)
	}
	tok, _ := j.GenerateToken("1", "alice")
	e := core.NewEngine(jwtauth.NewAuthentication(j, nil))
	app := fiber.New()
	app.Use(fiberauth.Middleware(e))
	app.Get("/", fiberauth.Require(core.IsAuthenticated{}), func(c *fiber.Ctx) error { return nil })
	h := app.Handler()
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/")
	ctx.Request.Header.Set("Authorization", "Bearer "+tok)
	h(&ctx)
	if ctx.Response.StatusCode() != 200 {
		b.Fatalf("status %d", ctx.Response.StatusCode())
	}
	b.ReportAllocs()
	for b.Loop() {
		h(&ctx)
	}
}

// TestRawQuery: an endpoint reads the query string as sent (the OAuth2
// authorize endpoint refuses a repeated parameter with it), for the
// request type and for core.NewHTTPRequest alike.
func TestRawQuery(t *testing.T) {
	app := fiber.New()
	app.Get("/q", fiberauth.Endpoint(core.EndpointFunc(func(w core.Response, r core.Request) error {
		rq, ok := r.(interface{ RawQuery() string })
		if !ok {
			return w.Write(500, []byte("no RawQuery"))
		}
		return w.Write(200, []byte(rq.RawQuery()))
	})))
	const q = "client_id=a&client_id=b&x=%2F+y"
	do(t, app, httptest.NewRequest("GET", "/q?"+q, nil)).expect(t, 200, q)
	std, ok := core.NewHTTPRequest(httptest.NewRequest("GET", "/q?"+q, nil)).(interface{ RawQuery() string })
	if !ok || std.RawQuery() != q {
		t.Errorf("core.NewHTTPRequest: RawQuery not given as sent")
	}
}
