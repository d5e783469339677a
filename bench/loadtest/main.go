package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	mode := fs.String("mode", "load", "load, login, soak or hugebody")
	repo := fs.String("repo", "..", "the repository's root (the examples are built from it)")
	out := fs.String("out", "", "also write the benchmark lines to this file")
	d := fs.Duration("time", 10*time.Second, "load: each wrk run; login: the steady phase; soak: the whole soak")
	rounds := fs.Int("rounds", 3, "load, hugebody: interleaved rounds")
	perRound := fs.Int("n", 40, "hugebody: requests of each case per round")
	conns := fs.Int("conns", 64, "load: wrk's connections")
	burst := fs.Int("burst", 500, "login: concurrent logins at once")
	fwList := fs.String("frameworks", strings.Join(frameworks, ","), "frameworks to run, comma-separated (soak: the first)")
	workers := fs.Int("workers", 4, "soak: concurrent clients")
	serve := fs.String("serve", "", "serve a comparison app, FRAMEWORK/APP (app: reinhardt-lib, usual, none), and nothing else")
	addr := fs.String("addr", "127.0.0.1:0", "-serve: listen address")
	bodyFile := fs.String("body-file", "", "-serve: the body to answer with")
	userID := fs.Int64("user-id", 0, "-serve: the id of the token's user (app reinhardt-lib)")
	username := fs.String("username", "", "-serve: the username of the token's user (app reinhardt-lib)")
	cpuProfile := fs.String("cpuprofile", "", "-serve: write a CPU profile of the app to this file")
	profileDir := fs.String("profile", "", "load: write a CPU profile of each comparison app's runs to this directory (FRAMEWORK-APP.prof; the showcase is not profiled)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *serve != "" {
		if *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		return serveApp(ctx, *serve, *addr, *bodyFile, *userID, *username, stdout)
	}
	fws := strings.Split(*fwList, ",")
	for _, fw := range fws {
		if !contains(frameworks, fw) {
			return fmt.Errorf("-frameworks: unknown %q", fw)
		}
	}
	dir, err := os.MkdirTemp("", "loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = io.MultiWriter(stdout, f)
	}
	var extra []string
	switch *mode {
	case "login":
		// Successful logins are never throttled; the limiter is under test.
	case "soak":
		// The soak's wrong passwords come from one address: a rate that
		// never throttles the mix. It runs on the first framework only.
		extra = []string{"-login-rate", "100000/min"}
		fws = fws[:1]
	case "load", "hugebody":
	default:
		return fmt.Errorf("-mode %q: want load, login, soak or hugebody", *mode)
	}
	fmt.Fprintf(os.Stderr, "loadtest: building the showcase (%s) and seeding its database in %s\n", strings.Join(fws, ", "), dir)
	fx, err := newFixture(ctx, *repo, dir, fws, extra)
	if err != nil {
		return err
	}
	fx.profileDir = *profileDir
	writeHeader(w)
	switch *mode {
	case "load":
		return runLoad(ctx, fx, fws, *d, *rounds, *conns, w, stdout)
	case "login":
		return runLogin(ctx, fx, fws, *d, *burst, w, stdout)
	case "hugebody":
		return runHugeBody(ctx, fx, fws, *perRound, *rounds, w, stdout)
	default:
		return runSoak(ctx, fx, fws[0], *d, *workers, w, stdout)
	}
}

// serveApp serves one comparison app until ctx ends, printing its address
// the way the showcase does.
func serveApp(ctx context.Context, name, addr, bodyFile string, userID int64, username string, stdout io.Writer) error {
	body, err := os.ReadFile(bodyFile)
	if err != nil {
		return err
	}
	secret := os.Getenv(secretEnv)
	if len(secret) < 32 {
		return fmt.Errorf("%s: want the HS256 key, 32 bytes or more", secretEnv)
	}
	srv, err := newApp(name, appConfig{Secret: []byte(secret), Body: body, UserID: userID, Username: username})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loadtest app %s listening on http://%s\n", name, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// writeHeader writes the configuration lines of Go benchmark output.
func writeHeader(w io.Writer) {
	fmt.Fprintf(w, "goos: %s\ngoarch: %s\npkg: github.com/reinhardt-go/auth/bench/loadtest\n", runtime.GOOS, runtime.GOARCH)
	if cpu := cpuName(); cpu != "" {
		fmt.Fprintf(w, "cpu: %s\n", cpu)
	}
	fmt.Fprintf(w, "ncpu: %d\n", runtime.NumCPU())
}

func cpuName() string {
	b, err := os.ReadFile(filepath.Join("/proc", "cpuinfo"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
