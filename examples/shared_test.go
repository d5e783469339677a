package examples_test

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/examples/internal/showcasetest"
)

// TestSharedState: a Gin and a Fiber showcase, two processes over one
// database and one Redis, are one service to their users
// (showcasetest.SharedState): on PostgreSQL and Redis, on MariaDB
// (REINHARDT_TEST_MYSQL) and on the Redis Cluster
// (REINHARDT_TEST_REDIS_CLUSTER). Every row runs: a showcase that
// refuses one of these stores fails the test.
func TestSharedState(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	bins := buildServers(t, "gin", "fiber")
	rows := []struct {
		name      string
		db, redis func(t *testing.T) string
	}{
		{"PostgresRedis", showcasetest.PostgresDB, sharedRedis},
		{"MariaDBRedis", mariaDB, sharedRedis},
		{"PostgresRedisCluster", showcasetest.PostgresDB, redisClusterURL},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			db, redisURL := row.db(t), row.redis(t)
			// Does the showcase take these stores yet?
			if ok, out := accepts(t, bins["gin"], "-db", db, "-redis", redisURL, "-sessions", "redis", "-demo=false", "-secret", showcasetest.SharedSecret); !ok {
				t.Fatalf("the showcase did not start:\n%s", out)
			}
			showcasetest.SharedState(t, processStarter("gin", bins["gin"], true), processStarter("fiber", bins["fiber"], false), db, redisURL)
		})
	}
}

// processStarter runs an example program as a process (launch) for the
// showcasetest suites. With demo, it waits for the demo credentials a new
// database makes it print.
func processStarter(framework, bin string, demo bool) showcasetest.Starter {
	return func(t *testing.T, args []string) (string, string) {
		t.Helper()
		if demo {
			s := startShowcase(t, framework, bin, args...)
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(strings.Join(s.output(), "\n"), `demo OAuth2 client "demo-confidential"`) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			return s.base, strings.Join(s.output(), "\n")
		}
		s, err := launch(t, framework, bin, args...)
		if err != nil {
			t.Fatal(err)
		}
		return s.base, strings.Join(s.output(), "\n")
	}
}

// accepts runs bin with args until it listens (true) or exits (false,
// with what it printed), and stops it.
func accepts(t *testing.T, bin string, args ...string) (bool, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = serverEnv()
	var stderr showcasetest.SyncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A guard against a program that neither listens nor exits.
	guard := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
	defer guard.Stop()
	listening := false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if listeningLine.MatchString(sc.Text()) {
			listening = true
			break
		}
	}
	_ = cmd.Process.Signal(os.Interrupt)
	go func() {
		for sc.Scan() {
		}
	}()
	_ = cmd.Wait()
	return listening, stderr.String()
}

// sharedRedis is the test Redis (REINHARDT_TEST_REDIS) on a database
// number of its own from 1 to 15, so that the login-throttle counters
// of other tests' servers (keyed by the client address 127.0.0.1) are not
// counted with these.
func sharedRedis(t *testing.T) string {
	return withSharedPrefix(showcasetest.RedisURL(t))
}

// withSharedPrefix gives a Redis URL a key prefix of its own (the
// showcase's prefix parameter), so that runs and rows sharing a Redis do
// not share throttle counters or anything else.
func withSharedPrefix(u string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "prefix=" + url.QueryEscape("shared-test:"+strings.ToLower(rand.Text()[:12])+":")
}

// redisClusterURL is the test Redis Cluster (REINHARDT_TEST_REDIS_CLUSTER,
// "h:p1,h:p2,h:p3") as go-redis's cluster URL,
// redis://h:p1?addr=h:p2&addr=h:p3.
func redisClusterURL(t *testing.T) string {
	nodes := os.Getenv("REINHARDT_TEST_REDIS_CLUSTER")
	if nodes == "" {
		missing(t, "the test Redis Cluster (REINHARDT_TEST_REDIS_CLUSTER, from scripts/services.sh)")
	}
	addrs := strings.Split(nodes, ",")
	q := url.Values{}
	for _, a := range addrs[1:] {
		q.Add("addr", a)
	}
	return withSharedPrefix("redis://" + addrs[0] + "?" + q.Encode())
}

// mariaDB is a new database on the test MariaDB (REINHARDT_TEST_MYSQL,
// mysql://user:pass@host:port/db), made and dropped with the mariadb
// client, as the showcase's -db mysql:// URL.
func mariaDB(t *testing.T) string {
	base := os.Getenv("REINHARDT_TEST_MYSQL")
	if base == "" {
		missing(t, "the test MariaDB (REINHARDT_TEST_MYSQL, from scripts/services.sh)")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("REINHARDT_TEST_MYSQL: %v", err)
	}
	client := "mariadb"
	if _, err := exec.LookPath(client); err != nil {
		client = "mysql"
	}
	pw, _ := u.User.Password()
	name := "shared_" + strings.ToLower(rand.Text()[:10])
	sql := func(stmt string) error {
		cmd := exec.Command(client, "--no-defaults", "-h", u.Hostname(), "-P", u.Port(), "-u", u.User.Username(), "-e", stmt)
		cmd.Env = append(os.Environ(), "MYSQL_PWD="+pw)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", stmt, err, out)
		}
		return nil
	}
	if err := sql("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sql("DROP DATABASE " + name) })
	u.Path = "/" + name
	return u.String()
}
