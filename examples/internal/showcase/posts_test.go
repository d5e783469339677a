package showcase

import "testing"

// IsPostID is Django's <int:pk>: [0-9]+, ASCII digits only.
func TestIsPostID(t *testing.T) {
	for s, want := range map[string]bool{
		"1": true, "01": true, "007": true, "42": true, "99999999999999999999": true,
		"": false, "abc": false, "1a": false, "+1": false, "-1": false, " 1": false, "1 ": false,
		".": false, "..": false, "1/": false, "1/2": false, "0x1": false, "1e3": false, "1.0": false,
		"١": false, // ARABIC-INDIC DIGIT ONE: Python's \d would take it, [0-9] does not
	} {
		if got := IsPostID(s); got != want {
			t.Errorf("IsPostID(%q) = %v, want %v", s, got, want)
		}
	}
}
