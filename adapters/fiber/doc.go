// Package fiberauth is the Fiber v2 adapter of reinhardt-auth: middleware
// that runs the core Engine and passes the identity through the request's
// user context (c.UserContext()) and c.Locals, per-route permission
// guards, typed accessors for the current user, session and CSRF
// middleware, the core's framework-agnostic endpoints as Fiber handlers,
// and an ErrorHandler that renders errors as DRF does.
//
//	engine := core.NewEngine(&core.BasicAuthentication{Backend: core.NewModelBackend(users)})
//	app := fiber.New(fiber.Config{ErrorHandler: fiberauth.ErrorHandler(engine), ReadBufferSize: 64 << 10})
//	app.Use(fiberauth.Middleware(engine))
//	app.Get("/api/me", fiberauth.Require(core.IsAuthenticated{}), meHandler)
//	app.Post("/api/auth/register", fiberauth.Endpoint(&core.RegistrationEndpoint{Users: users}))
//
// With sessions and CSRF, the session middleware goes first, then the
// CSRF information, then authentication (whose session authenticator
// runs the CSRF check):
//
//	app.Use(fiberauth.Sessions(manager), fiberauth.CSRF(protector), fiberauth.Middleware(engine))
//
// In a handler:
//
//	u, ok := fiberauth.UserAs[*core.DefaultUser](c) // or fiberauth.User(c), fiberauth.Identity(c)
//	if err := fiberauth.CheckObjectPermissions(c, post, perms...); err != nil {
//		return fiberauth.WriteError(c, err) // or return err, with ErrorHandler configured
//	}
//
// # fasthttp's buffers
//
// fasthttp reuses a request's buffers once its handler returns, and Fiber's
// c.Get, c.Params and c.Cookies alias them. This adapter copies every
// string it hands the core (headers, cookies, query values, method, path,
// host), so identities, cached tokens and session keys stay valid after
// the request; the identity is a value of its own, safe to keep. Strings a
// handler takes from Fiber itself follow Fiber's rules (utils.CopyString,
// or fiber.Config.Immutable).
//
// # Limits
//
// Request bodies are capped by Engine.MaxBodyBytes (1 MiB by default) with
// a DRF 413; keep fiber.Config.BodyLimit above the cap (Fiber's default is
// 4 MiB) so that the adapter answers rather than fasthttp. fasthttp's
// ReadBufferSize (4 KiB by default) bounds the request line and headers:
// raise it (64 KiB answers 431 only beyond 64 KiB, as the other adapters
// do); ErrorHandler renders fasthttp's refusals (400, 413, 431) as DRF
// bodies too.
//
// Errors are rendered by the core exactly as DRF renders them, so this
// adapter and the net/http, Gin and Echo ones answer byte for byte alike.
package fiberauth
