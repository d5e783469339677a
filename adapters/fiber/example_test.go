package fiberauth_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"

	"github.com/gofiber/fiber/v2"
	fiberauth "github.com/reinhardt-go/auth/adapters/fiber"
	"github.com/reinhardt-go/auth/core"
)

func Example() {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	_, _ = users.CreateUser(ctx, "alice", new("s3cret-pass"), nil)
	engine := core.NewEngine(&core.BasicAuthentication{Backend: core.NewModelBackend(users)})

	app := fiber.New(fiber.Config{ErrorHandler: fiberauth.ErrorHandler(engine), ReadBufferSize: 64 << 10})
	app.Use(fiberauth.Middleware(engine))
	app.Get("/api/me", fiberauth.Require(core.IsAuthenticated{}), func(c *fiber.Ctx) error {
		u, _ := fiberauth.UserAs[*core.DefaultUser](c)
		return c.SendString(fmt.Sprintf("hello %s (%s)", u.Username, fiberauth.Identity(c).Method))
	})

	for _, pass := range []string{"", "s3cret-pass"} {
		req := httptest.NewRequest("GET", "/api/me", nil)
		if pass != "" {
			req.SetBasicAuth("alice", pass)
		}
		resp, err := app.Test(req, -1)
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
