package examples_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/examples/internal/showcasetest"
)

// frameworks are the example programs, by directory; the first is the
// reference the others are compared with (the net/http adapter renders
// errors the way every other adapter must).
var frameworks = []string{"stdhttp", "gin", "echo", "fiber"}

// buildServers builds every example's main, and authctl, into a temporary
// directory with one `go build` and returns the binaries by framework (and
// "authctl"). Given frameworks, it builds only those (and authctl).
func buildServers(t *testing.T, only ...string) map[string]string {
	t.Helper()
	goCmd, err := exec.LookPath("go") // go test puts its own GOROOT/bin first on PATH
	if err != nil {
		t.Fatalf("the go command is needed to build the examples: %v", err)
	}
	readSources(t)
	dir := t.TempDir()
	args := append([]string{"build"}, raceFlags...)
	args = append(args, "-o", dir+string(filepath.Separator))
	build := frameworks
	if len(only) > 0 {
		build = only
	}
	for _, fw := range build {
		args = append(args, "./"+fw)
	}
	args = append(args, "../cmd/authctl")
	cmd := exec.Command(goCmd, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	bins := map[string]string{}
	for _, fw := range build {
		bins[fw] = filepath.Join(dir, fw)
	}
	bins["authctl"] = filepath.Join(dir, "authctl")
	return bins
}

// readSources reads every Go file of the module (bench/ aside), so that
// go test's cache, which notes the files a test opens, sees a change in
// the code the binaries are built from: the go build above runs in another
// process, where the cache cannot see it.
func readSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == "bench" || strings.HasPrefix(d.Name(), ".") && path != ".."):
			return filepath.SkipDir
		case !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod" || d.Name() == "go.sum"):
			_, err = os.ReadFile(path)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the sources: %v", err)
	}
}

// server is one running example program.
type server struct {
	framework string
	base      string // http://127.0.0.1:PORT
	// demo maps the demo usernames to the passwords the program printed
	// (startServer waits for them; launch does not).
	demo map[string]string

	mu      sync.Mutex
	printed []string
	// stderr is what the program logged so far (mail included: the
	// showcase writes each mail to its log without -smtp).
	stderr showcasetest.SyncBuffer
	// stop ends the program with a signal, once, and returns how it
	// exited (launch's cleanup then only checks that exit).
	stop func(os.Signal) error
}

var (
	listeningLine  = regexp.MustCompile(`^reinhardt-auth showcase \(([^)]+)\) listening on (http://\S+)$`)
	demoLine       = regexp.MustCompile(`^demo user "([^"]+)" password "([^"]+)"`)
	demoClientLine = regexp.MustCompile(`^demo OAuth2 client "([^"]+)" secret "([^"]+)"`)
)

// startServer runs bin as a process on a free port with a fresh SQLite
// database and otherwise the defaults (demo users, generated secret),
// and waits until it has printed its address and the demo credentials.
// When the test ends it is stopped with SIGINT and must exit cleanly (a
// race-enabled server that saw a data race exits 66).
func startServer(t *testing.T, framework, bin string) *server {
	t.Helper()
	db := "sqlite:" + filepath.Join(t.TempDir(), "showcase.sqlite3")
	s, err := launch(t, framework, bin, "-db", db)
	if err != nil {
		t.Fatal(err)
	}
	// Run prints the credentials right after the address.
	deadline := time.Now().Add(time.Minute)
	for {
		demo := s.demoCredentials()
		if demo["admin"] != "" && demo["alice"] != "" && demo["demo-confidential"] != "" {
			s.demo = demo
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s server printed no demo credentials:\n%s", framework, strings.Join(s.output(), "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// launch runs bin as a process on a free port with args (after -addr),
// and waits until it has printed its address; an error says why it did
// not (with what it printed). It may be called from several goroutines
// at once. When the test ends the process is stopped with SIGINT and must
// exit cleanly (a race-enabled server that saw a data race exits 66).
func launch(t *testing.T, framework, bin string, args ...string) (*server, error) {
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = serverEnv()
	s := &server{framework: framework}
	stderr := &s.stderr
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	listening := make(chan string, 1)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.printed = append(s.printed, line)
			s.mu.Unlock()
			if m := listeningLine.FindStringSubmatch(line); m != nil {
				listening <- m[2]
			}
		}
	}()
	stopped := false
	var stopErr error
	var stopMu sync.Mutex
	stopWith := func(sig os.Signal) error {
		stopMu.Lock()
		defer stopMu.Unlock()
		if !stopped {
			stopped = true
			if err := cmd.Process.Signal(sig); err != nil {
				_ = cmd.Process.Kill()
			}
			<-drained // let the reader reach EOF before Wait closes the pipe
			stopErr = cmd.Wait()
		}
		return stopErr
	}
	stop := func() error { return stopWith(os.Interrupt) }
	s.stop = stopWith
	t.Cleanup(func() {
		err := stop()
		var exit *exec.ExitError
		switch {
		case strings.Contains(stderr.String(), "DATA RACE"):
			t.Errorf("%s server: data race:\n%s", framework, stderr.String())
		case errors.As(err, &exit):
			t.Errorf("%s server exited with %v on SIGINT or SIGTERM:\n%s", framework, err, stderr.String())
		case err != nil:
			t.Errorf("%s server: %v", framework, err)
		}
	})

	// A guard against a server that hangs before printing, not a timing
	// assertion: starting takes well under a second.
	deadline := time.NewTimer(2 * time.Minute)
	defer deadline.Stop()
	select {
	case s.base = <-listening:
		return s, nil
	case <-drained:
		err := stop()
		return nil, fmt.Errorf("%s server stopped before it was ready (%v):\nstdout:\n%s\nstderr:\n%s", framework, err, strings.Join(s.output(), "\n"), stderr.String())
	case <-deadline.C:
		_ = stop()
		return nil, fmt.Errorf("%s server printed no address in 2 minutes:\nstdout:\n%s\nstderr:\n%s", framework, strings.Join(s.output(), "\n"), stderr.String())
	}
}

// output is what the program printed so far.
func (s *server) output() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.printed)
}

// resetLinks are the uid and token of each password-reset link the
// program has logged (its console mailer) for a mail to address, oldest
// first.
func (s *server) resetLinks(address string) [][2]string {
	var out [][2]string
	for line := range strings.SplitSeq(s.stderr.String(), "\n") {
		if !strings.Contains(line, " msg=mail ") || !strings.Contains(line, " to=["+address+"] ") {
			continue
		}
		if m := resetLink.FindStringSubmatch(line); m != nil {
			out = append(out, [2]string{m[1], m[2]})
		}
	}
	return out
}

var resetLink = regexp.MustCompile(`/accounts/reset/([A-Za-z0-9_-]+)/([0-9a-z]+-[0-9a-f]+)`)

// demoCredentials are the demo users and passwords printed so far.
func (s *server) demoCredentials() map[string]string {
	demo := map[string]string{}
	for _, line := range s.output() {
		if m := demoLine.FindStringSubmatch(line); m != nil {
			demo[m[1]] = m[2]
		}
		if m := demoClientLine.FindStringSubmatch(line); m != nil {
			demo[m[1]] = m[2] // ${pw.demo-confidential}
		}
	}
	return demo
}

// serverEnv is this process's environment without the showcase's own
// variables, so that only the flags configure the servers.
func serverEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "REINHARDT_") })
}
