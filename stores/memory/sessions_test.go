package memory_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
	"github.com/reinhardt-go/auth/stores/storetest"
	"go.uber.org/goleak"
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

// TestSessionJanitor checks that expired entries are removed by the
// first write once the cleanup interval has passed, and not before.
func TestSessionJanitor(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := memory.NewSessionBackend(memory.WithSessionClock(clk.now), memory.WithSessionCleanupInterval(time.Minute))
	c := memory.NewSessionCache(memory.WithSessionClock(clk.now), memory.WithSessionCleanupInterval(time.Minute))
	if err := b.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte("x"), Expiry: clk.now().Add(30 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte("y"), Expiry: clk.now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.CompareAndSet(ctx, "k", []byte("v"), 30*time.Second, 0); !ok || err != nil {
		t.Fatal(ok, err)
	}
	clk.advance(59 * time.Second)
	if ok, err := c.CompareAndSet(ctx, "k2", []byte("v"), time.Hour, 0); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if c.Len() != 2 {
		t.Errorf("a write before the interval: %d cache entries; want 2 (no sweep yet)", c.Len())
	}
	clk.advance(2 * time.Second)
	if err := b.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte("z"), Expiry: clk.now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "absent"); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 2 || c.Len() != 1 {
		t.Errorf("after the interval and a write: %d sessions, %d cache entries; want 2 and 1", b.Len(), c.Len())
	}
	_ = b.Close()
	_ = b.Close() // again: nothing
	_ = c.Close()
}

// TestSessionStoresNeedNoClose checks that a backend and a cache dropped
// without Close leave no goroutine behind: they run none.
func TestSessionStoresNeedNoClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	b := memory.NewSessionBackend()
	c := memory.NewGenerationStore()
	if err := b.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.CompareAndSet(ctx, "k", []byte("v"), time.Hour, 0); !ok || err != nil {
		t.Fatal(ok, err)
	}
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
