package hashers_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/hashers"
)

// 64 concurrent hashes with a bound of 4 never have more than 4 in flight.
func TestLimiterBoundsConcurrentHashes(t *testing.T) {
	lim := hashers.NewLimiter(4)
	a := &hashers.Argon2Hasher{Time: 1, Memory: 512, Threads: 1, Limiter: lim}
	s := &hashers.ScryptHasher{N: 64, R: 8, P: 1, Limiter: lim}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			var h hashers.PasswordHasher = a
			if i%2 == 1 {
				h = s
			}
			enc, err := h.Hash(ctx, "pw")
			if err == nil {
				var ok bool
				ok, err = h.Verify(ctx, "pw", enc)
				if !ok && err == nil {
					err = errors.New("round trip failed")
				}
			}
			if n := lim.InFlight(); n > 4 {
				err = errors.New("more than 4 in flight")
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if hw := lim.HighWater(); hw < 1 || hw > 4 {
		t.Errorf("HighWater = %d, want 1..4", hw)
	}
	if lim.InFlight() != 0 || lim.Waiting() != 0 {
		t.Errorf("after the run: InFlight %d, Waiting %d", lim.InFlight(), lim.Waiting())
	}
	t.Logf("high-water mark %d of %d", lim.HighWater(), lim.Capacity())
}

// The semaphore itself, with a gauge kept by the holders.
func TestLimiterSemaphore(t *testing.T) {
	lim := hashers.NewLimiter(4)
	var cur, peak atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			if err := lim.Acquire(context.Background()); err != nil {
				t.Error(err)
				return
			}
			n := cur.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(time.Millisecond)
			cur.Add(-1)
			lim.Release()
		})
	}
	wg.Wait()
	if peak.Load() > 4 || lim.HighWater() > 4 {
		t.Errorf("peak %d, HighWater %d; want <= 4", peak.Load(), lim.HighWater())
	}
}

func TestLimiterContext(t *testing.T) {
	lim := hashers.NewLimiter(1)
	if err := lim.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Full: a waiter gives up when its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := lim.Acquire(ctx)
	if !errors.Is(err, hashers.ErrBusy) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Acquire on a full limiter = %v, want ErrBusy and DeadlineExceeded", err)
	}
	// Hash, Verify and the registry's fake-runtime path all wait for the limiter.
	a := fastArgon2()
	a.Limiter = lim
	enc := mustHash(t, fastArgon2(), "pw")
	short := func() context.Context {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	if _, err := a.Hash(short(), "pw"); !errors.Is(err, hashers.ErrBusy) {
		t.Errorf("Hash on a full limiter: %v", err)
	}
	if _, err := a.Verify(short(), "pw", enc); !errors.Is(err, hashers.ErrBusy) {
		t.Errorf("Verify on a full limiter: %v", err)
	}
	s := fastScrypt()
	s.Limiter = lim
	if _, err := s.Hash(short(), "pw"); !errors.Is(err, hashers.ErrBusy) {
		t.Errorf("scrypt Hash on a full limiter: %v", err)
	}
	reg := hashers.New(a)
	if _, _, err := reg.VerifyPassword(short(), "pw", "!unusable"); !errors.Is(err, hashers.ErrBusy) {
		t.Errorf("fake runtime on a full limiter: %v", err)
	}
	if err := reg.SimulateCheck(short(), "pw"); !errors.Is(err, hashers.ErrBusy) {
		t.Errorf("SimulateCheck on a full limiter: %v", err)
	}
	if _, err := reg.CheckPassword(short(), "pw", enc, nil); !errors.Is(err, hashers.ErrBusy) {
		t.Errorf("CheckPassword on a full limiter: %v", err)
	}
	// A waiter proceeds once the slot is released.
	done := make(chan error)
	go func() {
		ok, err := a.Verify(context.Background(), "pw", enc)
		if err == nil && !ok {
			err = errors.New("wrong result")
		}
		done <- err
	}()
	for lim.Waiting() == 0 {
		time.Sleep(time.Millisecond)
	}
	lim.Release()
	if err := <-done; err != nil {
		t.Error(err)
	}
	// A cancelled context fails even when a slot is free.
	cctx, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	if err := lim.Acquire(cctx); !errors.Is(err, hashers.ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire with a cancelled context = %v", err)
	}
	if lim.InFlight() != 0 {
		t.Errorf("InFlight = %d after all releases", lim.InFlight())
	}
}

