package redisstore_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/storetest"
)

func TestThrottleStore(t *testing.T) {
	onRedisAndCluster(t, func(t *testing.T, c redis.UniversalClient) {
		storetest.TestThrottleStore(t, func(t *testing.T) throttle.Store {
			return redisstore.NewThrottleStore(c, redisstore.WithPrefix(testPrefix(t, c)))
		})
	})
}

// TestThrottleKeysExpire: a key's state is dropped by Redis once its time
// has passed, so idle clients cost nothing and need no cleanup job; a key
// longer than 200 bytes is stored by its digest.
func TestThrottleKeysExpire(t *testing.T) { onRedisAndCluster(t, testThrottleKeysExpireOn) }

func testThrottleKeysExpireOn(t *testing.T, c redis.UniversalClient) {
	prefix := testPrefix(t, c)
	s := redisstore.NewThrottleStore(c, redisstore.WithPrefix(prefix))
	ctx := context.Background()
	now := time.Now()
	r := throttle.Rate{N: 10, Period: time.Second} // 100 ms a hit
	long := make([]byte, 300)
	for _, k := range [][]byte{[]byte("short"), long} {
		if res, err := s.Hit(ctx, k, r, now); err != nil || !res.Allowed {
			t.Fatalf("hit: %+v %v", res, err)
		}
	}
	keys, err := allKeys(ctx, c, prefix+"*")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("keys %q; want two", keys)
	}
	for _, k := range keys {
		ttl, err := c.PTTL(ctx, k).Result()
		if err != nil || ttl <= 0 || ttl > 100*time.Millisecond {
			t.Errorf("%s: PTTL %v %v; want at most the 100 ms the hit costs", k, ttl, err)
		}
		if len(k) > len(prefix)+len("throttle:sha256:")+64 {
			t.Errorf("key of %d bytes stored as it is: %.60q…", len(k), k)
		}
	}
	time.Sleep(150 * time.Millisecond)
	for _, k := range keys {
		if n, err := c.Exists(ctx, k).Result(); err != nil || n != 0 {
			t.Fatalf("%s left after its time: %v", k, err)
		}
	}
}

// TestThrottleRedisDown: every call fails closed.
func TestThrottleRedisDown(t *testing.T) {
	redis.SetLogger(quiet{})
	client := redis.NewClient(&redis.Options{Addr: closedPort(t), DialerRetries: 1, MaxRetries: -1})
	defer client.Close()
	s := redisstore.NewThrottleStore(client)
	ctx := context.Background()
	r := throttle.MustParseRate("5/min")
	if _, err := s.Hit(ctx, []byte("k"), r, time.Now()); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Hit: %v", err)
	}
	if _, err := s.Peek(ctx, []byte("k"), r, time.Now()); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Peek: %v", err)
	}
	if err := s.Refund(ctx, []byte("k"), r, time.Now()); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Refund: %v", err)
	}
	lt, _ := throttle.NewLoginThrottle("", s)
	if _, err := lt.Attempt(ctx, netipAddr(t), "alice"); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("a login with Redis down: %v; want it refused (fail closed)", err)
	}
}

func netipAddr(t *testing.T) netip.Addr {
	t.Helper()
	return netip.MustParseAddr("192.0.2.1")
}
