package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/throttle"
)

// ThrottleHits is how many goroutines hit one key at once in the
// concurrency test, against a limit of ThrottleLimit.
const (
	ThrottleHits  = 40
	ThrottleLimit = 7
)

// TestThrottleStore checks that a throttle.Store keeps its contract: GCRA
// as Rate.Apply computes it, a refused hit not recorded, Peek recording
// nothing, keys kept apart, the key buffer copied, exactly k of n
// concurrent hits allowed at a limit of k, and a done context an error
// wrapping core.ErrStoreUnavailable; Refund taking back one hit, never
// before now, and atomic with concurrent hits. open is called once per subtest and
// must return an empty store. Times are whole microseconds, the
// resolution of the SQL stores.
func TestThrottleStore(t *testing.T, open func(t *testing.T) throttle.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s throttle.Store)
	}{
		{"BurstThenWait", testThrottleBurst},
		{"Refill", testThrottleRefill},
		{"PeekRecordsNothing", testThrottlePeek},
		{"KeysApart", testThrottleKeys},
		{"KeyCopied", testThrottleKeyCopied},
		{"Concurrent", testThrottleConcurrent},
		{"Refund", testThrottleRefund},
		{"ConcurrentRefund", testThrottleConcurrentRefund},
		{"DoneContext", testThrottleDone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, open(t)) })
	}
}

var throttleT0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func hit(t *testing.T, s throttle.Store, key string, r throttle.Rate, now time.Time) throttle.Result {
	t.Helper()
	res, err := s.Hit(context.Background(), []byte(key), r, now)
	if err != nil {
		t.Fatalf("Hit(%q): %v", key, err)
	}
	return res
}

func testThrottleBurst(t *testing.T, s throttle.Store) {
	r := throttle.MustParseRate("5/min") // interval 12 s
	for i := range 5 {
		if res := hit(t, s, "k", r, throttleT0); !res.Allowed || res.Wait != 0 {
			t.Fatalf("hit %d: %+v, want allowed", i+1, res)
		}
	}
	res := hit(t, s, "k", r, throttleT0.Add(time.Second))
	if res.Allowed || res.Wait != 11*time.Second {
		t.Fatalf("6th hit: %+v, want refused with wait 11s", res)
	}
	// A refused hit is not recorded: the wait does not grow.
	if res := hit(t, s, "k", r, throttleT0.Add(time.Second)); res.Allowed || res.Wait != 11*time.Second {
		t.Fatalf("7th hit: %+v, want the same wait 11s", res)
	}
}

func testThrottleRefill(t *testing.T, s throttle.Store) {
	r := throttle.MustParseRate("2/s") // interval 500 ms
	hit(t, s, "k", r, throttleT0)
	hit(t, s, "k", r, throttleT0)
	if res := hit(t, s, "k", r, throttleT0.Add(499*time.Millisecond)); res.Allowed || res.Wait != time.Millisecond {
		t.Fatalf("before refill: %+v, want refused with 1ms", res)
	}
	if res := hit(t, s, "k", r, throttleT0.Add(500*time.Millisecond)); !res.Allowed {
		t.Fatalf("after one interval: %+v, want allowed", res)
	}
	// Long idle: a full burst again, not more.
	later := throttleT0.Add(time.Hour)
	for i := range 2 {
		if res := hit(t, s, "k", r, later); !res.Allowed {
			t.Fatalf("idle burst %d refused", i)
		}
	}
	if res := hit(t, s, "k", r, later); res.Allowed {
		t.Fatal("idle burst of 3 at 2/s allowed")
	}
}

func testThrottlePeek(t *testing.T, s throttle.Store) {
	r := throttle.MustParseRate("1/h")
	for range 3 {
		res, err := s.Peek(context.Background(), []byte("k"), r, throttleT0)
		if err != nil || !res.Allowed {
			t.Fatalf("Peek on a fresh key: %+v, %v", res, err)
		}
	}
	hit(t, s, "k", r, throttleT0)
	res, err := s.Peek(context.Background(), []byte("k"), r, throttleT0.Add(time.Minute))
	if err != nil || res.Allowed || res.Wait != 59*time.Minute {
		t.Fatalf("Peek after the hit: %+v, %v; want refused, 59m", res, err)
	}
}

func testThrottleKeys(t *testing.T, s throttle.Store) {
	r := throttle.MustParseRate("1/d")
	for _, k := range []string{"throttle_anon_1.2.3.4", "throttle_anon_1.2.3.5", "throttle_user_1", "throttle_user_1 ", "Throttle_user_1"} {
		if res := hit(t, s, k, r, throttleT0); !res.Allowed {
			t.Fatalf("first hit on %q refused: keys are not kept apart", k)
		}
	}
	if res := hit(t, s, "throttle_user_1", r, throttleT0); res.Allowed {
		t.Fatal("second hit on throttle_user_1 allowed")
	}
}