func TestLimiterEdges(t *testing.T) {
	var nilLim *hashers.Limiter
	if err := nilLim.Acquire(context.Background()); err != nil {
		t.Errorf("nil Acquire: %v", err)
	}
	nilLim.Release()
	if nilLim.Capacity() != 0 || nilLim.InFlight() != 0 || nilLim.HighWater() != 0 || nilLim.Waiting() != 0 {
		t.Error("nil limiter gauges are not zero")
	}
	if c := hashers.NewLimiter(0).Capacity(); c != 1 {
		t.Errorf("NewLimiter(0).Capacity() = %d, want 1", c)
	}
	lim := hashers.NewLimiter(2)
	defer func() {
		if recover() == nil {
			t.Error("Release without Acquire did not panic")
		}
		if lim.InFlight() != 0 {
			t.Errorf("InFlight = %d after the bad Release", lim.InFlight())
		}
	}()
	lim.Release()
}

// Memory weighting: with slots to spare, memory-hard work is bounded by
// MaxMemory, while work that holds no memory (PBKDF2, bcrypt) still runs up
// to the slot count alongside it.
func TestLimiterMemoryWeighting(t *testing.T) {
	const mib = 1 << 20
	lim := hashers.NewLimiter(8)
	lim.MaxMemory = 2*mib + mib/2 // room for two 1 MiB argon2 hashes, not three
	// The budgets are under test, not the wait: 96 hashes queued behind
	// two at a time can take longer than the default 5 s under -race on a
	// loaded machine, and a timed-out Acquire would fail the test.
	lim.MaxWait = 10 * time.Minute
	a := &hashers.Argon2Hasher{Time: 1, Memory: 1024, Threads: 1, Limiter: lim}
	s := &hashers.ScryptHasher{N: 512, R: 16, P: 1, Limiter: lim} // 128*N*r = 1 MiB
	p := &hashers.PBKDF2Hasher{Iterations: 2000, Limiter: lim}
	b := &hashers.BcryptHasher{Rounds: 4, Limiter: lim}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 128)
	for i := range 96 {
		wg.Go(func() {
			var h hashers.PasswordHasher
			switch i % 4 {
			case 0:
				h = a
			case 1:
				h = s
			case 2:
				h = p
			default:
				h = b
			}
			enc, err := h.Hash(ctx, "pw")
			if err == nil {
				var ok bool
				ok, err = h.Verify(ctx, "pw", enc)
				if !ok && err == nil {
					err = errors.New("round trip failed")
				}
			}
			if m := lim.MemoryInFlight(); m > lim.MaxMemory {
				err = errors.New("memory budget exceeded")
			}
			if n := lim.InFlight(); n > 8 {
				err = errors.New("more than 8 in flight")
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if hw := lim.MemoryHighWater(); hw < mib || hw > 2*mib {
		t.Errorf("MemoryHighWater = %d, want 1..2 MiB (at most two 1 MiB hashes at once)", hw)
	}
	if hw := lim.HighWater(); hw < 1 || hw > 8 {
		t.Errorf("HighWater = %d, want 1..8", hw)
	}
	if lim.InFlight() != 0 || lim.MemoryInFlight() != 0 || lim.Waiting() != 0 {
		t.Errorf("after the run: InFlight %d, MemoryInFlight %d, Waiting %d", lim.InFlight(), lim.MemoryInFlight(), lim.Waiting())
	}
	t.Logf("high-water marks: %d of %d slots, %d of %d bytes", lim.HighWater(), lim.Capacity(), lim.MemoryHighWater(), lim.MaxMemory)
}

// The weighted semaphore itself, deterministically: memory is a second
// budget, and waiters are served in arrival order (a large request is not
// overtaken by smaller ones that would fit).
func TestLimiterMemoryBudget(t *testing.T) {
	ctx := context.Background()
	lim := hashers.NewLimiter(4)
	lim.MaxMemory = 10
	lim.MaxWait = -1
	if err := lim.AcquireMemory(ctx, 6); err != nil {
		t.Fatal(err)
	}
	if err := lim.Acquire(ctx); err != nil { // no memory: fits
		t.Fatal(err)
	}
	if lim.InFlight() != 2 || lim.MemoryInFlight() != 6 {
		t.Fatalf("InFlight %d, MemoryInFlight %d; want 2, 6", lim.InFlight(), lim.MemoryInFlight())
	}
	order := make(chan string, 2)
	acquire := func(name string, mem int64) {
		if err := lim.AcquireMemory(ctx, mem); err != nil {
			t.Error(err)
		}
		order <- name
	}
	go acquire("big", 8) // 6+8 > 10: waits
	for lim.Waiting() != 1 {
		time.Sleep(time.Millisecond)
	}
	go acquire("small", 3) // 6+3 would fit, but "big" is first in line
	for lim.Waiting() != 2 {
		time.Sleep(time.Millisecond)
	}
	select {
	case name := <-order:
		t.Fatalf("%s acquired while 6 of 10 bytes were held", name)
	case <-time.After(20 * time.Millisecond):
	}
	lim.ReleaseMemory(6) // big fits (8), then small does not (8+3 > 10)
	if first := <-order; first != "big" {
		t.Fatalf("served %s first, want big", first)
	}
	if lim.Waiting() != 1 || lim.InFlight() != 2 || lim.MemoryInFlight() != 8 || lim.MemoryHighWater() != 8 {
		t.Errorf("Waiting %d, InFlight %d, MemoryInFlight %d, MemoryHighWater %d; want 1, 2, 8, 8",
			lim.Waiting(), lim.InFlight(), lim.MemoryInFlight(), lim.MemoryHighWater())
	}
	lim.ReleaseMemory(8)
	if second := <-order; second != "small" {
		t.Fatalf("served %s second, want small", second)
	}
	lim.ReleaseMemory(3)
	lim.Release()
	if lim.InFlight() != 0 || lim.MemoryInFlight() != 0 || lim.Waiting() != 0 {
		t.Errorf("after all releases: InFlight %d, MemoryInFlight %d, Waiting %d", lim.InFlight(), lim.MemoryInFlight(), lim.Waiting())
	}
	// Releasing more memory than is held is a programming error.
	if err := lim.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("ReleaseMemory(5) after Acquire did not panic")
			}
		}()
		lim.ReleaseMemory(5)
	}()
	lim.Release()
}

