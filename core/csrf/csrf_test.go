package csrf_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
)

func newProtector(t testing.TB, opts ...csrf.Option) *csrf.Protector {
	t.Helper()
	p, err := csrf.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// reqOpts describes a test request to https://example.com (or http://).
type reqOpts struct {
	peer     string // RemoteAddr, httptest's 192.0.2.1:1234 when ""
	method   string
	insecure bool // http:// instead of https://
	headers  map[string]string
	cookie   string // csrftoken value, "" for none
	form     url.Values
}

// request builds the request, runs it through p.Prepare (so Host and the
// form field are recorded), and returns what Check sees.
func request(t testing.TB, p *csrf.Protector, o reqOpts) core.Request {
	t.Helper()
	if o.method == "" {
		o.method = "POST"
	}
	target := "https://example.com/api/posts"
	if o.insecure {
		target = "http://example.com/api/posts"
	}
	var body io.Reader
	if o.form != nil {
		body = strings.NewReader(o.form.Encode())
	}
	r := httptest.NewRequest(o.method, target, body)
	if o.peer != "" {
		r.RemoteAddr = o.peer
	}
	if o.form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range o.headers {
		r.Header.Set(k, v)
	}
	if o.cookie != "" {
		r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: o.cookie})
	}
	var got core.Request
	p.Prepare(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = core.NewHTTPRequest(r)
	})).ServeHTTP(httptest.NewRecorder(), r)
	if got == nil {
		t.Fatal("Prepare did not call the handler")
	}
	return got
}

// rendered returns the status and body err renders as.
func rendered(err error) (int, string) {
	w := httptest.NewRecorder()
	_ = core.WriteError(core.NewHTTPResponse(w), err, "")
	return w.Code, w.Body.String()
}

func expectDenied(t *testing.T, err error, reason string) {
	t.Helper()
	if err == nil {
		t.Errorf("Check passed; want %q", reason)
		return
	}
	var ae *core.APIError
	if !errors.As(err, &ae) || !errors.Is(err, core.ErrPermissionDenied) {
		t.Errorf("Check = %#v; want a *core.APIError PermissionDenied", err)
	}
	status, body := rendered(err)
	want := `{"detail":"CSRF Failed: ` + reason + `"}`
	if status != 403 || body != want {
		t.Errorf("rendered %d %s; want 403 %s", status, body, want)
	}
}

func expectPass(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("Check = %v; want it to pass", err)
	}
}

