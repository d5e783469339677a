package oauth2_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/oauth2"
)

// TestCodeFlowConsent: a public client with PKCE, the consent page, the
// code, the tokens, a resource request with the token, a refresh.
func TestCodeFlowConsent(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{Name: "Pub <App>", ClientType: oauth2.ClientPublic})
	b := h.browser(true)
	verifier, challenge := pkce("Xy-z_0.9~")
	q := codeQuery(app.ClientID, "scope", "read", "code_challenge", challenge, "code_challenge_method", "S256")
	page := h.authorize(b, q)
	if !strings.Contains(page.body, "Pub &lt;App&gt;") || page.header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("consent page: %v %s", page.header, page.body)
	}
	// Out of frames, and the request (state, PKCE challenge) not leaked to
	// whatever the page links to.
	if page.header.Get("Content-Security-Policy") != "frame-ancestors 'none'" || page.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("consent page headers: %v", page.header)
	}
	form := consentForm(t, page)
	form.Set("csrfmiddlewaretoken", csrfField.FindStringSubmatch(page.body)[1])
	form.Set("allow", "Authorize")
	v := location(t, h.postConsent(b, form), redirectURI+"?")
	if v.Get("state") != "xyz" || v.Get("code") == "" || v.Get("iss") != h.srv.URL {
		t.Fatalf("redirect after consent: %v; want code, state and iss (RFC 9207)", v)
	}
	tok := h.post("/o/token", url.Values{"grant_type": {"authorization_code"}, "code": {v.Get("code")}, "redirect_uri": {redirectURI},
		"client_id": {app.ClientID}, "code_verifier": {verifier}}, "", "")
	if tok.status != 200 || tok.str("access_token") == "" || tok.str("refresh_token") == "" || tok.str("token_type") != "Bearer" ||
		tok.str("scope") != "read" || tok.json["id_token"] != nil {
		t.Fatalf("token response: %d %s", tok.status, tok.body)
	}
	if tok.header.Get("Cache-Control") != "no-store" || tok.header.Get("Pragma") != "no-cache" {
		t.Errorf("token response headers: %v", tok.header)
	}
	if len(tok.str("access_token")) < 26 {
		t.Errorf("access token %q shorter than 128 bits of letters and digits", tok.str("access_token"))
	}
	me, _ := http.NewRequest("GET", h.srv.URL+"/api/me", nil)
	me.Header.Set("Authorization", "Bearer "+tok.str("access_token"))
	r := do(t, nil, me)
	if r.str("auth") != "oauth2" || r.str("username") != "alice" {
		t.Errorf("/api/me with the token: %s", r.body)
	}
	// read only: GET allowed, POST refused.
	for method, want := range map[string]int{"GET": 200, "POST": 403} {
		req, _ := http.NewRequest(method, h.srv.URL+"/api/posts", nil)
		req.Header.Set("Authorization", "Bearer "+tok.str("access_token"))
		if got := do(t, nil, req).status; got != want {
			t.Errorf("%s /api/posts with a read token: %d; want %d", method, got, want)
		}
	}
	ref := h.post("/o/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.str("refresh_token")}, "client_id": {app.ClientID}}, "", "")
	if ref.status != 200 || ref.str("access_token") == "" || ref.str("access_token") == tok.str("access_token") {
		t.Fatalf("refresh: %d %s", ref.status, ref.body)
	}
}

func TestConsentDenied(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{Name: "App"})
	b := h.browser(true)
	page := h.authorize(b, codeQuery(app.ClientID))
	form := consentForm(t, page)
	form.Set("csrfmiddlewaretoken", csrfField.FindStringSubmatch(page.body)[1])
	form.Set("allow", "Cancel")
	v := location(t, h.postConsent(b, form), redirectURI+"?")
	if v.Get("error") != "access_denied" || v.Get("state") != "xyz" || v.Get("code") != "" || v.Get("iss") != h.srv.URL {
		t.Errorf("denied consent: %v; want error, state and iss (RFC 9207)", v)
	}
}

