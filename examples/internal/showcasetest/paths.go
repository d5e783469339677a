package showcasetest

import (
	"strconv"
	"strings"
	"testing"
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
