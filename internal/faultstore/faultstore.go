package faultstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/reinhardt-go/auth/core"
)

// Mode is what a method does when called.
type Mode int

// The modes.
const (
	// Pass calls the wrapped store (the zero Mode).
	Pass Mode = iota
	// Fail returns ErrInjected without calling the store.
	Fail
	// Stall waits for the call's context to end, then fails.
	Stall
	// Garbage calls the store and returns a wrong result.
	Garbage
)

// Modes are the modes other than Pass, for a test's matrix.
var Modes = []Mode{Fail, Stall, Garbage}

// String names the mode.
func (m Mode) String() string {
	switch m {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case Stall:
		return "stall"
	case Garbage:
		return "garbage"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ErrInjected is the error of a failed or stalled call: it wraps
// core.ErrStoreUnavailable, as a store's own failure does.
var ErrInjected = fmt.Errorf("faultstore: injected failure: %w", core.ErrStoreUnavailable)

// Switch holds the mode of each method and counts the calls. The zero
// Switch passes everything; it is safe for concurrent use.
type Switch struct {
	mu    sync.Mutex
	modes map[string]Mode
	calls map[string]int
}

// Set sets the mode of method ("Kind.Method").
func (s *Switch) Set(method string, m Mode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.modes == nil {
		s.modes = map[string]Mode{}
	}
	s.modes[method] = m
}

// Reset makes every method Pass and forgets the calls.
func (s *Switch) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.modes, s.calls = nil, nil
}

// Called returns the methods called since the last Reset, sorted.
func (s *Switch) Called() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.calls))
	for m := range s.calls {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// Calls returns how many times method was called since the last Reset.
func (s *Switch) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// enter counts a call of method and returns its mode.
func (s *Switch) enter(method string) Mode {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[method]++
	return s.modes[method]
}

// stall blocks until ctx is done and returns the failure of a store that
// timed out.
func stall(ctx context.Context, method string) error {
	<-ctx.Done()
	return fmt.Errorf("faultstore: %s stalled: %w", method, errors.Join(ErrInjected, ctx.Err()))
}

// call is the mechanism of every method with a result: by the mode of
// method, real's answer, ErrInjected, a stall, or real's answer through
// garbage (not when real failed).
func call[T any](ctx context.Context, s *Switch, method string, real func() (T, error), garbage func(T) T) (T, error) {
	var zero T
	switch s.enter(method) {
	case Fail:
		return zero, fmt.Errorf("faultstore: %s: %w", method, ErrInjected)
	case Stall:
		return zero, stall(ctx, method)
	case Garbage:
		v, err := real()
		if err != nil {
			return v, err
		}
		return garbage(v), nil
	}
	return real()
}

// call0 is call for a method with only an error: Garbage reports success
// without calling the store (a write that wrote nothing).
func call0(ctx context.Context, s *Switch, method string, real func() error) error {
	switch s.enter(method) {
	case Fail:
		return fmt.Errorf("faultstore: %s: %w", method, ErrInjected)
	case Stall:
		return stall(ctx, method)
	case Garbage:
		return nil
	}
	return real()
}

// call2 is call for a method with two results (a value and found/ok).
func call2[T any, U any](ctx context.Context, s *Switch, method string, real func() (T, U, error), garbage func(T, U) (T, U)) (T, U, error) {
	type pair struct {
		t T
		u U
	}
	p, err := call(ctx, s, method, func() (pair, error) {
		t, u, err := real()
		return pair{t, u}, err
	}, func(p pair) pair {
		t, u := garbage(p.t, p.u)
		return pair{t, u}
	})
	return p.t, p.u, err
}

// yes is the garbage of a boolean answer: true whatever happened.
func yes(bool) bool { return true }

// no is the garbage of a boolean answer: false whatever happened.
func no(bool) bool { return false }

// same is garbage that leaves the value as it is (for results a buggy
// store has no plausible wrong value of; the method still counts).
func same[T any](v T) T { return v }
