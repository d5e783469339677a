// Package httpauth is the net/http adapter of reinhardt-auth: middleware
// that runs the core Engine and puts the identity in the request's
// context, per-route permission guards, typed accessors for the current
// user, the session and CSRF middleware with a session accessor
// (Sessions, CSRF, SessionFrom: the core's own net/http handlers, named
// as in the other adapters), and the core's framework-agnostic endpoints
// as http.Handlers.
//
//	engine := core.NewEngine(&core.BasicAuthentication{Backend: core.NewModelBackend(users)})
//	mux := http.NewServeMux()
//	mux.Handle("GET /api/me", httpauth.Require(core.IsAuthenticated{})(meHandler))
//	mux.Handle("POST /api/auth/register", httpauth.Endpoint(&core.RegistrationEndpoint{Users: users}))
//	http.ListenAndServe(addr, httpauth.Middleware(engine)(mux))
//
// Errors are rendered by the core exactly as DRF renders them, so this
// adapter and the Gin, Echo and Fiber ones answer byte for byte alike.
package httpauth
