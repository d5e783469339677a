package memory_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
	"github.com/reinhardt-go/auth/stores/storetest"
)

func TestSessionBackendConformance(t *testing.T) {
	storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
		b := memory.NewSessionBackend()
		t.Cleanup(func() { _ = b.Close() })
		return b
	})
}

func TestSessionCacheBackendConformance(t *testing.T) {
	storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
		c := memory.NewSessionCache()
		t.Cleanup(func() { _ = c.Close() })
		return sessions.NewCacheSessionBackend(c)
	})
}

// clock is a settable clock for the memory stores.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestSessionKeysHashed checks that the backend keeps storage keys, never
// the session key a client holds.
func TestSessionKeysHashed(t *testing.T) {
	ctx := context.Background()
	b := memory.NewSessionBackend()
	defer b.Close()
	id := sessions.GenerateKey()
	if err := b.Save(ctx, id, sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	_ = b.Range(ctx, func(key string, _ sessions.Record) bool {
		if strings.Contains(key, string(id)) || key != sessions.StorageKey(ctx, id) || len(key) != 40 {
			t.Errorf("stored under %q; want the 40-hex-char storage key of the id", key)
		}
		return true
	})
}

// TestSessionJanitor checks that the janitor removes expired entries on
// its own and stops at Close.
func TestSessionJanitor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := memory.NewSessionBackend(memory.WithSessionCleanupInterval(time.Minute))
		c := memory.NewSessionCache(memory.WithSessionCleanupInterval(time.Minute))
		if err := b.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(30 * time.Second)}); err != nil {
			t.Fatal(err)
		}
		if err := b.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte("y"), Expiry: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if ok, err := c.CompareAndSet(ctx, "k", []byte("v"), 30*time.Second, 0); !ok || err != nil {
			t.Fatal(ok, err)
		}
		time.Sleep(61 * time.Second)
		synctest.Wait()
		if b.Len() != 1 || c.Len() != 0 {
			t.Errorf("after a janitor run: %d sessions, %d cache entries; want 1 and 0", b.Len(), c.Len())
		}
		_ = b.Close()
		_ = b.Close() // again: nothing
		_ = c.Close()
		// The janitors have stopped: synctest fails the test if a
		// goroutine it started is still running at the end.
	})
}

// TestSessionClock checks expiry by an injected clock, and that no janitor
// runs with a zero interval.
func TestSessionClock(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := memory.NewSessionBackend(memory.WithSessionClock(clk.now), memory.WithSessionCleanupInterval(0))
	defer b.Close()
	id := sessions.GenerateKey()
	if err := b.Save(ctx, id, sessions.Record{Data: []byte("x"), Expiry: clk.now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	clk.advance(59 * time.Minute)
	if ok, _ := b.Exists(ctx, id); !ok {
		t.Fatal("expired early")
	}
	clk.advance(time.Minute)
	if ok, _ := b.Exists(ctx, id); ok {
		t.Fatal("alive at its expiry")
	}
	if b.Len() != 1 {
		t.Fatalf("Len = %d; want the expired entry still held", b.Len())
	}
	if n, err := b.CleanupExpired(ctx); n != 1 || err != nil || b.Len() != 0 {
		t.Fatalf("CleanupExpired = %d, %v; Len %d", n, err, b.Len())
	}
}
