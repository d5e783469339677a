package hashers

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultLimiterMaxWait is how long Acquire waits for a slot when
// Limiter.MaxWait is zero.
const DefaultLimiterMaxWait = 5 * time.Second

// Limiter bounds the password hashing work that runs at once, so that a
// burst of logins cannot multiply the per-hash CPU and memory cost without
// bound. It has two budgets, and a computation runs only when it fits in
// both:
//
//   - slots (NewLimiter(n)): every computation holds one slot, whatever its
//     algorithm, so at most n run at once. This bounds CPU: PBKDF2 and bcrypt
//     at Django's defaults cost about as much CPU as Argon2id.
//   - memory (MaxMemory, in bytes): a memory-hard computation also holds its
//     memory, argon2's m KiB or scrypt's 128*N*r bytes (PBKDF2 and bcrypt
//     hold none), and the memory held never exceeds MaxMemory. A
//     computation that needs more than MaxMemory on its own is refused at
//     once with ErrLimitExceeded, since it could never run.
//
// Every hasher of this package with a work factor (Argon2Hasher,
// PBKDF2Hasher, BcryptSHA256Hasher, BcryptHasher, ScryptHasher) has a
// Limiter field and acquires it around each computation: Hash, Encode,
// Verify and HardenRuntime, and therefore also Registry.VerifyPassword's
// fake-runtime step and Registry.SimulateCheck. Give every hasher of a
// Registry the same Limiter (Default does) so the budgets hold for all of
// them together. The legacy hashers (md5, sha1, unsalted), which do
// microseconds of work, do not use one.
//
// Waiters are served in arrival order, so a large argon2 computation is not
// starved by a stream of small ones. A waiter gives up with ErrBusy when its
// context ends or after MaxWait, whichever comes first.
//
// A caller that would wait longer than MaxWait is refused at once rather
// than after MaxWait: when every slot is taken and the computations
// queued ahead of it, at the mean duration of the computations run so far
// (the hashers' work, timed by the Limiter), cannot all start within
// MaxWait on Capacity slots, AcquireMemory fails immediately with the
// same error a waiter gets when MaxWait passes. Each time a computation
// ends, the waiters still queued are judged again with the new mean, and
// those that can no longer start within their MaxWait get that error
// then. A burst of logins far
// beyond what the slots can serve in MaxWait is thus answered 503 in
// microseconds instead of holding every excess request, its connection
// and its memory for MaxWait. The estimate counts slots, not the memory
// budget, and is not made before the first computation has ended, nor
// with a negative MaxWait.
//
// A nil *Limiter is valid and unbounded: Acquire returns nil at once and
// Release does nothing. A Limiter is safe for concurrent use; set MaxMemory
// and MaxWait before its first use and do not copy it.
type Limiter struct {
	// MaxMemory is the memory budget in bytes shared by the computations in
	// flight. Zero or negative means no memory budget: only slots count.
	MaxMemory int64
	// MaxWait is the longest a caller waits for its turn, even if its
	// context has no deadline; after it, Acquire fails with an error
	// wrapping ErrBusy and context.DeadlineExceeded. Zero means
	// DefaultLimiterMaxWait (5 s); negative means no maximum (wait as long
	// as the context allows). A caller that would predictably wait longer
	// gets that error at once (see the type's comment).
	MaxWait time.Duration

	slots int

	mu      sync.Mutex
	held    int       // slots held; guarded by mu
	memHeld int64     // bytes held; guarded by mu
	queue   list.List // of *limiterWaiter, oldest first; guarded by mu

	// meanRun is the mean duration in nanoseconds of the computations run
	// under the limiter (run): a moving average giving the newest 1/8 of
	// the weight; zero until the first ends.
	meanRun atomic.Int64

	// Gauges, written under mu and read without it.
	inFlight     atomic.Int64
	highWater    atomic.Int64
	waiting      atomic.Int64
	memInFlight  atomic.Int64
	memHighWater atomic.Int64
}

// limiterWaiter is a caller queued in Acquire. ready is closed once the
// slot and memory have been taken on its behalf.
type limiterWaiter struct {
	memory   int64
	ready    chan struct{}
	deadline time.Time // when MaxWait passes; zero without a maximum
	refused  bool      // ready was closed to refuse it, not to serve it; guarded by mu
}

// NewLimiter returns a Limiter that admits at most n computations at once
// (n < 1 is treated as 1), with no memory budget and the default MaxWait.
// Set MaxMemory to bound memory too.
func NewLimiter(n int) *Limiter {
	return &Limiter{slots: max(n, 1)}
}

// Acquire takes one slot for a computation that needs no significant memory
// (PBKDF2, bcrypt). It is AcquireMemory(ctx, 0); pair it with Release.
func (l *Limiter) Acquire(ctx context.Context) error { return l.AcquireMemory(ctx, 0) }

// Release returns a slot taken by Acquire. It is ReleaseMemory(0).
func (l *Limiter) Release() { l.ReleaseMemory(0) }

