// Package ginauth is the Gin adapter of reinhardt-auth: middleware that
// runs the core Engine and puts the identity in the request's context and
// in gin's, per-route permission guards, typed accessors for the current
// user, the session and CSRF middleware, and the core's framework-agnostic
// endpoints as gin handlers.
//
//	engine := core.NewEngine(&core.BasicAuthentication{Backend: core.NewModelBackend(users)})
//	api := r.Group("/api", ginauth.Middleware(engine))
//	api.GET("/me", ginauth.Require(core.IsAuthenticated{}), meHandler)
//	api.POST("/auth/register", ginauth.Endpoint(&core.RegistrationEndpoint{Users: users}))
//
// Handlers read the user with User, Identity or UserAs, check object
// permissions with CheckObjectPermissions, and render errors with
// WriteError. For session logins, add Sessions and CSRF in front:
//
//	r.Use(ginauth.Sessions(sessionManager), ginauth.CSRF(protector))
//
// Errors are rendered by the core exactly as DRF renders them, so this
// adapter and the net/http, Echo and Fiber ones answer byte for byte
// alike. Write JSON replies with core.WriteJSON rather than c.JSON when
// they must match too: c.JSON escapes <, > and & as \u003c, \u003e and
// \u0026, as DRF's renderer does not.
package ginauth
