package faultstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/usersessions"
	"github.com/reinhardt-go/auth/internal/faultstore"
	"github.com/reinhardt-go/auth/stores/memory"
)

// Example: the session backend's Load fails while the switch says so.
func Example() {
	var sw faultstore.Switch
	b := faultstore.Sessions{SessionBackend: memory.NewSessionBackend(memory.WithSessionCleanupInterval(0)), S: &sw}
	ctx := context.Background()
	id := sessions.GenerateKey()
	_ = b.Save(ctx, id, sessions.Record{Data: []byte("{}"), Expiry: time.Now().Add(time.Hour)})

	sw.Set("Sessions.Load", faultstore.Fail)
	_, _, err := b.Load(ctx, id)
	fmt.Println(errors.Is(err, core.ErrStoreUnavailable), sw.Calls("Sessions.Load"))

	sw.Reset()
	_, found, err := b.Load(ctx, id)
	fmt.Println(found, err)
	// Output:
	// true 1
	// true <nil>
}

// TestModes: each mode does what it says on a real store.
func TestModes(t *testing.T) {
	var sw faultstore.Switch
	users := core.NewDefaultUserManager()
	ctx := context.Background()
	pw := "x-very-long-password"
	u, err := users.CreateUser(ctx, "alice", &pw, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := faultstore.Users{UserStore: users, S: &sw}
	if got, err := w.UserByID(ctx, u.GetID()); err != nil || got.GetID() != u.GetID() {
		t.Fatalf("pass: %v, %v", got, err)
	}
	sw.Set("Users.UserByID", faultstore.Fail)
	if _, err := w.UserByID(ctx, u.GetID()); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("fail: %v", err)
	}
	sw.Set("Users.UserByID", faultstore.Garbage)
	if got, err := w.UserByID(ctx, u.GetID()); err != nil || got == nil || got.GetID() == u.GetID() {
		t.Errorf("garbage: %v, %v; want another user", got, err)
	}
	sw.Set("Users.UserByID", faultstore.Stall)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := w.UserByID(short, u.GetID()); !errors.Is(err, core.ErrStoreUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stall: %v", err)
	}
	if n := sw.Calls("Users.UserByID"); n != 4 {
		t.Errorf("%d calls counted; want 4", n)
	}
}

// TestWrapSessionsKeepsListing: over a backend that lists a user's
// sessions, the wrapper lists them too, through the switch.
func TestWrapSessionsKeepsListing(t *testing.T) {
	var sw faultstore.Switch
	b := faultstore.WrapSessions(memory.NewSessionBackend(memory.WithSessionCleanupInterval(0)), &sw)
	l, ok := b.(usersessions.Lister)
	if !ok {
		t.Fatal("the wrapped memory backend lists no user sessions")
	}
	ctx := context.Background()
	rec := sessions.Record{Data: []byte("{}"), Expiry: time.Now().Add(time.Hour), UserID: "7"}
	if _, err := sessions.SaveRecord(ctx, b, sessions.GenerateKey(), rec); err != nil {
		t.Fatal(err)
	}
	if got, err := l.UserSessions(ctx, "7"); err != nil || len(got) != 1 {
		t.Fatalf("UserSessions = %v, %v; want one", got, err)
	}
	sw.Set("Sessions.UserSessions", faultstore.Fail)
	if _, err := l.UserSessions(ctx, "7"); !errors.Is(err, core.ErrStoreUnavailable) || sw.Calls("Sessions.UserSessions") != 2 {
		t.Errorf("UserSessions failing = %v, %d calls", err, sw.Calls("Sessions.UserSessions"))
	}
}