// A computation larger than the whole memory budget is refused at once with
// ErrLimitExceeded, even while the limiter is full, instead of waiting for a
// budget it can never get.
func TestLimiterRefusesOversize(t *testing.T) {
	ctx := context.Background()
	lim := hashers.NewLimiter(1)
	lim.MaxMemory = 1 << 20
	lim.MaxWait = -1 // a deadlock would hang, not time out
	if err := lim.AcquireMemory(ctx, 1<<20+1); !errors.Is(err, hashers.ErrLimitExceeded) {
		t.Errorf("AcquireMemory(budget+1) = %v, want ErrLimitExceeded", err)
	}
	if err := lim.Acquire(ctx); err != nil { // full from here on
		t.Fatal(err)
	}
	defer lim.Release()
	big := &hashers.Argon2Hasher{Time: 1, Memory: 2048, Threads: 1, Limiter: lim} // 2 MiB
	if _, err := big.Hash(ctx, "pw"); !errors.Is(err, hashers.ErrLimitExceeded) {
		t.Errorf("argon2 Hash over the budget: %v, want ErrLimitExceeded", err)
	}
	enc := mustHash(t, &hashers.Argon2Hasher{Time: 1, Memory: 2048, Threads: 1}, "pw")
	if _, err := big.Verify(ctx, "pw", enc); !errors.Is(err, hashers.ErrLimitExceeded) {
		t.Errorf("argon2 Verify over the budget: %v, want ErrLimitExceeded", err)
	}
	s := &hashers.ScryptHasher{N: 1024, R: 16, P: 1, Limiter: lim} // 2 MiB
	if _, err := s.Hash(ctx, "pw"); !errors.Is(err, hashers.ErrLimitExceeded) {
		t.Errorf("scrypt Hash over the budget: %v, want ErrLimitExceeded", err)
	}
	// Through a registry such a stored hash is unverifiable (S1). (The
	// preferred hasher, which runs the fake runtime, has no limiter here.)
	encS := mustHash(t, &hashers.ScryptHasher{N: 1024, R: 16, P: 1}, "pw")
	_, _, err := hashers.New(fastArgon2(), s).VerifyPassword(ctx, "pw", encS)
	if !errors.Is(err, hashers.ErrLimitExceeded) || !errors.Is(err, hashers.ErrUnverifiable) {
		t.Errorf("VerifyPassword over the budget: %v", err)
	}
	if lim.Waiting() != 0 || lim.InFlight() != 1 {
		t.Errorf("Waiting %d, InFlight %d", lim.Waiting(), lim.InFlight())
	}
}

