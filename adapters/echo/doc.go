// Package echoauth is the Echo adapter of reinhardt-auth: middleware that
// runs the core Engine and puts the identity in the request's context and
// in echo's context, per-route permission guards, typed accessors for the
// current user, session and CSRF middleware, the core's framework-agnostic
// endpoints as echo.HandlerFuncs, and an HTTPErrorHandler that renders
// errors as DRF does.
//
//	engine := core.NewEngine(&core.BasicAuthentication{Backend: core.NewModelBackend(users)})
//	e := echo.New()
//	e.HTTPErrorHandler = echoauth.ErrorHandler(engine)
//	e.Use(echoauth.Middleware(engine))
//	e.GET("/api/me", me, echoauth.Require(core.IsAuthenticated{}))
//	e.POST("/api/auth/register", echoauth.Endpoint(&core.RegistrationEndpoint{Users: users}))
//
// Errors are rendered by the core exactly as DRF renders them, so this
// adapter and the net/http, Gin and Fiber ones answer byte for byte alike.
// Write JSON from handlers with core.WriteJSON over
// core.NewHTTPResponse(c.Response()) for the same bytes: echo's c.JSON
// escapes <, > and & and appends a newline, where DRF's renderer does
// neither.
//
// With sessions, the order is Sessions, CSRF, then Middleware, so that
// SessionAuthentication finds the session and the CSRF check its form
// token:
//
//	e.Use(echoauth.Sessions(manager), echoauth.CSRF(protector), echoauth.Middleware(engine))
package echoauth
