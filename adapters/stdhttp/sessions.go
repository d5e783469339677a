package httpauth

import (
	"net/http"

	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/sessions"
)

// Sessions is the session middleware, m.Handler, in the shape of
// Middleware, so that a net/http stack reads as the other adapters' do:
//
//	h := httpauth.Sessions(manager)(httpauth.CSRF(protector)(httpauth.Middleware(engine)(mux)))
//
// It loads the request's session (sessionid), saves it before the
// headers go out when it was modified, and fails closed with 503 when the
// store is down.
func Sessions(m *sessions.Manager) func(http.Handler) http.Handler { return m.Handler }

// SessionFrom returns the request's session, nil when no Sessions
// middleware loaded one.
func SessionFrom(r *http.Request) *sessions.Session { return sessions.FromContext(r.Context()) }

// CSRF is p.Prepare in the shape of Middleware: it gives the CSRF check of
// SessionAuthentication the form field of a form POST. It checks nothing
// itself; put it after Sessions and before Middleware.
func CSRF(p *csrf.Protector) func(http.Handler) http.Handler { return p.Prepare }
