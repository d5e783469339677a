// Command echo is the showcase auth server on Echo: the HTTP contract of
// SHOWCASE.md, written the way an Echo user writes it, with the wiring
// shared by every example in examples/internal/showcase.
//
//	go run ./examples/echo -addr 127.0.0.1:8000 -db sqlite:var/showcase.sqlite3
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/reinhardt-go/auth/examples/internal/showcase"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "showcase:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. ready, when not nil, receives the listening
// address.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error {
	cfg, err := showcase.ParseFlags("echo", args, getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	app, err := showcase.Open(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer app.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	e := routes(app)
	e.Logger.SetOutput(stderr)
	e.StdLogger = slog.NewLogLogger(logger.Handler(), slog.LevelWarn) // becomes the server's ErrorLog
	e.Listener = ln
	srv := e.Server
	srv.ReadHeaderTimeout = 10 * time.Second
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.IdleTimeout = 120 * time.Second
	srv.MaxHeaderBytes = showcase.MaxHeaderBytes

	fmt.Fprintf(stdout, "reinhardt-auth showcase (Echo) listening on http://%s\n", ln.Addr())
	for _, c := range app.DemoCredentials {
		fmt.Fprintf(stdout, "demo user %q password %q (shown once)\n", c[0], c[1])
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- e.StartServer(srv) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