func testThrottleKeyCopied(t *testing.T, s throttle.Store) {
	r := throttle.MustParseRate("1/d")
	buf := []byte("key-a")
	if _, err := s.Hit(context.Background(), buf, r, throttleT0); err != nil {
		t.Fatal(err)
	}
	copy(buf, "key-b") // the caller reuses its buffer
	if res := hit(t, s, "key-a", r, throttleT0); res.Allowed {
		t.Fatal("key-a's hit is lost after the caller reused the buffer")
	}
	if res := hit(t, s, "key-b", r, throttleT0); !res.Allowed {
		t.Fatal("key-b refused: the store kept the caller's buffer")
	}
}

func testThrottleConcurrent(t *testing.T, s throttle.Store) {
	r := throttle.Rate{N: ThrottleLimit, Period: time.Hour}
	var allowed atomic.Int32
	atOnce(t, ThrottleHits, func(int) error {
		res, err := s.Hit(context.Background(), []byte("hot"), r, throttleT0)
		if res.Allowed {
			allowed.Add(1)
		}
		return err
	})
	if n := allowed.Load(); n != ThrottleLimit {
		t.Fatalf("%d concurrent hits at a limit of %d: %d allowed", ThrottleHits, ThrottleLimit, n)
	}
}

// atOnce runs f(0) … f(n-1) in n goroutines released together, and fails
// the test with the errors they return.
func atOnce(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			if err := f(i); err != nil {
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func testThrottleDone(t *testing.T, s throttle.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := throttle.MustParseRate("1/s")
	if _, err := s.Hit(ctx, []byte("k"), r, throttleT0); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatalf("Hit with a done context: %v, want ErrStoreUnavailable", err)
	}
	if _, err := s.Peek(ctx, []byte("k"), r, throttleT0); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatalf("Peek with a done context: %v, want ErrStoreUnavailable", err)
	}
	if err := s.Refund(ctx, []byte("k"), r, throttleT0); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatalf("Refund with a done context: %v, want ErrStoreUnavailable", err)
	}
}

func refund(t *testing.T, s throttle.Store, key string, r throttle.Rate, now time.Time) {
	t.Helper()
	if err := s.Refund(context.Background(), []byte(key), r, now); err != nil {
		t.Fatalf("Refund(%q): %v", key, err)
	}
}

func testThrottleRefund(t *testing.T, s throttle.Store) {
	r := throttle.MustParseRate("3/min") // interval 20 s
	refund(t, s, "fresh", r, throttleT0) // nothing to take back: no error, no state
	if res := hit(t, s, "fresh", r, throttleT0); !res.Allowed {
		t.Fatal("a refund on a fresh key used up budget")
	}
	for range 3 {
		hit(t, s, "k", r, throttleT0)
	}
	if res := hit(t, s, "k", r, throttleT0); res.Allowed {
		t.Fatal("4th hit at 3/min allowed")
	}
	refund(t, s, "k", r, throttleT0)
	if res := hit(t, s, "k", r, throttleT0); !res.Allowed {
		t.Fatal("the hit after a refund refused: the refund took nothing back")
	}
	if res := hit(t, s, "k", r, throttleT0); res.Allowed {
		t.Fatal("two hits allowed after one refund")
	}
	// Refunds never bank budget: after many, a full burst and no more.
	for range 10 {
		refund(t, s, "k", r, throttleT0)
	}
	for i := range 3 {
		if res := hit(t, s, "k", r, throttleT0); !res.Allowed {
			t.Fatalf("burst hit %d after the refunds refused", i+1)
		}
	}
	if res := hit(t, s, "k", r, throttleT0); res.Allowed {
		t.Fatal("refunds banked budget beyond a full burst")
	}
	// A refund after the state ran out changes nothing.
	later := throttleT0.Add(time.Hour)
	refund(t, s, "k", r, later)
	for i := range 3 {
		if res := hit(t, s, "k", r, later); !res.Allowed {
			t.Fatalf("idle burst hit %d refused", i+1)
		}
	}
	if res := hit(t, s, "k", r, later); res.Allowed {
		t.Fatal("a refund on a run-out key banked budget")
	}
}

// testThrottleConcurrentRefund races hits that are each taken back with
// hits that are not: however they interleave, the kept hits are at most
// the limit, and once the refunds are done exactly the limit was kept.
func testThrottleConcurrentRefund(t *testing.T, s throttle.Store) {
	r := throttle.Rate{N: ThrottleLimit, Period: time.Hour}
	var kept atomic.Int32
	atOnce(t, ThrottleHits, func(i int) error {
		res, err := s.Hit(context.Background(), []byte("hot"), r, throttleT0)
		switch {
		case err != nil || !res.Allowed:
			return err
		case i%2 == 0:
			return s.Refund(context.Background(), []byte("hot"), r, throttleT0)
		}
		kept.Add(1)
		return nil
	})
	n := kept.Load()
	if n > ThrottleLimit {
		t.Fatalf("%d hits kept at a limit of %d", n, ThrottleLimit)
	}
	// What is left of the budget is exactly the limit minus the kept hits.
	left := 0
	for {
		res := hit(t, s, "hot", r, throttleT0)
		if !res.Allowed {
			break
		}
		left++
	}
	if left+int(n) != ThrottleLimit {
		t.Fatalf("%d kept and %d left at a limit of %d: refunds lost or doubled", n, left, ThrottleLimit)
	}
}
