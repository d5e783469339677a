// Command stdhttp is the showcase auth server on net/http: the HTTP
// contract of docs/showcase.md, written the way a net/http user writes it, with
// the wiring shared by every example in examples/internal/showcase.
//
//	go run ./examples/stdhttp -addr 127.0.0.1:8000 -db sqlite:var/showcase.sqlite3
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