// AcquireMemory takes one slot and memory bytes of the memory budget,
// waiting while they are not available. It fails, holding nothing, with:
//
//   - an error wrapping ErrLimitExceeded if memory exceeds MaxMemory, at
//     once (such a computation could never run);
//   - an error wrapping ErrBusy and ctx.Err() if ctx is already done or
//     ends while waiting;
//   - an error wrapping ErrBusy and context.DeadlineExceeded if MaxWait
//     passes first, or at once if the computations ahead of it cannot
//     predictably all start within MaxWait (see Limiter).
//
// Every successful AcquireMemory must be paired with one ReleaseMemory with
// the same memory. memory < 0 is treated as 0.
func (l *Limiter) AcquireMemory(ctx context.Context, memory int64) error {
	if l == nil {
		return nil
	}
	memory = max(memory, 0)
	if err := ctx.Err(); err != nil {
		return &BusyError{MaxWait: l.maxWait(), Err: err}
	}
	if l.MaxMemory > 0 && memory > l.MaxMemory {
		return fmt.Errorf("%w: a computation needing %d bytes exceeds the limiter's memory budget of %d bytes",
			ErrLimitExceeded, memory, l.MaxMemory)
	}
	l.mu.Lock()
	if l.queue.Len() == 0 && l.fits(memory) {
		l.take(memory)
		l.mu.Unlock()
		return nil
	}
	wait := l.maxWait()
	if l.wouldTimeOut(wait) {
		l.mu.Unlock()
		return &BusyError{MaxWait: wait, Err: context.DeadlineExceeded, timedOut: true}
	}
	w := &limiterWaiter{memory: memory, ready: make(chan struct{})}
	if wait > 0 {
		w.deadline = time.Now().Add(wait)
	}
	elem := l.queue.PushBack(w)
	l.waiting.Add(1)
	l.mu.Unlock()
	defer l.waiting.Add(-1)

	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	var cause error
	select {
	case <-w.ready:
		if w.refused {
			return &BusyError{MaxWait: wait, Err: context.DeadlineExceeded, timedOut: true}
		}
		return nil
	case <-ctx.Done():
		cause = &BusyError{MaxWait: wait, Err: ctx.Err()}
	case <-timeout:
		cause = &BusyError{MaxWait: wait, Err: context.DeadlineExceeded, timedOut: true}
	}
	l.mu.Lock()
	select {
	case <-w.ready:
		// Served while giving up: hand the slot back (unless it was a
		// refusal, which holds nothing).
		if !w.refused {
			l.give(memory)
		}
	default:
		front := l.queue.Front() == elem
		l.queue.Remove(elem)
		if front {
			// Callers queued behind this one may fit now.
			l.serve()
		}
	}
	l.mu.Unlock()
	return cause
}

// wouldTimeOut reports whether a caller queued now would not get a slot
// within wait: every slot is held, and the computations ahead of it (the
// queued ones, then its own turn) at the mean duration, spread over the
// slots, take longer than wait. Without a mean yet, or with no maximum
// wait, it is false. l.mu must be held.
func (l *Limiter) wouldTimeOut(wait time.Duration) bool {
	mean := l.meanRun.Load()
	if wait <= 0 || mean <= 0 || l.held < l.capacity() {
		return false
	}
	ahead := int64(l.queue.Len() + 1)
	return ahead*mean/int64(l.capacity()) > int64(wait)
}

// observe adds the duration of one computation to the moving mean.
func (l *Limiter) observe(d time.Duration) {
	for {
		old := l.meanRun.Load()
		next := int64(d)
		if old > 0 {
			next = old + (int64(d)-old)/8
		}
		if l.meanRun.CompareAndSwap(old, max(next, 1)) {
			return
		}
	}
}

// maxWait is MaxWait with its default: DefaultLimiterMaxWait for zero,
// negative for no maximum.
func (l *Limiter) maxWait() time.Duration {
	if l.MaxWait == 0 {
		return DefaultLimiterMaxWait
	}
	return l.MaxWait
}

// BusyError is the error of a Limiter that gave no slot: the caller's
// context ended, or MaxWait passed, while it waited. errors.Is matches it
// with ErrBusy and with Err.
type BusyError struct {
	// MaxWait is the limiter's maximum wait (negative: none).
	MaxWait time.Duration
	// Err is the context's error, or context.DeadlineExceeded when MaxWait
	// passed.
	Err error

	timedOut bool // MaxWait passed
}

// Error says why no slot was had.
func (e *BusyError) Error() string {
	if e.timedOut {
		return fmt.Sprintf("%v: no slot within the limiter's maximum wait of %v: %v", ErrBusy, e.MaxWait, e.Err)
	}
	return fmt.Sprintf("%v: %v", ErrBusy, e.Err)
}

// Unwrap returns ErrBusy and the cause.
func (e *BusyError) Unwrap() []error { return []error{ErrBusy, e.Err} }

