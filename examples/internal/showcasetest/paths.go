package showcasetest

import (
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// postIDs checks that /api/posts/{id} is routed only for the ids Django's
// <int:pk> matches ([0-9]+, "01" being post 1): with any other id the path
// resolves to no view and is 404 before authentication, whatever the
// method and the credentials (no 401, no challenge, no Vary, no Allow).
func postIDs(t *testing.T, start Starter) {
	base, out := start(t, []string{"-db", TempDB(t)})
	alice := "alice:" + DemoCredentials(out)["alice"]
	c := NewClient(t, base)
	const post = `{"id":1,"title":"t","body":"b","author":"alice"}`
	c.Expect(c.Do("POST", "/api/posts", alice, `{"title":"t","body":"b"}`), 201, post)

	ids := []string{"abc", ".", "..", "%2e", "%2e%2e", "+1", "%2B1", "-1", "1a", "%201", "1%20", "0x1", "%D9%A1"}
	for _, id := range ids {
		for _, method := range []string{"GET", "PUT", "DELETE", "PATCH", "FROB"} {
			body := ""
			if method == "PUT" || method == "PATCH" {
				body = `{"title":"x","body":"y"}`
			}
			for _, auth := range []string{"", alice, "alice:wrong"} {
				r := c.Do(method, "/api/posts/"+id, auth, body)
				c.Expect(r, 404, notFound)
				for _, h := range []string{"Vary", "WWW-Authenticate", "Allow"} {
					if r.Header.Get(h) != "" {
						t.Errorf("%s /api/posts/%s as %q: %s %q: the path resolved to a view", method, id, auth, h, r.Header.Get(h))
					}
				}
			}
		}
	}

	// Digits are an id as int() reads them, leading zeros and all; one
	// beyond int64 finds no post, as in Django 5.
	c.Expect(c.Do("GET", "/api/posts/01", "", ""), 200, post)
	c.Expect(c.Do("PUT", "/api/posts/001", "", `{"title":"x","body":"y"}`), 401, notProvided)
	c.Expect(c.Do("PATCH", "/api/posts/01", alice, `{"title":"x"}`), 405, `{"detail":"Method \"PATCH\" not allowed."}`)
	c.Expect(c.Do("GET", "/api/posts/99999999999999999999", "", ""), 404, notFound)
	c.Expect(c.Do("PUT", "/api/posts/99999999999999999999", "", `{"title":"x","body":"y"}`), 401, notProvided)
	c.Expect(c.Do("PUT", "/api/posts/01", alice, `{"title":"x","body":"y"}`), 200, `{"id":1,"title":"x","body":"y","author":"alice"}`)
	c.Expect(c.Do("DELETE", "/api/posts/0001", alice, ""), 204, "")
	c.Expect(c.Do("GET", "/api/posts/1", "", ""), 404, notFound)

	// The refused ids count as no route, as any path that matches none.
	m := c.Do("GET", "/metrics", "", "").Body
	want := `reinhardt_http_requests_total{method="PATCH",route="unmatched",status="404"} ` + strconv.Itoa(len(ids)*3)
	if !strings.Contains(m, want) || strings.Contains(m, `method="PATCH",route="/api/posts/:id",status="404"`) {
		t.Errorf("metrics without %s:\n%s", want, m)
	}
}

// badEscapes checks that a request whose target net/http cannot parse (an
// invalid %-escape in the path) gets net/http's own 400, byte for byte,
// before any routing or authentication: the three net/http servers write
// it themselves, Fiber's must copy it. The reference is what a plain
// net/http server answers to the same bytes.
func badEscapes(t *testing.T, start Starter) {
	base, _ := start(t, []string{"-db", TempDB(t), "-demo=false"})
	ref := httptest.NewServer(http.NotFoundHandler())
	defer ref.Close()
	wrong := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("alice:wrong")) + "\r\n"
	for _, target := range []string{"/api/posts/%zz", "/api/posts/1%", "/api/posts/%2", "/api/posts/%G1", "/api/%6D%65%", "/nowhere%zz", "/api/posts/1%zz?x=1"} {
		for _, method := range []string{"GET", "PUT", "DELETE", "FROB"} {
			for _, auth := range []string{"", wrong} {
				req := method + " " + target + " HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n" + auth + "\r\n"
				want := RawExchange(t, ref.URL, req)
				if !strings.HasPrefix(want, "HTTP/1.1 400 Bad Request\r\n") {
					t.Fatalf("net/http answers %q with %q, not its 400", req, want)
				}
				if got := RawExchange(t, base, req); got != want {
					t.Errorf("%q:\n got %q\nwant %q (net/http's)", req, got, want)
				}
			}
		}
	}
	// A "+" in a path is a "+" (only a query decodes it as a space), and a
	// valid escape is decoded: both are routed like any path.
	c := NewClient(t, base)
	c.Expect(c.Do("GET", "/healthz+", "", ""), 404, notFound)
	c.Expect(c.Do("GET", "/health%7A", "", ""), 200, `{"status":"ok"}`)
	c.Expect(c.Do("GET", "/healthz?x=%zz+1", "", ""), 200, `{"status":"ok"}`) // net/http leaves the query to the handler
}

// RawExchange sends request, written out whole (a target url.Parse
// refuses included), on a new connection to the server at base, and
// returns every byte the server writes until it closes the connection.
func RawExchange(t *testing.T, base, request string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("%q: read: %v (after %q)", request, err, b)
	}
	return string(b)
}
