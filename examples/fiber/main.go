package main

import (
	"context"
	"io"
	"log/slog"
	"net"

	"github.com/gofiber/fiber/v2"

	"github.com/reinhardt-go/auth/examples/internal/showcase"
)

func main() { showcase.Main(run) }

// run serves until ctx ends. ready, when not nil, receives the listening
// address.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error {
	return showcase.Run(ctx, "Fiber", args, getenv, stdout, stderr, ready, func(app *showcase.App, _ *slog.Logger) showcase.Server {
		return fiberServer{newApp(app)}
	})
}

// fiberServer serves a Fiber app as a showcase.Server.
type fiberServer struct{ *fiber.App }

func (f fiberServer) Serve(ln net.Listener) error        { return f.Listener(ln) }
func (f fiberServer) Shutdown(ctx context.Context) error { return f.ShutdownWithContext(ctx) }
