package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	echoauth "github.com/reinhardt-go/auth/adapters/echo"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/examples/internal/showcase"
)

// getHead is GET and HEAD: net/http's "GET /path" patterns serve both, and
// DRF answers HEAD like GET; Echo registers methods one by one.
var getHead = []string{http.MethodGet, http.MethodHead}

// routes is the contract on Echo. API routes run behind the
// authentication middleware, given per route; /healthz, /metrics, the
// token endpoints and unknown paths do not (as in Django, a URL that
// resolves nowhere is 404 before any view authenticates).
func routes(app *showcase.App) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Errors returned by handlers, and Echo's own 404 and 405, as DRF
	// renders them.
	e.HTTPErrorHandler = echoauth.ErrorHandler(app.Engine)
	// Sessions load before authentication and commit before the headers
	// go out; CSRF lets the check read csrfmiddlewaretoken from forms.
	// deadline, first, bounds every store call of the request
	// (-request-timeout), error rendering and session commits included.
	e.Use(deadline(app), instrument(app.Metrics), echoauth.Sessions(app.Sessions), echoauth.CSRF(app.CSRF))
	// Route by the decoded path, as Django resolves URLs and the other
	// frameworks route: /api/%6De is /api/me. (Echo routes by the raw path
	// when the request has one.)
	e.Pre(decodedPath)

	auth := echoauth.Middleware(app.Engine)
	guard := func(perms []core.Permission) []echo.MiddlewareFunc {
		return []echo.MiddlewareFunc{auth, echoauth.Require(perms...)}
	}

	e.Match(getHead, "/healthz", func(c echo.Context) error {
		return reply(c)(app.Health(c.Request().Context()))
	})
	e.Match(getHead, "/readyz", echoauth.Endpoint(app.Ready))
	e.Match(getHead, "/metrics", echo.WrapHandler(app.Metrics.Handler()))
	e.Match(getHead, "/.well-known/jwks.json", echoauth.Endpoint(app.JWKS))
	e.Match(getHead, "/api/schema", echoauth.Endpoint(showcase.Schema)) // the OpenAPI document

	// The OAuth2 provider, at django-oauth-toolkit's paths. Each endpoint
	// answers the methods it does not take itself (405 with Allow). The
	// client-authenticated ones (token, revoke, introspect), the metadata
	// and userinfo are outside the engine: userinfo answers a bad bearer
	// with RFC 6750's 401, not DRF's. Authorize needs the browser's
	// session login, through the engine.
	provider := app.OAuth2
	// Echo's Any registers the standard methods; RouteNotFound on the
	// same path takes every other one to the endpoint too.
	anyMethod := func(path string, ep core.Endpoint, m ...echo.MiddlewareFunc) {
		e.Any(path, echoauth.Endpoint(ep), m...)
		e.RouteNotFound(path, echoauth.Endpoint(ep), m...)
	}
	anyMethod("/o/authorize", provider.AuthorizeEndpoint(), auth)
	anyMethod("/o/token", provider.TokenEndpoint())
	anyMethod("/o/revoke_token", provider.RevokeEndpoint())
	anyMethod("/o/introspect", provider.IntrospectEndpoint())
	anyMethod("/o/userinfo", provider.UserInfoEndpoint())
	e.Match(getHead, "/.well-known/oauth-authorization-server", echoauth.Endpoint(provider.MetadataEndpoint()))
	e.Match(getHead, "/.well-known/openid-configuration", echoauth.Endpoint(provider.OpenIDConfigurationEndpoint()))

	// The HTML pages (the login page the authorize endpoint sends browsers
	// to among them), each answering every method itself.
	for _, page := range app.PageRoutes() {
		anyMethod(page.Path, page.Endpoint)
	}

	// These paths have only their one view: any other method is 404, not
	// Echo's 405.
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/.well-known/jwks.json", "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", "/api/schema"} {
		e.RouteNotFound(p, noRoute)
	}

	api := e.Group("/api")
	api.POST("/auth/register", echoauth.Endpoint(app.Register), auth)
	api.Match(getHead, "/auth/csrf", echoauth.Endpoint(app.CSRFToken))
	api.POST("/auth/login", echoauth.Endpoint(app.Login), auth)
	api.POST("/auth/logout", echoauth.Endpoint(app.Logout), auth)
	api.POST("/auth/password/change", echoauth.Endpoint(app.PasswordChange), guard(showcase.MePermissions)...)
	api.POST("/auth/password/reset", echoauth.Endpoint(app.PasswordReset), auth)
	api.POST("/auth/password/reset/confirm", echoauth.Endpoint(app.PasswordResetConfirm), auth)
	// simplejwt's views authenticate nobody (authentication_classes = ()):
	// a bad Authorization header must not stop someone getting a token.
	api.POST("/token", echoauth.Endpoint(app.TokenObtain))
	api.POST("/token/refresh", echoauth.Endpoint(app.TokenRefresh))
	api.POST("/token/verify", echoauth.Endpoint(app.TokenVerify))
	api.POST("/token/blacklist", echoauth.Endpoint(app.TokenBlacklist))
	api.POST("/auth/logout-all", echoauth.Endpoint(app.LogoutAll), guard(showcase.LogoutAllPermissions)...)
	api.POST("/mfa/totp/enroll", echoauth.Endpoint(app.MFAEnroll), guard(showcase.MePermissions)...)
	api.POST("/mfa/totp/confirm", echoauth.Endpoint(app.MFAConfirm), guard(showcase.MePermissions)...)
	api.POST("/mfa/totp/disable", echoauth.Endpoint(app.MFADisable), guard(showcase.MePermissions)...)
	api.POST("/mfa/recovery-codes", echoauth.Endpoint(app.MFARecoveryCodes), guard(showcase.MePermissions)...)
	api.Match(getHead, "/me", func(c echo.Context) error {
		return reply(c)(app.Me(c.Request().Context()))
	}, guard(showcase.MePermissions)...)
	api.Match(getHead, "/admin/users", func(c echo.Context) error {
		return reply(c)(app.AdminUsers(c.Request().Context()))
	}, guard(showcase.AdminPermissions)...)

	posts := showcase.PostsPermissions
	// A post's routes check its id (postID) before authentication.
	post := append([]echo.MiddlewareFunc{postID}, guard(posts)...)
	api.Match(getHead, "/posts", func(c echo.Context) error {
		return reply(c)(app.Posts.List(c.Request().Context()))
	}, guard(posts)...)
	api.POST("/posts", func(c echo.Context) error {
		return reply(c)(app.Posts.Create(core.NewHTTPRequest(c.Request())))
	}, guard(posts)...)
	api.Match(getHead, "/posts/:id", func(c echo.Context) error {
		return reply(c)(app.Posts.Get(c.Request().Context(), c.Param("id")))
	}, post...)
	api.PUT("/posts/:id", func(c echo.Context) error {
		return reply(c)(app.Posts.Update(core.NewHTTPRequest(c.Request()), c.Param("id"), func(obj any) error {
			return echoauth.CheckObjectPermissions(c, obj, showcase.ChangePostPermissions...)
		}))
	}, post...)
	api.DELETE("/posts/:id", func(c echo.Context) error {
		return reply(c)(app.Posts.Delete(c.Request().Context(), c.Param("id"), func(obj any) error {
			return echoauth.CheckObjectPermissions(c, obj, showcase.DeletePostPermissions...)
		}))
	}, post...)

	// The paths above with any other method: DRF's 405, after
	// authentication and the view's permissions (DRF runs initial()
	// first), with the methods the path takes in Allow. Echo's
	// RouteNotFound on a path that has routes catches every method those
	// routes do not take, unknown ones included; without it Echo would
	// answer 405 before authenticating (and list OPTIONS, which these
	// paths refuse).
	for _, v := range showcase.Views {
		p := strings.TrimPrefix(v.Path, "/api")
		mw := guard(v.Perms)
		if p == "/posts/:id" {
			mw = post
		}
		api.RouteNotFound(p, func(c echo.Context) error {
			c.Response().Header().Set(echo.HeaderAllow, v.Allow)
			return core.MethodNotAllowed(c.Request().Method)
		}, mw...)
	}
	// Unknown paths reach ErrorHandler as echo.ErrNotFound: 404
	// {"detail":"Not found."}, without authentication.
	return e
}

