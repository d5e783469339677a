package main

import "testing"

func TestRouteLabel(t *testing.T) {
	for pattern, want := range map[string]string{
		"GET /api/me":                "/api/me",
		"/api/me":                    "/api/me",
		"PUT /api/posts/{id}":        "/api/posts/:id",
		"/api/posts/{id}":            "/api/posts/:id",
		"GET /files/{path...}":       "/files/:path",
		"GET /.well-known/jwks.json": "/.well-known/jwks.json",
		"/":                          "",
		"":                           "",
	} {
		if got := routeLabel(pattern); got != want {
			t.Errorf("routeLabel(%q) = %q, want %q", pattern, got, want)
		}
	}
}

func TestIsClean(t *testing.T) {
	for p, want := range map[string]bool{
		"/": true, "/api/me": true, "/api/me/": true,
		"//": false, "/api//me": false, "/api/./me": false, "/api/posts/../me": false, "/api/me/.": false, "": false,
	} {
		if got := isClean(p); got != want {
			t.Errorf("isClean(%q) = %v", p, got)
		}
	}
}
