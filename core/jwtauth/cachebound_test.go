package jwtauth

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTokenCacheHeapBounded: the verified-token cache's heap stops
// growing at its bound, however many tokens pass through it.
func TestTokenCacheHeapBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("fills the cache 8 times over")
	}
	now := time.Now().UnixNano()
	deadline := now + int64(time.Hour)
	c := newTokenCache(DefaultCacheSize)
	key := &Key{}
	pad := strings.Repeat("x", 250) // about the size of a token
	next := 0
	fill := func(rounds int) uint64 {
		for range rounds * DefaultCacheSize {
			next++
			token := pad + strconv.Itoa(next)
			c.put(token, c.hash(token), &Claims{UserID: strconv.Itoa(next)}, key, deadline, now)
		}
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	atBound := fill(2)
	if n := c.len(); n > DefaultCacheSize {
		t.Fatalf("%d entries, over the bound of %d", n, DefaultCacheSize)
	}
	after := fill(6)
	if n := c.len(); n > DefaultCacheSize {
		t.Fatalf("%d entries, over the bound of %d", n, DefaultCacheSize)
	}
	if after > atBound+atBound/5 {
		t.Errorf("the cache's heap grew from %d bytes (2x its bound) to %d (8x): it must stay within 20%%", atBound, after)
	}
	runtime.KeepAlive(c)
}
