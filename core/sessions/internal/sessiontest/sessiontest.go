package sessiontest

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
)

// RandomKey is a new random 32-byte key.
func RandomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// BackendCase makes one kind of backend on a clock (nil: real time).
type BackendCase struct {
	Name string
	Open func(t testing.TB, now func() time.Time) sessions.SessionBackend
}

// MemoryOpts are the memory store's options for the clock now (none for
// real time).
func MemoryOpts(now func() time.Time) []memory.SessionOption {
	if now == nil {
		return nil
	}
	return []memory.SessionOption{memory.WithSessionClock(now)}
}

// OpenMemory is a memory session backend, closed when the test ends.
func OpenMemory(t testing.TB, now func() time.Time) sessions.SessionBackend {
	b := memory.NewSessionBackend(MemoryOpts(now)...)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// OpenCache is the cache backend over a memory cache, closed when the test
// ends.
func OpenCache(t testing.TB, now func() time.Time) sessions.SessionBackend {
	c := memory.NewSessionCache(MemoryOpts(now)...)
	t.Cleanup(func() { _ = c.Close() })
	b := sessions.NewCacheSessionBackend(c)
	b.Now = now
	return b
}

// OpenCookie is the cookie backend with a memory generation store and a
// random key.
func OpenCookie(t testing.TB, now func() time.Time) sessions.SessionBackend {
	gens := memory.NewGenerationStore(MemoryOpts(now)...)
	t.Cleanup(func() { _ = gens.Close() })
	b, err := sessions.NewCookieSessionBackend(gens, RandomKey())
	if err != nil {
		t.Fatal(err)
	}
	b.Now = now
	return b
}

// NewMemory returns a memory backend closed at the end of the test.
func NewMemory(t testing.TB) *memory.SessionBackend {
	b := memory.NewSessionBackend()
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// Flaky is a backend that fails on demand: the next failNext operations
// (of any kind but Load) fail with a store error, or all of them while
// down is set; gate, when set, holds every Save until it is closed.
type Flaky struct {
	*memory.SessionBackend
	FailNext atomic.Int32
	Down     atomic.Bool
	LoadDown atomic.Bool
	Saves    atomic.Int32
	mu       sync.Mutex
	gate     chan struct{}
}

// NewFlaky is a Flaky over a memory backend.
func NewFlaky(t testing.TB) *Flaky { return &Flaky{SessionBackend: NewMemory(t)} }

// ErrFlaky is the error of a Flaky store that fails: a store unavailable.
var ErrFlaky = fmt.Errorf("flaky store: connection reset: %w", core.ErrStoreUnavailable)

// Fail reports whether this call fails: always while Down, else once
// for each of FailNext.
func (f *Flaky) Fail() bool {
	if f.Down.Load() {
		return true
	}
	for {
		n := f.FailNext.Load()
		if n <= 0 {
			return false
		}
		if f.FailNext.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// Hold makes Save wait until g is closed (nil: no wait).
func (f *Flaky) Hold(g chan struct{}) {
	f.mu.Lock()
	f.gate = g
	f.mu.Unlock()
}

// Load fails with ErrFlaky while LoadDown, else loads.
func (f *Flaky) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	if f.LoadDown.Load() {
		return sessions.Record{}, false, ErrFlaky
	}
	return f.SessionBackend.Load(ctx, id)
}

// Save waits for Hold's gate, then fails as Fail says or saves, counting
// Saves.
func (f *Flaky) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	f.mu.Lock()
	g := f.gate
	f.mu.Unlock()
	if g != nil {
		select {
		case <-g:
		case <-ctx.Done():
			return sessions.StoreError("Flaky: save", ctx.Err())
		}
	}
	if f.Fail() {
		return ErrFlaky
	}
	f.Saves.Add(1)
	return f.SessionBackend.Save(ctx, id, rec)
}

// Delete fails as Fail says, or deletes.
func (f *Flaky) Delete(ctx context.Context, id sessions.SessionID) error {
	if f.Fail() {
		return ErrFlaky
	}
	return f.SessionBackend.Delete(ctx, id)
}

// Rec is a record with data that expires in an hour.
func Rec(data string, version uint64) sessions.Record {
	return sessions.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour), Version: version}
}

// MustLoad loads id from b and fails unless found.
func MustLoad(t testing.TB, ctx context.Context, b sessions.SessionBackend, id sessions.SessionID) sessions.Record {
	t.Helper()
	r, found, err := b.Load(ctx, id)
	if err != nil || !found {
		t.Fatalf("Load = %v, %v; want the session", found, err)
	}
	return r
}

// Plain hides every optional interface of a backend.
type Plain struct{ sessions.SessionBackend }
