package httpauth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	httpauth "github.com/reinhardt-go/auth/adapters/stdhttp"
	"github.com/reinhardt-go/auth/core"
)

func Example() {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	_, _ = users.CreateUser(ctx, "alice", new("s3cret-pass"), nil)
	engine := core.NewEngine(&core.BasicAuthentication{Backend: core.NewModelBackend(users)})

	mux := http.NewServeMux()
	mux.Handle("GET /api/me", httpauth.Require(core.IsAuthenticated{})(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			u, _ := httpauth.UserAs[*core.DefaultUser](r)
			fmt.Fprintf(w, "hello %s (%s)", u.Username, httpauth.Identity(r).Method)
		})))
	srv := httptest.NewServer(httpauth.Middleware(engine)(mux))
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
