package fiberauth

import (
	"context"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/reinhardt-go/auth/core"
)

// Keys of the values Middleware stores with c.Locals, for code that reads
// Fiber's locals rather than the typed accessors:
//
//	id := c.Locals(fiberauth.IdentityKey).(*core.Identity)
const (
	// IdentityKey holds the request's *core.Identity.
	IdentityKey = "reinhardt.identity"
	// UserKey holds its core.User (AnonymousUser when nobody
	// authenticated).
	UserKey = "reinhardt.user"
)

// Middleware authenticates every request with e. A request whose
// credentials are wrong, or whose store is down, is answered here (401,
// 403 or 503, DRF-shaped, as the net/http adapter answers) and goes no
// further; any other request continues with the identity in its user
// context (c.UserContext(), read by User, Identity and the core) and in
// c.Locals (IdentityKey, UserKey). Request bodies are capped at
// e.MaxBodyBytes (1 MiB by default): a longer one is refused with 413
// here. Set fiber.Config.BodyLimit above the cap (Fiber's default, 4 MiB,
// is) so that this answer, not fasthttp's, is the one clients get.
func Middleware(e *core.Engine) fiber.Handler {
	limit := bodyLimit(e)
	return func(c *fiber.Ctx) error {
		if err := checkBody(c, limit); err != nil {
			return e.WriteError(newResponse(c), err)
		}
		id, err := e.Authenticate(request{c})
		if err != nil {
			return e.WriteError(newResponse(c), err)
		}
		c.SetUserContext(core.WithAuth(c.UserContext(), e, id))
		c.Locals(IdentityKey, id)
		c.Locals(UserKey, id.User)
		return c.Next()
	}
}

// failClosed is the engine of a request no Middleware saw: it has no
// authenticators, so every guarded request is anonymous and refused.
var failClosed = &core.Engine{}

func engineOf(ctx context.Context) *core.Engine {
	if e := core.EngineFromContext(ctx); e != nil {
		return e
	}
	return failClosed
}

// Require guards the handlers after it with DRF permission classes,
// checked in order: a refusal is 401 (with the first authenticator's
// challenge) for an anonymous request and 403 otherwise. Without
// Middleware in front the request counts as anonymous, so the guard fails
// closed (403).
//
//	app.Get("/admin", fiberauth.Require(core.IsAdminUser{}), h)
func Require(perms ...core.Permission) fiber.Handler {
	perms = slices.Clone(perms)
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		e := engineOf(ctx)
		pc := core.NewPermissionContext(request{c}, core.IdentityFromContext(ctx))
		if err := e.CheckPermissions(ctx, pc, perms...); err != nil {
			return e.WriteError(newResponse(c), err)
		}
		return c.Next()
	}
}

// CheckObjectPermissions runs the object checks of perms for obj on behalf
// of the request's user (DRF's check_object_permissions): handlers call it
// once they have loaded the object, and return a non-nil error through
// WriteError (or to the ErrorHandler).
func CheckObjectPermissions(c *fiber.Ctx, obj any, perms ...core.Permission) error {
	ctx := c.UserContext()
	pc := core.NewPermissionContext(request{c}, core.IdentityFromContext(ctx))
	return engineOf(ctx).CheckObjectPermissions(ctx, pc, obj, perms...)
}

// WriteError renders err as DRF does, with the challenge of the engine
// that authenticated the request, and returns nil once it is written:
//
//	if err != nil {
//		return fiberauth.WriteError(c, err)
//	}
func WriteError(c *fiber.Ctx, err error) error {
	return engineOf(c.UserContext()).WriteError(newResponse(c), err)
}

// Endpoint serves a core endpoint (registration, tokens, login, OAuth2,
// JWKS) as a Fiber handler; its errors are rendered with the request's
// engine.
//
//	app.Post("/api/token", fiberauth.Endpoint(obtain))
func Endpoint(ep core.Endpoint) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w := newResponse(c)
		err := ep.Serve(w, request{c})
		w.finish() // headers set before an error stay, as with net/http
		if err != nil {
			return WriteError(c, err)
		}
		return nil
	}
}

// User returns the current user: AnonymousUser when nobody authenticated.
func User(c *fiber.Ctx) core.User { return core.UserFromContext(c.UserContext()) }

// Identity returns the request's identity (user, method, credentials).
func Identity(c *fiber.Ctx) *core.Identity { return core.IdentityFromContext(c.UserContext()) }

// UserAs returns the current user as the application's own type:
//
//	u, ok := fiberauth.UserAs[*core.DefaultUser](c)
func UserAs[T core.User](c *fiber.Ctx) (T, bool) { return core.UserAs[T](c.UserContext()) }
