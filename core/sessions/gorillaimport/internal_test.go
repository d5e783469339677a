package gorillaimport

import (
	"context"
	"slices"
	"testing"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
)

// TestCopyValuesSkipsReservedKeys: the default mapping copies a gorilla
// session's values but never the keys this library keeps for the login
// (sessions.SessionKey and its kin) or the session's creation time: an
// imported cookie logs nobody in unless Map says so (LoginUser).
func TestCopyValuesSkipsReservedKeys(t *testing.T) {
	s := sessions.New(memory.NewSessionBackend())
	values := map[string]any{
		"theme": "dark", "user_id": 7,
		sessions.SessionKey: "1", sessions.BackendSessionKey: "x", sessions.HashSessionKey: "h",
		sessions.LoginAtKey: 1, "_session_created": 1,
	}
	if err := copyValues(context.Background(), values, s); err != nil {
		t.Fatal(err)
	}
	got := s.Keys()
	slices.Sort(got)
	if want := []string{"theme", "user_id"}; !slices.Equal(got, want) {
		t.Fatalf("imported keys %v; want %v", got, want)
	}
}
