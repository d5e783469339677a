package showcase

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
	"strconv"
	"syscall"
	"time"
)

// Server is how an example program serves: Serve blocks until Shutdown.
// *http.Server is one (for net/http, Gin and Echo); Fiber wraps its app.
type Server interface {
	Serve(ln net.Listener) error
	Shutdown(ctx context.Context) error
}

// NewHTTPServer is the http.Server of the examples built on net/http: the
// timeouts of t (a client that sends nothing, or a request line and
// headers it never finishes, is dropped after t.ReadHeader; a kept-alive
// connection after t.Idle), and the header limit that makes headers over
// 64 KiB a 431.
func NewHTTPServer(h http.Handler, t Timeouts, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// Run is the whole life of an example program: parse args (and the
// environment through getenv), open the App, listen on -addr, print the
// address and the demo credentials to stdout, send the address on ready
// (when not nil), serve with the Server newServer builds until ctx ends,
// then shut down within 10 seconds. framework names the program in its
// output.
func Run(ctx context.Context, framework string, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string,
	newServer func(app *App, logger *slog.Logger) Server) error {
	cfg, err := ParseFlags(framework, args, getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	// Listen first: the default issuer names the port listened on.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer(cfg.Addr, ln.Addr().String())
	}
	app, err := Open(ctx, cfg, logger)
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	app.SetOrigin(origin(ln.Addr()))
	srv := newServer(app, logger)
	fmt.Fprintf(stdout, "reinhardt-auth showcase (%s) listening on http://%s\n", framework, ln.Addr())
	for _, c := range app.DemoCredentials {
		fmt.Fprintf(stdout, "demo user %q password %q (shown once)\n", c[0], c[1])
	}
	for _, c := range app.DemoClients {
		if c.ClientSecret == "" {
			fmt.Fprintf(stdout, "demo OAuth2 client %q (public: PKCE, no secret) redirect URI %q\n", c.ClientID, DemoRedirectURI)
			continue
		}
		fmt.Fprintf(stdout, "demo OAuth2 client %q secret %q redirect URI %q (shown once)\n", c.ClientID, c.ClientSecret, DemoRedirectURI)
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// RunFunc is an example program's run: it serves until ctx ends, sending
// its listening address on ready when ready is not nil.
type RunFunc func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error

// Main is every example's main: run with the process's arguments and
// environment until SIGINT or SIGTERM; a failure is printed and exits 1.
func Main(run RunFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "showcase:", err)
		os.Exit(1)
	}
}

// origin is the http:// origin of the listening address: its host and
// port, "localhost" for a wildcard address (0.0.0.0, ::), which no
// browser can open.
func origin(addr net.Addr) string {
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return "http://" + net.JoinHostPort("localhost", strconv.Itoa(ta.Port))
	}
	return "http://" + addr.String()
}