func TestConsentNeedsCSRF(t *testing.T) {
	for name, opts := range map[string][]any{"engine checks too": nil, "provider alone": {noSessionCSRF{}}} {
		t.Run(name, func(t *testing.T) { testConsentNeedsCSRF(t, newHarness(t, opts...)) })
	}
}

func testConsentNeedsCSRF(t *testing.T, h *harness) {
	app := h.register(oauth2.NewApplication{Name: "App"})
	b := h.browser(true)
	form := consentForm(t, h.authorize(b, codeQuery(app.ClientID)))
	form.Set("allow", "Authorize")
	form.Set("csrfmiddlewaretoken", strings.Repeat("a", 64)) // a well-formed token of another secret
	if r := h.postConsent(b, form); r.status != http.StatusForbidden || r.header.Get("Location") != "" {
		t.Errorf("consent with a wrong CSRF token: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	form.Del("csrfmiddlewaretoken")
	r := h.postConsent(b, form)
	if r.status != http.StatusForbidden || r.header.Get("Location") != "" || !strings.Contains(r.body, "CSRF Failed") {
		t.Errorf("consent without CSRF token: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
}

func TestNotLoggedIn(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	r := h.authorize(h.browser(false), codeQuery(app.ClientID, "scope", "read"))
	v := location(t, r, "/accounts/login?")
	next, _ := url.Parse(v.Get("next"))
	if next.Path != "/o/authorize" || next.Query().Get("client_id") != app.ClientID || next.Query().Get("state") != "xyz" {
		t.Errorf("next = %q", v.Get("next"))
	}
	v = location(t, h.authorize(h.browser(false), codeQuery(app.ClientID, "prompt", "none")), redirectURI+"?")
	if v.Get("error") != "login_required" || v.Get("state") != "xyz" {
		t.Errorf("prompt=none without a session: %v", v)
	}
}

func TestSkipAuthorizationAndPromptNone(t *testing.T) {
	h := newHarness(t)
	skip := h.register(oauth2.NewApplication{SkipAuthorization: true})
	ask := h.register(oauth2.NewApplication{})
	b := h.browser(true)
	h.code(b, codeQuery(skip.ClientID, "prompt", "none"))
	v := location(t, h.authorize(b, codeQuery(ask.ClientID, "prompt", "none")), redirectURI+"?")
	if v.Get("error") != "consent_required" {
		t.Errorf("prompt=none for a client that needs consent: %v", v)
	}
}

func TestMaxAge(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	b := h.browser(true)
	h.code(b, codeQuery(app.ClientID, "max_age", "600"))
	h.offset.Store(int64(2 * 3600 * 1e9)) // the login is now two hours old
	location(t, h.authorize(b, codeQuery(app.ClientID, "max_age", "600")), "/accounts/login?")
	v := location(t, h.authorize(b, codeQuery(app.ClientID, "max_age", "600", "prompt", "none")), redirectURI+"?")
	if v.Get("error") != "login_required" {
		t.Errorf("max_age passed with prompt=none: %v", v)
	}
	h.code(b, codeQuery(app.ClientID, "max_age", "86400"))
	if r := h.authorize(b, codeQuery(app.ClientID, "max_age", "-1")); location(t, r, redirectURI).Get("error") != "invalid_request" {
		t.Errorf("negative max_age: %v", r.header)
	}
}

// TestCleanupExpired: Provider.CleanupExpired (authctl clearsessions)
// removes what has expired by the provider's clock, and only that.
func TestCleanupExpired(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true, GrantTypes: []string{oauth2.GrantAuthorizationCode, oauth2.GrantClientCredentials}})
	h.code(h.browser(true), codeQuery(app.ClientID)) // a code, never redeemed
	cc := h.post("/o/token", url.Values{"grant_type": {"client_credentials"}}, app.ClientID, app.ClientSecret).str("access_token")
	if n, err := h.p.CleanupExpired(context.Background()); err != nil || n != 0 {
		t.Fatalf("CleanupExpired at once = %d, %v; want 0", n, err)
	}
	h.offset.Store(int64(2 * time.Hour))
	if n, err := h.p.CleanupExpired(context.Background()); err != nil || n != 2 {
		t.Errorf("CleanupExpired two hours later = %d, %v; want 2 (the code and the access token)", n, err)
	}
	h.offset.Store(0)
	if h.active(app, cc) {
		t.Error("a removed token is still active")
	}
}

// TestPromptLogin: prompt=login sends a logged-in browser to log in
// again; coming back without having logged in again sends it to the
// login page once more, and only a login after the request completes it.
func TestPromptLogin(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	b := h.browser(true)
	v := location(t, h.authorize(b, codeQuery(app.ClientID, "prompt", "login consent")), "/accounts/login?")
	next, _ := url.Parse(v.Get("next"))
	if next.Query().Get("client_id") != app.ClientID {
		t.Errorf("next = %q; want the request", v.Get("next"))
	}
	back := func() reply {
		req, _ := http.NewRequest("GET", h.srv.URL+v.Get("next"), nil)
		return do(t, b, req)
	}
	// Following next without logging in again: the login page again.
	location(t, back(), "/accounts/login?")
	h.login(b)
	if r := back(); r.status != 200 || !strings.Contains(r.body, "csrfmiddlewaretoken") {
		t.Errorf("back from the login page: %d %s; want the consent page (prompt=consent)", r.status, r.header.Get("Location"))
	}
	// A new request with prompt=login asks again, although the last login is recent.
	location(t, h.authorize(b, codeQuery(app.ClientID, "prompt", "login")), "/accounts/login?")
	// prompt=none cannot log in again: login_required.
	v2 := location(t, h.authorize(b, codeQuery(app.ClientID, "max_age", "0", "prompt", "none")), redirectURI+"?")
	if v2.Get("error") != "login_required" {
		t.Errorf("max_age=0 with prompt=none: %v", v2)
	}
}

// TestMaxAgeZero: max_age=0 is prompt=login (OpenID Connect Core section
// 3.1.2.1): a login before the request sends the browser to log in; a
// login after it, however few nanoseconds later, completes the request.
func TestMaxAgeZero(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	b := h.browser(true)
	q := codeQuery(app.ClientID, "max_age", "0", "scope", "openid")
	v := location(t, h.authorize(b, q), "/accounts/login?")
	back := func() reply {
		req, _ := http.NewRequest("GET", h.srv.URL+v.Get("next"), nil)
		return do(t, b, req)
	}
	location(t, back(), "/accounts/login?") // not logged in again yet
	h.login(b)
	code := location(t, back(), redirectURI+"?").Get("code")
	if code == "" {
		t.Fatal("no code after logging in again")
	}
	tok := h.exchange(app, code, "")
	if c := h.verifyIDToken(tok.str("id_token")); c["auth_time"] == nil {
		t.Errorf("id_token without auth_time: %v", c)
	}
	// With a consent page: the form carries max_age=0, and posting it
	// (seconds later) is the decision, not a new request to log in for.
	ask := h.register(oauth2.NewApplication{Name: "Ask"})
	v = location(t, h.authorize(b, codeQuery(ask.ClientID, "max_age", "0")), "/accounts/login?")
	h.login(b)
	page := back()
	form := consentForm(t, page)
	if form.Get("max_age") != "0" {
		t.Fatalf("consent form without max_age: %v", form)
	}
	form.Set("csrfmiddlewaretoken", csrfField.FindStringSubmatch(page.body)[1])
	form.Set("allow", "Authorize")
	h.offset.Store(int64(3 * time.Second))
	if v := location(t, h.postConsent(b, form), redirectURI+"?"); v.Get("code") == "" {
		t.Errorf("consent posted for max_age=0: %v", v)
	}
}
