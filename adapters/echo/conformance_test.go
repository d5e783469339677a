package echoauth_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/reinhardt-go/auth/adapters/adaptertest"
	echoauth "github.com/reinhardt-go/auth/adapters/echo"
	"github.com/reinhardt-go/auth/core"
)

type harness struct{}

// getHead is GET and HEAD: Echo routes HEAD only where it is registered.
var getHead = []string{http.MethodGet, http.MethodHead}

func (harness) Serve(t *testing.T, f *adaptertest.Fixture, l net.Listener) {
	e := echo.New()
	e.HTTPErrorHandler = echoauth.ErrorHandler(f.Engine)
	e.Use(echoauth.Sessions(f.Sessions), echoauth.CSRF(f.CSRF), echoauth.Middleware(f.Engine))

	who := func(c echo.Context) error { return writeJSON(c, 200, f.WhoAmI(c.Request().Context())) }
	e.Match(getHead, "/open", who)
	// RouteNotFound on a path with routes takes every method they do not:
	// DRF's 405, after the view's guard.
	e.RouteNotFound("/open", methodNotAllowed("GET, HEAD"))
	e.Match(getHead, "/private", who, echoauth.Require(f.Private...))
	e.RouteNotFound("/private", methodNotAllowed("GET, HEAD"), echoauth.Require(f.Private...))
	e.Match(getHead, "/admin", who, echoauth.Require(f.Admin...))
	e.Match(getHead, "/throttled", who, echoauth.Require(f.Throttled...))

	posts := e.Group("/posts", echoauth.Require(f.Posts...))
	posts.Match(getHead, "", func(c echo.Context) error { return writeJSON(c, 200, f.ListPosts()) })
	posts.POST("", func(c echo.Context) error {
		return reply(c)(f.CreatePost(core.NewHTTPRequest(c.Request())))
	})
	posts.PUT("/:id", func(c echo.Context) error {
		return reply(c)(f.UpdatePost(core.NewHTTPRequest(c.Request()), c.Param("id"), func(obj any) error {
			return echoauth.CheckObjectPermissions(c, obj, f.PostObject...)
		}))
	})
	e.Match(getHead, "/visits", func(c echo.Context) error { return reply(c)(f.Visit(echoauth.SessionFrom(c), true)) })
	e.Match(getHead, "/peek", func(c echo.Context) error { return reply(c)(f.Visit(echoauth.SessionFrom(c), false)) })

	e.POST("/register", echoauth.Endpoint(f.Register))
	e.Match(getHead, "/csrf", echoauth.Endpoint(f.CSRFToken))
	e.POST("/login", echoauth.Endpoint(f.Login))
	e.POST("/logout", echoauth.Endpoint(f.Logout))
	e.POST("/token", echoauth.Endpoint(f.TokenObtain))
	adaptertest.ServeHTTPHandler(t, l, e)
}

// methodNotAllowed is DRF's 405 for a view that serves allow.
func methodNotAllowed(allow string) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Allow", allow)
		return echoauth.WriteError(c, core.MethodNotAllowed(c.Request().Method))
	}
}

func reply(c echo.Context) func(int, any, error) error {
	return func(status int, v any, err error) error {
		if err != nil {
			return echoauth.WriteError(c, err)
		}
		return writeJSON(c, status, v)
	}
}

// writeJSON writes v as DRF renders it. Not c.JSON: echo's encoder
// escapes <, > and & and appends a newline, so its bodies would differ
// from the other adapters' by those bytes.
func writeJSON(c echo.Context, status int, v any) error {
	return core.WriteJSON(core.NewHTTPResponse(c.Response()), status, v)
}

func TestConformance(t *testing.T) { adaptertest.Run(t, harness{}) }

func TestAttacks(t *testing.T) { adaptertest.RunAttacks(t, harness{}) }
