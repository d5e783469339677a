package examples_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"github.com/redis/go-redis/v9"
)

// storeProc is a store server (redis-server, postgres) the test runs as a
// process of its own, on a free port, with its files in the test's
// temporary directory, so that stopping or pausing it touches no other
// test. Pause, Resume and a kill signal the server and its children
// (PostgreSQL serves each connection from a child process, which puts
// itself in a session of its own). It is stopped when the test ends.
type storeProc struct {
	t    *testing.T
	name string
	argv []string
	cred *syscall.Credential
	log  string
	port int
	cmd  *exec.Cmd
	done chan error
	// ready waits until the server answers.
	ready  func(ctx context.Context) error
	paused bool
}

// start runs the server and waits until it answers.
func (p *storeProc) start() {
	p.t.Helper()
	logf, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: p.cred}
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
	p.cmd, p.done = cmd, make(chan error, 1)
	go func() { p.done <- cmd.Wait() }()
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := p.ready(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case werr := <-p.done:
			p.done <- werr
			p.t.Fatalf("%s exited at start (%v):\n%s", p.name, werr, readFile(p.log))
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s does not answer after a minute: %v\n%s", p.name, err, readFile(p.log))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop ends the server with sig (SIGTERM, or SIGKILL for a crash; SIGINT
// is PostgreSQL's fast shutdown) and waits until it has exited.
func (p *storeProc) Stop(sig syscall.Signal) {
	p.t.Helper()
	if p.cmd == nil {
		return
	}
	if p.paused {
		p.Resume()
	}
	if sig == syscall.SIGKILL {
		p.signalAll(sig) // a crash: PostgreSQL's backends die with it
	} else {
		_ = p.cmd.Process.Signal(sig)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.signalAll(syscall.SIGKILL)
		<-p.done
		p.t.Errorf("%s did not exit on %v within 30 s: killed", p.name, sig)
	}
	p.cmd = nil
}

// Restart starts the stopped server again, on the same port with the same
// files.
func (p *storeProc) Restart() { p.t.Helper(); p.start() }

// Pause stops the server's processes (SIGSTOP): connections stay open and
// every call on them hangs.
func (p *storeProc) Pause() {
	p.t.Helper()
	p.signalAll(syscall.SIGSTOP)
	p.paused = true
}

// Resume lets a paused server run again (SIGCONT).
func (p *storeProc) Resume() {
	p.t.Helper()
	p.signalAll(syscall.SIGCONT)
	p.paused = false
}

// signalAll sends sig to the server and then to each of its children (the
// server first, so that it forks no new one meanwhile).
func (p *storeProc) signalAll(sig syscall.Signal) {
	p.t.Helper()
	pid := p.cmd.Process.Pid
	if err := syscall.Kill(pid, sig); err != nil {
		p.t.Fatalf("%s: %v: %v", p.name, sig, err)
	}
	for _, child := range children(pid) {
		_ = syscall.Kill(child, sig) // it may have just exited
	}
}

// children are the processes whose parent is pid (/proc/PID/stat's fourth
// field).
func children(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(b[i+1:]))
		if len(fields) < 2 || fields[1] != strconv.Itoa(pid) {
			continue
		}
		if c, err := strconv.Atoi(filepath.Base(filepath.Dir(f))); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// startRedis runs a redis-server of the test's own (no persistence, or
// the extra arguments' such as AOF) and returns it with its redis:// URL.
// Without redis-server the test skips, or fails under CI=true or
// REINHARDT_REQUIRE_SERVICES=1.
func startRedis(t *testing.T, extra ...string) (*storeProc, string) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		missing(t, "redis-server")
	}
	dir := t.TempDir()
	port := freePort(t)
	argv := append([]string{bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", dir,
		"--save", "", "--daemonize", "no", "--protected-mode", "yes"}, extra...)
	url := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	p := &storeProc{t: t, name: "redis-server", argv: argv, log: filepath.Join(dir, "redis.log"), port: port}
	redis.SetLogger(quietRedis{}) // the readiness polls' failed dials
	p.ready = func(ctx context.Context) error {
		c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port), MaxRetries: -1, DialerRetries: 1})
		defer c.Close()
		return c.Ping(ctx).Err()
	}
	p.start()
	t.Cleanup(func() { p.Stop(syscall.SIGKILL) })
	return p, url
}

// startPostgres runs a PostgreSQL of the test's own (initdb in the test's
// temporary directory; as root, as the unprivileged user services.sh
// uses, or nobody) and returns it with its postgres:// URL.
func startPostgres(t *testing.T) (*storeProc, string) {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	slices.SortFunc(bins, func(a, b string) int { return pgVersion(b) - pgVersion(a) })
	if len(bins) == 0 {
		missing(t, "PostgreSQL (/usr/lib/postgresql/*/bin/postgres)")
	}
	bin := filepath.Dir(bins[0])
	dir := t.TempDir()
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		cred = unprivileged(t)
		// The server's user must reach its directory.
		for _, d := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port := freePort(t)
	argv := []string{filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir, "-h", "127.0.0.1",
		"-F", "-c", "max_connections=100", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"}
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	p := &storeProc{t: t, name: "postgres", argv: argv, cred: cred, log: filepath.Join(dir, "postgres.log"), port: port}
	p.ready = func(ctx context.Context) error {
		db, err := sql.Open("pgx", url)
		if err != nil {
			return err
		}
		defer db.Close()
		return db.PingContext(ctx)
	}
	p.start()
	t.Cleanup(func() { p.Stop(syscall.SIGINT) })
	return p, url
}

// unprivileged is the user PostgreSQL runs as when the test runs as root
// (it refuses to run as root): services.sh's reinhardt-test, or nobody.
func unprivileged(t *testing.T) *syscall.Credential {
	for _, name := range []string{"reinhardt-test", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	t.Fatal("running as root, and neither reinhardt-test nor nobody exists to run PostgreSQL as")
	return nil
}

func pgVersion(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(bin))))
	return v
}

// freePort is a TCP port on 127.0.0.1 nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// missing skips the test for want, or fails it where services are
// required (CI=true, REINHARDT_REQUIRE_SERVICES=1).
func missing(t *testing.T, want string) {
	t.Helper()
	if os.Getenv("CI") == "true" || os.Getenv("REINHARDT_REQUIRE_SERVICES") == "1" {
		t.Fatalf("%s is needed (scripts/services.sh installs it)", want)
	}
	t.Skipf("%s not found (scripts/services.sh installs it)", want)
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// quietRedis drops go-redis's log lines (each failed dial of the polls).
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}
