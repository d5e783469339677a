package fiberauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/gofiber/fiber/v2"
	fiberauth "github.com/reinhardt-go/auth/adapters/fiber"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/memory"
)

// A Fiber v2 service from scratch (docs/getting-started.md): users,
// simplejwt's token endpoint, the Bearer authenticator and then the
// session cookie, sessions and CSRF as middleware, and a route guarded by
// a DRF permission class. app.Test sends the requests without a listener.
func Example_gettingStarted() {
	ctx := context.Background()
	secret := []byte("an example secret key of 32 bytes or more") // from a secret store in production

	users := core.NewDefaultUserManager() // stores/sqlstore keeps them in Django's tables
	if _, err := users.CreateUser(ctx, "alice", new("a-long-pass-phrase"), nil); err != nil {
		panic(err)
	}
	backend := core.NewModelBackend(users)

	rotation := tokens.NewTokenRotationManager(memory.NewBlacklist(), memory.NewRefreshStore())
	jwt, err := jwtauth.New(secret, jwtauth.WithRevocation(rotation.Revocation()))
	if err != nil {
		panic(err)
	}
	rotation.JWT, rotation.Users = jwt, backend

	protector, err := csrf.New()
	if err != nil {
		panic(err)
	}
	manager := sessions.NewManager(memory.NewSessionBackend())
	sessionAuth := sessions.NewSessionAuthentication(secret, backend)
	sessionAuth.Manager, sessionAuth.CSRF = manager, protector.Check
	engine := core.NewEngine(jwtauth.NewAuthentication(jwt, backend), sessionAuth)

	app := fiber.New(fiber.Config{ErrorHandler: fiberauth.ErrorHandler(engine), ReadBufferSize: 64 << 10})
	app.Use(fiberauth.Sessions(manager), fiberauth.CSRF(protector))
	app.Post("/api/token", fiberauth.Endpoint(&tokens.ObtainPairEndpoint{Manager: rotation, Backend: backend}))
	app.Get("/api/me", fiberauth.Middleware(engine), fiberauth.Require(core.IsAuthenticated{}), func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"username": fiberauth.User(c).GetUsername(), "auth": fiberauth.Identity(c).Method})
	})

	req := httptest.NewRequest("POST", "/api/token", strings.NewReader(`{"username":"alice","password":"a-long-pass-phrase"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := app.Test(req, -1)
	if err != nil {
		panic(err)
	}
	var pair struct{ Access, Refresh string }
	_ = json.NewDecoder(resp.Body).Decode(&pair)
	resp.Body.Close()
	for _, access := range []string{"", pair.Access} {
		req := httptest.NewRequest("GET", "/api/me", nil)
		if access != "" {
			req.Header.Set("Authorization", "Bearer "+access)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 401 {"detail":"Authentication credentials were not provided."}
	// 200 {"auth":"jwt","username":"alice"}
}
