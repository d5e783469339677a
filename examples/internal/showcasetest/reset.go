package showcasetest

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const resetSecret = "test-secret-key-for-the-showcase-suite"

// resetLinkRE is a reset link on the server's origin: its uid and token.
var resetLinkRE = regexp.MustCompile(`(http://[^/\s]+)/accounts/reset/([A-Za-z0-9_-]+)/([0-9a-z]+-[0-9a-f]+)`)

// passwordReset is the password reset end to end over real SMTP (-smtp
// pointing at an SMTPServer): the same answer for a known and an unknown
// address, the mail and its link, refused confirms that change nothing,
// the reset ending every token and session from before it, a link
// Django 3.2 made confirming here, and the request throttle. (An expired
// token is tested with an injected clock, in core/passwordreset.)
func passwordReset(t *testing.T, start Starter) {
	mailServer := StartSMTP(t)
	db := TempDB(t)
	base, out := start(t, []string{"-db", db, "-secret", resetSecret, "-smtp", mailServer.URL, "-reset-rate", "4/hour"})
	alice := DemoCredentials(out)["alice"]
	c := NewClient(t, base)

	// Alice's logins from before the reset: a token pair and a session.
	var pair struct{ Access, Refresh string }
	r := c.Do("POST", "/api/token", "", `{"username":"alice","password":"`+alice+`"}`)
	c.Expect(r, 200, "")
	r.JSON(t, &pair)
	b := newBrowser(t, base)
	b.getCSRF()
	b.login("alice", alice)
	b.expect(b.do("GET", "/api/me", "", false), 200, "")

	// The same answer whether or not the address is known.
	unknown := c.Do("POST", "/api/auth/password/reset", "", `{"email":"nobody@example.com"}`)
	known := c.Do("POST", "/api/auth/password/reset", "", `{"email":"ALICE@example.COM"}`)
	c.Expect(unknown, 204, "")
	c.Expect(known, 204, "")
	if unknown.Body != known.Body || !sameHeaders(unknown.Header, known.Header) {
		t.Errorf("known and unknown addresses answer differently:\n%v %q\n%v %q", known.Header, known.Body, unknown.Header, unknown.Body)
	}
	c.Expect(c.Do("POST", "/api/auth/password/reset", "", `{"email":"alice"}`), 400, `{"email":["Enter a valid email address."]}`)

	mails := mailServer.Await(1)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1 (none for the unknown address)", len(mails))
	}
	m := mails[0]
	if !slices.Equal(m.To, []string{"alice@example.com"}) || m.From != "noreply@localhost" {
		t.Errorf("mail from %s to %v", m.From, m.To)
	}
	link := resetLinkRE.FindStringSubmatch(m.Text)
	if link == nil || link[1] != base {
		t.Fatalf("no reset link on %s in the mail:\n%s", base, m.Text)
	}
	if !strings.Contains(m.HTML, `href="`+link[0]+`"`) {
		t.Errorf("the HTML part does not link %s:\n%s", link[0], m.HTML)
	}
	uid, token := link[2], link[3]
	confirm := func(uid, token, password string) Response {
		t.Helper()
		return c.Do("POST", "/api/auth/password/reset/confirm", "",
			`{"uid":"`+uid+`","token":"`+token+`","new_password":"`+password+`"}`)
	}
	const newPassword, djangoPassword = "Alice-reset-by-mail-1", "Alice-reset-by-django-2"

	// Refused attempts change nothing.
	c.Expect(confirm(uid, token, "alice"), 400,
		`{"new_password":["The password is too similar to the username.","This password is too short. It must contain at least 8 characters.","This password is too common."]}`)
	c.Expect(confirm(uid, token[:len(token)-1]+flipHex(token[len(token)-1]), newPassword), 400, `{"token":["Invalid value"]}`)
	c.Expect(confirm("MQ", token, newPassword), 400, `{"token":["Invalid value"]}`) // admin's uid
	c.Expect(confirm("!!", token, newPassword), 400, `{"uid":["Invalid value"]}`)
	c.Expect(c.Do("GET", "/api/me", "alice:"+alice, ""), 200, "")
	c.Expect(c.Do("GET", "/api/me", "", "", "Authorization: Bearer "+pair.Access), 200, "")

	// The good one, once.
	c.Expect(confirm(uid, token, newPassword), 204, "")
	c.Expect(confirm(uid, token, newPassword+"x"), 400, `{"token":["Invalid value"]}`)

	// Everything from before the reset has ended.
	c.Expect(c.Do("GET", "/api/me", "", "", "Authorization: Bearer "+pair.Access), 401, "")
	c.Expect(c.Do("POST", "/api/token/refresh", "", `{"refresh":"`+pair.Refresh+`"}`), 401, "")
	b.expect(b.do("GET", "/api/me", "", false), 401, "")
	c.Expect(c.Do("GET", "/api/me", "alice:"+alice, ""), 401, "")
	c.Expect(c.Do("GET", "/api/me", "alice:"+newPassword, ""), 200, "")

	// A link Django's default_token_generator makes for the same row with
	// the same SECRET_KEY confirms here.
	var dj struct{ UID, Token string }
	Djangoctl(t, &dj, "resetlink", strings.TrimPrefix(db, "sqlite:"), "alice", resetSecret)
	if dj.UID != uid {
		t.Errorf("Django's uid %q, ours %q", dj.UID, uid)
	}
	c.Expect(confirm(dj.UID, dj.Token, djangoPassword), 204, "")
	c.Expect(c.Do("GET", "/api/me", "alice:"+djangoPassword, ""), 200, "")

	// -reset-rate 4/hour per client address: two valid requests were
	// counted above (the malformed one was not).
	c.Expect(c.Do("POST", "/api/auth/password/reset", "", `{"email":"someone@example.com"}`), 204, "")
	c.Expect(c.Do("POST", "/api/auth/password/reset", "", `{"email":"someone.else@example.com"}`), 204, "")
	r = c.Do("POST", "/api/auth/password/reset", "", `{"email":"alice@example.com"}`)
	// The wait is 15 minutes from the first of the four, less the time
	// this test has taken since.
	wait := r.Header.Get("Retry-After")
	if n, err := strconv.Atoi(wait); err != nil || n < 600 || n > 900 {
		t.Errorf("Retry-After %q, want the rest of 900 seconds", wait)
	}
	c.Expect(r, 429, `{"detail":"Request was throttled. Expected available in `+wait+` seconds."}`)
}

// sameHeaders compares two responses' headers, but for Date.
func sameHeaders(a, b http.Header) bool {
	a, b = a.Clone(), b.Clone()
	a.Del("Date")
	b.Del("Date")
	return maps.EqualFunc(a, b, slices.Equal[[]string])
}

// flipHex is another hex digit than c.
func flipHex(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}
