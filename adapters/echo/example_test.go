package echoauth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"
	echoauth "github.com/reinhardt-go/auth/adapters/echo"
	"github.com/reinhardt-go/auth/core"
)

func Example() {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	_, _ = users.CreateUser(ctx, "alice", new("s3cret-pass"), nil)
	engine := core.NewEngine(&core.BasicAuthentication{Backend: core.NewModelBackend(users)})

	e := echo.New()
	e.HTTPErrorHandler = echoauth.ErrorHandler(engine)
	e.Use(echoauth.Middleware(engine))
	e.GET("/api/me", func(c echo.Context) error {
		u, _ := echoauth.UserAs[*core.DefaultUser](c)
		return c.String(http.StatusOK, fmt.Sprintf("hello %s (%s)", u.Username, echoauth.Identity(c).Method))
	}, echoauth.Require(core.IsAuthenticated{}))
	srv := httptest.NewServer(e)
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
	resp, _ := http.Get(srv.URL + "/nowhere")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// 401 Basic realm="api" {"detail":"Authentication credentials were not provided."}
	// 200  hello alice (basic)
	// 404 {"detail":"Not found."}
}
