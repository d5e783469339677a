package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
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

// testPrefix returns a key prefix of the test's own, whose keys are
// deleted when the test ends, so that tests sharing the server start
// empty and leave nothing behind.
func testPrefix(t testing.TB, c redis.UniversalClient) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	p := "reinhardt-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, p+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleaning up %s*: %v", p, err)
			return
		}
		for len(keys) > 0 {
			n := min(len(keys), 500)
			if err := c.Del(ctx, keys[:n]...).Err(); err != nil {
				t.Errorf("cleaning up %s*: %v", p, err)
				return
			}
			keys = keys[n:]
		}
	})
	return p
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
