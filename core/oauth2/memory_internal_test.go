package oauth2

import (
	"context"
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
