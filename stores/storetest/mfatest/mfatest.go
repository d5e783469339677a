package mfatest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/mfa/mfastore"
)

// MFASubmitters is how many goroutines race to use one time step or one
// recovery code.
const MFASubmitters = 10

// TestMFAStore checks that an mfastore.Store keeps its contract: among others,
// MFASubmitters concurrent AdvanceStep calls with one step, or
// ConsumeRecoveryCode calls with one hash, succeed exactly once. open is
// called once per subtest and must return an empty store, which it may
// close with t.Cleanup. Run it under the race detector.
func TestMFAStore(t *testing.T, open func(t *testing.T) mfastore.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s mfastore.Store)
	}{
		{"GetMissing", testMFAGetMissing},
		{"BeginConfirm", testMFABeginConfirm},
		{"BeginReplacesUnconfirmed", testMFABeginReplaces},
		{"AdvanceStep", testMFAAdvanceStep},
		{"AdvanceStepRace", testMFAAdvanceStepRace},
		{"ConfirmRace", testMFAConfirmRace},
		{"RecoveryCodes", testMFARecoveryCodes},
		{"RecoveryCodeRace", testMFARecoveryRace},
		{"Delete", testMFADelete},
		{"ContextCanceled", testMFAContextCanceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, open(t)) })
	}
}

