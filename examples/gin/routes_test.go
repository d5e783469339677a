package main

import (
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/examples/internal/showcasetest"
)

// Gin's own 404, 405 and trailing-slash redirects give way to the
// contract's: DRF's 405 after authentication and the view's permissions,
// for any method, and a 404 that authenticates nobody.
func TestMethodsAndUnknownPaths(t *testing.T) {
	c, alice := showcasetest.Demo(t, start)
	const notProvided = `{"detail":"Authentication credentials were not provided."}`

	r := c.Do("FROB", "/api/me", "", "")
	c.Expect(r, 401, notProvided)
	if r.Header.Get("Allow") != "" {
		t.Errorf("a 401 lists the methods of a 405 it is not: %v", r.Header)
	}
	r = c.Do("PATCH", "/api/posts/7", alice, "")
	c.Expect(r, 405, `{"detail":"Method \"PATCH\" not allowed."}`)
	if got := r.Header.Get("Allow"); got != "GET, HEAD, PUT, DELETE" {
		t.Errorf("405 Allow %q", got)
	}
	c.Expect(c.Do("FROB", "/api/me", alice, ""), 405, `{"detail":"Method \"FROB\" not allowed."}`)
	c.Expect(c.Do("FROB", "/api/me", "alice:wrong", ""), 401, `{"detail":"Invalid username/password."}`)
	c.Expect(c.Do("OPTIONS", "/api/posts/7", "", ""), 405, `{"detail":"Method \"OPTIONS\" not allowed."}`)
	c.Expect(c.Do("PATCH", "/api/posts/7", "", ""), 401, notProvided)
	c.Expect(c.Do("GET", "/api/token", "", ""), 405, `{"detail":"Method \"GET\" not allowed."}`)
	c.Expect(c.Do("HEAD", "/api/me", alice, ""), 200, "")
	c.Expect(c.Do("HEAD", "/healthz", "", ""), 200, "")
	for _, p := range []string{"/api/me/", "/api/posts/", "/api/posts/1/2", "/API/me"} {
		c.Expect(c.Do("GET", p, "", ""), 404, `{"detail":"Not found."}`)
	}
	r = c.Do("POST", "/healthz", "alice:wrong", "")
	c.Expect(r, 404, `{"detail":"Not found."}`)
	if r.Header.Get("Vary") != "" || r.Header.Get("Allow") != "" {
		t.Errorf("a path without views authenticated or listed methods: %v", r.Header)
	}
	m := c.Do("GET", "/metrics", "", "")
	if !strings.Contains(m.Body, `route="/api/me",status="405"`) {
		t.Errorf("405 not counted under its route:\n%s", m.Body)
	}
}

func TestMatchPath(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"/api/me", "/api/me", true},
		{"/api/me", "/api/me/", false},
		{"/api/posts/:id", "/api/posts/7", true},
		{"/api/posts/:id", "/api/posts/007", true},
		{"/api/posts/:id", "/api/posts/", false},
		// :id is a post id, [0-9]+, as Django's <int:pk>.
		{"/api/posts/:id", "/api/posts/abc", false},
		{"/api/posts/:id", "/api/posts/+1", false},
		{"/api/posts/:id", "/api/posts/-1", false},
		{"/api/posts/:id", "/api/posts/..", false},
		{"/api/posts/:id", "/api/posts/.", false},
		{"/api/users/:name", "/api/users/abc", true},
		{"/api/posts/:id", "/api/posts/7/x", false},
		{"/api/posts", "/api/posts/7", false},
	} {
		if got := matchPath(tc.pattern, tc.path); got != tc.want {
			t.Errorf("matchPath(%q, %q) = %v", tc.pattern, tc.path, got)
		}
	}
}
