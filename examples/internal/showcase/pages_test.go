package showcase

import (
	"net/url"
	"strings"
	"testing"
)

// TestSafeNext: a login redirects only to a path of this site, never to
// another host however the URL is spelt (Django's
// url_has_allowed_host_and_scheme's cases, stricter).
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]bool{
		"/": true,
		"/o/authorize?client_id=x&scope=openid+read": true,
		"/accounts/login?next=%2Fx":                  true,
		"/caf%C3%A9":                                 true,
		"":                                           false,
		"o/authorize":                                false,
		"//evil.example":                             false,
		"///evil.example":                            false,
		"/\\evil.example":                            false,
		"\\\\evil.example":                           false,
		"/\t/evil.example":                           false,
		"/\n/evil.example":                           false,
		"/ /evil.example":                            false,
		" //evil.example":                            false,
		"https://evil.example/":                      false,
		"http:/evil.example":                         false,
		"javascript:alert(1)":                        false,
		"/x\x00":                                     false,
		"/x\u200b":                                   false,
		"/x\u2028":                                   false,
		"/x\xff":                                     false,
	} {
		if got := SafeNext(next); got != want {
			t.Errorf("SafeNext(%q) = %v; want %v", next, got, want)
		}
	}
}

// FuzzSafeNext: whatever SafeNext accepts names no host, also once a
// browser has dropped tabs and newlines and read backslashes as slashes.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "//evil", "/\\evil", "/\t/evil", "https://evil", "/ok?next=//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		if !SafeNext(next) {
			return
		}
		browser := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(next)
		for _, s := range []string{next, browser} {
			u, err := url.Parse(s)
			if err != nil {
				continue // not a URL a browser follows to another host either
			}
			if u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(s, "//") {
				t.Fatalf("SafeNext(%q) = true, but it reads as %+v", next, u)
			}
		}
	})
}
