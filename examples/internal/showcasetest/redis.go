package showcasetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/stores/redisstore"
)

// redisRun keeps the Redis keys of one test process apart from another's.
var redisRun = func() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}()

// withPrefix adds the showcase's prefix parameter to a Redis URL: the
// process's run and the test's name, so that every test has keys of its
// own and the instances one test starts share them.
func withPrefix(t *testing.T, u string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "prefix=" + url.QueryEscape(redisPrefix(t))
}

// redisPrefix is the key prefix withPrefix gives the test's instances.
func redisPrefix(t *testing.T) string { return "showcase-test:" + redisRun + ":" + t.Name() + ":" }

// RedisClusterURL returns go-redis's cluster URL of the test Redis
// Cluster `make test` starts (REINHARDT_TEST_REDIS_CLUSTER), with the
// test's key prefix; without it the test skips, or fails under CI=true or
// REINHARDT_REQUIRE_SERVICES=1.
func RedisClusterURL(t *testing.T) string {
	addrs := os.Getenv("REINHARDT_TEST_REDIS_CLUSTER")
	if addrs == "" {
		if os.Getenv("CI") == "true" || os.Getenv("REINHARDT_REQUIRE_SERVICES") == "1" {
			t.Fatal("REINHARDT_TEST_REDIS_CLUSTER is not set: run the tests with `make test`, which starts a Redis Cluster")
		}
		t.Skip("REINHARDT_TEST_REDIS_CLUSTER not set (make test starts a Redis Cluster)")
	}
	nodes := strings.Split(addrs, ",")
	u := "redis://" + nodes[0]
	for i, n := range nodes[1:] {
		if i == 0 {
			u += "?addr=" + n
		} else {
			u += "&addr=" + n
		}
	}
	return withPrefix(t, u)
}

// withArgs returns a Starter that starts with args added.
func withArgs(start Starter, args ...string) Starter {
	return func(t *testing.T, a []string) (string, string) {
		return start(t, append(append([]string{}, a...), args...))
	}
}

// onRedis runs the JWT, MFA and OAuth2 parts of the contract with -redis
// (redisURL, with the test's prefix), and checks that their state is in
// Redis: refresh families and the blacklist, OAuth2 codes and tokens,
// TOTP steps. A second instance with a database of its own shares the
// refresh tokens through Redis: a token refreshed on one is reused on
// the other, and a logout everywhere on one ends the other's tokens.
func onRedis(t *testing.T, start Starter, redisURL func(t *testing.T) string) {
	check := func(t *testing.T, patterns ...string) {
		t.Helper()
		checkRedisKeys(t, redisURL(t), patterns...)
	}
	t.Run("JWT", func(t *testing.T) {
		jwtTokens(t, withArgs(start, "-redis", redisURL(t)))
		check(t, "{tokens}:rt:*", "{tokens}:fam:*", "{tokens}:bl:at", "{tokens}:va")
	})
	t.Run("MFA", func(t *testing.T) {
		mfaFlow(t, withArgs(start, "-redis", redisURL(t)))
	})
	t.Run("MFAStep", func(t *testing.T) {
		base, out := start(t, []string{"-db", TempDB(t), "-secret", "test-secret-key-for-the-showcase-suite", "-redis", redisURL(t)})
		pw := DemoCredentials(out)["alice"]
		c := NewClient(t, base)
		p := c.obtain("alice", pw)
		r := c.Do("POST", "/api/mfa/totp/enroll", "", "", bearer(p.Access))
		var e enrollment
		r.JSON(t, &e)
		code, err := totp.GenerateCode(e.Secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		c.Expect(c.Do("POST", "/api/mfa/totp/confirm", "", `{"code":"`+code+`"}`, bearer(p.Access)), 204, "")
		check(t, "mfa:{*}:step")
		c.Expect(c.Do("POST", "/api/token", "", `{"username":"alice","password":"`+pw+`","otp":"`+code+`"}`), 401, InvalidOTP)
	})
	t.Run("OAuth2", func(t *testing.T) {
		oauth2Clients(t, withArgs(start, "-redis", redisURL(t)), TempDB(t))
		check(t, "{oauth2}:code:*", "{oauth2}:tok:*")
	})
	t.Run("Shared", func(t *testing.T) { sharedTokens(t, start, redisURL(t)) })
}

// checkRedisKeys fails the test unless each pattern, after the test's
// prefix, matches a key in the Redis of u.
func checkRedisKeys(t *testing.T, u string, patterns ...string) {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	q.Del("prefix")
	pu.RawQuery = q.Encode()
	c, err := redisstore.Open(pu.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range patterns {
		if n := countKeys(t, c, redisPrefix(t)+p); n == 0 {
			t.Errorf("no Redis key %s%s: the state is not in Redis", redisPrefix(t), p)
		}
	}
}

// countKeys counts the keys matching pattern, on every master of a
// Cluster.
func countKeys(t *testing.T, c redis.UniversalClient, pattern string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n atomic.Int64
	count := func(ctx context.Context, node *redis.Client) error {
		keys, err := node.Keys(ctx, pattern).Result()
		n.Add(int64(len(keys)))
		return err
	}
	var err error
	if cl, ok := c.(*redis.ClusterClient); ok {
		err = cl.ForEachMaster(ctx, count)
	} else {
		err = count(ctx, c.(*redis.Client))
	}
	if err != nil {
		t.Fatal(err)
	}
	return int(n.Load())
}

// sharedTokens: two instances with databases of their own (the demo
// users have the same ids in both) and one Redis. A refresh token
// obtained on A and rotated on B is spent for A too (reuse: 401, and the
// family is revoked); a logout everywhere on B ends A's tokens.
func sharedTokens(t *testing.T, start Starter, redisURL string) {
	args := []string{"-secret", "test-secret-key-for-the-showcase-suite", "-redis", redisURL}
	baseA, outA := start(t, append([]string{"-db", TempDB(t)}, args...))
	baseB, _ := start(t, append([]string{"-db", TempDB(t)}, args...))
	a, b := NewClient(t, baseA), NewClient(t, baseB)
	pw := DemoCredentials(outA)["alice"]

	p := a.obtain("alice", pw)
	r := b.Do("POST", "/api/token/refresh", "", `{"refresh":"`+p.Refresh+`"}`)
	b.Expect(r, 200, "")
	var p2 pair
	r.JSON(t, &p2)
	a.Expect(a.Do("POST", "/api/token/refresh", "", `{"refresh":"`+p.Refresh+`"}`), 401, "")
	a.Expect(a.Do("POST", "/api/token/refresh", "", `{"refresh":"`+p2.Refresh+`"}`), 401, "")

	q := a.obtain("alice", pw)
	a.Expect(a.Do("GET", "/api/me", "", "", bearer(q.Access)), 200, "")
	fresh := a.obtain("alice", pw)
	b.Expect(b.Do("POST", "/api/auth/logout-all", "", "", bearer(fresh.Access)), 204, "")
	a.Expect(a.Do("GET", "/api/me", "", "", bearer(q.Access)), 401, "")
	a.Expect(a.Do("POST", "/api/token/refresh", "", `{"refresh":"`+q.Refresh+`"}`), 401, "")
}

// RedisCluster runs the Redis parts of the suite on the test Redis
// Cluster, the showcase's -redis with go-redis's cluster URL: those of
// onRedis, and the session login with -sessions redis.
func RedisCluster(t *testing.T, start Starter) {
	onRedis(t, start, RedisClusterURL)
	t.Run("Sessions", func(t *testing.T) {
		sessionLogin(t, start, "-sessions", "redis", "-redis", RedisClusterURL(t))
	})
}
