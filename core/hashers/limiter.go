package hashers

import (
	"context"
	"fmt"
	"sync/atomic"
)

// Limiter is a counting semaphore that bounds how many memory-hard hashes
// (argon2, scrypt) run at once, so that a burst of logins cannot multiply the
// per-hash memory cost without bound. Argon2Hasher and ScryptHasher acquire
// their Limiter around every memory-hard computation: Hash, Encode, Verify,
// and therefore also Registry.VerifyPassword's fake-runtime step and
// Registry.SimulateCheck.
//
// A nil *Limiter is valid and unbounded: Acquire returns nil at once and
// Release does nothing. A Limiter is safe for concurrent use.
type Limiter struct {
	slots     chan struct{}
	inFlight  atomic.Int64
	highWater atomic.Int64
	waiting   atomic.Int64
}

// NewLimiter returns a Limiter that admits at most n holders at once.
// n < 1 is treated as 1.
func NewLimiter(n int) *Limiter {
	if n < 1 {
		n = 1
	}
	return &Limiter{slots: make(chan struct{}, n)}
}

// Acquire takes a slot, waiting while all slots are held. If ctx is already
// done, or ends while waiting, Acquire returns an error wrapping both ErrBusy
// and ctx.Err() and holds nothing. Every successful Acquire must be paired
// with one Release.
func (l *Limiter) Acquire(ctx context.Context) error {
	if l == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrBusy, err)
	}
	select {
	case l.slots <- struct{}{}:
	default:
		l.waiting.Add(1)
		select {
		case l.slots <- struct{}{}:
			l.waiting.Add(-1)
		case <-ctx.Done():
			l.waiting.Add(-1)
			return fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
		}
	}
	n := l.inFlight.Add(1)
	for {
		hw := l.highWater.Load()
		if n <= hw || l.highWater.CompareAndSwap(hw, n) {
			break
		}
	}
	return nil
}

// Release returns a slot taken by Acquire. It panics if no slot is held,
// which is always a programming error.
func (l *Limiter) Release() {
	if l == nil {
		return
	}
	// Decrement before freeing the slot so InFlight never exceeds Capacity.
	l.inFlight.Add(-1)
	select {
	case <-l.slots:
	default:
		l.inFlight.Add(1)
		panic("hashers: Limiter.Release called without a matching Acquire")
	}
}

// Capacity returns the number of slots (0 for a nil Limiter).
func (l *Limiter) Capacity() int {
	if l == nil {
		return 0
	}
	return cap(l.slots)
}

// InFlight returns the number of slots currently held.
func (l *Limiter) InFlight() int {
	if l == nil {
		return 0
	}
	return int(l.inFlight.Load())
}

// Waiting returns the number of callers currently blocked in Acquire.
func (l *Limiter) Waiting() int {
	if l == nil {
		return 0
	}
	return int(l.waiting.Load())
}

// HighWater returns the largest InFlight value observed since the Limiter
// was created. It never exceeds Capacity.
func (l *Limiter) HighWater() int {
	if l == nil {
		return 0
	}
	return int(l.highWater.Load())
}

// run calls f while holding a slot.
func (l *Limiter) run(ctx context.Context, f func()) error {
	if err := l.Acquire(ctx); err != nil {
		return err
	}
	defer l.Release()
	f()
	return nil
}
