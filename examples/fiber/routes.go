package main

import (
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	fiberauth "github.com/reinhardt-go/auth/adapters/fiber"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/examples/internal/showcase"
	"github.com/valyala/fasthttp"
)

// maxHeaderBytes is fasthttp's read buffer: the request line and headers
// must fit in it, so headers over 64 KiB get 431 (as on the other
// frameworks), not a reset connection.
const maxHeaderBytes = 64 << 10

// newApp is the contract on Fiber. API routes run behind the
// authentication middleware; /healthz, /metrics, the token endpoints and
// unknown paths do not (as in Django, a URL that resolves nowhere is 404
// before any view authenticates, and simplejwt's views authenticate
// nobody).
func newApp(a *showcase.App) *fiber.App {
	app := fiber.New(fiber.Config{
		AppName: "reinhardt-auth showcase",
		// Handlers return core errors; the ErrorHandler renders them, and
		// Fiber's own refusals (bad requests, 413, 431), as DRF does.
		ErrorHandler: fiberauth.ErrorHandler(a.Engine),
		// DRF's JSON: compact, UTF-8, no HTML escaping; c.JSON then
		// writes the bytes every other showcase writes.
		JSONEncoder:    core.MarshalJSON,
		ReadBufferSize: maxHeaderBytes,
		// Above the engine's 1 MiB cap, so that the adapter answers 413
		// with its DRF body rather than fasthttp.
		BodyLimit: 4 << 20,
		// fasthttp has one read timeout, for the request line, headers
		// and body together, and reads no request whose lines end in a
		// bare LF: it gets -read-header-timeout, so that such a client,
		// or one that sends nothing, is dropped as soon as on the other
		// frameworks (with a 1 MiB body cap it leaves 100 KiB/s for
		// the body).
		ReadTimeout:  a.Config.Timeouts.ReadHeader,
		WriteTimeout: a.Config.Timeouts.Write,
		IdleTimeout:  a.Config.Timeouts.Idle,
		// No text/plain on bodiless answers (204): every body this
		// server writes sets its own type.
		DisableDefaultContentType: true,
		// Paths match exactly, as on the other frameworks: /api/me/ and
		// /API/ME are 404.
		StrictRouting: true,
		CaseSensitive: true,
		// Route by the decoded path, as Django resolves URLs and the
		// other frameworks route: /api/%6De is /api/me. Decoded by
		// net/http's rules: netHTTPPath hands Fiber's decoder a path it
		// decodes to exactly net/http's.
		UnescapePath:          true,
		RequestMethods:        methods,
		DisableStartupMessage: true,
	})

	// Sessions load before authentication and commit before the response
	// goes out; CSRF records the Host and the csrfmiddlewaretoken of forms
	// for the check the session authenticator runs.
	// deadline, first, bounds every store call of the request
	// (-request-timeout), error rendering and session commits included.
	app.Use(deadline(a), instrument(a.Metrics), fiberauth.Sessions(a.Sessions), fiberauth.CSRF(a.CSRF))
	auth := fiberauth.Middleware(a.Engine)

	app.Get("/healthz", func(c *fiber.Ctx) error { return reply(c)(a.Health(c.UserContext())) })
	app.Get("/readyz", fiberauth.Endpoint(a.Ready))
	app.Get("/metrics", adaptor.HTTPHandler(a.Metrics.Handler()))
	app.Get("/.well-known/jwks.json", fiberauth.Endpoint(a.JWKS))
	app.Get("/api/schema", fiberauth.Endpoint(showcase.Schema)) // the OpenAPI document

	// The OAuth2 provider, at django-oauth-toolkit's paths. Each endpoint
	// answers the methods it does not take itself (405 with Allow). The
	// client-authenticated ones (token, revoke, introspect), the metadata
	// and userinfo are outside the engine: userinfo answers a bad bearer
	// with RFC 6750's 401, not DRF's. Authorize needs the browser's
	// session login, through the engine.
	provider := a.OAuth2
	app.All("/o/authorize", auth, anyMethod(provider.AuthorizeEndpoint()))
	app.All("/o/token", anyMethod(provider.TokenEndpoint()))
	app.All("/o/revoke_token", anyMethod(provider.RevokeEndpoint()))
	app.All("/o/introspect", anyMethod(provider.IntrospectEndpoint()))
	app.All("/o/userinfo", anyMethod(provider.UserInfoEndpoint()))
	app.Get("/.well-known/oauth-authorization-server", fiberauth.Endpoint(provider.MetadataEndpoint()))
	app.Get("/.well-known/openid-configuration", fiberauth.Endpoint(provider.OpenIDConfigurationEndpoint()))

	// The HTML pages (the login page the authorize endpoint sends browsers
	// to among them), each answering every method itself.
	// Each names its route for instrument: the home page's, "/", is also
	// the path of the middleware and of the catch-all 404.
	for _, page := range a.PageRoutes() {
		path := page.Path
		app.All(path, func(c *fiber.Ctx) error {
			c.Locals(pageRouteKey{}, path)
			return c.Next()
		}, anyMethod(page.Endpoint))
	}

	app.Post("/api/auth/register", auth, fiberauth.Endpoint(a.Register))
	app.Get("/api/auth/csrf", fiberauth.Endpoint(a.CSRFToken))
	app.Post("/api/auth/login", auth, fiberauth.Endpoint(a.Login))
	app.Post("/api/auth/logout", auth, fiberauth.Endpoint(a.Logout))
	app.Post("/api/auth/password/change", auth, fiberauth.Require(showcase.MePermissions...), fiberauth.Endpoint(a.PasswordChange))
	app.Post("/api/auth/password/reset", auth, fiberauth.Endpoint(a.PasswordReset))
	app.Post("/api/auth/password/reset/confirm", auth, fiberauth.Endpoint(a.PasswordResetConfirm))
	// simplejwt's views authenticate nobody (authentication_classes = ()):
	// a bad Authorization header must not stop someone getting a token.
	app.Post("/api/token", fiberauth.Endpoint(a.TokenObtain))
	app.Post("/api/token/refresh", fiberauth.Endpoint(a.TokenRefresh))
	app.Post("/api/token/verify", fiberauth.Endpoint(a.TokenVerify))
	app.Post("/api/token/blacklist", fiberauth.Endpoint(a.TokenBlacklist))
	app.Post("/api/auth/logout-all", auth, fiberauth.Require(showcase.LogoutAllPermissions...), fiberauth.Endpoint(a.LogoutAll))
	// One route each, not a Group: a Fiber group's handlers run for every
	// path under its prefix, unknown ones included, which must be 404
	// before authentication.
	app.Post("/api/mfa/totp/enroll", auth, fiberauth.Require(showcase.MePermissions...), fiberauth.Endpoint(a.MFAEnroll))
	app.Post("/api/mfa/totp/confirm", auth, fiberauth.Require(showcase.MePermissions...), fiberauth.Endpoint(a.MFAConfirm))
	app.Post("/api/mfa/totp/disable", auth, fiberauth.Require(showcase.MePermissions...), fiberauth.Endpoint(a.MFADisable))
	app.Post("/api/mfa/recovery-codes", auth, fiberauth.Require(showcase.MePermissions...), fiberauth.Endpoint(a.MFARecoveryCodes))
	app.Get("/api/me", auth, fiberauth.Require(showcase.MePermissions...), func(c *fiber.Ctx) error {
		return reply(c)(a.Me(c.UserContext()))
	})
	app.Get("/api/admin/users", auth, fiberauth.Require(showcase.AdminPermissions...), func(c *fiber.Ctx) error {
		return reply(c)(a.AdminUsers(c.UserContext()))
	})

	posts := fiberauth.Require(showcase.PostsPermissions...)
	app.Get("/api/posts", auth, posts, func(c *fiber.Ctx) error {
		return reply(c)(a.Posts.List(c.UserContext()))
	})
	app.Post("/api/posts", auth, posts, func(c *fiber.Ctx) error {
		return reply(c)(a.Posts.Create(fiberauth.NewRequest(c)))
	})
	// A post's routes check its id (postID) before authentication.
	app.Get("/api/posts/:id", postID, auth, posts, func(c *fiber.Ctx) error {
		return reply(c)(a.Posts.Get(c.UserContext(), c.Params("id")))
	})
	app.Put("/api/posts/:id", postID, auth, posts, func(c *fiber.Ctx) error {
		return reply(c)(a.Posts.Update(fiberauth.NewRequest(c), c.Params("id"), func(obj any) error {
			return fiberauth.CheckObjectPermissions(c, obj, showcase.ChangePostPermissions...)
		}))
	})
	app.Delete("/api/posts/:id", postID, auth, posts, func(c *fiber.Ctx) error {
		return reply(c)(a.Posts.Delete(c.UserContext(), c.Params("id"), func(obj any) error {
			return fiberauth.CheckObjectPermissions(c, obj, showcase.DeletePostPermissions...)
		}))
	})

	// The paths above with any other method: DRF's 405, after
	// authentication and the view's permissions (DRF runs initial() first),
	// with the methods the path takes in Allow.
	for _, r := range showcase.Views {
		handlers := []fiber.Handler{auth, fiberauth.Require(r.Perms...), func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderAllow, r.Allow)
			return core.MethodNotAllowed(sentMethod(c))
		}}
		if strings.HasSuffix(r.Path, "/:id") {
			handlers = slices.Insert(handlers, 0, fiber.Handler(postID))
		}
		app.All(r.Path, handlers...)
	}
	// Everything else is DRF's 404 (Fiber's own 404 and 405 are never
	// reached).
	app.Use(func(c *fiber.Ctx) error { return showcase.NotFound() })

	serveAsNetHTTP(app)
	return app
}

