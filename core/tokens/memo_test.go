package tokens

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestFamilyMemoHeapBounded: the memo's heap stops growing at its bound,
// however many tokens pass through it. Go maps keep the room of deleted
// entries, so a shard that only deleted its evicted entries grew with
// every round of evictions.
func TestFamilyMemoHeapBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("fills the memo 8 times over")
	}
	now := time.Now()
	deadline := now.Add(time.Hour)
	f := newFamilyMemo()
	next := 0
	fill := func(rounds int) uint64 {
		for range rounds * FamilyMemoSize {
			next++
			f.put("jti-"+strconv.Itoa(next), "family-"+strconv.Itoa(next), deadline, now)
		}
		return liveHeap()
	}
	atBound := fill(2)
	if n := f.len(); n > FamilyMemoSize {
		t.Fatalf("%d entries, over the bound of %d", n, FamilyMemoSize)
	}
	after := fill(6)
	if n := f.len(); n > FamilyMemoSize {
		t.Fatalf("%d entries, over the bound of %d", n, FamilyMemoSize)
	}
	if after > atBound+atBound/5 {
		t.Errorf("the memo's heap grew from %d bytes (2x its bound) to %d (8x): it must stay within 20%%", atBound, after)
	}
	runtime.KeepAlive(f)
}

// liveHeap is the bytes of live heap objects after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
