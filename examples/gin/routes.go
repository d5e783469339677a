package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	ginauth "github.com/reinhardt-go/auth/adapters/gin"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/examples/internal/showcase"
)

// routes is the contract on a Gin engine. API routes run behind the
// authentication middleware; /healthz, /metrics and unknown paths do not
// (as in Django, a URL that resolves nowhere is 404 before any view
// authenticates).
func routes(app *showcase.App) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New() // no Logger: the showcase logs with slog and counts in /metrics
	// As net/http's ServeMux does: /api/me/ is 404, not a redirect, and a
	// path with another method is DRF's 405 (NoMethod below).
	r.RedirectTrailingSlash = false
	r.HandleMethodNotAllowed = true
	// c.ClientIP() believes X-Forwarded-For from the same peers as the
	// remote-user authenticator, and from nobody by default.
	_ = r.SetTrustedProxies(trustedProxies(app.Config))
	// Sessions load before authentication and commit before the headers go
	// out; CSRF lets the CSRF check read csrfmiddlewaretoken from forms.
	// deadline, first, bounds every store call of the request
	// (-request-timeout), error rendering and session commits included.
	r.Use(deadline(app), instrument(app.Metrics), ginauth.Sessions(app.Sessions), ginauth.CSRF(app.CSRF))
	auth := ginauth.Middleware(app.Engine)

	get(r, "/healthz", func(c *gin.Context) { reply(c)(app.Health(c.Request.Context())) })
	get(r, "/readyz", ginauth.Endpoint(app.Ready))
	get(r, "/metrics", gin.WrapH(app.Metrics.Handler()))
	get(r, "/.well-known/jwks.json", ginauth.Endpoint(app.JWKS))
	get(r, "/api/schema", ginauth.Endpoint(showcase.Schema)) // the OpenAPI document

	// The OAuth2 provider, at django-oauth-toolkit's paths. Each endpoint
	// answers the methods it does not take itself (405 with Allow). The
	// client-authenticated ones (token, revoke, introspect), the metadata
	// and userinfo are outside the engine: userinfo answers a bad bearer
	// with RFC 6750's 401, not DRF's. Authorize needs the browser's
	// session login, through the engine.
	provider := app.OAuth2
	anyMethod := map[string]endpoint{
		"/o/authorize":    {ginauth.Endpoint(provider.AuthorizeEndpoint()), true},
		"/o/token":        {ginauth.Endpoint(provider.TokenEndpoint()), false},
		"/o/revoke_token": {ginauth.Endpoint(provider.RevokeEndpoint()), false},
		"/o/introspect":   {ginauth.Endpoint(provider.IntrospectEndpoint()), false},
		"/o/userinfo":     {ginauth.Endpoint(provider.UserInfoEndpoint()), false},
	}
	// The HTML pages (the login page the authorize endpoint sends browsers
	// to among them), each answering every method itself.
	// The password-reset link pages are one catch-all route: Gin 1.12's
	// tree panics on an unknown method for a path where a static route and
	// a parameter meet (/accounts/reset/done/ beside
	// /accounts/reset/:uidb64/…).
	var resetPages []showcase.PageRoute
	for _, page := range app.PageRoutes() {
		if strings.HasPrefix(page.Path, showcase.ResetLinkPrefix) {
			resetPages = append(resetPages, page)
			continue
		}
		anyMethod[page.Path] = endpoint{ginauth.Endpoint(page.Endpoint), false}
	}
	anyMethod[resetPagesRoute] = endpoint{resetPagesHandler(resetPages), false}
	for path, ep := range anyMethod {
		if ep.auth {
			r.Any(path, auth, ep.handler)
		} else {
			r.Any(path, ep.handler)
		}
	}
	get(r, "/.well-known/oauth-authorization-server", ginauth.Endpoint(provider.MetadataEndpoint()))
	get(r, "/.well-known/openid-configuration", ginauth.Endpoint(provider.OpenIDConfigurationEndpoint()))

	// simplejwt's views authenticate nobody (authentication_classes = ()):
	// a bad Authorization header must not stop someone getting a token.
	open := r.Group("/api")
	get(open, "/auth/csrf", ginauth.Endpoint(app.CSRFToken))
	open.POST("/token", ginauth.Endpoint(app.TokenObtain))
	open.POST("/token/refresh", ginauth.Endpoint(app.TokenRefresh))
	open.POST("/token/verify", ginauth.Endpoint(app.TokenVerify))
	open.POST("/token/blacklist", ginauth.Endpoint(app.TokenBlacklist))

	api := r.Group("/api", auth)
	api.POST("/auth/register", ginauth.Endpoint(app.Register))
	api.POST("/auth/login", ginauth.Endpoint(app.Login))
	api.POST("/auth/logout", ginauth.Endpoint(app.Logout))
	api.POST("/auth/password/change", ginauth.Require(showcase.MePermissions...), ginauth.Endpoint(app.PasswordChange))
	api.POST("/auth/password/reset", ginauth.Endpoint(app.PasswordReset))
	api.POST("/auth/password/reset/confirm", ginauth.Endpoint(app.PasswordResetConfirm))
	api.POST("/auth/logout-all", ginauth.Require(showcase.LogoutAllPermissions...), ginauth.Endpoint(app.LogoutAll))
	mfa := api.Group("/mfa", ginauth.Require(showcase.MePermissions...))
	mfa.POST("/totp/enroll", ginauth.Endpoint(app.MFAEnroll))
	mfa.POST("/totp/confirm", ginauth.Endpoint(app.MFAConfirm))
	mfa.POST("/totp/disable", ginauth.Endpoint(app.MFADisable))
	mfa.POST("/recovery-codes", ginauth.Endpoint(app.MFARecoveryCodes))
	get(api, "/me", ginauth.Require(showcase.MePermissions...), func(c *gin.Context) {
		reply(c)(app.Me(c.Request.Context()))
	})
	get(api, "/admin/users", ginauth.Require(showcase.AdminPermissions...), func(c *gin.Context) {
		reply(c)(app.AdminUsers(c.Request.Context()))
	})

	posts := api.Group("/posts", ginauth.Require(showcase.PostsPermissions...))
	get(posts, "", func(c *gin.Context) {
		reply(c)(app.Posts.List(c.Request.Context()))
	})
	posts.POST("", func(c *gin.Context) {
		reply(c)(app.Posts.Create(core.NewHTTPRequest(c.Request)))
	})
	// A post's routes check its id (postID) before authentication.
	post := r.Group("/api/posts/:id", postID, auth, ginauth.Require(showcase.PostsPermissions...))
	get(post, "", func(c *gin.Context) {
		reply(c)(app.Posts.Get(c.Request.Context(), c.Param("id")))
	})
	post.PUT("", func(c *gin.Context) {
		reply(c)(app.Posts.Update(core.NewHTTPRequest(c.Request), c.Param("id"), func(obj any) error {
			return ginauth.CheckObjectPermissions(c, obj, showcase.ChangePostPermissions...)
		}))
	})
	post.DELETE("", func(c *gin.Context) {
		reply(c)(app.Posts.Delete(c.Request.Context(), c.Param("id"), func(obj any) error {
			return ginauth.CheckObjectPermissions(c, obj, showcase.DeletePostPermissions...)
		}))
	})

	r.NoRoute(notFound)
	r.NoMethod(endpointPath(anyMethod), knownPath, authFor(auth), methodNotAllowed)
	return r
}

