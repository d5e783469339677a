package httpauth

import (
	"net/http"

	"github.com/reinhardt-go/auth/core"
)

// Middleware authenticates every request with e. A request whose
// credentials are wrong, or whose store is down, is answered here (401,
// 403 or 503, DRF-shaped) and goes no further; any other request continues
// with the identity in its context (anonymous when nobody authenticated).
// Request bodies are capped at e.MaxBodyBytes (1 MiB by default): a body
// declared larger is refused with 413 at once, and one that turns out
// larger fails when read.
// A request whose body came with a Transfer-Encoding is answered with
// "Connection: close" (core.CloseAfterChunked), so that bytes smuggled
// after its chunked body are never served as another request.
func Middleware(e *core.Engine) func(http.Handler) http.Handler {
	limit := e.MaxBodyBytes
	if limit <= 0 {
		limit = core.DefaultMaxBodyBytes
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			core.CloseAfterChunked(w.Header(), r)
			if r.ContentLength > limit {
				_ = e.WriteError(core.NewHTTPResponse(w), core.ErrRequestTooLarge)
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, limit)
			}
			id, err := e.Authenticate(core.NewHTTPRequest(r))
			if err != nil {
				_ = e.WriteError(core.NewHTTPResponse(w), err)
				return
			}
			next.ServeHTTP(w, r.WithContext(core.WithAuth(r.Context(), e, id)))
		})
	}
}

// failClosed is the engine of a request no Middleware saw: it has no
// authenticators, so every guarded request is anonymous and refused.
var failClosed = &core.Engine{}

func engineOf(r *http.Request) *core.Engine {
	if e := core.EngineFromContext(r.Context()); e != nil {
		return e
	}
	return failClosed
}

// Require guards a handler with DRF permission classes, checked in order:
// a refusal is 401 (with the first authenticator's challenge) for an
// anonymous request and 403 otherwise. Without Middleware in front the
// request counts as anonymous, so the guard fails closed.
//
//	mux.Handle("GET /admin", httpauth.Require(core.IsAdminUser{})(h))
func Require(perms ...core.Permission) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			e := engineOf(r)
			pc := core.NewPermissionContext(core.NewHTTPRequest(r), core.IdentityFromContext(r.Context()))
			if err := e.CheckPermissions(r.Context(), pc, perms...); err != nil {
				_ = e.WriteError(core.NewHTTPResponse(w), err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// RequireFunc is Require for a handler function.
func RequireFunc(h http.HandlerFunc, perms ...core.Permission) http.Handler {
	return Require(perms...)(h)
}

// CheckObjectPermissions runs the object checks of perms for obj on behalf
// of the request's user (DRF's check_object_permissions): handlers call it
// once they have loaded the object, and render a non-nil error with
// WriteError.
func CheckObjectPermissions(r *http.Request, obj any, perms ...core.Permission) error {
	pc := core.NewPermissionContext(core.NewHTTPRequest(r), core.IdentityFromContext(r.Context()))
	return engineOf(r).CheckObjectPermissions(r.Context(), pc, obj, perms...)
}

// WriteError renders err as DRF does, with the challenge of the engine
// that authenticated r.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	_ = engineOf(r).WriteError(core.NewHTTPResponse(w), err)
}

// Endpoint serves a core endpoint (registration, tokens, login, OAuth2)
// as an http.Handler; its errors are rendered with the request's engine.
func Endpoint(ep core.Endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := ep.Serve(core.NewHTTPResponse(w), core.NewHTTPRequest(r)); err != nil {
			WriteError(w, r, err)
		}
	})
}

// User returns the current user: AnonymousUser when nobody authenticated.
func User(r *http.Request) core.User { return core.UserFromContext(r.Context()) }

// Identity returns the request's identity (user, method, credentials).
func Identity(r *http.Request) *core.Identity { return core.IdentityFromContext(r.Context()) }

// UserAs returns the current user as the application's own type:
//
//	u, ok := httpauth.UserAs[*core.DefaultUser](r)
func UserAs[T core.User](r *http.Request) (T, bool) { return core.UserAs[T](r.Context()) }
