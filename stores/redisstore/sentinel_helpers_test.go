package redisstore_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// sentinelMaster is the name the test Sentinel monitors its primary under.
const sentinelMaster = "reinhardt-test"

// sentinelSetup is a Redis primary, its replicas and one Sentinel watching
// them, each a redis-server process of the test's own on a free port of
// 127.0.0.1 with its files in the test's temporary directory.
type sentinelSetup struct {
	// Primary is the address of the primary the Sentinel was started
	// with; Replicas those of its replicas.
	Primary  string
	Replicas []string
	// Sentinel is the Sentinel's address.
	Sentinel string
}

// SentinelClient returns a client for the Sentinel itself, closed at the
// end of the test.
func (s *sentinelSetup) SentinelClient(t testing.TB) *redis.SentinelClient {
	t.Helper()
	c := redis.NewSentinelClient(&redis.Options{Addr: s.Sentinel})
	t.Cleanup(func() { c.Close() })
	return c
}

// startSentinel starts a primary, replicas replicas of it and a Sentinel
// monitoring the primary as sentinelMaster (quorum 1), waits until the
// Sentinel knows the primary and every replica, and returns a
// redis.NewFailoverClient for them (ContextTimeoutEnabled, as Open's
// clients). Everything is stopped when the test ends. As root the servers
// run as the unprivileged user scripts/services.sh uses (reinhardt-test),
// or nobody. Without redis-server (or redis-sentinel) the test skips, or
// fails under CI=true or REINHARDT_REQUIRE_SERVICES=1.
func startSentinel(t *testing.T, replicas int) (*redis.Client, *sentinelSetup) {
	t.Helper()
	server, err := exec.LookPath("redis-server")
	if err != nil {
		missingService(t, "redis-server")
	}
	// Debian's redis-sentinel is redis-server under another name; without
	// it, redis-server --sentinel is the same program.
	sentinelArgv := []string{server, "", "--sentinel"}
	if bin, err := exec.LookPath("redis-sentinel"); err == nil {
		sentinelArgv = []string{bin, ""}
	}
	cred := serviceCredential(t)
	dir := func() string {
		d := t.TempDir()
		if cred != nil {
			// The server's user must reach and write its directory
			// (a Sentinel rewrites its configuration file).
			for _, p := range []string{filepath.Dir(d), d} {
				if err := os.Chmod(p, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chown(d, int(cred.Uid), int(cred.Gid)); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}

	s := &sentinelSetup{Primary: closedPort(t)}
	common := func(addr, d string) []string {
		_, port, _ := net.SplitHostPort(addr)
		return []string{"--bind", "127.0.0.1", "--port", port, "--dir", d, "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
			// A replica syncs at once, not after the default 5 s wait for
			// others.
			"--repl-diskless-sync-delay", "0"}
	}
	d := dir()
	runRedis(t, "primary", cred, d, s.Primary, append([]string{server}, common(s.Primary, d)...))
	pHost, pPort, _ := net.SplitHostPort(s.Primary)
	for i := range replicas {
		addr := closedPort(t)
		d := dir()
		runRedis(t, fmt.Sprintf("replica %d", i+1), cred, d, addr,
			append(append([]string{server}, common(addr, d)...), "--replicaof", pHost, pPort))
		waitFor(t, "replica "+addr+" to sync with the primary", func(ctx context.Context) error {
			c := redis.NewClient(&redis.Options{Addr: addr})
			defer c.Close()
			info, err := c.Info(ctx, "replication").Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "master_link_status:up") {
				return fmt.Errorf("not in sync yet:\n%s", info)
			}
			return nil
		})
		s.Replicas = append(s.Replicas, addr)
	}

	s.Sentinel = closedPort(t)
	d = dir()
	_, sPort, _ := net.SplitHostPort(s.Sentinel)
	conf := filepath.Join(d, "sentinel.conf")
	body := strings.Join([]string{
		"bind 127.0.0.1",
		"port " + sPort,
		"dir " + d,
		"daemonize no",
		fmt.Sprintf("sentinel monitor %s %s %s 1", sentinelMaster, pHost, pPort),
		"sentinel down-after-milliseconds " + sentinelMaster + " 5000",
		"sentinel failover-timeout " + sentinelMaster + " 20000",
		"",
	}, "\n")
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		if err := os.Chown(conf, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	sentinelArgv[1] = conf
	runRedis(t, "sentinel", cred, d, s.Sentinel, sentinelArgv)

	// The Sentinel knows the master once it is connected to it and has
	// read its INFO (which lists the replicas).
	sc := s.SentinelClient(t)
	waitFor(t, "the Sentinel to know "+sentinelMaster, func(ctx context.Context) error {
		m, err := sc.Master(ctx, sentinelMaster).Result()
		if err != nil {
			return err
		}
		if m["flags"] != "master" || m["role-reported"] != "master" || m["num-slaves"] != strconv.Itoa(replicas) {
			return fmt.Errorf("SENTINEL MASTER: %v", m)
		}
		rs, err := sc.Replicas(ctx, sentinelMaster).Result()
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r["flags"] != "slave" || r["master-link-status"] != "ok" {
				return fmt.Errorf("SENTINEL REPLICAS: %v", rs)
			}
		}
		return nil
	})

	c := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:            sentinelMaster,
		SentinelAddrs:         []string{s.Sentinel},
		ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { c.Close() })
	return c, s
}

// runRedis starts argv (a redis-server) as cred, logging to its
// directory, waits until it answers PING on addr, and kills it when the
// test ends.
func runRedis(t *testing.T, name string, cred *syscall.Credential, dir, addr string, argv []string) {
	t.Helper()
	logPath := filepath.Join(dir, "redis.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	waitFor(t, name+" at "+addr+" to answer", func(ctx context.Context) error {
		select {
		case <-done:
			b, _ := os.ReadFile(logPath)
			t.Fatalf("%s exited at start:\n%s", name, b)
		default:
		}
		c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		defer c.Close()
		return c.Ping(ctx).Err()
	})
}

// waitFor calls ready until it returns nil, failing the test with its
// last error after 30 seconds.
func waitFor(t *testing.T, what string, ready func(ctx context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := ready(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serviceCredential is the user the servers run as: nil (the test's own)
// unless the test runs as root, then scripts/services.sh's reinhardt-test,
// or nobody.
func serviceCredential(t *testing.T) *syscall.Credential {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	for _, name := range []string{"reinhardt-test", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	t.Fatal("running as root, and neither reinhardt-test nor nobody exists to run redis-server as")
	return nil
}

// missingService skips the test for want of a program, or fails it under
// CI=true or REINHARDT_REQUIRE_SERVICES=1.
func missingService(t *testing.T, what string) {
	t.Helper()
	if required() {
		t.Fatalf("%s is not installed, and CI=true or REINHARDT_REQUIRE_SERVICES=1 requires it", what)
	}
	t.Skipf("%s is not installed", what)
}
