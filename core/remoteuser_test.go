package core_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/reinhardt-go/auth/core"
)

func mustPrefixes(t *testing.T, s string) []netip.Prefix {
	t.Helper()
	p, err := core.ParseCIDRs(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRemoteUserAuthentication(t *testing.T) {
	ctx := context.Background()
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	mustUser(t, m, "alice", "pw", nil)
	mustUser(t, m, "gone", "pw", map[string]any{"is_active": false})
	a := core.NewRemoteUserAuthentication("", m, mustPrefixes(t, "127.0.0.1, 10.0.0.0/8, ::1")...)

	id, err := a.Authenticate(req("GET", "/", "10.9.8.7:1234", "REMOTE_USER: alice"))
	if err != nil || id == nil || id.User.GetUsername() != "alice" || id.Method != "remote" {
		t.Fatalf("trusted proxy: %+v %v", id, err)
	}
	if id, err := a.Authenticate(req("GET", "/", "[::1]:80", "REMOTE_USER: alice")); err != nil || id == nil {
		t.Fatalf("ipv6 proxy: %v", err)
	}
	// From an untrusted peer the header does not exist.
	if id, err := a.Authenticate(req("GET", "/", "192.0.2.1:1234", "REMOTE_USER: alice")); id != nil || err != nil {
		t.Fatal("header believed from an untrusted peer")
	}
	// Forwarded headers never make a peer trusted.
	if id, _ := a.Authenticate(req("GET", "/", "192.0.2.1:1234", "REMOTE_USER: alice", "X-Forwarded-For: 10.0.0.1")); id != nil {
		t.Fatal("X-Forwarded-For trusted")
	}
	// Inactive and unknown users stay anonymous, as with Django's
	// RemoteUserBackend (it returns None).
	if id, err := a.Authenticate(req("GET", "/", "10.0.0.1:1", "REMOTE_USER: gone")); id != nil || err != nil {
		t.Fatalf("inactive: %v %v", id, err)
	}
	if id, err := a.Authenticate(req("GET", "/", "10.0.0.1:1", "REMOTE_USER: bob")); id != nil || err != nil {
		t.Fatalf("unknown user: %v %v", id, err)
	}
	// Creation of unknown users.
	a.CreateUser = func(ctx context.Context, username string) (core.User, error) {
		return m.CreateUser(ctx, username, nil, nil)
	}
	id, err = a.Authenticate(req("GET", "/", "10.0.0.1:1", "REMOTE_USER: bob"))
	if err != nil || id.User.GetUsername() != "bob" {
		t.Fatalf("create: %v", err)
	}
	if u, _ := m.GetByUsername(ctx, "bob"); u == nil || core.HasUsablePassword(u) {
		t.Fatal("created user missing or has a usable password")
	}
	// No trusted proxies: never authenticates.
	closed := core.NewRemoteUserAuthentication("X-Remote-User", m)
	if id, _ := closed.Authenticate(req("GET", "/", "127.0.0.1:1", "X-Remote-User: alice")); id != nil {
		t.Fatal("authenticated without trusted proxies")
	}
}

func TestClientIP(t *testing.T) {
	trusted := mustPrefixes(t, "10.0.0.0/8")
	cases := []struct{ remote, xff, want string }{
		{"192.0.2.1:5", "1.1.1.1", "192.0.2.1"},
		{"10.0.0.1:5", "1.1.1.1, 2.2.2.2", "2.2.2.2"},
		{"10.0.0.1:5", "1.1.1.1, 10.0.0.9", "1.1.1.1"},
		{"10.0.0.1:5", "", "10.0.0.1"},
		{"10.0.0.1:5", "garbage", "10.0.0.1"},
		{"10.0.0.1:5", "10.0.0.2,10.0.0.3", "10.0.0.2"},
	}
	for _, c := range cases {
		r := req("GET", "/", c.remote)
		if c.xff != "" {
			r = req("GET", "/", c.remote, "X-Forwarded-For: "+c.xff)
		}
		if got := core.ClientIP(r, trusted).String(); got != c.want {
			t.Errorf("%s %q: %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
	if got := core.ClientIP(req("GET", "/", "10.0.0.1:5", "X-Forwarded-For: 1.1.1.1"), nil).String(); got != "10.0.0.1" {
		t.Errorf("no trusted proxies: %s", got)
	}
	// Header lines are one list, in order (RFC 9110, 5.3): a proxy that
	// adds its own line after the client's is read from its line, not the
	// client's.
	if got := core.ClientIP(req("GET", "/", "10.0.0.1:5", "X-Forwarded-For: 6.6.6.6", "X-Forwarded-For: 2.2.2.2"), trusted).String(); got != "2.2.2.2" {
		t.Errorf("two header lines: %s, want the proxy's 2.2.2.2", got)
	}
}

// A proxy that appends its header to the client's, instead of replacing
// it, must not let the client choose the user: a header sent twice, or a
// value with a comma (the form a WSGI server joins repeated headers
// into), is a failed authentication, never either user.
func TestRemoteUserHeaderRepeated(t *testing.T) {
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	mustUser(t, m, "admin", "pw", nil)
	mustUser(t, m, "alice", "pw", nil)
	a := core.NewRemoteUserAuthentication("X-Remote-User", m, mustPrefixes(t, "10.0.0.0/8")...)
	for _, headers := range [][]string{
		{"X-Remote-User: admin", "X-Remote-User: alice"},
		{"X-Remote-User: alice", "X-Remote-User: alice"},
		{"X-Remote-User: ", "X-Remote-User: alice"},
		{"X-Remote-User: admin,alice"},
		{"X-Remote-User: admin, alice"},
		{"X-Remote-User: ,"},
	} {
		id, err := a.Authenticate(req("GET", "/", "10.0.0.1:1", headers...))
		if id != nil || !errors.Is(err, core.ErrRemoteUserHeader) || !errors.Is(err, core.ErrInvalidCredentials) {
			t.Errorf("%q: identity %+v, error %v; want ErrRemoteUserHeader", headers, id, err)
		}
		rec, w := recorder()
		_ = core.WriteError(w, err, `Basic realm="api"`)
		if rec.Code != 401 || rec.Body.String() != `{"detail":"Invalid remote user header. It must be sent once, with one username."}` {
			t.Errorf("%q: rendered %d %s", headers, rec.Code, rec.Body)
		}
	}
	// From an untrusted peer the headers do not exist, however many.
	if id, err := a.Authenticate(req("GET", "/", "192.0.2.1:1", "X-Remote-User: admin", "X-Remote-User: alice")); id != nil || err != nil {
		t.Errorf("untrusted peer: %+v %v", id, err)
	}
	// One header, one user: still fine.
	if id, err := a.Authenticate(req("GET", "/", "10.0.0.1:1", "X-Remote-User: alice")); err != nil || id == nil || id.User.GetUsername() != "alice" {
		t.Errorf("single header: %+v %v", id, err)
	}
}

// The CSRF hook runs for every request the header authenticates, after
// the user is known, as SessionAuthentication's does, and its refusal is
// the request's; requests it does not authenticate never reach it.
func TestRemoteUserCSRFHook(t *testing.T) {
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	mustUser(t, m, "alice", "pw", nil)
	a := core.NewRemoteUserAuthentication("X-Remote-User", m, mustPrefixes(t, "10.0.0.0/8")...)
	refusal := core.PermissionDenied("CSRF Failed: CSRF token missing.")
	calls := 0
	a.CSRF = func(r core.Request) error {
		calls++
		if r.Method() == "POST" {
			return refusal
		}
		return nil
	}
	if id, err := a.Authenticate(req("POST", "/", "10.0.0.1:1", "X-Remote-User: alice")); id != nil || err != refusal {
		t.Errorf("POST: %+v %v, want the CSRF refusal", id, err)
	}
	if id, err := a.Authenticate(req("GET", "/", "10.0.0.1:1", "X-Remote-User: alice")); err != nil || id == nil {
		t.Errorf("GET: %+v %v", id, err)
	}
	for _, r := range []core.Request{
		req("POST", "/", "192.0.2.1:1", "X-Remote-User: alice"), // untrusted peer
		req("POST", "/", "10.0.0.1:1", "X-Remote-User: nobody"), // unknown user
		req("POST", "/", "10.0.0.1:1"),                          // no header
	} {
		if id, err := a.Authenticate(r); id != nil || err != nil {
			t.Errorf("unauthenticated request: %+v %v", id, err)
		}
	}
	if calls != 2 {
		t.Errorf("CSRF hook called %d times, want 2", calls)
	}
}

// Without a CSRF hook the authenticator fails closed: an unsafe request
// it would authenticate is refused with a 403, safe ones pass, and only
// CSRFExempt (a proxy no browser reaches) lets unsafe ones through.
func TestRemoteUserCSRFUnset(t *testing.T) {
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	mustUser(t, m, "alice", "pw", nil)
	a := core.NewRemoteUserAuthentication("X-Remote-User", m, mustPrefixes(t, "10.0.0.0/8")...)
	for _, method := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		id, err := a.Authenticate(req(method, "/", "10.0.0.1:1", "X-Remote-User: alice"))
		if id != nil || err != core.ErrRemoteUserCSRFUnset {
			t.Errorf("%s without a CSRF hook: %+v %v, want ErrRemoteUserCSRFUnset", method, id, err)
		}
	}
	rec, w := recorder()
	_ = core.WriteError(w, core.ErrRemoteUserCSRFUnset, "")
	if rec.Code != 403 || rec.Body.String() != `{"detail":"CSRF Failed: remote-user authentication has no CSRF check configured."}` {
		t.Errorf("rendered %d %s", rec.Code, rec.Body)
	}
	for _, method := range []string{"GET", "HEAD", "OPTIONS"} {
		if id, err := a.Authenticate(req(method, "/", "10.0.0.1:1", "X-Remote-User: alice")); err != nil || id == nil {
			t.Errorf("%s without a CSRF hook: %+v %v", method, id, err)
		}
	}
	// Requests it does not authenticate are not its business.
	if id, err := a.Authenticate(req("POST", "/", "192.0.2.1:1", "X-Remote-User: alice")); id != nil || err != nil {
		t.Errorf("untrusted peer: %+v %v", id, err)
	}
	a.CSRFExempt = true
	if id, err := a.Authenticate(req("POST", "/", "10.0.0.1:1", "X-Remote-User: alice")); err != nil || id == nil {
		t.Errorf("POST with CSRFExempt: %+v %v", id, err)
	}
}

func TestIsSecure(t *testing.T) {
	trusted := mustPrefixes(t, "10.0.0.0/8")
	cases := []struct {
		remote, proto string
		trusted       []netip.Prefix
		want          bool
	}{
		{"10.0.0.1:5", "https", trusted, true},
		{"10.0.0.1:5", " https , http", trusted, true},
		{"10.0.0.1:5", "http, https", trusted, false},
		{"10.0.0.1:5", "HTTPS", trusted, false}, // Django compares exactly
		{"10.0.0.1:5", "", trusted, false},
		{"192.0.2.1:5", "https", trusted, false}, // not a trusted proxy
		{"10.0.0.1:5", "https", nil, false},      // no trusted proxies
	}
	for _, c := range cases {
		headers := []string{}
		if c.proto != "" {
			headers = append(headers, "X-Forwarded-Proto: "+c.proto)
		}
		if got := core.IsSecure(req("GET", "/", c.remote, headers...), c.trusted); got != c.want {
			t.Errorf("IsSecure(%s, %q) = %v, want %v", c.remote, c.proto, got, c.want)
		}
	}
	if !core.IsSecure(req("GET", "https://example.com/", "192.0.2.1:5"), nil) {
		t.Error("a TLS request is not secure")
	}
}