func mfaBegin(t *testing.T, s mfastore.Store, user string) mfastore.Record {
	t.Helper()
	rec := mfastore.Record{UserID: user, Secret: "v1$00000000$c2VjcmV0", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := s.Begin(context.Background(), rec); err != nil {
		t.Fatalf("Begin(%q): %v", user, err)
	}
	return rec
}

func mfaConfirm(t *testing.T, s mfastore.Store, user string, step int64, hashes ...string) {
	t.Helper()
	mfaBegin(t, s, user)
	ok, err := s.Confirm(context.Background(), user, step, hashes)
	if err != nil || !ok {
		t.Fatalf("Confirm(%q) = %v, %v; want true", user, ok, err)
	}
}

func testMFAGetMissing(t *testing.T, s mfastore.Store) {
	ctx := context.Background()
	if _, err := s.Get(ctx, "nobody"); !errors.Is(err, mfastore.ErrNotEnrolled) {
		t.Fatalf("Get(missing) error = %v; want ErrNotEnrolled", err)
	}
	if _, err := s.Confirm(ctx, "nobody", 5, nil); !errors.Is(err, mfastore.ErrNotEnrolled) {
		t.Fatalf("Confirm(missing) error = %v; want ErrNotEnrolled", err)
	}
	if ok, err := s.AdvanceStep(ctx, "nobody", 5); ok || err != nil {
		t.Fatalf("AdvanceStep(missing) = %v, %v; want false, nil", ok, err)
	}
	if ok, err := s.ConsumeRecoveryCode(ctx, "nobody", "ab"); ok || err != nil {
		t.Fatalf("ConsumeRecoveryCode(missing) = %v, %v; want false, nil", ok, err)
	}
	if err := s.SetRecoveryCodes(ctx, "nobody", []string{"ab"}); !errors.Is(err, mfastore.ErrNotEnrolled) {
		t.Fatalf("SetRecoveryCodes(missing) error = %v; want ErrNotEnrolled", err)
	}
	if err := s.Delete(ctx, "nobody"); err != nil {
		t.Fatalf("Delete(missing): %v", err)
	}
}

func testMFABeginConfirm(t *testing.T, s mfastore.Store) {
	ctx := context.Background()
	want := mfaBegin(t, s, "1")
	got, err := s.Get(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != "1" || got.Secret != want.Secret || got.Confirmed || got.LastStep != 0 || !got.CreatedAt.Equal(want.CreatedAt) || got.RecoveryCodes != 0 {
		t.Fatalf("Get after Begin = %+v; want %+v", got, want)
	}
	// Not confirmed: no step advances, no recovery code is used.
	if ok, err := s.AdvanceStep(ctx, "1", 10); ok || err != nil {
		t.Fatalf("AdvanceStep(unconfirmed) = %v, %v; want false, nil", ok, err)
	}
	if ok, err := s.Confirm(ctx, "1", 100, []string{"h1", "h2"}); !ok || err != nil {
		t.Fatalf("Confirm = %v, %v; want true", ok, err)
	}
	got, _ = s.Get(ctx, "1")
	if !got.Confirmed || got.LastStep != 100 || got.RecoveryCodes != 2 {
		t.Fatalf("Get after Confirm = %+v; want confirmed, step 100, 2 codes", got)
	}
	if ok, err := s.Confirm(ctx, "1", 200, nil); ok || err != nil {
		t.Fatalf("second Confirm = %v, %v; want false, nil", ok, err)
	}
	if err := s.Begin(ctx, mfastore.Record{UserID: "1", Secret: "other"}); !errors.Is(err, mfastore.ErrAlreadyEnrolled) {
		t.Fatalf("Begin over confirmed: %v; want ErrAlreadyEnrolled", err)
	}
	if got2, _ := s.Get(ctx, "1"); got2.Secret != want.Secret || !got2.Confirmed {
		t.Fatalf("Begin over confirmed changed the record: %+v", got2)
	}
}

func testMFABeginReplaces(t *testing.T, s mfastore.Store) {
	ctx := context.Background()
	mfaBegin(t, s, "1")
	if err := s.Begin(ctx, mfastore.Record{UserID: "1", Secret: "second", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, "1")
	if got.Secret != "second" || got.Confirmed {
		t.Fatalf("Get = %+v; want the second, unconfirmed secret", got)
	}
}

func testMFAAdvanceStep(t *testing.T, s mfastore.Store) {
	ctx := context.Background()
	mfaConfirm(t, s, "1", 100)
	for _, c := range []struct {
		step int64
		want bool
	}{{100, false}, {99, false}, {101, true}, {101, false}, {100, false}, {150, true}, {120, false}} {
		if ok, err := s.AdvanceStep(ctx, "1", c.step); ok != c.want || err != nil {
			t.Fatalf("AdvanceStep(%d) = %v, %v; want %v", c.step, ok, err, c.want)
		}
	}
	if got, _ := s.Get(ctx, "1"); got.LastStep != 150 {
		t.Fatalf("LastStep = %d; want 150", got.LastStep)
	}
}

// race runs f in MFASubmitters goroutines released together and returns
// how many got true.
func race(t *testing.T, f func() (bool, error)) int64 {
	t.Helper()
	var wins atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, MFASubmitters)
	for range MFASubmitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := f()
			if err != nil {
				errs <- err
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call: %v", err)
	}
	return wins.Load()
}

func testMFAAdvanceStepRace(t *testing.T, s mfastore.Store) {
	mfaConfirm(t, s, "1", 100)
	if n := race(t, func() (bool, error) { return s.AdvanceStep(context.Background(), "1", 101) }); n != 1 {
		t.Fatalf("%d concurrent AdvanceStep(101): %d succeeded; want 1", MFASubmitters, n)
	}
}

func testMFAConfirmRace(t *testing.T, s mfastore.Store) {
	mfaBegin(t, s, "1")
	if n := race(t, func() (bool, error) { return s.Confirm(context.Background(), "1", 7, []string{"h"}) }); n != 1 {
		t.Fatalf("%d concurrent Confirm: %d succeeded; want 1", MFASubmitters, n)
	}
}

func testMFARecoveryCodes(t *testing.T, s mfastore.Store) {
	ctx := context.Background()
	mfaConfirm(t, s, "1", 100, "aa", "bb")
	mfaConfirm(t, s, "2", 100, "cc")
	if ok, err := s.ConsumeRecoveryCode(ctx, "1", "cc"); ok || err != nil {
		t.Fatalf("another user's code = %v, %v; want false", ok, err)
	}
	if ok, err := s.ConsumeRecoveryCode(ctx, "1", "aa"); !ok || err != nil {
		t.Fatalf("first use = %v, %v; want true", ok, err)
	}
	if ok, err := s.ConsumeRecoveryCode(ctx, "1", "aa"); ok || err != nil {
		t.Fatalf("second use = %v, %v; want false", ok, err)
	}
	if got, _ := s.Get(ctx, "1"); got.RecoveryCodes != 1 {
		t.Fatalf("RecoveryCodes = %d; want 1", got.RecoveryCodes)
	}
	if err := s.SetRecoveryCodes(ctx, "1", []string{"dd", "ee", "ff"}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.ConsumeRecoveryCode(ctx, "1", "bb"); ok {
		t.Fatal("a replaced code still works")
	}
	if ok, _ := s.ConsumeRecoveryCode(ctx, "1", "ee"); !ok {
		t.Fatal("a new code does not work")
	}
	if got, _ := s.Get(ctx, "1"); got.RecoveryCodes != 2 {
		t.Fatalf("RecoveryCodes = %d; want 2", got.RecoveryCodes)
	}
	// Beginning again (after Delete) starts without codes.
	if err := s.Delete(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	mfaBegin(t, s, "1")
	if got, _ := s.Get(ctx, "1"); got.RecoveryCodes != 0 {
		t.Fatalf("RecoveryCodes after re-enrolling = %d; want 0", got.RecoveryCodes)
	}
}

func testMFARecoveryRace(t *testing.T, s mfastore.Store) {
	mfaConfirm(t, s, "1", 100, "aa", "bb")
	if n := race(t, func() (bool, error) { return s.ConsumeRecoveryCode(context.Background(), "1", "aa") }); n != 1 {
		t.Fatalf("%d concurrent uses of one recovery code: %d succeeded; want 1", MFASubmitters, n)
	}
}

func testMFADelete(t *testing.T, s mfastore.Store) {
	ctx := context.Background()
	mfaConfirm(t, s, "1", 100, "aa")
	mfaConfirm(t, s, "2", 100)
	if err := s.Delete(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "1"); !errors.Is(err, mfastore.ErrNotEnrolled) {
		t.Fatalf("Get after Delete: %v; want ErrNotEnrolled", err)
	}
	if ok, _ := s.ConsumeRecoveryCode(ctx, "1", "aa"); ok {
		t.Fatal("a deleted user's recovery code works")
	}
	if got, err := s.Get(ctx, "2"); err != nil || !got.Confirmed {
		t.Fatalf("Delete touched another user: %+v, %v", got, err)
	}
}

func testMFAContextCanceled(t *testing.T, s mfastore.Store) {
	mfaConfirm(t, s, "1", 100, "aa")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	check := func(name string, err error) {
		t.Helper()
		if !errors.Is(err, core.ErrStoreUnavailable) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: %v; want ErrStoreUnavailable and context.Canceled", name, err)
		}
	}
	_, err := s.Get(ctx, "1")
	check("Get", err)
	_, err = s.AdvanceStep(ctx, "1", 200)
	check("AdvanceStep", err)
	_, err = s.ConsumeRecoveryCode(ctx, "1", "aa")
	check("ConsumeRecoveryCode", err)
	check("Delete", s.Delete(ctx, "1"))
	if got, _ := s.Get(context.Background(), "1"); got.LastStep != 100 || got.RecoveryCodes != 1 {
		t.Fatalf("a canceled call changed the record: %+v", got)
	}
}