type unmatchedKey struct{}

// pageRouteKey holds the route of an HTML page (showcase.PageRoute.Path).
type pageRouteKey struct{}

// postID routes a /api/posts/:id route only for the ids Django's
// <int:pk> matches (showcase.IsPostID: [0-9]+). Fiber's :id matches any
// segment; with another (abc, +1, -1, ., ..) the path matches no pattern
// of the URLconf: 404 before authentication, counted as unmatched.
func postID(c *fiber.Ctx) error {
	if !showcase.IsPostID(c.Params("id")) {
		c.Locals(unmatchedKey{}, true)
		return showcase.NotFound()
	}
	return c.Next()
}

// reply writes what a showcase handler returned: the value as JSON with
// its status (no body for 204); an error goes to the ErrorHandler.
func reply(c *fiber.Ctx) func(status int, v any, err error) error {
	return func(status int, v any, err error) error {
		if err != nil {
			return err
		}
		if status == fiber.StatusNoContent {
			c.Status(status)
			return nil
		}
		return c.Status(status).JSON(v)
	}
}

// deadline runs the rest of the chain with the user context (where the
// adapters and every store call find the request's context) bounded by
// -request-timeout (showcase.App.RequestContext).
func deadline(a *showcase.App) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := a.RequestContext(c.UserContext())
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}

