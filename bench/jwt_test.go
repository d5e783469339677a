package bench_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	ginjwt "github.com/appleboy/gin-jwt/v2"
	"github.com/gin-gonic/gin"
	jwtware "github.com/gofiber/contrib/jwt"
	"github.com/gofiber/fiber/v2"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"
	"github.com/valyala/fasthttp"

	echoauth "github.com/reinhardt-go/auth/adapters/echo"
	fiberauth "github.com/reinhardt-go/auth/adapters/fiber"
	ginauth "github.com/reinhardt-go/auth/adapters/gin"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// BenchmarkJWT serves one JWT-protected route, GET /api/me with
// "Authorization: Bearer <token>", on Gin, Echo and Fiber, each with:
//
//   - mw=reinhardt-first-seen: this library's middleware and guard
//     (Middleware + Require(core.IsAuthenticated{})) with
//     jwtauth.NewAuthentication over an in-memory user store, the
//     verified-token cache off (jwtauth.WithCacheSize(0)), so that every
//     request verifies the token as if the server saw it the first time;
//   - mw=reinhardt-cache-hit: the same with the default cache, the token
//     verified once before the loop (a client reusing its access token);
//   - mw=usual: the framework's usual JWT middleware (appleboy/gin-jwt/v2,
//     labstack/echo-jwt/v4, gofiber/contrib/jwt), default configuration,
//     the same HS256 key;
//   - mw=none: the bare framework, no authentication.
//
// Every column gets the same token (minted by jwtauth.GenerateToken:
// token_type, user_id, username, iat, exp, jti) and runs the same handler,
// which writes a constant JSON body. Requests go through each framework's
// own in-process entry point: gin.Engine.ServeHTTP and echo.Echo.ServeHTTP
// with an httptest.ResponseRecorder, Fiber's app.Handler() on one
// fasthttp.RequestCtx reset per request as fasthttp's server does.
//
// Sub-benchmarks are named fw=F/mw=M (benchstat -col /mw).
func BenchmarkJWT(b *testing.B) {
	fx := newJWTFixture(b)
	for _, fw := range jwtFrameworks {
		b.Run("fw="+fw.name, func(b *testing.B) {
			for _, mw := range jwtColumns {
				b.Run("mw="+mw, func(b *testing.B) { fw.run(b, fx, mw) })
			}
		})
	}
}

var jwtColumns = []string{"reinhardt-first-seen", "reinhardt-cache-hit", "usual", "none"}

var jwtFrameworks = []struct {
	name string
	run  func(b *testing.B, fx *jwtFixture, mw string)
}{
	{"gin", benchGin},
	{"echo", benchEcho},
	{"fiber", benchFiber},
}

var (
	jwtSecret = []byte("bench-secret-of-at-least-32-bytes!!")
	jwtBody   = []byte(`{"ok":true}`)
)

const jwtPath = "/api/me"

type jwtFixture struct {
	cold, warm *jwtauth.JWTAuth // cache off, cache on
	users      jwtauth.UserLookup
	token      string
}

func newJWTFixture(b *testing.B) *jwtFixture {
	b.Helper()
	cold, err := jwtauth.New(jwtSecret, jwtauth.WithCacheSize(0))
	if err != nil {
		b.Fatal(err)
	}
	warm, err := jwtauth.New(jwtSecret)
	if err != nil {
		b.Fatal(err)
	}
	m := core.NewDefaultUserManager()
	u, err := m.CreateUser(context.Background(), "alice", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := warm.GenerateToken(u.GetID(), u.Username)
	if err != nil {
		b.Fatal(err)
	}
	return &jwtFixture{cold: cold, warm: warm, users: jwtauth.StoreUsers(m), token: tok}
}

// engine is this library's engine for a column: the token cache on for
// cache-hit, off for first-seen.
func (fx *jwtFixture) engine(mw string) *core.Engine {
	j := fx.cold
	if mw == "reinhardt-cache-hit" {
		j = fx.warm
	}
	return core.NewEngine(jwtauth.NewAuthentication(j, fx.users))
}

// --- Gin ---

func benchGin(b *testing.B, fx *jwtFixture, mw string) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	h := func(c *gin.Context) { c.Data(http.StatusOK, "application/json", jwtBody) }
	switch mw {
	case "reinhardt-first-seen", "reinhardt-cache-hit":
		api := r.Group("/api", ginauth.Middleware(fx.engine(mw)))
		api.GET("/me", ginauth.Require(core.IsAuthenticated{}), h)
	case "usual":
		m, err := ginjwt.New(&ginjwt.GinJWTMiddleware{
			Realm:       "api",
			Key:         jwtSecret,
			IdentityKey: "user_id",
		})
		if err != nil {
			b.Fatal(err)
		}
		r.Group("/api", m.MiddlewareFunc()).GET("/me", h)
	case "none":
		r.GET(jwtPath, h)
	}
	serveHTTP(b, r, fx.token, mw != "none")
}

