package fiberauth_test

import (
	"net"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/reinhardt-go/auth/adapters/adaptertest"
	fiberauth "github.com/reinhardt-go/auth/adapters/fiber"
	"github.com/reinhardt-go/auth/core"
)

type harness struct{}

func (harness) Serve(t *testing.T, f *adaptertest.Fixture, l net.Listener) {
	app := newApp(f.Engine)
	app.Use(fiberauth.Sessions(f.Sessions), fiberauth.CSRF(f.CSRF), fiberauth.Middleware(f.Engine))
	who := func(c *fiber.Ctx) error { return c.JSON(f.WhoAmI(c.UserContext())) }
	// app.Get serves HEAD too; app.All after it takes every other method.
	app.Get("/open", who)
	app.All("/open", methodNotAllowed("GET, HEAD"))
	app.Get("/private", fiberauth.Require(f.Private...), who)
	app.All("/private", fiberauth.Require(f.Private...), methodNotAllowed("GET, HEAD"))
	app.Get("/admin", fiberauth.Require(f.Admin...), who)
	app.Get("/throttled", fiberauth.Require(f.Throttled...), who)
	posts := fiberauth.Require(f.Posts...)
	app.Get("/posts", posts, func(c *fiber.Ctx) error { return c.JSON(f.ListPosts()) })
	app.Post("/posts", posts, func(c *fiber.Ctx) error {
		return reply(c)(f.CreatePost(fiberauth.NewRequest(c)))
	})
	app.Put("/posts/:id", posts, func(c *fiber.Ctx) error {
		return reply(c)(f.UpdatePost(fiberauth.NewRequest(c), c.Params("id"), func(obj any) error {
			return fiberauth.CheckObjectPermissions(c, obj, f.PostObject...)
		}))
	})
	app.Get("/visits", func(c *fiber.Ctx) error { return reply(c)(f.Visit(fiberauth.SessionFrom(c), true)) })
	app.Get("/peek", func(c *fiber.Ctx) error { return reply(c)(f.Visit(fiberauth.SessionFrom(c), false)) })
	app.Post("/register", fiberauth.Endpoint(f.Register))
	app.Get("/csrf", fiberauth.Endpoint(f.CSRFToken))
	app.Post("/login", fiberauth.Endpoint(f.Login))
	app.Post("/logout", fiberauth.Endpoint(f.Logout))
	app.Post("/token", fiberauth.Endpoint(f.TokenObtain))
	serve(t, app, l)
}

// methodNotAllowed is DRF's 405 for a view that serves allow.
func methodNotAllowed(allow string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderAllow, allow)
		return fiberauth.WriteError(c, core.MethodNotAllowed(fiberauth.NewRequest(c).Method()))
	}
}

// newApp is a Fiber app configured for the suite's limits: headers up to
// 64 KiB (431 beyond), bodies read up to 4 MiB so that the adapter
// answers the 1 MiB cap with its own 413.
func newApp(e *core.Engine) *fiber.App {
	return fiber.New(fiber.Config{
		ErrorHandler:          fiberauth.ErrorHandler(e),
		ReadBufferSize:        64 << 10,
		BodyLimit:             4 << 20,
		DisableStartupMessage: true,
	})
}

// serve runs app on l until the test ends.
func serve(t testing.TB, app *fiber.App, l net.Listener) {
	done := make(chan error, 1)
	go func() { done <- app.Listener(l) }()
	t.Cleanup(func() {
		if err := app.ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
}

func reply(c *fiber.Ctx) func(int, any, error) error {
	return func(status int, v any, err error) error {
		if err != nil {
			return fiberauth.WriteError(c, err)
		}
		return c.Status(status).JSON(v)
	}
}

func TestConformance(t *testing.T) { adaptertest.Run(t, harness{}) }

func TestAttacks(t *testing.T) { adaptertest.RunAttacks(t, harness{}) }
