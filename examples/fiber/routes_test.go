package main

import (
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/examples/internal/showcasetest"
)

// DRF's 405 lists the methods the path takes in Allow; the 401 that
// authentication gives first does not.
func TestMethodNotAllowed(t *testing.T) {
	base, out := start(t, []string{"-db", showcasetest.TempDB(t)})
	alice := "alice:" + showcasetest.DemoCredentials(out)["alice"]
	c := showcasetest.NewClient(t, base)

	for _, tc := range []struct{ method, path, allow string }{
		{"PATCH", "/api/posts/7", "GET, HEAD, PUT, DELETE"},
		{"FROB", "/api/me", "GET, HEAD"},
		{"GET", "/api/token", "POST"},
	} {
		r := c.Do(tc.method, tc.path, alice, "")
		c.Expect(r, 405, `{"detail":"Method \"`+tc.method+`\" not allowed."}`)
		if got := r.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
	r := c.Do("FROB", "/api/me", "", "")
	c.Expect(r, 401, `{"detail":"Authentication credentials were not provided."}`)
	if r.Header.Get("Allow") != "" {
		t.Errorf("a 401 lists methods: %v", r.Header)
	}
}

// Paths route by their decoded form, as on the other frameworks.
func TestDecodedPath(t *testing.T) {
	base, out := start(t, []string{"-db", showcasetest.TempDB(t)})
	alice := "alice:" + showcasetest.DemoCredentials(out)["alice"]
	c := showcasetest.NewClient(t, base)

	c.Expect(c.Do("GET", "/api/%6De", alice, ""), 200, "")
	c.Expect(c.Do("POST", "/api/posts", alice, `{"title":"t","body":"b"}`), 201, "")
	r := c.Do("PUT", "/api/posts/1%2F", "", `{"title":"x","body":"y"}`) // /api/posts/1/
	c.Expect(r, 404, `{"detail":"Not found."}`)
	if r.Header.Get("Vary") != "" {
		t.Errorf("an unknown path authenticated: %v", r.Header)
	}
}

// A request no route of the contract matches counts as route="unmatched",
// as on the other frameworks.
func TestUnmatchedMetrics(t *testing.T) {
	base, _ := start(t, []string{"-db", showcasetest.TempDB(t)})
	c := showcasetest.NewClient(t, base)
	c.Expect(c.Do("GET", "/nowhere", "", ""), 404, `{"detail":"Not found."}`)
	c.Expect(c.Do("POST", "/healthz", "", ""), 404, `{"detail":"Not found."}`)
	m := c.Do("GET", "/metrics", "", "")
	for _, want := range []string{
		`reinhardt_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`reinhardt_http_requests_total{method="POST",route="unmatched",status="404"} 1`,
	} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("metrics without %s:\n%s", want, m.Body)
		}
	}
}
