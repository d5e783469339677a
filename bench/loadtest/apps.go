package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	ginjwt "github.com/appleboy/gin-jwt/v2"
	"github.com/gin-gonic/gin"
	jwtware "github.com/gofiber/contrib/jwt"
	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"

	echoauth "github.com/reinhardt-go/auth/adapters/echo"
	fiberauth "github.com/reinhardt-go/auth/adapters/fiber"
	ginauth "github.com/reinhardt-go/auth/adapters/gin"
	httpauth "github.com/reinhardt-go/auth/adapters/stdhttp"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// The frameworks and the comparison apps, in the order of the first
// round. app=reinhardt is the showcase itself (showcase.go), the others
// are served by this program (-serve).
var (
	frameworks     = []string{"gin", "echo", "fiber", "stdhttp"}
	apps           = []string{"reinhardt", "reinhardt-lib", "usual", "none"}
	comparisonApps = []string{"reinhardt-lib", "usual", "none"}
)

// route is the JWT-protected route of the showcase that every app serves.
const route = "/api/me"

// appConfig is what a comparison app needs: the HS256 key, the body to
// answer with, and the user the token names (for app=reinhardt-lib).
type appConfig struct {
	Secret   []byte
	Body     []byte
	UserID   int64
	Username string
}

// fixedUser is app=reinhardt-lib's user store: the one user the token
// names, in memory, as the showcase's database would return it.
type fixedUser struct{ u *core.DefaultUser }

// GetUser returns the user for its id, and no user (nil, nil: the
// authenticator's "user not found") for any other id.
func (f fixedUser) GetUser(_ context.Context, id string) (core.User, error) {
	if id != f.u.GetID() {
		return nil, nil
	}
	return f.u, nil
}

// libEngine is this library's engine as the showcase builds its JWT
// authenticator: jwtauth.New with the key (defaults: HS256, the verified
// token cache on) and jwtauth.NewAuthentication over the user store.
func libEngine(cfg appConfig) (*core.Engine, error) {
	j, err := jwtauth.New(cfg.Secret)
	if err != nil {
		return nil, err
	}
	u := fixedUser{&core.DefaultUser{ID: cfg.UserID, Username: cfg.Username, Active: true}}
	return core.NewEngine(jwtauth.NewAuthentication(j, u)), nil
}

// server is a running comparison app.
type server interface {
	Serve(ln net.Listener) error
	Shutdown(ctx context.Context) error
}

// fiberServer adapts a Fiber app to server.
type fiberServer struct{ app *fiber.App }

// Serve serves the app on ln until Shutdown.
func (f fiberServer) Serve(ln net.Listener) error { return f.app.Listener(ln) }

// Shutdown stops the app, waiting for its requests until ctx ends.
func (f fiberServer) Shutdown(ctx context.Context) error {
	return f.app.ShutdownWithContext(ctx)
}

// newApp builds the comparison app named "framework/app".
func newApp(name string, cfg appConfig) (server, error) {
	fw, app, ok := strings.Cut(name, "/")
	if !ok {
		return nil, fmt.Errorf("-serve %q: want FRAMEWORK/APP", name)
	}
	var h http.Handler
	var err error
	switch fw {
	case "gin":
		h, err = ginApp(app, cfg)
	case "echo":
		h, err = echoApp(app, cfg)
	case "stdhttp":
		h, err = stdApp(app, cfg)
	case "fiber":
		a, err := fiberApp(app, cfg)
		if err != nil {
			return nil, err
		}
		return fiberServer{a}, nil
	default:
		return nil, fmt.Errorf("-serve %q: unknown framework", name)
	}
	if err != nil {
		return nil, err
	}
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, nil
}

var errUnknownApp = errors.New("unknown app (want reinhardt-lib, usual or none)")

func ginApp(app string, cfg appConfig) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	h := func(c *gin.Context) { c.Data(http.StatusOK, "application/json", cfg.Body) }
	switch app {
	case "reinhardt-lib":
		engine, err := libEngine(cfg)
		if err != nil {
			return nil, err
		}
		r.Group("/api", ginauth.Middleware(engine)).GET("/me", ginauth.Require(core.IsAuthenticated{}), h)
	case "usual":
		m, err := ginjwt.New(&ginjwt.GinJWTMiddleware{Realm: "api", Key: cfg.Secret, IdentityKey: "user_id"})
		if err != nil {
			return nil, err
		}
		r.Group("/api", m.MiddlewareFunc()).GET("/me", h)
	case "none":
		r.GET(route, h)
	default:
		return nil, errUnknownApp
	}
	return r, nil
}

func echoApp(app string, cfg appConfig) (http.Handler, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	h := func(c echo.Context) error { return c.JSONBlob(http.StatusOK, cfg.Body) }
	switch app {
	case "reinhardt-lib":
		engine, err := libEngine(cfg)
		if err != nil {
			return nil, err
		}
		e.HTTPErrorHandler = echoauth.ErrorHandler(engine)
		e.Use(echoauth.Middleware(engine))
		e.GET(route, h, echoauth.Require(core.IsAuthenticated{}))
	case "usual":
		e.Group("/api", echojwt.JWT(cfg.Secret)).GET("/me", h)
	case "none":
		e.GET(route, h)
	default:
		return nil, errUnknownApp
	}
	return e, nil
}

func fiberApp(app string, cfg appConfig) (*fiber.App, error) {
	h := func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(cfg.Body)
	}
	fc := fiber.Config{DisableStartupMessage: true}
	switch app {
	case "reinhardt-lib":
		engine, err := libEngine(cfg)
		if err != nil {
			return nil, err
		}
		fc.ErrorHandler = fiberauth.ErrorHandler(engine)
		a := fiber.New(fc)
		a.Use(fiberauth.Middleware(engine))
		a.Get(route, fiberauth.Require(core.IsAuthenticated{}), h)
		return a, nil
	case "usual":
		a := fiber.New(fc)
		a.Group("/api", jwtware.New(jwtware.Config{
			SigningKey: jwtware.SigningKey{JWTAlg: jwtware.HS256, Key: cfg.Secret},
		})).Get("/me", h)
		return a, nil
	case "none":
		a := fiber.New(fc)
		a.Get(route, h)
		return a, nil
	}
	return nil, errUnknownApp
}

func stdApp(app string, cfg appConfig) (http.Handler, error) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(cfg.Body)
	})
	mux := http.NewServeMux()
	switch app {
	case "reinhardt-lib":
		engine, err := libEngine(cfg)
		if err != nil {
			return nil, err
		}
		mux.Handle("GET "+route, httpauth.Middleware(engine)(httpauth.Require(core.IsAuthenticated{})(h)))
	case "usual":
		mux.Handle("GET "+route, plainJWT(cfg.Secret, h))
	case "none":
		mux.Handle("GET "+route, h)
	default:
		return nil, errUnknownApp
	}
	return mux, nil
}

// plainJWT is the net/http column's usual middleware: what a handler
// written with golang-jwt/jwt/v5 alone does. It takes the Bearer token,
// parses it into jwt.MapClaims with the key, HS256 only (golang-jwt
// checks exp, nbf and iat), and answers 401 otherwise.
func plainJWT(secret []byte, next http.Handler) http.Handler {
	keyFunc := func(*jwt.Token) (any, error) { return secret, nil }
	parser := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			http.Error(w, `{"detail":"missing token"}`, http.StatusUnauthorized)
			return
		}
		if _, err := parser.Parse(raw, keyFunc); err != nil {
			http.Error(w, `{"detail":"invalid token"}`, http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