// RetryAfter is how long a client refused because of err (an error
// wrapping ErrBusy) should wait before it tries again, in whole seconds:
// the maximum wait of the limiter that refused it, rounded up and at least
// one second, since the request queued that long without a slot coming
// free; DefaultLimiterMaxWait (5 s) when err does not say (no maximum
// wait, or an ErrBusy from elsewhere). ok is false when err is not
// ErrBusy. HTTP layers send it as the 503's Retry-After.
func RetryAfter(err error) (seconds int, ok bool) {
	if !errors.Is(err, ErrBusy) {
		return 0, false
	}
	wait := DefaultLimiterMaxWait
	var be *BusyError
	if errors.As(err, &be) && be.MaxWait > 0 {
		wait = be.MaxWait
	}
	return max(int((wait+time.Second-1)/time.Second), 1), true
}

// ReleaseMemory returns a slot and memory bytes taken by AcquireMemory. It
// panics if no slot or not that much memory is held, which is always a
// programming error.
func (l *Limiter) ReleaseMemory(memory int64) {
	if l == nil {
		return
	}
	memory = max(memory, 0)
	l.mu.Lock()
	if l.held == 0 || memory > l.memHeld {
		l.mu.Unlock()
		panic("hashers: Limiter.Release called without a matching Acquire")
	}
	l.give(memory)
	l.mu.Unlock()
}

// capacity is the number of slots; the zero Limiter has one.
func (l *Limiter) capacity() int { return max(l.slots, 1) }

// fits reports whether a computation needing memory bytes can start now.
// l.mu must be held.
func (l *Limiter) fits(memory int64) bool {
	return l.held < l.capacity() && (l.MaxMemory <= 0 || l.memHeld+memory <= l.MaxMemory)
}

// take records a slot and memory bytes as held. l.mu must be held.
func (l *Limiter) take(memory int64) {
	l.held++
	l.memHeld += memory
	l.inFlight.Store(int64(l.held))
	l.memInFlight.Store(l.memHeld)
	if int64(l.held) > l.highWater.Load() {
		l.highWater.Store(int64(l.held))
	}
	if l.memHeld > l.memHighWater.Load() {
		l.memHighWater.Store(l.memHeld)
	}
}

// give returns a slot and memory bytes and serves the waiters that fit now.
// l.mu must be held.
func (l *Limiter) give(memory int64) {
	l.held--
	l.memHeld -= memory
	l.inFlight.Store(int64(l.held))
	l.memInFlight.Store(l.memHeld)
	l.serve()
	if l.shed(time.Now()) {
		l.serve() // the waiter that did not fit may be gone
	}
}

// shed refuses the queued waiters that can no longer get a slot before
// their MaxWait passes, at the current mean duration (which grows when a
// burst slows every computation down): the n-th waiter still queued
// starts after about n*mean/Capacity. It reports whether it refused any.
// l.mu must be held.
func (l *Limiter) shed(now time.Time) (refused bool) {
	mean := time.Duration(l.meanRun.Load())
	if mean <= 0 {
		return false
	}
	n := 0
	for e := l.queue.Front(); e != nil; {
		next := e.Next()
		w := e.Value.(*limiterWaiter)
		n++
		if !w.deadline.IsZero() && now.Add(time.Duration(n)*mean/time.Duration(l.capacity())).After(w.deadline) {
			l.queue.Remove(e)
			w.refused = true
			close(w.ready)
			n--
			refused = true
		}
		e = next
	}
	return refused
}

// serve hands slots to queued waiters in arrival order, stopping at the
// first that does not fit. l.mu must be held.
func (l *Limiter) serve() {
	for e := l.queue.Front(); e != nil; e = l.queue.Front() {
		w := e.Value.(*limiterWaiter)
		if !l.fits(w.memory) {
			return
		}
		l.take(w.memory)
		l.queue.Remove(e)
		close(w.ready)
	}
}

// Capacity returns the number of slots (0 for a nil Limiter).
func (l *Limiter) Capacity() int {
	if l == nil {
		return 0
	}
	return l.capacity()
}

// InFlight returns the number of slots currently held.
func (l *Limiter) InFlight() int {
	if l == nil {
		return 0
	}
	return int(l.inFlight.Load())
}

// Waiting returns the number of callers currently blocked in Acquire or
// AcquireMemory.
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

// MemoryInFlight returns the bytes of the memory budget currently held.
func (l *Limiter) MemoryInFlight() int64 {
	if l == nil {
		return 0
	}
	return l.memInFlight.Load()
}

// MemoryHighWater returns the largest MemoryInFlight value observed since
// the Limiter was created. It never exceeds a positive MaxMemory.
func (l *Limiter) MemoryHighWater() int64 {
	if l == nil {
		return 0
	}
	return l.memHighWater.Load()
}

// run calls f while holding a slot and memory bytes, and times it for the
// estimate of AcquireMemory's early refusal.
func (l *Limiter) run(ctx context.Context, memory int64, f func()) error {
	if err := l.AcquireMemory(ctx, memory); err != nil {
		return err
	}
	defer l.ReleaseMemory(memory)
	if l == nil {
		f()
		return nil
	}
	start := time.Now()
	f()
	l.observe(time.Since(start))
	return nil
}
