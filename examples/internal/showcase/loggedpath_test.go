package showcase

import "testing"

// TestLoggedPath: a page's failure is logged without a reset link's token.
func TestLoggedPath(t *testing.T) {
	for in, want := range map[string]string{
		"/accounts/reset/MQ/cdz3kq-0123456789abcdef0123456789abcdef": "/accounts/reset/…",
		"/accounts/reset/MQ/set-password/":                           "/accounts/reset/…",
		"/accounts/reset/done/":                                      "/accounts/reset/done/",
		"/account":                                                   "/account",
	} {
		if got := loggedPath(in); got != want {
			t.Errorf("loggedPath(%q) = %q; want %q", in, got, want)
		}
	}
}