func TestCheckToken(t *testing.T) {
	p := newProtector(t)
	secret := csrf.NewSecret()
	token := csrf.MaskSecret(secret)
	other := csrf.MaskSecret(csrf.NewSecret())
	same := map[string]string{"Sec-Fetch-Site": "same-origin"}
	with := func(h map[string]string) map[string]string {
		out := map[string]string{"Sec-Fetch-Site": "same-origin"}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	cases := []struct {
		name   string
		o      reqOpts
		reason string // "" means pass
	}{
		{"no cookie", reqOpts{headers: with(map[string]string{"X-CSRFToken": token})}, "CSRF cookie not set."},
		{"no token", reqOpts{headers: same, cookie: secret}, "CSRF token missing."},
		{"wrong token", reqOpts{headers: with(map[string]string{"X-CSRFToken": other}), cookie: secret}, "CSRF token from the 'X-Csrftoken' HTTP header incorrect."},
		{"short token", reqOpts{headers: with(map[string]string{"X-CSRFToken": token[:40]}), cookie: secret}, "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."},
		{"bad characters", reqOpts{headers: with(map[string]string{"X-CSRFToken": token[:63] + "-"}), cookie: secret}, "CSRF token from the 'X-Csrftoken' HTTP header has invalid characters."},
		{"short cookie", reqOpts{headers: with(map[string]string{"X-CSRFToken": token}), cookie: secret[:20]}, "CSRF cookie has incorrect length."},
		{"bad cookie", reqOpts{headers: with(map[string]string{"X-CSRFToken": token}), cookie: secret[:31] + "_"}, "CSRF cookie has invalid characters."},
		{"header token", reqOpts{headers: with(map[string]string{"X-CSRFToken": token}), cookie: secret}, ""},
		{"bare secret as token", reqOpts{headers: with(map[string]string{"X-CSRFToken": secret}), cookie: secret}, ""},
		{"masked cookie (Django 3.2)", reqOpts{headers: with(map[string]string{"X-CSRFToken": token}), cookie: csrf.MaskSecret(secret)}, ""},
		{"PUT with header", reqOpts{method: "PUT", headers: with(map[string]string{"X-CSRFToken": token}), cookie: secret}, ""},
		{"DELETE without token", reqOpts{method: "DELETE", headers: same, cookie: secret}, "CSRF token missing."},
		{"form token", reqOpts{headers: same, cookie: secret, form: url.Values{"csrfmiddlewaretoken": {token}, "title": {"x"}}}, ""},
		{"wrong form token", reqOpts{headers: with(map[string]string{"X-CSRFToken": token}), cookie: secret, form: url.Values{"csrfmiddlewaretoken": {other}}}, "CSRF token from POST incorrect."},
		{"short form token", reqOpts{headers: same, cookie: secret, form: url.Values{"csrfmiddlewaretoken": {"abc"}}}, "CSRF token from POST has incorrect length."},
		{"empty form token falls back to the header", reqOpts{headers: with(map[string]string{"X-CSRFToken": token}), cookie: secret, form: url.Values{"csrfmiddlewaretoken": {""}}}, ""},
		{"form without the field", reqOpts{headers: same, cookie: secret, form: url.Values{"title": {"x"}}}, "CSRF token missing."},
	}
	for _, safe := range []string{"GET", "HEAD", "OPTIONS", "TRACE"} {
		cases = append(cases, struct {
			name   string
			o      reqOpts
			reason string
		}{"safe " + safe, reqOpts{method: safe, headers: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}}, ""})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := p.Check(request(t, p, tc.o), nil)
			if tc.reason == "" {
				expectPass(t, err)
			} else {
				expectDenied(t, err, tc.reason)
			}
		})
	}
}