// --- Echo ---

func benchEcho(b *testing.B, fx *jwtFixture, mw string) {
	e := echo.New()
	h := func(c echo.Context) error { return c.JSONBlob(http.StatusOK, jwtBody) }
	switch mw {
	case "reinhardt-first-seen", "reinhardt-cache-hit":
		engine := fx.engine(mw)
		e.HTTPErrorHandler = echoauth.ErrorHandler(engine)
		e.Use(echoauth.Middleware(engine))
		e.GET(jwtPath, h, echoauth.Require(core.IsAuthenticated{}))
	case "usual":
		e.Group("/api", echojwt.JWT(jwtSecret)).GET("/me", h)
	case "none":
		e.GET(jwtPath, h)
	}
	serveHTTP(b, e, fx.token, mw != "none")
}

// serveHTTP measures requests through a net/http handler (Gin's engine,
// Echo's): one request, reused, and a new recorder per request. With
// guarded, it first checks that a request without the token is refused.
func serveHTTP(b *testing.B, h http.Handler, token string, guarded bool) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, jwtPath, nil)
	if guarded {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			b.Fatalf("without a token: %d %s, want 401", rec.Code, rec.Body)
		}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req) // also fills the cache of cache-hit
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), jwtBody) {
		b.Fatalf("with the token: %d %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// --- Fiber ---

func benchFiber(b *testing.B, fx *jwtFixture, mw string) {
	var app *fiber.App
	h := func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(jwtBody)
	}
	switch mw {
	case "reinhardt-first-seen", "reinhardt-cache-hit":
		engine := fx.engine(mw)
		app = fiber.New(fiber.Config{ErrorHandler: fiberauth.ErrorHandler(engine)})
		app.Use(fiberauth.Middleware(engine))
		app.Get(jwtPath, fiberauth.Require(core.IsAuthenticated{}), h)
	case "usual":
		app = fiber.New()
		app.Group("/api", jwtware.New(jwtware.Config{
			SigningKey: jwtware.SigningKey{JWTAlg: jwtware.HS256, Key: jwtSecret},
		})).Get("/me", h)
	case "none":
		app = fiber.New()
		app.Get(jwtPath, h)
	}
	handler := app.Handler()

	var tmpl fasthttp.Request
	tmpl.Header.SetMethod(fasthttp.MethodGet)
	tmpl.SetRequestURI(jwtPath)
	tmpl.Header.SetHost("example.com")
	var rc fasthttp.RequestCtx
	rc.Init(&tmpl, nil, nil)
	serve := func() {
		rc.Response.Reset()
		rc.ResetUserValues()
		tmpl.CopyTo(&rc.Request)
		handler(&rc)
	}

	if mw != "none" {
		serve()
		// gofiber/contrib/jwt answers 400 to a missing token.
		if code := rc.Response.StatusCode(); code != fasthttp.StatusUnauthorized && code != fasthttp.StatusBadRequest {
			b.Fatalf("without a token: %d %s, want 401 or 400", code, rc.Response.Body())
		}
	}
	tmpl.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+fx.token)
	serve() // also fills the cache of cache-hit
	if code := rc.Response.StatusCode(); code != fasthttp.StatusOK || !bytes.Equal(rc.Response.Body(), jwtBody) {
		b.Fatalf("with the token: %d %s", code, rc.Response.Body())
	}
	b.ReportAllocs()
	for b.Loop() {
		serve()
		if code := rc.Response.StatusCode(); code != fasthttp.StatusOK {
			b.Fatalf("status %d", code)
		}
	}
}
