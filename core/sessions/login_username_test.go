package sessions

import (
	"strings"
	"testing"
)

// TestLoginUsername: the session login reads the username as Django's
// AuthenticationForm (UsernameField.to_python) does: NFKC up to the
// username's maximum length, as sent beyond it.
func TestLoginUsername(t *testing.T) {
	long := strings.Repeat("ａ", 151)
	for in, want := range map[string]string{
		"ａｌｉｃｅ":                  "alice",
		"ﬁle":                    "file",
		"аlice":                  "аlice", // Cyrillic а has no compatibility form
		strings.Repeat("ａ", 150): strings.Repeat("a", 150),
		long:                     long,
	} {
		if got := loginUsername(in); got != want {
			t.Errorf("loginUsername(%q) = %q, want %q", in, got, want)
		}
	}
}