// MaxWait bounds the wait even when the caller's context has no deadline;
// every hasher with a work factor waits for its Limiter.
func TestLimiterMaxWait(t *testing.T) {
	ctx := context.Background() // no deadline
	lim := hashers.NewLimiter(1)
	lim.MaxWait = 20 * time.Millisecond
	if err := lim.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	err := lim.Acquire(ctx)
	if !errors.Is(err, hashers.ErrBusy) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Acquire on a full limiter = %v, want ErrBusy and DeadlineExceeded", err)
	}
	if lim.Waiting() != 0 || lim.InFlight() != 1 {
		t.Errorf("after giving up: Waiting %d, InFlight %d", lim.Waiting(), lim.InFlight())
	}
	for _, h := range []hashers.PasswordHasher{fastArgon2(), fastPBKDF2(), fastPBKDF2SHA1(), fastBcryptSHA256(), fastBcrypt(), fastScrypt()} {
		enc := mustHash(t, h, "pw")
		switch h := h.(type) {
		case *hashers.Argon2Hasher:
			h.Limiter = lim
		case *hashers.PBKDF2Hasher:
			h.Limiter = lim
		case *hashers.BcryptSHA256Hasher:
			h.Limiter = lim
		case *hashers.BcryptHasher:
			h.Limiter = lim
		case *hashers.ScryptHasher:
			h.Limiter = lim
		}
		if _, err := h.Hash(ctx, "pw"); !errors.Is(err, hashers.ErrBusy) {
			t.Errorf("%s Hash on a full limiter: %v", h.Algorithm(), err)
		}
		if _, err := h.Verify(ctx, "pw", enc); !errors.Is(err, hashers.ErrBusy) {
			t.Errorf("%s Verify on a full limiter: %v", h.Algorithm(), err)
		}
		reg := hashers.New(h)
		if err := reg.SimulateCheck(ctx, "pw"); !errors.Is(err, hashers.ErrBusy) {
			t.Errorf("%s SimulateCheck on a full limiter: %v", h.Algorithm(), err)
		}
	}
	// A negative MaxWait waits as long as the context allows.
	lim.MaxWait = -1
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- lim.Acquire(cctx) }()
	for lim.Waiting() == 0 {
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Acquire returned %v before its context ended", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if err := <-done; !errors.Is(err, hashers.ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire with MaxWait < 0 = %v, want ErrBusy and Canceled", err)
	}
	lim.Release()
	if hashers.DefaultLimiterMaxWait != 5*time.Second {
		t.Errorf("DefaultLimiterMaxWait = %v", hashers.DefaultLimiterMaxWait)
	}
}

