package ginauth_test

import (
	"net"
	"net/http"
	"slices"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/reinhardt-go/auth/adapters/adaptertest"
	ginauth "github.com/reinhardt-go/auth/adapters/gin"
	"github.com/reinhardt-go/auth/core"
)

type harness struct{}

// getHead is GET and HEAD: Gin routes HEAD only where it is registered.
var getHead = []string{http.MethodGet, http.MethodHead}

func (harness) Serve(t *testing.T, f *adaptertest.Fixture, l net.Listener) {
	r := gin.New()
	r.Use(ginauth.Sessions(f.Sessions), ginauth.CSRF(f.CSRF), ginauth.Middleware(f.Engine))
	who := func(c *gin.Context) { writeJSON(c, 200, f.WhoAmI(c.Request.Context())) }
	r.Match(getHead, "/open", who)
	methodNotAllowed(r, "/open", "GET, HEAD")
	r.Match(getHead, "/private", ginauth.Require(f.Private...), who)
	methodNotAllowed(r, "/private", "GET, HEAD", ginauth.Require(f.Private...))
	r.Match(getHead, "/admin", ginauth.Require(f.Admin...), who)
	r.Match(getHead, "/throttled", ginauth.Require(f.Throttled...), who)

	posts := r.Group("/posts", ginauth.Require(f.Posts...))
	posts.Match(getHead, "", func(c *gin.Context) { writeJSON(c, 200, f.ListPosts()) })
	posts.POST("", func(c *gin.Context) {
		reply(c)(f.CreatePost(core.NewHTTPRequest(c.Request)))
	})
	posts.PUT("/:id", func(c *gin.Context) {
		reply(c)(f.UpdatePost(core.NewHTTPRequest(c.Request), c.Param("id"), func(obj any) error {
			return ginauth.CheckObjectPermissions(c, obj, f.PostObject...)
		}))
	})
	r.Match(getHead, "/visits", func(c *gin.Context) { reply(c)(f.Visit(ginauth.SessionFrom(c), true)) })
	r.Match(getHead, "/peek", func(c *gin.Context) { reply(c)(f.Visit(ginauth.SessionFrom(c), false)) })
	r.POST("/register", ginauth.Endpoint(f.Register))
	r.Match(getHead, "/csrf", ginauth.Endpoint(f.CSRFToken))
	r.POST("/login", ginauth.Endpoint(f.Login))
	r.POST("/logout", ginauth.Endpoint(f.Logout))
	r.POST("/token", ginauth.Endpoint(f.TokenObtain))
	adaptertest.ServeHTTPHandler(t, l, r)
}

// methodNotAllowed answers path's other methods with DRF's 405 once
// guards let the request in (DRF checks permissions first).
func methodNotAllowed(r gin.IRoutes, path, allow string, guards ...gin.HandlerFunc) {
	h := append(slices.Clone(guards), func(c *gin.Context) {
		c.Header("Allow", allow)
		ginauth.WriteError(c, core.MethodNotAllowed(c.Request.Method))
	})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		r.Handle(m, path, h...)
	}
}

func reply(c *gin.Context) func(int, any, error) {
	return func(status int, v any, err error) {
		if err != nil {
			ginauth.WriteError(c, err)
			return
		}
		writeJSON(c, status, v)
	}
}

// writeJSON writes v with core.WriteJSON rather than c.JSON, which
// escapes <, > and & in strings: bodies stay byte-identical with the
// other adapters' (and DRF's).
func writeJSON(c *gin.Context, status int, v any) {
	_ = core.WriteJSON(core.NewHTTPResponse(c.Writer), status, v)
}

func TestConformance(t *testing.T) { adaptertest.Run(t, harness{}) }

func TestAttacks(t *testing.T) { adaptertest.RunAttacks(t, harness{}) }