func TestCheckOrigin(t *testing.T) {
	p := newProtector(t, csrf.WithTrustedOrigins("https://partner.example", "https://*.corp.example"))
	secret := csrf.NewSecret()
	token := csrf.MaskSecret(secret)
	cases := []struct {
		name     string
		insecure bool
		headers  map[string]string
		reason   string
	}{
		{"same-origin", false, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "https://evil.example"}, ""},
		{"none (typed URL, bookmark)", false, map[string]string{"Sec-Fetch-Site": "none"}, ""},
		{"cross-site", false, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, "Origin checking failed - https://evil.example does not match any trusted origins."},
		{"same-site", false, map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://sub.example.com"}, "Origin checking failed - https://sub.example.com does not match any trusted origins."},
		{"cross-site without Origin", false, map[string]string{"Sec-Fetch-Site": "cross-site"}, "Origin checking failed - null does not match any trusted origins."},
		{"cross-site from a trusted origin", false, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://partner.example"}, ""},
		{"cross-site from a trusted subdomain", false, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://a.b.corp.example"}, ""},
		{"trusted wildcard, other scheme", false, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://a.corp.example"}, "Origin checking failed - http://a.corp.example does not match any trusted origins."},
		{"Origin is the host", false, map[string]string{"Origin": "https://example.com"}, ""},
		{"Origin is the host over plain HTTP", true, map[string]string{"Origin": "http://example.com"}, ""},
		{"Origin is the host with https over plain HTTP", true, map[string]string{"Origin": "https://example.com"}, "Origin checking failed - https://example.com does not match any trusted origins."},
		{"Origin is the host with http over HTTPS", false, map[string]string{"Origin": "http://example.com"}, "Origin checking failed - http://example.com does not match any trusted origins."},
		{"Origin is the host with a path", false, map[string]string{"Origin": "https://example.com/"}, "Origin checking failed - https://example.com/ does not match any trusted origins."},
		{"Origin is the host, any case", false, map[string]string{"Origin": "https://EXAMPLE.com"}, ""},
		{"Origin is another host", false, map[string]string{"Origin": "https://evil.example"}, "Origin checking failed - https://evil.example does not match any trusted origins."},
		{"Origin with another port", false, map[string]string{"Origin": "https://example.com:8443"}, "Origin checking failed - https://example.com:8443 does not match any trusted origins."},
		{"Origin null", false, map[string]string{"Origin": "null"}, "Origin checking failed - null does not match any trusted origins."},
		{"Origin trusted", false, map[string]string{"Origin": "https://partner.example"}, ""},
		{"plain HTTP, no headers", true, nil, ""},
		{"HTTPS, no Referer", false, nil, "Referer checking failed - no Referer."},
		{"HTTPS, malformed Referer", false, map[string]string{"Referer": "not a url"}, "Referer checking failed - Referer is malformed."},
		{"HTTPS, insecure Referer", false, map[string]string{"Referer": "http://example.com/form"}, "Referer checking failed - Referer is insecure while host is secure."},
		{"HTTPS, foreign Referer", false, map[string]string{"Referer": "https://evil.example/x?y=1"}, "Referer checking failed - https://evil.example/x?y=1 does not match any trusted origins."},
		{"HTTPS, same-host Referer", false, map[string]string{"Referer": "https://example.com/form"}, ""},
		{"HTTPS, trusted Referer", false, map[string]string{"Referer": "https://x.corp.example/"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{"X-CSRFToken": token}
			for k, v := range tc.headers {
				h[k] = v
			}
			err := p.Check(request(t, p, reqOpts{insecure: tc.insecure, headers: h, cookie: secret}), nil)
			if tc.reason == "" {
				expectPass(t, err)
			} else {
				expectDenied(t, err, tc.reason)
			}
		})
	}

	// The origin is checked before the token, as Django does.
	err := p.Check(request(t, p, reqOpts{headers: map[string]string{"Origin": "https://evil.example"}}), nil)
	expectDenied(t, err, "Origin checking failed - https://evil.example does not match any trusted origins.")

	// Without the Referer check an HTTPS request without headers passes
	// on its token.
	noRef := newProtector(t, csrf.WithRefererCheck(false))
	expectPass(t, noRef.Check(request(t, noRef, reqOpts{headers: map[string]string{"X-CSRFToken": token}, cookie: secret}), nil))

	// A cookie domain is what the Referer must match.
	dom := newProtector(t, csrf.WithCookie(csrf.CookieName, ".example.com", "/"))
	h := map[string]string{"X-CSRFToken": token, "Referer": "https://www.example.com/"}
	expectPass(t, dom.Check(request(t, dom, reqOpts{headers: h, cookie: secret}), nil))
	h["Referer"] = "https://example.org/"
	expectDenied(t, dom.Check(request(t, dom, reqOpts{headers: h, cookie: secret}), nil), "Referer checking failed - https://example.org/ does not match any trusted origins.")
}

// hostRequest is a core.Request of an adapter that knows the host.
type hostRequest struct {
	core.Request
	host string
}

func (r hostRequest) Host() string { return r.host }

func TestHostSources(t *testing.T) {
	p := newProtector(t)
	secret := csrf.NewSecret()
	r := httptest.NewRequest("POST", "https://example.com/", nil)
	r.Header.Set("Origin", "https://example.com")
	r.Header.Set("X-CSRFToken", csrf.MaskSecret(secret))
	r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: secret})

	// net/http keeps Host out of the header map; core.NewHTTPRequest
	// gives it through its Host method.
	expectPass(t, p.Check(core.NewHTTPRequest(r), nil))
	r.Host = "evil.example"
	expectDenied(t, p.Check(core.NewHTTPRequest(r), nil), "Origin checking failed - https://example.com does not match any trusted origins.")
	r.Host = "example.com"
	// A request with a Host method.
	expectPass(t, p.Check(hostRequest{core.NewHTTPRequest(r), "example.com"}, nil))
	// NewContext, as an adapter records it.
	expectPass(t, p.Check(core.NewHTTPRequest(r.WithContext(csrf.NewContext(r.Context(), csrf.Info{Host: "example.com"}))), nil))
	// The Host header (frameworks that keep it).
	r2 := r.Clone(r.Context())
	r2.Header.Set("Host", "example.com")
	expectPass(t, p.Check(core.NewHTTPRequest(r2), nil))
	// WithHost.
	fixed := newProtector(t, csrf.WithHost(func(core.Request) string { return "example.com" }))
	expectPass(t, fixed.Check(core.NewHTTPRequest(r), nil))
}

func TestTrustedOriginValidation(t *testing.T) {
	for _, bad := range []string{"example.com", "https://", "https://example.com/path", "https://example.com?x", "https://a.*.example.com", "https://*example.com", "://x"} {
		if _, err := csrf.New(csrf.WithTrustedOrigins(bad)); err == nil {
			t.Errorf("WithTrustedOrigins(%q) accepted", bad)
		}
	}
	if _, err := csrf.New(csrf.WithCookie("bad name;", "", "")); err == nil {
		t.Error("WithCookie accepted an invalid name")
	}
	if _, err := csrf.New(csrf.WithHeaderName("")); err == nil {
		t.Error("WithHeaderName accepted an empty name")
	}
}

func TestHeaderName(t *testing.T) {
	p := newProtector(t, csrf.WithHeaderName("X-XSRF-TOKEN"))
	secret := csrf.NewSecret()
	h := map[string]string{"Sec-Fetch-Site": "same-origin", "X-XSRF-TOKEN": csrf.MaskSecret(csrf.NewSecret())}
	expectDenied(t, p.Check(request(t, p, reqOpts{headers: h, cookie: secret}), nil), "CSRF token from the 'X-Xsrf-Token' HTTP header incorrect.")
}

func cookiesOf(w *httptest.ResponseRecorder) []*http.Cookie {
	return (&http.Response{Header: w.Header()}).Cookies()
}

func TestToken(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	p := newProtector(t, csrf.WithClock(func() time.Time { return now }))
	w := httptest.NewRecorder()
	r := request(t, p, reqOpts{method: "GET"})
	tok, err := p.Token(r, core.NewHTTPResponse(w))
	if err != nil {
		t.Fatal(err)
	}
	cs := cookiesOf(w)
	if len(cs) != 1 {
		t.Fatalf("Token set %d cookies; want 1", len(cs))
	}
	c := cs[0]
	if c.Name != "csrftoken" || c.Path != "/" || c.MaxAge != 31449600 || !c.Expires.Equal(now.Add(csrf.CookieAge)) ||
		c.SameSite != http.SameSiteLaxMode || c.HttpOnly || !c.Secure || !csrf.ValidSecret(c.Value) {
		t.Errorf("cookie = %+v", c)
	}
	if w.Header().Get("Vary") != "Cookie" {
		t.Errorf("Vary = %q; want Cookie", w.Header().Get("Vary"))
	}
	if len(tok) != csrf.TokenLength || !csrf.VerifyToken(tok, c.Value) {
		t.Errorf("token %q does not verify against the cookie", tok)
	}

	// A second call in the same response: same secret, one cookie.
	tok2, _ := p.Token(r, core.NewHTTPResponse(w))
	if tok2 == tok || !csrf.VerifyToken(tok2, c.Value) || len(cookiesOf(w)) != 1 || len(w.Header().Values("Vary")) != 1 {
		t.Errorf("second Token: %q, %d cookies, Vary %q", tok2, len(cookiesOf(w)), w.Header().Values("Vary"))
	}

	// The next request keeps its secret (and the cookie is renewed), in
	// the bare form even when it came masked.
	for _, cookie := range []string{c.Value, csrf.MaskSecret(c.Value)} {
		w = httptest.NewRecorder()
		tok3, _ := p.Token(request(t, p, reqOpts{method: "GET", cookie: cookie}), core.NewHTTPResponse(w))
		cs = cookiesOf(w)
		if len(cs) != 1 || cs[0].Value != c.Value || !csrf.VerifyToken(tok3, c.Value) {
			t.Errorf("Token with cookie %q: cookies %+v", cookie, cs)
		}
	}

	// A malformed cookie is replaced.
	w = httptest.NewRecorder()
	_, _ = p.Token(request(t, p, reqOpts{method: "GET", cookie: "short"}), core.NewHTTPResponse(w))
	if cs = cookiesOf(w); len(cs) != 1 || !csrf.ValidSecret(cs[0].Value) {
		t.Errorf("a malformed cookie was not replaced: %+v", cs)
	}

	// The token passes Check with the cookie.
	h := map[string]string{"Sec-Fetch-Site": "same-origin", "X-CSRFToken": tok}
	expectPass(t, p.Check(request(t, p, reqOpts{headers: h, cookie: c.Value}), nil))

	// Options: not Secure, masked cookie, another name, domain and path.
	q := newProtector(t, csrf.WithSecureCookie(false), csrf.WithMaskedCookie(true), csrf.WithCookie("xsrf", ".example.com", "/app"), csrf.WithSameSite(http.SameSiteStrictMode))
	w = httptest.NewRecorder()
	tok, _ = q.Token(request(t, q, reqOpts{method: "GET"}), core.NewHTTPResponse(w))
	cs = cookiesOf(w)
	if len(cs) != 1 || cs[0].Name != "xsrf" || cs[0].Secure || cs[0].Domain != "example.com" || cs[0].Path != "/app" ||
		cs[0].SameSite != http.SameSiteStrictMode || len(cs[0].Value) != csrf.TokenLength || !csrf.VerifyToken(tok, cs[0].Value) {
		t.Errorf("cookie with options = %+v", cs)
	}
}

func TestRotate(t *testing.T) {
	p := newProtector(t)
	secret := csrf.NewSecret()
	r := request(t, p, reqOpts{cookie: secret})
	w := httptest.NewRecorder()
	old, _ := p.Token(r, core.NewHTTPResponse(w))
	w.Header().Add("Set-Cookie", "other=1")
	tok, err := p.Rotate(r, core.NewHTTPResponse(w))
	if err != nil {
		t.Fatal(err)
	}
	var got []*http.Cookie
	for _, c := range cookiesOf(w) {
		if c.Name == csrf.CookieName {
			got = append(got, c)
		}
	}
	if len(got) != 1 || got[0].Value == secret || !csrf.VerifyToken(tok, got[0].Value) || csrf.VerifyToken(old, got[0].Value) {
		t.Fatalf("after Rotate: cookies %+v", got)
	}
	if len(cookiesOf(w)) != 2 {
		t.Errorf("Rotate removed another cookie: %v", w.Header().Values("Set-Cookie"))
	}
	// The old token no longer passes with the new cookie.
	h := map[string]string{"Sec-Fetch-Site": "same-origin", "X-CSRFToken": old}
	expectDenied(t, p.Check(request(t, p, reqOpts{headers: h, cookie: got[0].Value}), nil), "CSRF token from the 'X-Csrftoken' HTTP header incorrect.")
}

func TestSessionMode(t *testing.T) {
	p := newProtector(t, csrf.WithSessions())
	backend := memory.NewSessionBackend()
	defer backend.Close()
	m := sessions.NewManager(backend)
	s := m.New()

	r := httptest.NewRequest("POST", "https://example.com/", nil)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	cr := core.NewHTTPRequest(r.WithContext(sessions.NewContext(r.Context(), s)))
	expectDenied(t, p.Check(cr, s), "CSRF cookie not set.")

	w := httptest.NewRecorder()
	tok, err := p.Token(cr, core.NewHTTPResponse(w))
	if err != nil {
		t.Fatal(err)
	}
	if len(cookiesOf(w)) != 0 {
		t.Error("session mode set a cookie")
	}
	stored, _ := sessions.GetAs[string](s, csrf.SessionKey)
	if !csrf.ValidSecret(stored) || !csrf.VerifyToken(tok, stored) || !s.IsModified() {
		t.Fatalf("session holds %q", stored)
	}
	if again, _ := p.Token(cr, core.NewHTTPResponse(w)); !csrf.VerifyToken(again, stored) {
		t.Error("a second Token changed the secret")
	}

	r.Header.Set("X-CSRFToken", tok)
	expectPass(t, p.Check(cr, s))
	expectPass(t, p.Check(cr, nil)) // the session from the context
	r.Header.Set("X-CSRFToken", csrf.MaskSecret(csrf.NewSecret()))
	expectDenied(t, p.Check(cr, s), "CSRF token from the 'X-Csrftoken' HTTP header incorrect.")

	// A Django 3.2 session holds the masked form.
	s.Set(csrf.SessionKey, csrf.MaskSecret(stored))
	r.Header.Set("X-CSRFToken", tok)
	expectPass(t, p.Check(cr, s))
	// Garbage in the session never matches.
	s.Set(csrf.SessionKey, "garbage")
	expectDenied(t, p.Check(cr, s), "CSRF token from the 'X-Csrftoken' HTTP header incorrect.")

	newTok, err := p.Rotate(cr, core.NewHTTPResponse(w))
	if err != nil {
		t.Fatal(err)
	}
	rotated, _ := sessions.GetAs[string](s, csrf.SessionKey)
	if rotated == stored || !csrf.VerifyToken(newTok, rotated) {
		t.Error("Rotate did not change the session's secret")
	}

	// Without a session: a configuration error, not a 403.
	br := httptest.NewRequest("POST", "https://example.com/", nil)
	br.Header.Set("Sec-Fetch-Site", "same-origin")
	bare := core.NewHTTPRequest(br)
	if err := p.Check(bare, nil); err == nil || errors.Is(err, core.ErrPermissionDenied) {
		t.Errorf("Check without a session = %v; want a configuration error", err)
	}
	if _, err := p.Token(bare, core.NewHTTPResponse(httptest.NewRecorder())); err == nil {
		t.Error("Token without a session succeeded")
	}
}

func TestPrepare(t *testing.T) {
	p := newProtector(t, csrf.WithMaxBodyBytes(1024))
	secret := csrf.NewSecret()
	token := csrf.MaskSecret(secret)

	serve := func(r *http.Request) (*httptest.ResponseRecorder, string, error) {
		var body string
		var checkErr error
		w := httptest.NewRecorder()
		p.Prepare(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			checkErr = p.Check(core.NewHTTPRequest(r), nil)
			b, _ := io.ReadAll(r.Body)
			body = string(b)
		})).ServeHTTP(w, r)
		return w, body, checkErr
	}

	// A form: the handler reads the whole body after the check.
	form := url.Values{"csrfmiddlewaretoken": {token}, "title": {"hello"}}.Encode()
	r := httptest.NewRequest("POST", "https://example.com/", strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("Origin", "https://example.com")
	r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: secret})
	if _, body, err := serve(r); err != nil || body != form {
		t.Errorf("form: err %v, handler read %q", err, body)
	}

	// core.DecodeBody takes the buffered form as it is: it decodes it, the
	// body is read to its end after, and GetBody still replays it whole.
	r = httptest.NewRequest("POST", "https://example.com/", strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "https://example.com")
	r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: secret})
	p.Prepare(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		var in struct {
			Title string `json:"title"`
		}
		if err := core.DecodeBody(core.NewHTTPRequest(r), 0, &in); err != nil || in.Title != "hello" {
			t.Errorf("DecodeBody after Prepare: %+v %v", in, err)
		}
		if rest, err := io.ReadAll(r.Body); err != nil || len(rest) != 0 {
			t.Errorf("after DecodeBody the body still had %q (%v)", rest, err)
		}
		again, _ := r.GetBody()
		if b, _ := io.ReadAll(again); string(b) != form {
			t.Errorf("GetBody after DecodeBody: %q", b)
		}
	})).ServeHTTP(httptest.NewRecorder(), r)

	// Multipart.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("title", "hello")
	fw, _ := mw.CreateFormFile("csrfmiddlewaretoken", "a.txt") // a file is not the field
	_, _ = fw.Write([]byte(csrf.MaskSecret(csrf.NewSecret())))
	_ = mw.WriteField("csrfmiddlewaretoken", token)
	_ = mw.Close()
	raw := buf.String()
	r = httptest.NewRequest("POST", "https://example.com/", strings.NewReader(raw))
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: secret})
	if _, body, err := serve(r); err != nil || body != raw {
		t.Errorf("multipart: err %v, handler read %d of %d bytes", err, len(body), len(raw))
	}

	// JSON is not read: the handler gets the body untouched and the
	// header carries the token.
	r = httptest.NewRequest("POST", "https://example.com/", strings.NewReader(`{"title":"x"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("X-CSRFToken", token)
	r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: secret})
	if _, body, err := serve(r); err != nil || body != `{"title":"x"}` {
		t.Errorf("json: err %v, body %q", err, body)
	}

	// Over the cap: 413, the handler does not run.
	big := "csrfmiddlewaretoken=" + token + "&pad=" + strings.Repeat("x", 2000)
	for _, chunked := range []bool{false, true} {
		r = httptest.NewRequest("POST", "https://example.com/", strings.NewReader(big))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if chunked {
			r.ContentLength = -1
		}
		w, body, _ := serve(r)
		if w.Code != 413 || body != "" || w.Body.String() != `{"detail":"Request body too large."}` {
			t.Errorf("large body (chunked %v): %d %s", chunked, w.Code, w.Body)
		}
	}
}

// formRequest is a core.Request of an adapter that parses forms itself.
type formRequest struct {
	core.Request
	form url.Values
}

func (r formRequest) PostFormValue(name string) string { return r.form.Get(name) }

func TestPostFormValuer(t *testing.T) {
	p := newProtector(t)
	secret := csrf.NewSecret()
	r := httptest.NewRequest("POST", "http://example.com/", strings.NewReader("ignored"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: secret})
	cr := formRequest{core.NewHTTPRequest(r), url.Values{"csrfmiddlewaretoken": {csrf.MaskSecret(secret)}}}
	expectPass(t, p.Check(cr, nil))
	cr.form.Set("csrfmiddlewaretoken", csrf.MaskSecret(csrf.NewSecret()))
	expectDenied(t, p.Check(cr, nil), "CSRF token from POST incorrect.")
}

func TestProtect(t *testing.T) {
	p := newProtector(t)
	h := p.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "http://example.com/accounts/login", nil))
	if w.Code != 403 || w.Body.String() != `{"detail":"CSRF Failed: CSRF cookie not set."}` {
		t.Errorf("Protect without a cookie: %d %s", w.Code, w.Body)
	}
	secret := csrf.NewSecret()
	r := httptest.NewRequest("POST", "http://example.com/accounts/login", strings.NewReader("csrfmiddlewaretoken="+csrf.MaskSecret(secret)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://example.com")
	r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: secret})
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 204 {
		t.Errorf("Protect with a form token: %d %s", w.Code, w.Body)
	}
}

// TestSessionAuthentication wires Check as DRF's enforce_csrf: only
// session-authenticated active users are checked.
func TestSessionAuthentication(t *testing.T) {
	ctx := context.Background()
	p := newProtector(t)
	users := core.NewDefaultUserManager()
	pw := "correct horse"
	alice, err := users.CreateUser(ctx, "alice", &pw, nil)
	if err != nil {
		t.Fatal(err)
	}
	backend := memory.NewSessionBackend()
	defer backend.Close()
	auth := sessions.NewSessionAuthentication([]byte("test secret key for the session hash"), core.NewModelBackend(users))
	auth.Manager = sessions.NewManager(backend)
	auth.CSRF = p.Check

	s := auth.Manager.New()
	u, _ := users.UserByID(ctx, alice.GetID())
	if err := auth.Login(ctx, s, u, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	secret := csrf.NewSecret()
	send := func(method, sessionKey string, headers map[string]string) (*core.Identity, error) {
		r := httptest.NewRequest(method, "http://example.com/api/posts", nil)
		if sessionKey != "" {
			r.AddCookie(&http.Cookie{Name: "sessionid", Value: sessionKey})
		}
		r.AddCookie(&http.Cookie{Name: csrf.CookieName, Value: secret})
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		return auth.Authenticate(core.NewHTTPRequest(r))
	}

	// A logged-in POST without a token: 403.
	_, err = send("POST", string(s.Key()), nil)
	expectDenied(t, err, "CSRF token missing.")
	// Cross-origin: 403, whatever the token.
	_, err = send("POST", string(s.Key()), map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example", "X-CSRFToken": csrf.MaskSecret(secret)})
	expectDenied(t, err, "Origin checking failed - https://evil.example does not match any trusted origins.")
	// With the token: authenticated.
	id, err := send("POST", string(s.Key()), map[string]string{"X-CSRFToken": csrf.MaskSecret(secret)})
	if err != nil || id == nil || id.User.GetUsername() != "alice" {
		t.Errorf("POST with the token: %v, %v", id, err)
	}
	// Safe methods need nothing.
	if id, err := send("GET", string(s.Key()), nil); err != nil || id == nil {
		t.Errorf("GET: %v, %v", id, err)
	}
	// Anonymous requests are not checked (DRF): no identity, no error.
	if id, err := send("POST", "", nil); err != nil || id != nil {
		t.Errorf("anonymous POST: %v, %v", id, err)
	}
	// Nor are those of an inactive user, who is anonymous.
	alice.Active = false
	if err := users.Update(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if id, err := send("POST", string(s.Key()), nil); err != nil || id != nil {
		t.Errorf("inactive user's POST: %v, %v", id, err)
	}
}

// Behind a proxy that terminates TLS, the scheme the Origin must have is
// the one the trusted proxy reports in X-Forwarded-Proto (Django's
// SECURE_PROXY_SSL_HEADER), and no one else's.
func TestCheckOriginBehindProxy(t *testing.T) {
	p := newProtector(t, csrf.WithTrustedProxies(netip.MustParsePrefix("10.0.0.0/8")))
	secret := csrf.NewSecret()
	check := func(peer, proto, origin string) error {
		h := map[string]string{"X-CSRFToken": csrf.MaskSecret(secret), "Origin": origin}
		if proto != "" {
			h["X-Forwarded-Proto"] = proto
		}
		return p.Check(request(t, p, reqOpts{insecure: true, peer: peer, headers: h, cookie: secret}), nil)
	}
	bad := func(origin string) string {
		return "Origin checking failed - " + origin + " does not match any trusted origins."
	}
	expectPass(t, check("10.1.2.3:5", "https", "https://example.com"))
	expectPass(t, check("10.1.2.3:5", "https, http", "https://example.com"))
	expectDenied(t, check("10.1.2.3:5", "https", "http://example.com"), bad("http://example.com"))
	expectPass(t, check("10.1.2.3:5", "http", "http://example.com"))
	expectDenied(t, check("10.1.2.3:5", "", "https://example.com"), bad("https://example.com"))
	// From a peer that is not a trusted proxy the header means nothing.
	expectDenied(t, check("192.0.2.1:5", "https", "https://example.com"), bad("https://example.com"))
	expectPass(t, check("192.0.2.1:5", "https", "http://example.com"))
	// HTTPS reported by the proxy brings Django's Referer check.
	err := p.Check(request(t, p, reqOpts{insecure: true, peer: "10.1.2.3:5", headers: map[string]string{"X-CSRFToken": csrf.MaskSecret(secret), "X-Forwarded-Proto": "https"}, cookie: secret}), nil)
	expectDenied(t, err, csrf.ReasonNoReferer)
}
