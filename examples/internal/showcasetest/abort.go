package showcasetest

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"
)

// ClientAbort: a client that sends a session-writing request and closes
// its connection right after sending does not lose the write. An aborted
// login still makes its session (the user's other browser sees one more
// session on its account page), and an aborted logout still ends the
// session (its cookie no longer authenticates).
func ClientAbort(t *testing.T, start Starter) {
	base, out := start(t, []string{"-db", TempDB(t), "-secret", "test-secret-key-for-the-showcase-suite"})
	pw := DemoCredentials(out)["alice"]
	if pw == "" {
		t.Fatalf("no demo credentials printed:\n%s", out)
	}
	watcher := newBrowser(t, base)
	watcher.getCSRF()
	watcher.login("alice", pw)
	sessionsListed := func() int {
		r := watcher.do("GET", "/account", "", false)
		if r.Status != 200 {
			t.Fatalf("account page: %d", r.Status)
		}
		return strings.Count(r.Body, `name="session"`)
	}
	before := sessionsListed()

	// An aborted login.
	b := newBrowser(t, base)
	b.getCSRF()
	abort(t, base, "POST", "/api/auth/login", b, `{"username":"alice","password":"`+pw+`"}`)
	eventually(t, "the aborted login's session", func() bool { return sessionsListed() == before+1 })

	// An aborted logout.
	c := newBrowser(t, base)
	c.getCSRF()
	c.login("alice", pw)
	if r := c.do("GET", "/api/me", "", false); r.Status != 200 {
		t.Fatalf("me before the logout: %d", r.Status)
	}
	abort(t, base, "POST", "/api/auth/logout", c, "")
	eventually(t, "the aborted logout", func() bool { return c.do("GET", "/api/me", "", false).Status != 200 })
}

// abort sends one request with b's cookies and CSRF token on a raw
// connection and closes it as soon as the request is written, without
// reading the answer.
func abort(t *testing.T, base, method, path string, b *browser, body string) {
	t.Helper()
	u, _ := url.Parse(base)
	var cookies []string
	for _, c := range b.jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nX-CSRFToken: %s\r\nOrigin: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		method, path, u.Host, strings.Join(cookies, "; "), b.csrf, base, len(body), body)
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
}

// eventually waits up to 10 seconds for ok.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if ok() {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: not done 10 seconds after the client went away", what)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
