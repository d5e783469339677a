package fiberauth

import (
	"mime"

	"github.com/gofiber/fiber/v2"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/sessions"
)

// Sessions is the session middleware for Fiber, sessions.Manager.Handler's
// counterpart: it loads the request's session into the user context
// (SessionFrom, sessions.FromContext), runs the handlers after it, and
// then commits the session — saving it when needed and setting or
// expiring its cookie. Fiber sends the response only once the handlers
// have returned, so the commit still comes before the headers go out. An
// error a later handler returns is rendered first, with the app's
// ErrorHandler, so that error responses carry the session's cookie too.
//
// When the session cannot be loaded the request is answered here; when it
// cannot be committed (a store failure, sessions.ErrConflict) the body is
// replaced by the error's (503, 409, ...). Both are rendered by
// core.WriteError, the Manager's default; Manager.ErrorHandler, written
// for net/http, is not used.
//
// Put it before Middleware, so that the session authenticator finds the
// session:
//
//	app.Use(fiberauth.Sessions(manager), fiberauth.CSRF(protector), fiberauth.Middleware(engine))
func Sessions(m *sessions.Manager) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		s, err := m.Load(ctx, request{c})
		if err != nil {
			return core.WriteError(newResponse(c), err, "")
		}
		ctx = sessions.NewContext(ctx, s)
		c.SetUserContext(ctx)
		if err := c.Next(); err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		w := newResponse(c)
		if err := m.Commit(ctx, s, w); err != nil {
			c.Response().ResetBody()
			return core.WriteError(w, err, "")
		}
		w.finish()
		return nil
	}
}

// SessionFrom returns the request's session, nil when Sessions did not
// run.
func SessionFrom(c *fiber.Ctx) *sessions.Session { return sessions.FromContext(c.UserContext()) }

// CSRF gives the CSRF check what core.Request does not carry, as
// csrf.Protector.Prepare does for net/http: it records the request's Host
// and, for a form POST (form-urlencoded or multipart), its
// csrfmiddlewaretoken field, with csrf.NewContext. It checks nothing
// itself: SessionAuthentication's CSRF hook checks session-authenticated
// unsafe requests. Put it before Middleware. Fiber has already read the
// body (fiber.Config.BodyLimit); a form body over
// core.DefaultMaxBodyBytes (Prepare's default cap) is refused with 413
// rather than parsed.
func CSRF(p *csrf.Protector) fiber.Handler {
	if p == nil {
		panic("fiberauth: CSRF needs the *csrf.Protector whose Check the session authenticator runs")
	}
	return func(c *fiber.Ctx) error {
		info := csrf.Info{Host: string(c.Request().Host())}
		if c.Method() == fiber.MethodPost {
			ct := string(c.Request().Header.ContentType())
			if isFormType(ct) {
				body, err := readBody(c, core.DefaultMaxBodyBytes)
				if err != nil {
					return core.WriteError(newResponse(c), err, "")
				}
				info.FormToken = csrf.FormTokenFromBody(ct, body)
			}
		}
		c.SetUserContext(csrf.NewContext(c.UserContext(), info))
		return c.Next()
	}
}

// isFormType reports whether a Content-Type is one Django's request.POST
// parses.
func isFormType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data")
}
