package hashers_test

import (
	"context"
	"errors"
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
