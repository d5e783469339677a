package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/reinhardt-go/auth/examples/internal/showcase"
)

func main() { showcase.Main(run) }

// run serves until ctx ends. ready, when not nil, receives the listening
// address.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error {
	return showcase.Run(ctx, "net/http", args, getenv, stdout, stderr, ready, func(app *showcase.App, logger *slog.Logger) showcase.Server {
		return showcase.NewHTTPServer(routes(app), app.Config.Timeouts, logger)
	})
}
