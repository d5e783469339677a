package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/memory"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// TestTokenStores runs the token conformance suite on the memory stores,
// on new ones and on zero values.
func TestTokenStores(t *testing.T) {
	storetest.TestTokenStores(t, func(t *testing.T) (tokens.TokenBlacklist, tokens.RefreshStore) {
		return memory.NewBlacklist(), memory.NewRefreshStore()
	})
	t.Run("ZeroValues", func(t *testing.T) {
		storetest.TestTokenStores(t, func(t *testing.T) (tokens.TokenBlacklist, tokens.RefreshStore) {
			return &memory.Blacklist{}, &memory.RefreshStore{}
		})
	})
}

// TestTokenLazyExpiry: the stores drop long-expired entries by themselves
// on writes, at most every TokenSweepInterval, keeping those still within
// the verifiers' leeway.
func TestTokenLazyExpiry(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	bl := &memory.Blacklist{Now: clock}
	rs := &memory.RefreshStore{Now: clock}
	if err := bl.Blacklist(ctx, "old", now.Add(time.Minute), tokens.Logout); err != nil {
		t.Fatal(err)
	}
	if err := bl.Blacklist(ctx, "leeway", now.Add(2*time.Minute), tokens.Logout); err != nil {
		t.Fatal(err)
	}
	rec := tokens.RefreshRecord{JTI: "r", Family: "f", UserID: "1", IssuedAt: now, ExpiresAt: now.Add(time.Minute)}
	if err := rs.Issue(ctx, rec); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2*time.Minute + 10*time.Second) // "old" 70 s past, "leeway" 10 s past
	if err := bl.Blacklist(ctx, "new", now.Add(time.Hour), tokens.Logout); err != nil {
		t.Fatal(err)
	}
	if err := rs.Issue(ctx, tokens.RefreshRecord{JTI: "r2", Family: "f2", UserID: "1", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for jti, want := range map[string]bool{"old": false, "leeway": true, "new": true} {
		if got, _ := bl.IsBlacklisted(ctx, jti); got != want {
			t.Errorf("IsBlacklisted(%q) = %v, want %v", jti, got, want)
		}
	}
	if c, _ := rs.Consume(ctx, "r"); c.Result != tokens.Unknown {
		t.Errorf("an expired refresh token survived the sweep: %v", c.Result)
	}
	if _, ok, _ := rs.Family(ctx, "f"); ok {
		t.Error("an expired family survived the sweep")
	}
}
