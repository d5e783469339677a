package core_test

import (
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core"
)

// TestLoginUsername: the session login and registration read the username
// as Django's forms (UsernameField.to_python) do, through
// NormalizeTypedUsername: NFKC up to the username's maximum length, as
// sent beyond it.
func TestLoginUsername(t *testing.T) {
	long := strings.Repeat("ａ", 151)
	for in, want := range map[string]string{
		"ａｌｉｃｅ":                  "alice",
		"ﬁle":                    "file",
		"аlice":                  "аlice", // Cyrillic а has no compatibility form
		strings.Repeat("ａ", 150): strings.Repeat("a", 150),
		long:                     long,
	} {
		if got := core.NormalizeTypedUsername(in); got != want {
			t.Errorf("core.NormalizeTypedUsername(%q) = %q, want %q", in, got, want)
		}
	}
}