// instrument counts requests by route pattern and status. An error a
// later handler returns is rendered here first, so that its status is the
// one counted.
func instrument(m *showcase.Metrics) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		if err := c.Next(); err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		// "/" is the path of the middleware and of the catch-all 404 (a
		// Use route's Method is the request's, not "USE"): no route of
		// the contract matched.
		route := ""
		if r := c.Route(); r != nil && r.Path != "/" && c.Locals(unmatchedKey{}) == nil {
			route = r.Path
		}
		if p, ok := c.Locals(pageRouteKey{}).(string); ok {
			route = p
		}
		// Label values outlive the request: the method must not alias
		// fasthttp's buffer as c.Method() does (the adapter's is a copy).
		m.Observe(route, fiberauth.NewRequest(c).Method(), c.Response().StatusCode(), time.Since(start))
		return nil
	}
}

// otherMethod stands for every method Fiber does not know. Fiber answers a
// method outside Config.RequestMethods with a plain-text 400 before any
// handler runs; the contract wants such a request to meet the routes like
// any other (404 on an unknown path; DRF's 405, after authentication, on
// a known one) and to be counted as method="other". serveAsNetHTTP hands
// Fiber those requests as otherMethod and keeps the method sent for the
// 405's message.
const otherMethod = "OTHER"

var methods = slices.Concat(fiber.DefaultMethods, []string{otherMethod})

type sentMethodKey struct{}

