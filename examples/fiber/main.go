// Command fiber is the showcase auth server on Fiber v2: the HTTP contract
// of SHOWCASE.md, written the way a Fiber user writes it, with the wiring
// shared by every example in examples/internal/showcase.
//
//	go run ./examples/fiber -addr 127.0.0.1:8000 -db sqlite:var/showcase.sqlite3
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
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
	cfg, err := showcase.ParseFlags("fiber", args, getenv)
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
	srv := newApp(app)
	fmt.Fprintf(stdout, "reinhardt-auth showcase (Fiber) listening on http://%s\n", ln.Addr())
	for _, c := range app.DemoCredentials {
		fmt.Fprintf(stdout, "demo user %q password %q (shown once)\n", c[0], c[1])
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if err := srv.ShutdownWithTimeout(10 * time.Second); err != nil {
		return err
	}
	return <-errc
}
