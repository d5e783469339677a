package ginauth

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/reinhardt-go/auth/core/csrf"
)

// CSRF gives the CSRF check of SessionAuthentication what Gin's request
// does not hand it directly, exactly as p.Prepare does for net/http: the
// request's Host, and for a form POST the csrfmiddlewaretoken field,
// read from the body (at most the Protector's body cap; a larger one is
// answered 413 here) and put back so that handlers read the same body.
// JSON bodies are not read: their clients send the X-CSRFToken header.
// CSRF checks nothing itself; use it after Sessions and before the
// authentication middleware:
//
//	r.Use(ginauth.Sessions(manager), ginauth.CSRF(protector))
func CSRF(p *csrf.Protector) gin.HandlerFunc {
	return func(c *gin.Context) {
		reached := false
		p.Prepare(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			reached = true
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !reached {
			c.Abort() // Prepare answered: the body was too large or unreadable
		}
	}
}
