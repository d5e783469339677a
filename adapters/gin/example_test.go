package ginauth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
	ginauth "github.com/reinhardt-go/auth/adapters/gin"
	"github.com/reinhardt-go/auth/core"
)

func Example() {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	_, _ = users.CreateUser(ctx, "alice", new("s3cret-pass"), nil)
	engine := core.NewEngine(&core.BasicAuthentication{Backend: core.NewModelBackend(users)})

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	api := r.Group("/api", ginauth.Middleware(engine))
	api.GET("/me", ginauth.Require(core.IsAuthenticated{}), func(c *gin.Context) {
		u, _ := ginauth.UserAs[*core.DefaultUser](c)
		c.String(http.StatusOK, "hello %s (%s)", u.Username, ginauth.Identity(c).Method)
	})
	srv := httptest.NewServer(r)
	defer srv.Close()

	for _, pass := range []string{"", "s3cret-pass"} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/me", nil)
		if pass != "" {
			req.SetBasicAuth("alice", pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body))
	}
	// Output:
	// 401 Basic realm="api" {"detail":"Authentication credentials were not provided."}
	// 200  hello alice (basic)
}
