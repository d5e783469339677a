package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/stores/sqlstore"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// TestThrottleStore runs the throttle conformance suite on every dialect.
func TestThrottleStore(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		storetest.TestThrottleStore(t, func(t *testing.T) throttle.Store { return open(t).Throttle() })
	})
}

// TestThrottleStoreKeysAndCleanup: long and non-ASCII keys are kept (as
// digests) apart, and CleanupExpired removes run-out rows only.
func TestThrottleStoreKeysAndCleanup(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		s := open(t)
		ts := s.Throttle()
		ctx := context.Background()
		t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		r := throttle.MustParseRate("1/min")
		long := strings.Repeat("k", 5000)
		for _, k := range []string{long, long + "x", "throttle_user_\xff", "throttle_user_\xfe", "throttle_user_é"} {
			res, err := ts.Hit(ctx, []byte(k), r, t0)
			if err != nil || !res.Allowed {
				t.Fatalf("first hit on a %d-byte key: %+v %v", len(k), res, err)
			}
			if res, err := ts.Hit(ctx, []byte(k), r, t0); err != nil || res.Allowed || res.Wait != time.Minute {
				t.Fatalf("second hit on a %d-byte key: %+v %v", len(k), res, err)
			}
		}
		if _, err := ts.Hit(ctx, []byte("later"), throttle.MustParseRate("1/h"), t0); err != nil {
			t.Fatal(err)
		}
		n, err := ts.CleanupExpired(ctx, t0.Add(2*time.Minute))
		if err != nil || n != 5 {
			t.Fatalf("CleanupExpired = %d, %v; want 5", n, err)
		}
		if res, _ := ts.Peek(ctx, []byte("later"), throttle.MustParseRate("1/h"), t0.Add(2*time.Minute)); res.Allowed {
			t.Fatal("CleanupExpired removed a live key")
		}
	})
}