// A waiter that gives up at the head of the queue lets those behind it in.
func TestLimiterAbandonedHeadServesOthers(t *testing.T) {
	ctx := context.Background()
	lim := hashers.NewLimiter(2)
	lim.MaxMemory = 10
	lim.MaxWait = -1
	if err := lim.AcquireMemory(ctx, 5); err != nil {
		t.Fatal(err)
	}
	bctx, cancel := context.WithCancel(ctx)
	big := make(chan error)
	go func() { big <- lim.AcquireMemory(bctx, 10) }()
	for lim.Waiting() != 1 {
		time.Sleep(time.Millisecond)
	}
	small := make(chan error)
	go func() { small <- lim.AcquireMemory(ctx, 5) }()
	for lim.Waiting() != 2 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-big; !errors.Is(err, hashers.ErrBusy) {
		t.Errorf("abandoned waiter: %v", err)
	}
	if err := <-small; err != nil {
		t.Errorf("waiter behind the abandoned one: %v", err)
	}
	lim.ReleaseMemory(5)
	lim.ReleaseMemory(5)
	if lim.InFlight() != 0 || lim.MemoryInFlight() != 0 || lim.Waiting() != 0 {
		t.Errorf("InFlight %d, MemoryInFlight %d, Waiting %d", lim.InFlight(), lim.MemoryInFlight(), lim.Waiting())
	}
}

// A refusal says how long to wait before trying again: the limiter's
// maximum wait, in whole seconds rounded up, 5 s (the default wait) when
// the limiter has none or the error does not say.
func TestRetryAfter(t *testing.T) {
	lim := hashers.NewLimiter(1)
	lim.MaxWait = 1500 * time.Millisecond
	if err := lim.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	err := lim.Acquire(cancelled)
	if secs, ok := hashers.RetryAfter(err); !ok || secs != 2 {
		t.Errorf("RetryAfter(%v) = %d, %v; want 2, true", err, secs, ok)
	}
	if !errors.Is(err, hashers.ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("%v: want ErrBusy and Canceled", err)
	}
	lim.MaxWait = 10 * time.Millisecond
	err = lim.Acquire(context.Background())
	var be *hashers.BusyError
	if !errors.As(err, &be) || be.MaxWait != 10*time.Millisecond || !errors.Is(err, context.DeadlineExceeded) ||
		err.Error() != "hashers: timed out waiting for a password hashing slot: no slot within the limiter's maximum wait of 10ms: context deadline exceeded" {
		t.Errorf("timed out: %v", err)
	}
	if secs, ok := hashers.RetryAfter(err); !ok || secs != 1 {
		t.Errorf("RetryAfter for 10ms = %d, %v; want 1, true", secs, ok)
	}
	lim.MaxWait = -1 // no maximum: the default
	if secs, ok := hashers.RetryAfter(lim.Acquire(cancelled)); !ok || secs != 5 {
		t.Errorf("RetryAfter without a maximum wait = %d, %v; want 5, true", secs, ok)
	}
	if secs, ok := hashers.RetryAfter(fmt.Errorf("wrapped: %w", hashers.ErrBusy)); !ok || secs != 5 {
		t.Errorf("RetryAfter(ErrBusy) = %d, %v; want 5, true", secs, ok)
	}
	if _, ok := hashers.RetryAfter(errors.New("other")); ok {
		t.Error("RetryAfter of another error")
	}
	lim.Release()
}