// endpoint is a path's endpoint that answers every method itself (405
// with Allow for those it does not take), and whether it runs behind the
// authentication middleware.
type endpoint struct {
	handler gin.HandlerFunc
	auth    bool
}

type endpointKey struct{}

// resetPagesRoute is the catch-all route of the password-reset link
// pages.
const resetPagesRoute = showcase.ResetLinkPrefix + "*path"

// resetPagesHandler serves the page whose path pattern the request's path
// matches, counted under that pattern, as the other frameworks route and
// count them; any other path is 404, counted as unmatched.
func resetPagesHandler(pages []showcase.PageRoute) gin.HandlerFunc {
	handlers := make([]gin.HandlerFunc, len(pages))
	for i, p := range pages {
		handlers[i] = ginauth.Endpoint(p.Endpoint)
	}
	return func(c *gin.Context) {
		for i, p := range pages {
			if matchPath(p.Path, c.Request.URL.Path) {
				c.Set(viewKey{}, view{path: p.Path})
				handlers[i](c)
				return
			}
		}
		c.Set(unmatchedKey{}, true)
		notFound(c)
	}
}

// endpointPath starts the NoMethod chain: Gin's Any registers the nine
// standard methods only, so another method on an endpoint's path arrives
// here and is sent on to that endpoint (after authentication when it has
// it), as net/http's ServeMux sends every method to it.
func endpointPath(endpoints map[string]endpoint) gin.HandlerFunc {
	return func(c *gin.Context) {
		path := c.Request.URL.Path
		ep, ok := endpoints[path]
		if rest, under := strings.CutPrefix(path, showcase.ResetLinkPrefix); !ok && under && rest != "" {
			ep, ok, path = endpoints[resetPagesRoute], true, resetPagesRoute
		}
		if ok {
			c.Writer.Header().Del("Allow")
			c.Set(endpointKey{}, ep)
			c.Set(viewKey{}, view{path: path})
		}
	}
}

// authFor is the authentication middleware, skipped for an endpoint
// without it.
func authFor(auth gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ep, ok := c.Get(endpointKey{}); ok && !ep.(endpoint).auth {
			return
		}
		auth(c)
	}
}

// deadline runs the rest of the chain with the request's context bounded
// by -request-timeout (showcase.App.RequestContext).
func deadline(app *showcase.App) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := app.RequestContext(c.Request.Context())
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// get serves GET and HEAD, as net/http's "GET /path" patterns and
// Django's views do.
func get(g gin.IRoutes, path string, h ...gin.HandlerFunc) {
	g.Match([]string{http.MethodGet, http.MethodHead}, path, h...)
}

