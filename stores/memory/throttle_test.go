package memory_test

import (
	"context"
	"net/netip"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/stores/memory"
)

var throttleT0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// TestThrottleStoreBound checks that the store never holds more than its
// bound, and that it evicts keys whose state has run out before live
// ones.
func TestThrottleStoreBound(t *testing.T) {
	const maxKeys = 64 * 4 // 4 a shard
	s := memory.NewThrottleStore(maxKeys)
	ctx := context.Background()
	r := throttle.MustParseRate("1/min")
	// Live keys, then many more later: the store stays within its bound.
	for i := range 10 * maxKeys {
		if res, err := s.Hit(ctx, []byte("k"+strconv.Itoa(i)), r, throttleT0); err != nil || !res.Allowed {
			t.Fatalf("key %d: %+v %v", i, res, err)
		}
		if n := s.Len(); n > maxKeys {
			t.Fatalf("after %d keys the store holds %d, over its bound %d", i+1, n, maxKeys)
		}
	}
	// A live key survives when the shard's other keys have run out.
	s = memory.NewThrottleStore(maxKeys)
	late := throttleT0.Add(2 * time.Minute)
	hot := []byte("hot")
	if _, err := s.Hit(ctx, hot, throttle.MustParseRate("1/h"), late); err != nil {
		t.Fatal(err)
	}
	for i := range 4 * maxKeys {
		if _, err := s.Hit(ctx, []byte("old"+strconv.Itoa(i)), r, throttleT0); err != nil {
			t.Fatal(err)
		}
	}
	for i := range maxKeys {
		if _, err := s.Hit(ctx, []byte("new"+strconv.Itoa(i)), r, late); err != nil {
			t.Fatal(err)
		}
	}
	if res, _ := s.Peek(ctx, hot, throttle.MustParseRate("1/h"), late); res.Allowed {
		t.Fatal("a live key was evicted while run-out keys were held")
	}
}

// throttleBytesPerKey is the stated bound on the heap one key costs the
// store, with a key of "throttle_anon_" and an IPv4 address (about 25
// bytes); TestThrottleStoreMillionKeys enforces it.
const throttleBytesPerKey = 160

// TestThrottleStoreMillionKeys puts 1,000,000 distinct client keys in a
// store and measures the heap they take: it must stay under
// throttleBytesPerKey a key (160 MB for the million).
func TestThrottleStoreMillionKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000,000 keys: not in -short")
	}
	const keys = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := memory.NewThrottleStore(0)
	ctx := context.Background()
	r := throttle.MustParseRate("100/hour")
	buf := make([]byte, 0, 64)
	base := netip.MustParseAddr("10.0.0.0").As4()
	for i := range keys {
		a := base
		a[1], a[2], a[3] = byte(i>>16), byte(i>>8), byte(i)
		buf = netip.AddrFrom4(a).AppendTo(append(buf[:0], "throttle_anon_"...))
		if res, err := s.Hit(ctx, buf, r, throttleT0); err != nil || !res.Allowed {
			t.Fatalf("key %d: %+v %v", i, res, err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n := s.Len(); n != keys {
		t.Fatalf("holds %d keys, want %d", n, keys)
	}
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	perKey := grown / keys
	t.Logf("%d keys: heap grew %.1f MB, %d bytes a key", keys, float64(grown)/1e6, perKey)
	if perKey > throttleBytesPerKey {
		t.Fatalf("%d bytes a key, over the stated bound of %d", perKey, throttleBytesPerKey)
	}
	runtime.KeepAlive(s)
}
