package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/reinhardt-go/auth/examples/internal/showcasetest"
)

// DRF's 405 lists the methods the path takes in Allow; the 401 that
// authentication gives first does not.
func TestMethodNotAllowed(t *testing.T) {
	c, alice := showcasetest.Demo(t, start)

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
	c, alice := showcasetest.Demo(t, start)

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

// serveAsNetHTTP decodes paths as net/http does and refuses what it
// refuses, with its bytes: a Fiber app that echoes the path it routes by
// answers every target as a net/http server that echoes URL.Path.
func TestNetHTTPPath(t *testing.T) {
	app := fiber.New(fiber.Config{UnescapePath: true, DisableStartupMessage: true, RequestMethods: methods})
	app.Use(func(c *fiber.Ctx) error { return c.SendString(c.Path()) })
	serveAsNetHTTP(app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	base := "http://" + ln.Addr().String()
	ref := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.URL.Path) }))
	defer ref.Close()

	for target, path := range map[string]string{
		"/a+b": "/a+b", "/+1": "/+1", "/a%2Bb": "/a+b", "/a%2bb": "/a+b", "/a%20b": "/a b", "/a%25b": "/a%b",
		"/a%252B": "/a%2B", "/a%25zz": "/a%zz", "/%6De": "/me", "/a/%2e%2e": "/a/..", "/a/../b": "/a/../b", "/a//b": "/a//b",
		"/a%2Fb": "/a/b", "/caf%C3%A9": "/café", "/a?x=1+2&y=%zz": "/a", "/a%3Fb": "/a?b", "/%00": "/\x00",
	} {
		want := rawBody(t, ref.URL, target)
		if want != path {
			t.Fatalf("net/http reads %q as %q, not %q", target, want, path)
		}
		if got := rawBody(t, base, target); got != want {
			t.Errorf("%q: Fiber routes %q, net/http %q", target, got, want)
		}
	}
	for _, target := range []string{"/%zz", "/a%", "/a%2", "/%G0", "/a%2Bb%", "/+%"} {
		for _, method := range []string{"GET", "HEAD", "POST", "FROB"} {
			req := method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
			want := showcasetest.RawExchange(t, ref.URL, req)
			if got := showcasetest.RawExchange(t, base, req); got != want {
				t.Errorf("%q:\n got %q\nwant %q", req, got, want)
			}
		}
	}
}

// rawBody is the body of the answer to GET target, sent as written.
func rawBody(t *testing.T, base, target string) string {
	t.Helper()
	raw := showcasetest.RawExchange(t, base, "GET "+target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %q %v", target, resp.StatusCode, b, err)
	}
	return string(b)
}
