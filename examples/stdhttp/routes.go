package main

import (
	"context"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	httpauth "github.com/reinhardt-go/auth/adapters/stdhttp"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/examples/internal/showcase"
)

// routes is the contract on a net/http ServeMux. API routes run behind
// the authentication middleware; /healthz, /metrics and unknown paths do
// not (as in Django, a URL that resolves nowhere is 404 before any view
// authenticates).
func routes(app *showcase.App) http.Handler {
	mux := http.NewServeMux()
	api := httpauth.Middleware(app.Engine)
	guard := func(perms []core.Permission, h http.HandlerFunc) http.Handler {
		return api(httpauth.Require(perms...)(h))
	}

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(app.Health(r.Context()))
	})
	mux.Handle("GET /readyz", httpauth.Endpoint(app.Ready))
	mux.Handle("GET /metrics", app.Metrics.Handler())
	mux.Handle("GET /.well-known/jwks.json", httpauth.Endpoint(app.JWKS))
	mux.Handle("GET /api/schema", httpauth.Endpoint(showcase.Schema)) // the OpenAPI document

	// The OAuth2 provider, at django-oauth-toolkit's paths. Each endpoint
	// answers the methods it does not take itself (405 with Allow). The
	// client-authenticated ones (token, revoke, introspect), the metadata
	// and userinfo are outside the engine: userinfo answers a bad bearer
	// with RFC 6750's 401, not DRF's. Authorize needs the browser's
	// session login, through the engine.
	provider := app.OAuth2
	mux.Handle("/o/authorize", api(httpauth.Endpoint(provider.AuthorizeEndpoint())))
	mux.Handle("/o/token", httpauth.Endpoint(provider.TokenEndpoint()))
	mux.Handle("/o/revoke_token", httpauth.Endpoint(provider.RevokeEndpoint()))
	mux.Handle("/o/introspect", httpauth.Endpoint(provider.IntrospectEndpoint()))
	mux.Handle("/o/userinfo", httpauth.Endpoint(provider.UserInfoEndpoint()))
	mux.Handle("GET /.well-known/oauth-authorization-server", httpauth.Endpoint(provider.MetadataEndpoint()))
	mux.Handle("GET /.well-known/openid-configuration", httpauth.Endpoint(provider.OpenIDConfigurationEndpoint()))

	// The HTML pages (the login page the authorize endpoint sends browsers
	// to among them), each answering every method itself. A path ending
	// in "/" is that path only ({$}), not the subtree under it.
	for _, page := range app.PageRoutes() {
		pattern := pageParam.ReplaceAllString(page.Path, "{$1}")
		if strings.HasSuffix(pattern, "/") {
			pattern += "{$}"
		}
		mux.Handle(pattern, httpauth.Endpoint(page.Endpoint))
	}

	mux.Handle("POST /api/auth/register", api(httpauth.Endpoint(app.Register)))
	mux.Handle("GET /api/auth/csrf", httpauth.Endpoint(app.CSRFToken))
	mux.Handle("POST /api/auth/login", api(httpauth.Endpoint(app.Login)))
	mux.Handle("POST /api/auth/logout", api(httpauth.Endpoint(app.Logout)))
	mux.Handle("POST /api/auth/password/change", guard(showcase.MePermissions, httpauth.Endpoint(app.PasswordChange).ServeHTTP))
	mux.Handle("POST /api/auth/password/reset", api(httpauth.Endpoint(app.PasswordReset)))
	mux.Handle("POST /api/auth/password/reset/confirm", api(httpauth.Endpoint(app.PasswordResetConfirm)))
	// simplejwt's views authenticate nobody (authentication_classes = ()):
	// a bad Authorization header must not stop someone getting a token.
	mux.Handle("POST /api/token", httpauth.Endpoint(app.TokenObtain))
	mux.Handle("POST /api/token/refresh", httpauth.Endpoint(app.TokenRefresh))
	mux.Handle("POST /api/token/verify", httpauth.Endpoint(app.TokenVerify))
	mux.Handle("POST /api/token/blacklist", httpauth.Endpoint(app.TokenBlacklist))
	mux.Handle("POST /api/auth/logout-all", guard(showcase.LogoutAllPermissions, httpauth.Endpoint(app.LogoutAll).ServeHTTP))
	for path, ep := range map[string]core.Endpoint{
		"/api/mfa/totp/enroll":    app.MFAEnroll,
		"/api/mfa/totp/confirm":   app.MFAConfirm,
		"/api/mfa/totp/disable":   app.MFADisable,
		"/api/mfa/recovery-codes": app.MFARecoveryCodes,
	} {
		mux.Handle("POST "+path, guard(showcase.MePermissions, httpauth.Endpoint(ep).ServeHTTP))
	}
	mux.Handle("GET /api/me", guard(showcase.MePermissions, func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(app.Me(r.Context()))
	}))
	mux.Handle("GET /api/admin/users", guard(showcase.AdminPermissions, func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(app.AdminUsers(r.Context()))
	}))

	posts := showcase.PostsPermissions
	mux.Handle("GET /api/posts", guard(posts, func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(app.Posts.List(r.Context()))
	}))
	mux.Handle("POST /api/posts", guard(posts, func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(app.Posts.Create(core.NewHTTPRequest(r)))
	}))
	mux.Handle("GET /api/posts/{id}", postID(guard(posts, func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(app.Posts.Get(r.Context(), r.PathValue("id")))
	})))
	mux.Handle("PUT /api/posts/{id}", postID(guard(posts, func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(app.Posts.Update(core.NewHTTPRequest(r), r.PathValue("id"), func(obj any) error {
			return httpauth.CheckObjectPermissions(r, obj, showcase.ChangePostPermissions...)
		}))
	})))
	mux.Handle("DELETE /api/posts/{id}", postID(guard(posts, func(w http.ResponseWriter, r *http.Request) {
		reply(w, r)(app.Posts.Delete(r.Context(), r.PathValue("id"), func(obj any) error {
			return httpauth.CheckObjectPermissions(r, obj, showcase.DeletePostPermissions...)
		}))
	})))

	// The paths above with any other method: DRF's 405, after
	// authentication and the view's permissions (DRF runs initial() first).
	for _, v := range showcase.Views {
		h := guard(v.Perms, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", v.Allow)
			httpauth.WriteError(w, r, core.MethodNotAllowed(r.Method))
		})
		pattern := strings.Replace(v.Path, ":id", "{id}", 1)
		if pattern != v.Path {
			h = postID(h)
		}
		mux.Handle(pattern, h)
	}
	mux.HandleFunc("/", notFound)
	// Sessions load before authentication and commit before the headers go
	// out; Prepare lets the CSRF check read csrfmiddlewaretoken from forms;
	// deadline, outermost, bounds every store call of the request
	// (-request-timeout).
	return deadline(app, instrument(app.Metrics, httpauth.Sessions(app.Sessions)(httpauth.CSRF(app.CSRF)(resolve(mux)))))
}

