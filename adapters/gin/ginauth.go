package ginauth

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/reinhardt-go/auth/core"
)

// identityKey keeps the request's identity among gin's context values
// (c.Set), next to the copy in the request's context.Context that the
// core reads.
type identityKey struct{}

// Middleware authenticates every request with e. A request whose
// credentials are wrong, or whose store is down, is answered here (401,
// 403 or 503, DRF-shaped) and aborted; any other request continues with
// its identity (anonymous when nobody authenticated) in the request's
// context and in gin's. Request bodies are capped at e.MaxBodyBytes (1 MiB
// by default): a body declared larger is refused with 413 at once, and one
// that turns out larger fails when read.
// A request whose body came with a Transfer-Encoding is answered with
// "Connection: close" (core.CloseAfterChunked), so that bytes smuggled
// after its chunked body are never served as another request.
//
//	api := r.Group("/api", ginauth.Middleware(engine))
func Middleware(e *core.Engine) gin.HandlerFunc {
	limit := e.MaxBodyBytes
	if limit <= 0 {
		limit = core.DefaultMaxBodyBytes
	}
	return func(c *gin.Context) {
		r := c.Request
		core.CloseAfterChunked(c.Writer.Header(), r)
		if r.ContentLength > limit {
			_ = e.WriteError(core.NewHTTPResponse(c.Writer), core.ErrRequestTooLarge)
			c.Abort()
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			// The server's own writer, so that it closes the connection
			// instead of draining an oversized body.
			r.Body = http.MaxBytesReader(unwrap(c.Writer), r.Body, limit)
		}
		id, err := e.Authenticate(core.NewHTTPRequest(r))
		if err != nil {
			_ = e.WriteError(core.NewHTTPResponse(c.Writer), err)
			c.Abort()
			return
		}
		c.Request = r.WithContext(core.WithAuth(r.Context(), e, id))
		c.Set(identityKey{}, id)
		c.Next()
	}
}

// unwrap returns the innermost http.ResponseWriter under w.
func unwrap(w http.ResponseWriter) http.ResponseWriter {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return w
		}
		w = u.Unwrap()
	}
}

// failClosed is the engine of a request no Middleware saw: it has no
// authenticators, so every guarded request is anonymous and refused.
var failClosed = &core.Engine{}

func engineOf(c *gin.Context) *core.Engine {
	if e := core.EngineFromContext(c.Request.Context()); e != nil {
		return e
	}
	return failClosed
}

// Require guards the handlers after it with DRF permission classes,
// checked in order: a refusal is 401 (with the first authenticator's
// challenge) for an anonymous request and 403 otherwise, and aborts the
// chain. Without Middleware in front the request counts as anonymous, so
// the guard fails closed.
//
//	r.GET("/admin", ginauth.Require(core.IsAdminUser{}), h)
func Require(perms ...core.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		e := engineOf(c)
		pc := core.NewPermissionContext(core.NewHTTPRequest(c.Request), Identity(c))
		if err := e.CheckPermissions(c.Request.Context(), pc, perms...); err != nil {
			_ = e.WriteError(core.NewHTTPResponse(c.Writer), err)
			c.Abort()
		}
	}
}

// CheckObjectPermissions runs the object checks of perms for obj on behalf
// of the request's user (DRF's check_object_permissions): handlers call it
// once they have loaded the object, and render a non-nil error with
// WriteError.
func CheckObjectPermissions(c *gin.Context, obj any, perms ...core.Permission) error {
	pc := core.NewPermissionContext(core.NewHTTPRequest(c.Request), Identity(c))
	return engineOf(c).CheckObjectPermissions(c.Request.Context(), pc, obj, perms...)
}

// WriteError renders err as DRF does, byte for byte as the net/http
// adapter renders it, with the challenge of the engine that authenticated
// the request, and aborts the chain.
func WriteError(c *gin.Context, err error) {
	_ = engineOf(c).WriteError(core.NewHTTPResponse(c.Writer), err)
	c.Abort()
}

// Endpoint serves a core endpoint (registration, tokens, login, OAuth2)
// as a gin handler; its errors are rendered with the request's engine.
//
//	r.POST("/api/auth/register", ginauth.Endpoint(&core.RegistrationEndpoint{Users: users}))
func Endpoint(ep core.Endpoint) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := ep.Serve(core.NewHTTPResponse(c.Writer), core.NewHTTPRequest(c.Request)); err != nil {
			WriteError(c, err)
		}
	}
}

// Identity returns the request's identity (user, method, credentials): a
// new anonymous one when nobody authenticated or Middleware did not run.
func Identity(c *gin.Context) *core.Identity {
	if v, ok := c.Get(identityKey{}); ok {
		return v.(*core.Identity)
	}
	return core.IdentityFromContext(c.Request.Context())
}

// User returns the current user: AnonymousUser when nobody authenticated.
func User(c *gin.Context) core.User { return Identity(c).User }

// UserAs returns the current user as the application's own type:
//
//	u, ok := ginauth.UserAs[*core.DefaultUser](c)
func UserAs[T core.User](c *gin.Context) (T, bool) {
	u, ok := User(c).(T)
	return u, ok
}