func notFound(c *gin.Context) { ginauth.WriteError(c, showcase.NotFound()) }

// postID routes /api/posts/:id only for the ids Django's <int:pk>
// matches (showcase.IsPostID: [0-9]+). Gin's :id matches any segment;
// with another (abc, +1, -1, ., ..) the path matches no pattern of the
// URLconf: 404 before authentication, counted as unmatched.
func postID(c *gin.Context) {
	if !showcase.IsPostID(c.Param("id")) {
		c.Set(unmatchedKey{}, true)
		notFound(c)
	}
}

// view is an API path (a Gin pattern) and the permissions of its view.
type view struct {
	path  string
	perms []core.Permission
}

// views are the API's paths. One requested with a method it does not
// serve is DRF's 405, after authentication and the view's permissions
// (DRF runs initial() first); the other paths (/healthz, /readyz, /metrics, JWKS)
// are 404 with any other method, as nothing but their one view exists.
var views = []view{
	{"/api/auth/register", nil}, {"/api/auth/csrf", nil}, {"/api/auth/login", nil}, {"/api/auth/logout", nil},
	{"/api/auth/password/change", showcase.MePermissions}, {"/api/auth/logout-all", showcase.LogoutAllPermissions},
	{"/api/auth/password/reset", nil}, {"/api/auth/password/reset/confirm", nil},
	{"/api/token", nil}, {"/api/token/refresh", nil}, {"/api/token/verify", nil}, {"/api/token/blacklist", nil},
	{"/api/me", showcase.MePermissions}, {"/api/admin/users", showcase.AdminPermissions},
	{"/api/posts", showcase.PostsPermissions}, {"/api/posts/:id", showcase.PostsPermissions},
	{"/api/mfa/totp/enroll", showcase.MePermissions}, {"/api/mfa/totp/confirm", showcase.MePermissions},
	{"/api/mfa/totp/disable", showcase.MePermissions}, {"/api/mfa/recovery-codes", showcase.MePermissions},
}

type (
	viewKey      struct{}
	allowKey     struct{}
	unmatchedKey struct{}
)

// knownPath starts the NoMethod chain (Gin found the path under other
// methods only): an API path goes on to authentication with its view's
// permissions; any other is 404, authenticating nobody. The Allow header
// Gin has set waits for the 405: a 401 or 403 does not carry it.
func knownPath(c *gin.Context) {
	if _, ok := c.Get(endpointKey{}); ok {
		return
	}
	allow := c.Writer.Header().Get("Allow")
	c.Writer.Header().Del("Allow")
	for _, v := range views {
		if matchPath(v.path, c.Request.URL.Path) {
			c.Set(viewKey{}, v)
			c.Set(allowKey{}, allow)
			return
		}
	}
	notFound(c)
}

// methodNotAllowed is DRF's 405, once the view's permissions allow the
// request.
func methodNotAllowed(c *gin.Context) {
	if ep, ok := c.Get(endpointKey{}); ok {
		ep.(endpoint).handler(c)
		return
	}
	v := c.MustGet(viewKey{}).(view)
	if ginauth.Require(v.perms...)(c); !c.IsAborted() {
		c.Header("Allow", c.GetString(allowKey{}))
		ginauth.WriteError(c, core.MethodNotAllowed(c.Request.Method))
	}
}

// matchPath reports whether path matches a Gin route pattern whose
// ":name" segments match any one non-empty segment, except ":id", which
// matches a post id only (postID).
func matchPath(pattern, path string) bool {
	want, got := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		switch {
		case w == got[i]:
		case w == ":id":
			if !showcase.IsPostID(got[i]) {
				return false
			}
		case !strings.HasPrefix(w, ":") || got[i] == "":
			return false
		}
	}
	return true
}

// reply writes what a showcase handler returned: the value as JSON with
// its status (no body for 204), or the error as DRF renders it. JSON goes
// through core.WriteJSON rather than c.JSON, which escapes <, > and &, so
// that bodies are byte-identical with the other frameworks' (and DRF's).
func reply(c *gin.Context) func(status int, v any, err error) {
	return func(status int, v any, err error) {
		if err != nil {
			ginauth.WriteError(c, err)
			return
		}
		if status == http.StatusNoContent {
			c.Status(status)
			return
		}
		_ = core.WriteJSON(core.NewHTTPResponse(c.Writer), status, v)
	}
}

// instrument counts requests by route pattern (the view's, for a 405)
// and status.
func instrument(m *showcase.Metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if v, ok := c.Get(viewKey{}); ok {
			route = v.(view).path
		}
		if c.GetBool(unmatchedKey{}) {
			route = ""
		}
		m.Observe(route, c.Request.Method, c.Writer.Status(), time.Since(start))
	}
}

func trustedProxies(cfg showcase.Config) []string {
	out := make([]string, 0, len(cfg.TrustedProxies))
	for _, p := range cfg.TrustedProxies {
		out = append(out, p.String())
	}
	return out
}