// decodedPath makes Echo route by the request's decoded path.
func decodedPath(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Request().URL.RawPath = ""
		return next(c)
	}
}

// noRoute is the 404 of a request that matches no route of the contract
// (and counts under none).
func noRoute(c echo.Context) error {
	c.SetPath("")
	return echo.ErrNotFound
}

// postID routes a /api/posts/:id route only for the ids Django's
// <int:pk> matches (showcase.IsPostID: [0-9]+). Echo's :id matches any
// segment, and, as a route's last parameter, the rest of the path
// (/api/posts/1/x); with another id (abc, +1, -1, ., ..) or more than one
// segment the path matches no pattern of the URLconf: 404 before
// authentication, counted as unmatched. The id is read from the path
// (Echo leaves the parameter empty in a RouteNotFound route).
func postID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, ok := strings.CutPrefix(c.Request().URL.Path, strings.TrimSuffix(c.Path(), ":id"))
		if !ok || !showcase.IsPostID(id) {
			return noRoute(c)
		}
		return next(c)
	}
}

// reply returns what a showcase handler returned: the value as JSON with
// its status (no body for 204), or the error for ErrorHandler to render.
// The JSON is core.WriteJSON's, not c.JSON's: Echo's encoder escapes <, >
// and & and appends a newline, and the contract's bodies are DRF's bytes.
func reply(c echo.Context) func(status int, v any, err error) error {
	return func(status int, v any, err error) error {
		switch {
		case err != nil:
			return err
		case status == http.StatusNoContent:
			return c.NoContent(status)
		}
		return core.WriteJSON(core.NewHTTPResponse(c.Response()), status, v)
	}
}

// deadline runs the rest of the chain with the request's context bounded
// by -request-timeout (showcase.App.RequestContext).
func deadline(app *showcase.App) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx, cancel := app.RequestContext(c.Request().Context())
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}

// instrument counts requests by route and status. It renders a returned
// error itself (c.Error, as Echo's logger middleware does) so that the
// status it records is the one sent.
func instrument(m *showcase.Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err)
			}
			m.Observe(c.Path(), c.Request().Method, c.Response().Status, time.Since(start))
			return nil
		}
	}
}
