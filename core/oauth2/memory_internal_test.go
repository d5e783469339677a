package oauth2

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
)

// TestMemoryIndexesEmptied: CleanupExpired and DeleteApplication leave no
// index entries behind, so a long-running store does not grow.
func TestMemoryIndexesEmptied(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	s := NewMemoryStore()
	if err := s.CreateApplication(ctx, Application{ClientID: "c"}); err != nil {
		t.Fatal(err)
	}
	for i, exp := range []time.Duration{time.Minute, time.Hour} {
		fam := string(rune('a' + i))
		err := s.SaveTokens(ctx,
			StoredToken{Hash: fam + "1", Kind: oauth2store.KindAccess, ClientID: "c", FamilyID: fam, CodeHash: "code-" + fam, ExpiresAt: now.Add(exp)},
			StoredToken{Hash: fam + "2", Kind: oauth2store.KindRefresh, ClientID: "c", FamilyID: fam, CodeHash: "code-" + fam, ExpiresAt: now.Add(exp)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := s.CleanupExpired(ctx, now.Add(2*time.Minute)); n != 2 || len(s.byFamily) != 1 || len(s.byCode) != 1 {
		t.Fatalf("after cleanup: %d removed, %d families, %d codes indexed; want 2, 1, 1", n, len(s.byFamily), len(s.byCode))
	}
	if _, err := s.DeleteApplication(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if len(s.tokens)+len(s.byFamily)+len(s.byCode) != 0 {
		t.Errorf("after DeleteApplication: %d tokens, %d families, %d codes indexed", len(s.tokens), len(s.byFamily), len(s.byCode))
	}
}

// TestMemoryEvictsExpiredCodes: codes issued and never redeemed do not
// pile up until CleanupExpired: saving codes evicts the ones that expired
// at least oauth2store.MaxCodeLifetime before the new one expires.
func TestMemoryEvictsExpiredCodes(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	start := time.Unix(1_700_000_000, 0)
	const n = 5000 // one a second for 83 minutes, each living a minute
	for i := range n {
		issued := start.Add(time.Duration(i) * time.Second)
		if err := s.SaveCode(ctx, StoredCode{Hash: fmt.Sprint("code-", i), ClientID: "c", ExpiresAt: issued.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.codes) > 2500 {
		t.Errorf("%d codes kept of %d saved a second apart, each living a minute; expired ones must be evicted", len(s.codes), n)
	}
	// The live ones stay: the last code is still redeemable.
	last := start.Add((n - 1) * time.Second)
	if _, st, _ := s.ConsumeCode(ctx, fmt.Sprint("code-", n-1), last); st != oauth2store.CodeValid {
		t.Errorf("the newest code: %v; want CodeValid", st)
	}
	if _, st, _ := s.ConsumeCode(ctx, fmt.Sprint("code-", n-30), last); st != oauth2store.CodeValid {
		t.Errorf("a code 30 s old: %v; want CodeValid", st)
	}
}

// TestMemoryEvictionKeepsUsedCodes: SaveCode's sweep keeps a used code
// for oauth2store.UsedCodeRetention after its expiry, as CleanupExpired
// does, so that its reuse is still recognised; an unused one goes.
func TestMemoryEvictionKeepsUsedCodes(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	start := time.Unix(1_700_000_000, 0)
	save := func(name string, issued time.Time) {
		t.Helper()
		if err := s.SaveCode(ctx, StoredCode{Hash: name, ClientID: "c", ExpiresAt: issued.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	save("used", start)
	save("unused", start)
	if _, st, _ := s.ConsumeCode(ctx, "used", start); st != oauth2store.CodeValid {
		t.Fatalf("ConsumeCode = %v; want CodeValid", st)
	}
	// Enough codes, an hour later, that SaveCode sweeps.
	later := start.Add(time.Hour)
	for i := range 2 * minCodeSweep {
		save(fmt.Sprint("code-", i), later)
	}
	if _, ok := s.codes["unused"]; ok {
		t.Error("the sweep kept an unused code an hour after its expiry")
	}
	if _, st, _ := s.ConsumeCode(ctx, "used", later); st != oauth2store.CodeReused {
		t.Errorf("a used code after the sweep: %v; want CodeReused (kept for UsedCodeRetention)", st)
	}
}