// deadline serves next with the request's context bounded by
// -request-timeout (showcase.App.RequestContext).
func deadline(app *showcase.App, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := app.RequestContext(r.Context())
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// resolve routes a request as Django resolves its URL, and tells
// instrument the pattern it routes to. Django matches the decoded path
// (/api/%6De is /api/me; /api/posts/1%2F is /api/posts/1/, which nothing
// matches) exactly as it was sent: a path that is not clean (/api//me,
// /api/./me) matches no pattern and is 404, where ServeMux would redirect
// to the clean path.
func resolve(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawPath != "" {
			u := *r.URL
			u.RawPath = ""
			r = r.WithContext(r.Context())
			r.URL = &u
		}
		if !isClean(r.URL.Path) {
			notFound(w, r)
			return
		}
		if route, ok := r.Context().Value(routeKey{}).(*string); ok {
			_, pattern := mux.Handler(r)
			*route = routeLabel(pattern)
		}
		mux.ServeHTTP(w, r)
	})
}

// postID routes a /api/posts/{id} pattern only for the ids Django's
// <int:pk> matches (showcase.IsPostID: [0-9]+). ServeMux's {id} matches
// any segment; with another (abc, +1, -1, ., ..) the path matches no
// pattern of the URLconf: 404 before authentication, counted as
// unmatched.
func postID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !showcase.IsPostID(r.PathValue("id")) {
			notFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// notFound is the 404 of a path no route of the contract matches,
// authenticating nobody and counted under no route.
func notFound(w http.ResponseWriter, r *http.Request) {
	if route, ok := r.Context().Value(routeKey{}).(*string); ok {
		*route = ""
	}
	httpauth.WriteError(w, r, showcase.NotFound())
}

// isClean reports whether p is already clean: ServeMux would not redirect
// it to a cleaner path.
func isClean(p string) bool {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return p == c
}

// routeLabel is a ServeMux pattern as the metrics' route label: its path,
// wildcards written :name as Gin, Echo and Fiber write them (the series
// are the same on every framework), and "" for the catch-all.
func routeLabel(pattern string) string {
	if _, p, ok := strings.Cut(pattern, " "); ok {
		pattern = p
	}
	if pattern == "/" {
		return ""
	}
	return wildcard.ReplaceAllString(strings.TrimSuffix(pattern, "{$}"), ":$1")
}

var (
	wildcard  = regexp.MustCompile(`\{([^}.]+)(\.\.\.)?\}`)
	pageParam = regexp.MustCompile(`:([a-z0-9_]+)`)
)

type routeKey struct{}

// reply writes what a showcase handler returned: the value as JSON with
// its status (no body for 204), or the error as DRF renders it.
func reply(w http.ResponseWriter, r *http.Request) func(status int, v any, err error) {
	return func(status int, v any, err error) {
		if err != nil {
			httpauth.WriteError(w, r, err)
			return
		}
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		_ = core.WriteJSON(core.NewHTTPResponse(w), status, v)
	}
}

// instrument counts requests by route pattern and status. The pattern is
// the one resolve routes to: ServeMux sets r.Pattern only on the request
// it serves, which the session and CSRF middleware have replaced.
func instrument(m *showcase.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		route := new(string)
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, route)))
		m.Observe(*route, r.Method, sw.status, time.Since(start))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
