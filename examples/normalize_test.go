package examples_test

import (
	"net/http"
	"strings"
	"testing"
)

// The normalizer replaces the per-run values and nothing else.
func TestNormalize(t *testing.T) {
	const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	csrf := strings.Repeat("aB3", 21) + "x" // 64 letters and digits
	r := &run{
		srv:  &server{demo: map[string]string{"alice": "SECRETPASSWORDALICE"}},
		vars: map[string]string{"origin": "http://127.0.0.1:4242", "host": "127.0.0.1:4242"},
	}
	for _, tc := range []struct{ in, want string }{
		{`{"refresh":"` + jwt + `","access":"` + jwt + `"}`, `{"refresh":"<jwt>","access":"<jwt>"}`},
		{`{"csrfToken":"` + csrf + `"}`, `{"csrfToken":"<csrf>"}`},
		{`{"date_joined":"2026-11-26T20:52:07.454123Z","last_login":"2026-11-26T20:52:07+01:00"}`, `{"date_joined":"<time>","last_login":"<time>"}`},
		{`{"jti":"0123456789abcdef0123456789abcdef"}`, `{"jti":"<hex>"}`},
		{`{"detail":"Origin checking failed - http://127.0.0.1:4242 does not match"}`, `{"detail":"Origin checking failed - ${origin} does not match"}`},
		{`{"host":"127.0.0.1:4242","password":"SECRETPASSWORDALICE"}`, `{"host":"${host}","password":"${pw.alice}"}`},
		{`{"access_token":"ABCDEFGHIJKLMNOPQRSTUVWXY2","refresh_token":"Z234567ABCDEFGHIJKLMNOPQRS"}`, `{"access_token":"<opaque>","refresh_token":"<opaque>"}`},
		{`http://127.0.0.1:8765/callback?code=ABCDEFGHIJKLMNOPQRSTUVWXY2&state=s`, `http://127.0.0.1:8765/callback?code=<opaque>&state=s`},
		{`<input type="hidden" name="csrfmiddlewaretoken" value="` + csrf + `">`, `<input type="hidden" name="csrfmiddlewaretoken" value="<csrf>">`},
		{`<td>2026-12-07 11:15 UTC</td>`, `<td><time></td>`},
		// Left alone: ids, other strings of the same alphabets that are
		// not whole values of those shapes, and what is around them.
		{`{"id":3,"title":"Hello","author":"alice"}`, ""},
		{`{"csrfToken":"` + csrf[1:] + `"}`, ""},
		{`{"title":"` + csrf + `"}`, ""},
		{`{"detail":"Bearer ` + jwt + `"}`, ""},
		{`{"token":"` + jwt[1:] + `"}`, ""},
		{`{"jti":"0123456789abcdef0123456789abcde"}`, ""},
		{`{"jti":"0123456789ABCDEF0123456789ABCDEF"}`, ""},
		{`{"day":"2026-11-26","at":"20:52:07"}`, ""},
		{`[1,2,"x"]`, ""},
		{`{"token":"ABCDEFGHIJKLMNOPQRSTUVWXY"}`, ""},
		{`{"token":"abcdefghijklmnopqrstuvwxy2"}`, ""},
		{`?code=ABCDEFGHIJKLMNOPQRSTUVWXY23`, ""},
		{`<input type="hidden" name="next" value="` + csrf + `">`, ""},
		{`<p>2026-12-07 11:15 UTC is when</p>`, ""},
	} {
		want := tc.want
		if want == "" {
			want = tc.in
		}
		if got := r.normalize(tc.in); got != want {
			t.Errorf("normalize(%s)\n got %s\nwant %s", tc.in, got, want)
		}
	}
}

func TestCookieShape(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"sessionid=abc; expires=Thu, 01 Jan 2099 00:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax",
			"sessionid; Path=/; Max-Age; Expires; HttpOnly; SameSite=Lax"},
		{`sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/`, "sessionid (empty); Path=/; Max-Age=0; Expires"},
		{"csrftoken=x; Path=/api; Domain=example.com; Secure; SameSite=Strict", "csrftoken; Path=/api; Domain=example.com; Secure; SameSite=Strict"},
		{"a=b", "a"},
	} {
		resp := &http.Response{Header: http.Header{"Set-Cookie": {tc.header}}}
		cookies := resp.Cookies()
		if len(cookies) != 1 {
			t.Fatalf("%q: %d cookies", tc.header, len(cookies))
		}
		if got := cookieShape(cookies[0]); got != tc.want {
			t.Errorf("cookieShape(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestLineDiff(t *testing.T) {
	a := "200\nContent-Type: application/json\n{\"a\":1}\n"
	b := "200\nContent-Type: text/plain\n{\"a\":1}\nextra\n"
	want := "- Content-Type: application/json\n+ Content-Type: text/plain\n+ extra"
	if got := lineDiff(a, b); got != want {
		t.Errorf("lineDiff:\n%s\nwant\n%s", got, want)
	}
	if got := lineDiff(a, a); got != "" {
		t.Errorf("lineDiff of equal texts: %q", got)
	}
}
