package events_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core/events"
)

// TestDispatcherContract: subscribers run in order; one that panics or
// fails is logged and counted, and the next still runs; Emit fills the
// time and the source without overwriting what the event has; a nil
// dispatcher emits nothing.
func TestDispatcherContract(t *testing.T) {
	var logs bytes.Buffer
	var got []string
	d := events.New(
		events.SubscriberFunc(func(context.Context, events.Event) error { got = append(got, "first"); panic("subscriber bug") }),
		events.SubscriberFunc(func(context.Context, events.Event) error {
			got = append(got, "second")
			return errors.New("store down")
		}),
		events.SubscriberFunc(func(context.Context, events.Event) error { got = append(got, "third"); return nil }),
	)
	d.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	d.Now = func() time.Time { return at }
	ctx := events.WithSource(context.Background(), events.Source{RemoteAddr: "192.0.2.1", RequestID: "r-1"})
	e := &events.LoggedOut{Method: events.MethodSession}
	e.RemoteAddr = "198.51.100.2"
	d.Emit(ctx, e)
	if strings.Join(got, ",") != "first,second,third" {
		t.Fatalf("subscribers ran %v", got)
	}
	if d.Failures() != 2 {
		t.Fatalf("failures = %d", d.Failures())
	}
	for _, want := range []string{"a subscriber panicked", "subscriber bug", "a subscriber failed", "store down", "kind=user_logged_out"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	m := e.EventMeta()
	if !m.At.Equal(at) || m.RemoteAddr != "198.51.100.2" || m.RequestID != "r-1" {
		t.Fatalf("meta %+v", m)
	}
	var none *events.Dispatcher
	none.Emit(ctx, e) // no panic
	if none.Failures() != 0 {
		t.Fatal("nil dispatcher failures")
	}
	d.Emit(ctx, nil) // no panic, nothing delivered
	if len(got) != 3 {
		t.Fatal("a nil event was delivered")
	}
}

// TestDispatcherConcurrent: Subscribe and Emit from many goroutines (run
// with -race).
func TestDispatcherConcurrent(t *testing.T) {
	d := events.New()
	var mu sync.Mutex
	n := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			d.Subscribe(events.SubscriberFunc(func(context.Context, events.Event) error { mu.Lock(); n++; mu.Unlock(); return nil }))
		}()
		go func() {
			defer wg.Done()
			d.Emit(context.Background(), &events.PasswordChanged{})
		}()
	}
	wg.Wait()
	d.Emit(context.Background(), &events.PasswordChanged{})
	if n < 8 {
		t.Fatalf("the last event reached %d subscribers", n)
	}
}

// TestTypedUsername: Django's max_length of 150, counted in runes;
// invalid UTF-8 replaced.
func TestTypedUsername(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"alice", "alice"},
		{strings.Repeat("é", 150), strings.Repeat("é", 150)},
		{strings.Repeat("é", 151), strings.Repeat("é", 150)},
		{strings.Repeat("a", 10000), strings.Repeat("a", 150)},
		{"a\xffb", "a\uFFFDb"},
	} {
		got := events.TypedUsername(tc.in)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("TypedUsername(%d bytes) = %q, want %q", len(tc.in), got, tc.want)
		}
	}
}

// TestKinds: every event type's Kind is listed once in Kinds.
func TestKinds(t *testing.T) {
	all := []events.Event{&events.LoggedIn{}, &events.LoggedOut{}, &events.LoginFailed{}, &events.PasswordChanged{},
		&events.PasswordReset{}, &events.MFAEnabled{}, &events.MFADisabled{}, &events.TokenFamilyRevoked{},
		&events.Throttled{}, &events.SessionsEnded{}, &events.OAuth2TokenRevoked{}}
	kinds := events.Kinds()
	if len(kinds) != len(all) {
		t.Fatalf("%d kinds, %d types", len(kinds), len(all))
	}
	seen := map[events.Kind]bool{}
	for i, e := range all {
		if e.Kind() != kinds[i] || seen[e.Kind()] {
			t.Errorf("type %T has kind %s, Kinds()[%d] = %s", e, e.Kind(), i, kinds[i])
		}
		seen[e.Kind()] = true
	}
}
