package echoauth

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/reinhardt-go/auth/core"
)

// identityKey is where Middleware keeps the identity in echo's own
// context store (c.Set), next to the request's context.Context.
const identityKey = "github.com/reinhardt-go/auth/adapters/echo.identity"

// Middleware authenticates every request with e. A request whose
// credentials are wrong, or whose store is down, is answered here (401,
// 403 or 503, DRF-shaped) and goes no further; any other request continues
// with the identity in its context.Context (core.IdentityFromContext) and
// in echo's context (Identity, User, UserAs), anonymous when nobody
// authenticated. Request bodies are capped at e.MaxBodyBytes (1 MiB by
// default): a body declared larger is refused with 413 at once, and one
// that turns out larger fails when read.
// A request whose body came with a Transfer-Encoding is answered with
// "Connection: close" (core.CloseAfterChunked), so that bytes smuggled
// after its chunked body are never served as another request.
//
//	e.Use(echoauth.Middleware(engine))
func Middleware(e *core.Engine) echo.MiddlewareFunc {
	limit := e.MaxBodyBytes
	if limit <= 0 {
		limit = core.DefaultMaxBodyBytes
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			core.CloseAfterChunked(c.Response().Header(), r)
			if r.ContentLength > limit {
				return e.WriteError(core.NewHTTPResponse(c.Response()), core.ErrRequestTooLarge)
			}
			if r.Body != nil && r.Body != http.NoBody {
				// The raw writer, so that net/http closes the connection
				// after a body that was too large (Response does not
				// forward that signal).
				r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, limit)
			}
			id, err := e.Authenticate(core.NewHTTPRequest(r))
			if err != nil {
				return e.WriteError(core.NewHTTPResponse(c.Response()), err)
			}
			c.SetRequest(r.WithContext(core.WithAuth(r.Context(), e, id)))
			c.Set(identityKey, id)
			return next(c)
		}
	}
}

// failClosed is the engine of a request no Middleware saw: it has no
// authenticators, so every guarded request is anonymous and refused.
var failClosed = &core.Engine{}

func engineOf(c echo.Context) *core.Engine {
	if e := core.EngineFromContext(c.Request().Context()); e != nil {
		return e
	}
	return failClosed
}

// Require guards a route with DRF permission classes, checked in order: a
// refusal is 401 (with the first authenticator's challenge) for an
// anonymous request and 403 otherwise. Without Middleware in front the
// request counts as anonymous, so the guard fails closed.
//
//	e.GET("/admin", h, echoauth.Require(core.IsAdminUser{}))
//	g := e.Group("/posts", echoauth.Require(core.IsAuthenticatedOrReadOnly{}))
func Require(perms ...core.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			pc := core.NewPermissionContext(core.NewHTTPRequest(r), Identity(c))
			if err := engineOf(c).CheckPermissions(r.Context(), pc, perms...); err != nil {
				return WriteError(c, err)
			}
			return next(c)
		}
	}
}

// CheckObjectPermissions runs the object checks of perms for obj on behalf
// of the request's user (DRF's check_object_permissions): handlers call it
// once they have loaded the object, and render a non-nil error with
// WriteError.
func CheckObjectPermissions(c echo.Context, obj any, perms ...core.Permission) error {
	r := c.Request()
	pc := core.NewPermissionContext(core.NewHTTPRequest(r), Identity(c))
	return engineOf(c).CheckObjectPermissions(r.Context(), pc, obj, perms...)
}

// WriteError renders err as DRF does, with the challenge of the engine
// that authenticated the request, through echo's Response (so that
// c.Response().Committed, Status and the Before hooks, such as the session
// commit, see it). It returns the error of the write, nil as a rule:
//
//	if err != nil {
//		return echoauth.WriteError(c, err)
//	}
//
// A response already committed cannot be rendered again: err is then
// returned as it is, for echo's error handler (which ignores committed
// responses) and logging middleware.
func WriteError(c echo.Context, err error) error {
	if c.Response().Committed {
		return err
	}
	return engineOf(c).WriteError(core.NewHTTPResponse(c.Response()), err)
}

// Endpoint serves a core endpoint (registration, tokens, login, OAuth2)
// as an echo.HandlerFunc; its errors are rendered with the request's
// engine.
//
//	e.POST("/api/auth/register", echoauth.Endpoint(&core.RegistrationEndpoint{Users: users}))
func Endpoint(ep core.Endpoint) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := ep.Serve(core.NewHTTPResponse(c.Response()), core.NewHTTPRequest(c.Request())); err != nil {
			return WriteError(c, err)
		}
		return nil
	}
}

// ErrorHandler is an echo.HTTPErrorHandler that renders errors as DRF
// does, byte for byte as WriteError: the core's errors with the engine's
// challenge (the request's engine when Middleware ran, else e), and echo's
// own *echo.HTTPError — the router's 404 and 405, a body limit's 413 —
// as their DRF counterparts ({"detail":"Not found."}, {"detail":"Method
// \"PATCH\" not allowed."}); another 4xx HTTPError keeps its status with
// its message as the detail, a 5xx one gets the generic message. An
// unknown error is a 500 whose cause is not shown. Install it so that
// handlers may simply return errors:
//
//	e.HTTPErrorHandler = echoauth.ErrorHandler(engine)
func ErrorHandler(e *core.Engine) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		eng := e
		if re := core.EngineFromContext(c.Request().Context()); re != nil {
			eng = re
		}
		_ = eng.WriteError(core.NewHTTPResponse(c.Response()), fromEcho(err, c.Request().Method))
	}
}

// fromEcho maps echo's HTTP errors to the core's.
func fromEcho(err error, method string) error {
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return err
	}
	if inner, ok := he.Internal.(*echo.HTTPError); ok {
		he = inner // as echo's DefaultHTTPErrorHandler does
	}
	switch he.Code {
	case http.StatusNotFound:
		return core.ErrNotFound
	case http.StatusMethodNotAllowed:
		return core.MethodNotAllowed(method)
	case http.StatusRequestEntityTooLarge:
		return core.ErrRequestTooLarge
	case http.StatusUnsupportedMediaType:
		return core.ErrUnsupportedMediaType
	case http.StatusServiceUnavailable:
		return core.ErrServiceUnavailable
	}
	switch {
	case he.Code < 400:
		return core.ErrServerError
	case he.Code >= 500: // never show a server error's message
		return &core.APIError{Status: he.Code, Detail: core.ErrServerError.Detail, Code: core.ErrServerError.Code}
	}
	detail := http.StatusText(he.Code)
	switch m := he.Message.(type) {
	case string:
		detail = m
	case error:
		detail = m.Error()
	}
	return &core.APIError{Status: he.Code, Detail: detail}
}

// Identity returns the request's identity (user, method, credentials):
// anonymous when nobody authenticated or no Middleware ran.
func Identity(c echo.Context) *core.Identity {
	if id, ok := c.Get(identityKey).(*core.Identity); ok && id != nil && id.User != nil {
		return id
	}
	return core.IdentityFromContext(c.Request().Context())
}

// User returns the current user: AnonymousUser when nobody authenticated.
func User(c echo.Context) core.User { return Identity(c).User }

// UserAs returns the current user as the application's own type:
//
//	u, ok := echoauth.UserAs[*core.DefaultUser](c)
func UserAs[T core.User](c echo.Context) (T, bool) {
	u, ok := User(c).(T)
	return u, ok
}
