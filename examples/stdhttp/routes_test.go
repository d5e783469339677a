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
