package throttle

import (
	"context"
	"time"
)

// Result is a store's answer for one hit.
type Result struct {
	// Allowed is true when the request is within the rate.
	Allowed bool
	// Wait is, for a refused request, how long until one would be allowed;
	// 0 when Allowed.
	Wait time.Duration
}

// Store keeps one GCRA timestamp per key (see Rate.Apply). Implementations
// must be safe for concurrent use, and Hit must be atomic per key: n
// concurrent hits on a key whose rate allows k more let exactly min(n, k)
// through, also across processes for a shared store.
//
// key is only valid during the call (throttles reuse its buffer so that
// an allowed request allocates nothing); a store that keeps it must copy
// it. An error means the store failed; callers refuse the request.
type Store interface {
	// Hit applies rate to key at now and records the request if it is
	// allowed; a refused request leaves the key's state unchanged.
	Hit(ctx context.Context, key []byte, rate Rate, now time.Time) (Result, error)
	// Peek reports what Hit would answer at now, recording nothing.
	Peek(ctx context.Context, key []byte, rate Rate, now time.Time) (Result, error)
	// Refund takes back one allowed hit on key: its timestamp moves back
	// by one rate.Interval, but never before now (see Rate.Refund). A key
	// with no state is left alone. It is atomic per key, as Hit is.
	Refund(ctx context.Context, key []byte, rate Rate, now time.Time) error
}
