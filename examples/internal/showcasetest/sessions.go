package showcasetest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

// browser is a client with its own cookie jar.
type browser struct {
	t    *testing.T
	base string
	jar  *cookiejar.Jar
	hc   *http.Client
	csrf string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, jar: jar, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (b *browser) setCookie(name, value string) {
	u, _ := url.Parse(b.base)
	b.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// do sends a request with the jar's cookies; withCSRF adds X-CSRFToken.
func (b *browser) do(method, path, body string, withCSRF bool, headers ...string) Response {
	b.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, b.base+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if withCSRF {
		req.Header.Set("X-CSRFToken", b.csrf)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
}

func (b *browser) expect(r Response, status int, body string) {
	b.t.Helper()
	if r.Status != status || (body != "" && r.Body != body) {
		b.t.Errorf("got %d %.300s\nwant %d %s", r.Status, r.Body, status, body)
	}
}

func (b *browser) getCSRF() {
	b.t.Helper()
	r := b.do("GET", "/api/auth/csrf", "", false)
	var body struct {
		Token string `json:"csrfToken"`
	}
	r.JSON(b.t, &body)
	if r.Status != 200 || len(body.Token) != 64 || b.cookie("csrftoken") == "" {
		b.t.Fatalf("csrf: %d %s cookie=%q", r.Status, r.Body, b.cookie("csrftoken"))
	}
	b.csrf = body.Token
}

func (b *browser) login(user, pass string) {
	b.t.Helper()
	r := b.do("POST", "/api/auth/login", `{"username":"`+user+`","password":"`+pass+`"}`, true)
	if r.Status != 200 || !strings.Contains(r.Body, `"username":"`+user+`"`) {
		b.t.Fatalf("login %s: %d %s", user, r.Status, r.Body)
	}
	b.getCSRF() // the secret rotates at login
}

// sessionLogin is the session part of the contract, run per backend.
func sessionLogin(t *testing.T, start Starter, args ...string) {
	base, out := start(t, append([]string{"-db", TempDB(t), "-secret", "test-secret-key-for-the-showcase-suite"}, args...))
	alice := DemoCredentials(out)["alice"]
	const csrfMissing = `{"detail":"CSRF Failed: CSRF token missing."}`

	// Fixation: a key the attacker planted is never the session after login.
	b := newBrowser(t, base)
	b.setCookie("sessionid", "attackerchosenkey0123456789abcdef")
	b.getCSRF()
	b.expect(b.do("POST", "/api/auth/login", `{"username":"alice","password":"wrong"}`, true), 401, `{"detail":"Invalid username/password."}`)
	// Login is CSRF-protected as Django's LoginView: no login CSRF.
	b.expect(b.do("POST", "/api/auth/login", `{"username":"alice","password":"`+alice+`"}`, false), 403, csrfMissing)
	b.expect(b.do("POST", "/api/auth/login", `{"username":"alice","password":"`+alice+`"}`, true, "Sec-Fetch-Site: cross-site"), 403, "")
	b.login("alice", alice)
	sid := b.cookie("sessionid")
	if sid == "" || sid == "attackerchosenkey0123456789abcdef" {
		t.Fatalf("session key after login %q", sid)
	}
	// Logging in again as the same user still moves the key.
	b.login("alice", alice)
	if again := b.cookie("sessionid"); again == sid || again == "" {
		t.Fatalf("session key kept across a second login: %q", again)
	}
	sid = b.cookie("sessionid")
	r := b.do("GET", "/api/me", "", false)
	if r.Status != 200 || !strings.Contains(r.Body, `"auth":"session"`) {
		t.Fatalf("me with a session: %d %s", r.Status, r.Body)
	}

	// CSRF: session-authenticated unsafe requests need the token and a
	// same-origin request; token-authenticated ones do not.
	b.expect(b.do("POST", "/api/posts", `{"title":"t","body":"b"}`, false), 403, csrfMissing)
	b.expect(b.do("POST", "/api/posts", `{"title":"t","body":"b"}`, true, "Origin: https://evil.example"), 403, "")
	b.expect(b.do("POST", "/api/posts", `{"title":"t","body":"b"}`, true, "Sec-Fetch-Site: cross-site"), 403, "")
	b.expect(b.do("POST", "/api/posts", `{"title":"t","body":"b"}`, true, "X-CSRFToken: "+strings.Repeat("a", 64)), 403,
		`{"detail":"CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect."}`)
	b.expect(b.do("POST", "/api/posts", `{"title":"t","body":"b"}`, true), 201, "")

	// Logout deletes the session server-side: replaying the old cookie is
	// anonymous.
	b.expect(b.do("POST", "/api/auth/logout", "", true), 204, "")
	replay := newBrowser(t, base)
	replay.setCookie("sessionid", sid)
	replay.expect(replay.do("GET", "/api/me", "", false), 401, "")

	// A password change keeps the current session and ends the others and
	// every refresh token.
	one, two := newBrowser(t, base), newBrowser(t, base)
	one.getCSRF()
	one.login("alice", alice)
	two.getCSRF()
	two.login("alice", alice)
	c := NewClient(t, base)
	tok := c.obtain("alice", alice)
	one.expect(one.do("POST", "/api/auth/password/change", `{"old_password":"wrong","new_password":"An0ther-long-pass"}`, true), 400,
		`{"old_password":["Your old password was entered incorrectly. Please enter it again."]}`)
	one.expect(one.do("POST", "/api/auth/password/change", `{"old_password":"`+alice+`","new_password":"alice"}`, true), 400, "")
	one.expect(one.do("POST", "/api/auth/password/change", `{"old_password":"`+alice+`","new_password":"An0ther-long-pass"}`, true), 204, "")
	one.expect(one.do("GET", "/api/me", "", false), 200, "")
	two.expect(two.do("GET", "/api/me", "", false), 401, "")
	c.Expect(c.Do("POST", "/api/token/refresh", "", `{"refresh":"`+tok.Refresh+`"}`), 401, "")

	// Logout everywhere ends this session too.
	one.expect(one.do("POST", "/api/auth/logout-all", "", true), 204, "")
	one.expect(one.do("GET", "/api/me", "", false), 401, "")
}