// serveAsNetHTTP wraps the app's fasthttp handler (Listener serves with
// it) so that Fiber meets a request as the routers of the net/http
// examples do: its path decoded by net/http's rules, a request target
// net/http refuses answered with net/http's own 400, and a method Fiber
// does not know routed as otherMethod.
func serveAsNetHTTP(app *fiber.App) {
	srv := app.Server()
	next := srv.Handler
	timeout := srv.WriteTimeout
	srv.Handler = func(ctx *fasthttp.RequestCtx) {
		if !netHTTPPath(ctx) {
			badRequest(ctx, timeout)
			return
		}
		if m := ctx.Method(); !knownMethod(m) {
			ctx.SetUserValue(sentMethodKey{}, string(m))
			ctx.Request.Header.SetMethod(otherMethod)
		}
		next(ctx)
	}
}

// netHTTPPath gives the request the path net/http's server reads from
// its target (url.ParseRequestURI: %XX escapes decoded, "+" left a "+"),
// and reports false when net/http refuses the target (an invalid escape,
// %zz or a trailing %; a control character).
//
// Fiber decodes the path itself (UnescapePath) with
// fasthttp.AppendUnquotedArg, a decoder of form values: "+" becomes a
// space and an invalid escape passes through. It is given net/http's
// path with the only two bytes that decoder changes, '%' and '+',
// escaped, so that it decodes to that path exactly. fasthttp's own
// URI.Path (which the adapter's Request.Path reads) decodes it too,
// without "+", and so stays what it was.
func netHTTPPath(ctx *fasthttp.RequestCtx) bool {
	u, err := url.ParseRequestURI(string(ctx.Request.Header.RequestURI()))
	if err != nil {
		return false
	}
	ctx.URI().SetPath(escapeForFiber.Replace(u.Path))
	return true
}

var escapeForFiber = strings.NewReplacer("%", "%25", "+", "%2B")

// netHTTPBadRequest is what net/http's server writes, byte for byte, for
// a request it cannot read (conn.serve in src/net/http/server.go): no
// Date, no Content-Length; then it closes the connection.
const netHTTPBadRequest = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"

// badRequest answers a request whose target net/http refuses as net/http
// does. A response fasthttp writes always has Date and Content-Length,
// so the connection is taken over (Hijack, with no response of
// fasthttp's) to write net/http's bytes, then closed. What cannot match:
// net/http refuses the request on its request line, before it reads the
// headers and the body, where fasthttp has read them whole before any
// handler runs, so a request with a bad escape and headers over 64 KiB
// (or a body over the limit) gets 431 (or 413) from Fiber and 400 from
// net/http. A hijacked connection is outside fasthttp's WriteTimeout, so
// the write sets its own deadline.
func badRequest(ctx *fasthttp.RequestCtx, timeout time.Duration) {
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(c net.Conn) {
		if timeout > 0 {
			_ = c.SetWriteDeadline(time.Now().Add(timeout))
		}
		_, _ = io.WriteString(c, netHTTPBadRequest)
	})
}

func knownMethod(m []byte) bool {
	for _, k := range methods {
		if string(m) == k {
			return true
		}
	}
	return false
}

// anyMethod mounts an endpoint that answers every method itself (405
// with Allow for those it does not take): a method Fiber does not know
// arrives as otherMethod (serveAsNetHTTP), and the endpoint is given the
// one the client sent, which its 405 names, as on the other frameworks.
func anyMethod(ep core.Endpoint) fiber.Handler {
	h := fiberauth.Endpoint(ep)
	return func(c *fiber.Ctx) error {
		if m, ok := c.Locals(sentMethodKey{}).(string); ok {
			return fiberauth.Endpoint(sentMethodEndpoint{ep, m})(c)
		}
		return h(c)
	}
}

// sentMethodEndpoint serves ep with the request's method replaced by the
// one the client sent.
type sentMethodEndpoint struct {
	ep     core.Endpoint
	method string
}

func (e sentMethodEndpoint) Serve(w core.Response, r core.Request) error {
	return e.ep.Serve(w, sentMethodRequest{r, e.method})
}

type sentMethodRequest struct {
	core.Request
	method string
}

func (r sentMethodRequest) Method() string { return r.method }

// sentMethod is the request's method as the client sent it.
func sentMethod(c *fiber.Ctx) string {
	if m, ok := c.Locals(sentMethodKey{}).(string); ok {
		return m
	}
	return c.Method()
}
