package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/stores/redisstore"
)

// required reports whether a missing service must fail the test rather
// than skip it: in CI, or when asked.
func required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("REINHARDT_REQUIRE_SERVICES") == "1"
}

// redisClient returns a client for REINHARDT_TEST_REDIS, closed at the end
// of the test; without the variable the test skips, or fails in CI.
func redisClient(t testing.TB) redis.UniversalClient {
	t.Helper()
	u := os.Getenv("REINHARDT_TEST_REDIS")
	if u == "" {
		if required() {
			t.Fatal("REINHARDT_TEST_REDIS is not set, and CI=true or REINHARDT_REQUIRE_SERVICES=1 requires the Redis tests: run scripts/services.sh start and export its env")
		}
		t.Skip("REINHARDT_TEST_REDIS is not set (scripts/services.sh start provides it)")
	}
	c, err := redisstore.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("REINHARDT_TEST_REDIS does not answer: %v", err)
	}
	return c
}

// redisClusterClient returns a cluster client for
// REINHARDT_TEST_REDIS_CLUSTER (comma-separated node addresses), closed at
// the end of the test; without the variable the test skips, or fails in
// CI.
func redisClusterClient(t testing.TB) redis.UniversalClient {
	t.Helper()
	addrs := os.Getenv("REINHARDT_TEST_REDIS_CLUSTER")
	if addrs == "" {
		if required() {
			t.Fatal("REINHARDT_TEST_REDIS_CLUSTER is not set, and CI=true or REINHARDT_REQUIRE_SERVICES=1 requires the Redis Cluster tests: run scripts/services.sh start and export its env")
		}
		t.Skip("REINHARDT_TEST_REDIS_CLUSTER is not set (scripts/services.sh start provides it)")
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.ForEachShard(ctx, func(ctx context.Context, n *redis.Client) error { return n.Ping(ctx).Err() }); err != nil {
		t.Fatalf("REINHARDT_TEST_REDIS_CLUSTER does not answer: %v", err)
	}
	return c
}

// onRedisAndCluster runs f as two subtests, "Redis" on REINHARDT_TEST_REDIS
// and "Cluster" on REINHARDT_TEST_REDIS_CLUSTER, each skipping (or failing
// in CI) without its server.
func onRedisAndCluster(t *testing.T, f func(t *testing.T, c redis.UniversalClient)) {
	t.Run("Redis", func(t *testing.T) { f(t, redisClient(t)) })
	t.Run("Cluster", func(t *testing.T) { f(t, redisClusterClient(t)) })
}

// testPrefix returns a key prefix of the test's own, whose keys are
// deleted when the test ends (on every master of a Cluster), so that
// tests sharing the server start empty and leave nothing behind.
func testPrefix(t testing.TB, c redis.UniversalClient) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	p := "reinhardt-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		clean := func(ctx context.Context, n redis.Cmdable) error {
			iter := n.Scan(ctx, 0, p+"*", 1000).Iterator()
			for iter.Next(ctx) {
				if err := n.Del(ctx, iter.Val()).Err(); err != nil {
					return err
				}
			}
			return iter.Err()
		}
		var err error
		if cl, ok := c.(*redis.ClusterClient); ok {
			err = cl.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return clean(ctx, n) })
		} else {
			err = clean(ctx, c)
		}
		if err != nil {
			t.Errorf("cleaning up %s*: %v", p, err)
		}
	})
	return p
}

// allKeys returns the keys matching pattern, on every master of a
// Cluster.
func allKeys(ctx context.Context, c redis.UniversalClient, pattern string) ([]string, error) {
	var (
		mu   sync.Mutex
		keys []string
	)
	get := func(ctx context.Context, n redis.Cmdable) error {
		k, err := n.Keys(ctx, pattern).Result()
		mu.Lock()
		keys = append(keys, k...)
		mu.Unlock()
		return err
	}
	if cl, ok := c.(*redis.ClusterClient); ok {
		err := cl.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return get(ctx, n) })
		return keys, err
	}
	return keys, get(ctx, c)
}

// closedPort returns an address on which nothing listens.
func closedPort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// fakeRequest is a core.Request with a session cookie.
type fakeRequest struct {
	core.Request
	cookie string
}

func (r *fakeRequest) Cookie(string) string { return r.cookie }
