package ginauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	ginauth "github.com/reinhardt-go/auth/adapters/gin"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	goleak.VerifyTestMain(m)
}

func serve(r *gin.Engine, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	return rec
}

// A guard without the middleware in front counts the request as anonymous
// and refuses it: a wiring mistake fails closed.
func TestRequireWithoutMiddlewareFailsClosed(t *testing.T) {
	called := false
	r := gin.New()
	r.GET("/", ginauth.Require(core.IsAuthenticated{}), func(c *gin.Context) {
		called = true
		c.Status(http.StatusOK)
	})
	r.GET("/who", func(c *gin.Context) {
		if u := ginauth.User(c); u.IsAuthenticated() {
			t.Error("user without middleware")
		}
		c.Status(http.StatusOK)
	})
	req := httptest.NewRequest("GET", "/", nil)
	req.SetBasicAuth("alice", "pw")
	if rec := serve(r, req); called || rec.Code != http.StatusForbidden {
		t.Fatalf("called=%v status=%d", called, rec.Code)
	}
	serve(r, httptest.NewRequest("GET", "/who", nil))
}

func TestDeclaredBodyOverCapNeverReachesHandler(t *testing.T) {
	e := core.NewEngine()
	e.MaxBodyBytes = 10
	called := false
	r := gin.New()
	r.POST("/", ginauth.Middleware(e), func(*gin.Context) { called = true })
	rec := serve(r, httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", 11))))
	if called || rec.Code != http.StatusRequestEntityTooLarge || rec.Body.String() != `{"detail":"Request body too large."}` {
		t.Fatalf("called=%v status=%d body=%s", called, rec.Code, rec.Body)
	}
}

// The identity is the same through every accessor: gin's context, the
// request's context, and UserAs.
func TestAccessorsAgree(t *testing.T) {
	users := core.NewDefaultUserManager()
	_, _ = users.CreateUser(context.Background(), "alice", new("s3cret-pass"), nil)
	e := core.NewEngine(&core.BasicAuthentication{Backend: core.NewModelBackend(users)})
	r := gin.New()
	r.Use(ginauth.Middleware(e))
	r.GET("/", func(c *gin.Context) {
		u, ok := ginauth.UserAs[*core.DefaultUser](c)
		id := ginauth.Identity(c)
		if !ok || u.Username != "alice" || id.User != core.UserFromContext(c.Request.Context()) ||
			ginauth.User(c) != core.User(u) || id.Method != "basic" {
			t.Errorf("accessors disagree: %v %v %v", u, id, core.UserFromContext(c.Request.Context()))
		}
		if _, ok := ginauth.UserAs[core.AnonymousUser](c); ok {
			t.Error("UserAs matched the wrong type")
		}
		c.Status(http.StatusNoContent)
	})
	req := httptest.NewRequest("GET", "/", nil)
	req.SetBasicAuth("alice", "s3cret-pass")
	if rec := serve(r, req); rec.Code != http.StatusNoContent {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
}

func TestWriteErrorAborts(t *testing.T) {
	r := gin.New()
	r.Use(ginauth.Middleware(core.NewEngine(core.NewHTTPBasicAuth())))
	r.GET("/", func(c *gin.Context) { ginauth.WriteError(c, core.ErrNotAuthenticated) }, func(*gin.Context) {
		t.Error("handler after WriteError ran")
	})
	rec := serve(r, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != `Basic realm="api"` || rec.Body.String() != `{"detail":"Authentication credentials were not provided."}` {
		t.Fatalf("%d %q %s", rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
	}
}

func sessionRouter(t *testing.T, m *sessions.Manager) *gin.Engine {
	r := gin.New()
	r.Use(ginauth.Sessions(m))
	r.POST("/set", func(c *gin.Context) {
		ginauth.SessionFrom(c).Set("color", c.Query("v"))
		c.String(http.StatusOK, "ok")
	})
	r.POST("/silent", func(c *gin.Context) {
		ginauth.SessionFrom(c).Set("color", "silent")
	})
	r.GET("/get", func(c *gin.Context) {
		v, _ := sessions.GetAs[string](ginauth.SessionFrom(c), "color")
		if sessions.FromContext(c.Request.Context()) != ginauth.SessionFrom(c) {
			t.Error("SessionFrom and the request's context disagree")
		}
		c.String(http.StatusOK, v)
	})
	return r
}

func cookieOf(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// The session is committed before the headers go out: its cookie is on a
// response the handler wrote, and on one it left empty.
func TestSessionsCommitBeforeHeaders(t *testing.T) {
	b := memory.NewSessionBackend()
	defer b.Close()
	m := sessions.NewManager(b)
	r := sessionRouter(t, m)
	for _, path := range []string{"/set?v=blue", "/silent"} {
		rec := serve(r, httptest.NewRequest("POST", path, nil))
		ck := cookieOf(rec, "sessionid")
		if rec.Code != http.StatusOK || ck == nil {
			t.Fatalf("%s: %d cookie %v", path, rec.Code, ck)
		}
		get := httptest.NewRequest("GET", "/get", nil)
		get.AddCookie(ck)
		want := strings.TrimPrefix(path, "/set?v=")
		if path == "/silent" {
			want = "silent"
		}
		if got := serve(r, get); got.Body.String() != want {
			t.Errorf("%s: session value %q, want %q", path, got.Body, want)
		}
	}
}

// failingBackend is a store that is down.
type failingBackend struct{ sessions.SessionBackend }

var errDown = fmt.Errorf("store: connection refused: %w", core.ErrStoreUnavailable)

func (failingBackend) Load(context.Context, sessions.SessionID) (sessions.Record, bool, error) {
	return sessions.Record{}, false, errDown
}
func (failingBackend) Save(context.Context, sessions.SessionID, sessions.Record) error {
	return errDown
}

// A session that cannot be loaded or saved answers 503 instead of the
// handler's response, never a response without its cookie.
func TestSessionsStoreDown(t *testing.T) {
	r := sessionRouter(t, sessions.NewManager(failingBackend{}))
	rec := serve(r, httptest.NewRequest("POST", "/set?v=x", nil))
	if rec.Code != 503 || rec.Body.String() != `{"detail":"Service temporarily unavailable, try again later."}` {
		t.Errorf("save: %d %s", rec.Code, rec.Body)
	}
	req := httptest.NewRequest("GET", "/get", nil)
	req.AddCookie(&http.Cookie{Name: "sessionid", Value: string(sessions.GenerateKey())})
	rec = serve(r, req)
	if rec.Code != 503 || rec.Body.String() != `{"detail":"Service temporarily unavailable, try again later."}` {
		t.Errorf("load: %d %s", rec.Code, rec.Body)
	}
}

// CSRF records what csrf.Prepare records: a form POST's
// csrfmiddlewaretoken reaches the check, and the handler still reads the
// whole body.
func TestCSRFFormField(t *testing.T) {
	p, err := csrf.New(csrf.WithSecureCookie(false))
	if err != nil {
		t.Fatal(err)
	}
	for _, withMiddleware := range []bool{true, false} {
		r := gin.New()
		if withMiddleware {
			r.Use(ginauth.CSRF(p))
		}
		r.GET("/token", ginauth.Endpoint(p.TokenEndpoint()))
		r.POST("/form", func(c *gin.Context) {
			if err := p.Check(core.NewHTTPRequest(c.Request), nil); err != nil {
				ginauth.WriteError(c, err)
				return
			}
			body, _ := io.ReadAll(c.Request.Body)
			c.String(http.StatusOK, "%s", body)
		})
		rec := serve(r, httptest.NewRequest("GET", "/token", nil))
		var tok struct {
			Token string `json:"csrfToken"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.Token == "" {
			t.Fatalf("token: %v %s", err, rec.Body)
		}
		form := url.Values{"csrfmiddlewaretoken": {tok.Token}, "title": {"hi"}}.Encode()
		req := httptest.NewRequest("POST", "/form", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://example.com")
		req.AddCookie(cookieOf(rec, "csrftoken"))
		got := serve(r, req)
		if withMiddleware && (got.Code != 200 || got.Body.String() != form) {
			t.Errorf("with CSRF: %d %s", got.Code, got.Body)
		}
		if !withMiddleware && got.Code != 403 {
			t.Errorf("without CSRF the form field was found: %d %s", got.Code, got.Body)
		}
	}
}

func TestCSRFBodyOverCap(t *testing.T) {
	p, _ := csrf.New(csrf.WithMaxBodyBytes(10))
	called := false
	r := gin.New()
	r.Use(ginauth.CSRF(p))
	r.POST("/", func(*gin.Context) { called = true })
	req := httptest.NewRequest("POST", "/", strings.NewReader("title=0123456789"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := serve(r, req)
	if called || rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("called=%v status=%d", called, rec.Code)
	}
}

func BenchmarkMiddlewareBasicAnonymous(b *testing.B) {
	e := core.NewEngine(core.NewHTTPBasicAuth())
	r := gin.New()
	r.GET("/", ginauth.Middleware(e), ginauth.Require(core.AllowAny{}), func(*gin.Context) {})
	req := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		r.ServeHTTP(w, req)
	}
}
