package redisstore_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/mfa/mfastore"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/storetest"
	"github.com/reinhardt-go/auth/stores/storetest/mfatest"
	"github.com/reinhardt-go/auth/stores/storetest/oauth2test"
)

// TestSentinel runs the conformance suites of every store (sessions,
// tokens, OAuth2, MFA steps, throttling) through a redis.NewFailoverClient
// that finds its primary by asking a Sentinel, the same suites the single
// server and the Cluster pass; each suite's stores have key prefixes of
// their own on the one primary.
func TestSentinel(t *testing.T) {
	c, _ := startSentinel(t, 0)
	t.Run("SessionBackend", func(t *testing.T) {
		storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
			return redisstore.NewSessionBackend(c, redisstore.WithPrefix(testPrefix(t, c)))
		})
	})
	t.Run("TokenStore", func(t *testing.T) {
		storetest.TestTokenStores(t, func(t *testing.T) (tokens.TokenBlacklist, tokens.RefreshStore) {
			s := redisstore.NewTokenStore(c, redisstore.WithPrefix(testPrefix(t, c)))
			return s, s
		})
	})
	t.Run("OAuth2Store", func(t *testing.T) {
		oauth2test.TestStore(t, func(t *testing.T) oauth2store.Store {
			return redisstore.NewOAuth2Store(c, nil, redisstore.WithPrefix(testPrefix(t, c)),
				redisstore.WithClock(func() time.Time { return oauth2SuiteNow }))
		})
	})
	t.Run("MFAStore", func(t *testing.T) {
		mfatest.TestMFAStore(t, func(t *testing.T) mfastore.Store {
			return redisstore.NewMFAStore(c, sqliteStore(t).MFA(), redisstore.WithPrefix(testPrefix(t, c)))
		})
	})
	t.Run("ThrottleStore", func(t *testing.T) {
		storetest.TestThrottleStore(t, func(t *testing.T) throttle.Store {
			return redisstore.NewThrottleStore(c, redisstore.WithPrefix(testPrefix(t, c)))
		})
	})
}

// TestSentinelFailover: with a replica, after SENTINEL FAILOVER promotes
// it, the failover client follows the Sentinel to the new primary within
// seconds: a session saved before the failover (and replicated, WAIT)
// loads from the new primary, and a new one is saved there.
func TestSentinelFailover(t *testing.T) {
	c, s := startSentinel(t, 1)
	ctx := context.Background()
	b := redisstore.NewSessionBackend(c, redisstore.WithPrefix(testPrefix(t, c)))
	// CONFIG GET port: the server the client talks to, as it sees itself.
	if v, err := c.ConfigGet(ctx, "port").Result(); err != nil || v["port"] != portOf(s.Primary) {
		t.Fatalf("before the failover the client talks to port %v, %v; want the primary's %s", v, err, portOf(s.Primary))
	}
	expiry := time.Now().Add(time.Hour)
	before, after := sessions.GenerateKey(), sessions.GenerateKey()
	if err := b.Save(ctx, before, sessions.Record{Data: []byte("kept"), Expiry: expiry}); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT 1: %d replicas, %v", n, err)
	}

	start := time.Now()
	if err := s.SentinelClient(t).Failover(ctx, sentinelMaster).Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	newPort := portOf(s.Replicas[0])
	deadline := start.Add(10 * time.Second)
	for {
		port, err := c.ConfigGet(ctx, "port").Result()
		if err == nil && port["port"] == newPort {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after SENTINEL FAILOVER the client still talks to port %v, %v (the new primary is %s)", port, err, newPort)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the client talks to the new primary %s %v after SENTINEL FAILOVER", s.Replicas[0], time.Since(start).Round(time.Millisecond))
	if err := b.Save(ctx, after, sessions.Record{Data: []byte("written"), Expiry: expiry}); err != nil {
		t.Fatalf("Save on the new primary: %v", err)
	}
	if role, err := c.Do(ctx, "ROLE").Slice(); err != nil || len(role) == 0 || role[0] != "master" {
		t.Fatalf("ROLE on the new primary: %v, %v", role, err)
	}
	for id, want := range map[sessions.SessionID]string{before: "kept", after: "written"} {
		rec, found, err := b.Load(ctx, id)
		if err != nil || !found || string(rec.Data) != want {
			t.Errorf("Load on the new primary = %q, %v, %v; want %q", rec.Data, found, err, want)
		}
	}
}

// portOf is the port of a host:port address.
func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}
