package main

import (
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/examples/internal/showcasetest"
)

// Echo's own 405 gives way to the contract's: DRF's 405, with the methods
// the path takes in Allow (not OPTIONS, which these paths refuse), and a
// 404 for any other method on a path that has one view only.
func TestMethodsAndUnknownPaths(t *testing.T) {
	c, alice := showcasetest.Demo(t, start)

	r := c.Do("PATCH", "/api/posts/7", alice, "")
	c.Expect(r, 405, `{"detail":"Method \"PATCH\" not allowed."}`)
	if got := r.Header.Get("Allow"); got != "GET, HEAD, PUT, DELETE" {
		t.Errorf("405 Allow %q", got)
	}
	r = c.Do("OPTIONS", "/api/me", alice, "")
	c.Expect(r, 405, `{"detail":"Method \"OPTIONS\" not allowed."}`)
	if got := r.Header.Get("Allow"); got != "GET, HEAD" {
		t.Errorf("405 Allow %q", got)
	}
	r = c.Do("FROB", "/api/me", "", "")
	c.Expect(r, 401, `{"detail":"Authentication credentials were not provided."}`)
	if r.Header.Get("Allow") != "" {
		t.Errorf("a 401 lists methods: %v", r.Header)
	}
	for _, p := range []string{"/healthz", "/metrics", "/.well-known/jwks.json"} {
		r = c.Do("POST", p, "alice:wrong", "")
		c.Expect(r, 404, `{"detail":"Not found."}`)
		if r.Header.Get("Allow") != "" || r.Header.Get("Vary") != "" {
			t.Errorf("POST %s authenticated or listed methods: %v", p, r.Header)
		}
	}
	m := c.Do("GET", "/metrics", "", "")
	if !strings.Contains(m.Body, `route="/api/posts/:id",status="405"`) || !strings.Contains(m.Body, `method="POST",route="unmatched",status="404"} 3`) {
		t.Errorf("metrics:\n%s", m.Body)
	}
}

// Paths route as on the other frameworks: by the decoded path, and a
// route's last parameter is one segment (Echo's would take the rest of
// the path) and a post id ([0-9]+, as Django's <int:pk>), so these are
// 404 before authentication.
func TestPaths(t *testing.T) {
	c, alice := showcasetest.Demo(t, start)

	c.Expect(c.Do("GET", "/api/%6De", alice, ""), 200, "")
	c.Expect(c.Do("POST", "/api/posts", alice, `{"title":"t","body":"b"}`), 201, "")
	for _, p := range []string{"/api/posts/1/", "/api/posts/1/x", "/api/posts/1%2F", "/api/posts/../me", "/api/posts/abc", "/api/posts/+1", "/api/posts/%2e%2e"} {
		for _, method := range []string{"GET", "PUT", "FROB"} {
			r := c.Do(method, p, "", `{"title":"x","body":"y"}`)
			c.Expect(r, 404, `{"detail":"Not found."}`)
			if r.Header.Get("Vary") != "" {
				t.Errorf("%s %s authenticated: %v", method, p, r.Header)
			}
		}
	}
	m := c.Do("GET", "/metrics", "", "")
	if !strings.Contains(m.Body, `method="GET",route="unmatched",status="404"} 7`) {
		t.Errorf("metrics:\n%s", m.Body)
	}
}
