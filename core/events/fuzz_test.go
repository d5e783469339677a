package events_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core/events"
)

// FuzzTypedUsername: whatever a client types, the event keeps valid UTF-8
// of at most MaxUsernameRunes runes, a prefix of the typed text (invalid
// bytes replaced), and all of it when it is short enough.
func FuzzTypedUsername(f *testing.F) {
	for _, s := range []string{"", "alice", "a\xffb", strings.Repeat("é", 151), strings.Repeat("\xff", 300), "\x00\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := events.TypedUsername(s)
		valid := strings.ToValidUTF8(s, "\uFFFD")
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > events.MaxUsernameRunes || !strings.HasPrefix(valid, got) {
			t.Fatalf("TypedUsername(%q) = %q", s, got)
		}
		if utf8.RuneCountInString(valid) <= events.MaxUsernameRunes && got != valid {
			t.Fatalf("TypedUsername(%q) = %q, cut a short name", s, got)
		}
	})
}
