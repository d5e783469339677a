package showcasetest

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// The demo clients and their redirect URI (docs/showcase.md).
const (
	demoConfidential = "demo-confidential"
	demoPublic       = "demo-public"
	demoRedirect     = "http://127.0.0.1:8765/callback"
)

var demoClientLine = regexp.MustCompile(`demo OAuth2 client "demo-confidential" secret "([A-Za-z0-9]+)"`)

// FormBrowser is a browser driving the HTML pages: a cookie jar, forms
// posted as application/x-www-form-urlencoded, redirects returned rather
// than followed (the last one goes to the client's callback, where no
// one listens).
type FormBrowser struct {
	t    *testing.T
	base string
	hc   *http.Client
}

// NewFormBrowser returns a FormBrowser of the server at base, without
// cookies, failing t on a transport error.
func NewFormBrowser(t *testing.T, base string) *FormBrowser {
	jar, _ := cookiejar.New(nil)
	return &FormBrowser{t: t, base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Get fetches target (a path, or an absolute URL of the server).
func (b *FormBrowser) Get(target string) Response {
	b.t.Helper()
	return b.send("GET", target, nil)
}

// Post submits a form to a path of the server.
func (b *FormBrowser) Post(path string, form url.Values) Response {
	b.t.Helper()
	return b.send("POST", path, form)
}

func (b *FormBrowser) send(method, target string, form url.Values) Response {
	b.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.base + target
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.base) // a browser sends it with a form POST
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// FormFields are the hidden fields of an HTML page's form.
func FormFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

// LogIn follows a redirect to the login page, submits it and returns the
// response (a 302 on success).
func (b *FormBrowser) LogIn(loginURL, username, password string) Response {
	b.t.Helper()
	page := b.Get(loginURL)
	if page.Status != 200 || !strings.Contains(page.Body, `name="password"`) || !strings.Contains(page.Body, `name="otp"`) {
		b.t.Fatalf("login page: %d %.500s", page.Status, page.Body)
	}
	form := FormFields(page.Body)
	if form.Get("csrfmiddlewaretoken") == "" {
		b.t.Fatalf("login page without a CSRF token: %.500s", page.Body)
	}
	form.Set("username", username)
	form.Set("password", password)
	return b.Post("/accounts/login", form)
}

// Authorize runs the browser's side of the code flow from authURL: the
// consent page (logging in first when sent to the login page) and
// allow=Authorize. It returns the callback's query.
func (b *FormBrowser) Authorize(authURL, username, password string) url.Values {
	b.t.Helper()
	r := b.Get(authURL)
	if r.Status == http.StatusFound && strings.HasPrefix(r.Header.Get("Location"), "/accounts/login?next=") {
		login := b.LogIn(r.Header.Get("Location"), username, password)
		if login.Status != http.StatusFound {
			b.t.Fatalf("login: %d %.500s", login.Status, login.Body)
		}
		next := login.Header.Get("Location")
		if !strings.HasPrefix(next, "/o/authorize?") {
			b.t.Fatalf("login redirected to %q; want the authorization request", next)
		}
		r = b.Get(next)
	}
	if r.Status != 200 || !strings.Contains(r.Body, `value="Authorize"`) {
		b.t.Fatalf("consent page: %d %v %.800s", r.Status, r.Header, r.Body)
	}
	form := FormFields(r.Body)
	form.Set("allow", "Authorize")
	r = b.Post("/o/authorize", form)
	return Callback(b.t, r)
}

// Callback checks that r redirects to the demo clients' callback and
// returns its query.
func Callback(t *testing.T, r Response) url.Values {
	t.Helper()
	loc, err := url.Parse(r.Header.Get("Location"))
	if r.Status != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), demoRedirect+"?") {
		t.Fatalf("want a 302 to %s, got %d Location %q %.300s", demoRedirect, r.Status, r.Header.Get("Location"), r.Body)
	}
	return loc.Query()
}

// oauth2Clients is the OAuth2 provider from the client's side, with the
// client libraries a Go program uses: golang.org/x/oauth2's code flow with
// PKCE (a browser with a cookie jar driving the login form and the
// consent page) and refresh, its clientcredentials package, and
// github.com/coreos/go-oidc verifying the id_token through discovery and
// JWKS and reading userinfo; the read and write scopes on /api/posts;
// /api/me with an OAuth2 token; introspection and revocation; the login
// page's refusals (wrong password, an unsafe next) and the logout. db is
// the server's -db.
func oauth2Clients(t *testing.T, start Starter, db string) {
	base, out := start(t, []string{"-db", db, "-secret", "test-secret-key-for-the-showcase-suite"})
	pw := DemoCredentials(out)["alice"]
	m := demoClientLine.FindStringSubmatch(out)
	if pw == "" || m == nil {
		t.Fatalf("no demo credentials printed:\n%s", out)
	}
	secret := m[1]
	c := NewClient(t, base)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Timeout: 30 * time.Second})
	endpoint := oauth2.Endpoint{AuthURL: base + "/o/authorize", TokenURL: base + "/o/token", AuthStyle: oauth2.AuthStyleInHeader}

	// OpenID Connect discovery: the issuer is the server's URL (-issuer's
	// default).
	provider, err := oidc.NewProvider(ctx, base)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	if provider.Endpoint().TokenURL != endpoint.TokenURL || provider.Endpoint().AuthURL != endpoint.AuthURL {
		t.Errorf("discovered endpoints %+v", provider.Endpoint())
	}
	c.Expect(c.Do("GET", "/.well-known/oauth-authorization-server", "", ""), 200, "")

	// The code flow of the confidential client, with PKCE and a nonce.
	conf := &oauth2.Config{ClientID: demoConfidential, ClientSecret: secret, Endpoint: endpoint, RedirectURL: demoRedirect,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email", "read"}}
	b := NewFormBrowser(t, base)
	verifier := oauth2.GenerateVerifier()
	q := b.Authorize(conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-1")), "alice", pw)
	if q.Get("state") != "state-1" || q.Get("code") == "" {
		t.Fatalf("callback query %v", q)
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if _, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("a code used twice: %v; want invalid_grant", err)
	}
	// The reuse revoked what the code issued: a second flow goes on.
	c.Expect(c.Do("GET", "/api/me", "", "", "Authorization: Bearer "+tok.AccessToken), 401, "")
	verifier = oauth2.GenerateVerifier()
	q = b.Authorize(conf.AuthCodeURL("state-2", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-2")), "alice", pw)
	tok, err = conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}

	// The id_token, verified through discovery and the JWKS.
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: demoConfidential}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("id_token: %v", err)
	}
	if idt.Nonce != "nonce-2" || idt.Issuer != base || idt.AccessTokenHash == "" {
		t.Errorf("id_token nonce %q issuer %q at_hash %q", idt.Nonce, idt.Issuer, idt.AccessTokenHash)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	var claims struct {
		Email    string `json:"email"`
		Username string `json:"preferred_username"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Email != "alice@example.com" || claims.Username != "alice" {
		t.Errorf("id_token claims %+v %v", claims, err)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != idt.Subject || info.Email != "alice@example.com" {
		t.Errorf("userinfo %+v %v", info, err)
	}
	r := c.Do("POST", "/o/userinfo", "", "", "Authorization: Bearer "+tok.AccessToken)
	c.Expect(r, 200, "")
	r = c.Do("GET", "/o/userinfo", "", "")
	c.Expect(r, 401, "")
	if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("userinfo without a token: WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
	}
	c.Expect(c.Do("GET", "/o/userinfo", "", "", "Authorization: Bearer not-a-token"), 401, "")

	// /api/me and the scopes: read but not write.
	var me struct {
		Username, Auth string
	}
	r = c.Do("GET", "/api/me", "", "", "Authorization: Bearer "+tok.AccessToken)
	r.JSON(t, &me)
	if r.Status != 200 || me.Username != "alice" || me.Auth != "oauth2" {
		t.Errorf("me with an OAuth2 token: %d %s", r.Status, r.Body)
	}
	c.Expect(c.Do("GET", "/api/posts", "", "", "Authorization: Bearer "+tok.AccessToken), 200, "")
	c.Expect(c.Do("POST", "/api/posts", "", `{"title":"t","body":"b"}`, "Authorization: Bearer "+tok.AccessToken), 403, denied)

	// Refresh: a new pair; the old access token ends with the rotation.
	refreshed, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || refreshed.AccessToken == tok.AccessToken || refreshed.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %+v %v", refreshed, err)
	}
	c.Expect(c.Do("GET", "/api/me", "", "", "Authorization: Bearer "+refreshed.AccessToken), 200, "")
	c.Expect(c.Do("GET", "/api/me", "", "", "Authorization: Bearer "+tok.AccessToken), 401, "")

	// The public client: PKCE, no secret, the write scope. The browser is
	// logged in now: straight to the consent page.
	pub := &oauth2.Config{ClientID: demoPublic, Endpoint: oauth2.Endpoint{AuthURL: endpoint.AuthURL, TokenURL: endpoint.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: demoRedirect, Scopes: []string{"read", "write"}}
	verifier = oauth2.GenerateVerifier()
	q = b.Authorize(pub.AuthCodeURL("state-3", oauth2.S256ChallengeOption(verifier)), "alice", pw)
	if _, err := pub.Exchange(ctx, q.Get("code")); err == nil {
		t.Error("a public client's code redeemed without its PKCE verifier")
	}
	q = b.Authorize(pub.AuthCodeURL("state-4", oauth2.S256ChallengeOption(verifier)), "alice", pw)
	writer, err := pub.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("public client exchange: %v", err)
	}
	c.Expect(c.Do("POST", "/api/posts", "", `{"title":"By OAuth2","body":"with write"}`, "Authorization: Bearer "+writer.AccessToken), 201, "")
	r = c.Do("GET", "/o/userinfo", "", "", "Authorization: Bearer "+writer.AccessToken)
	c.Expect(r, 403, "")
	if !strings.Contains(r.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
		t.Errorf("userinfo without openid: WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
	}

	// Client credentials; introspection and revocation.
	cc := &clientcredentials.Config{ClientID: demoConfidential, ClientSecret: secret, TokenURL: endpoint.TokenURL, Scopes: []string{"read"}}
	ccTok, err := cc.Token(ctx)
	if err != nil || ccTok.RefreshToken != "" {
		t.Fatalf("client credentials: %+v %v", ccTok, err)
	}
	c.Expect(c.Do("GET", "/api/posts", "", "", "Authorization: Bearer "+ccTok.AccessToken), 200, "")
	// A client-credentials token acts for no user: /api/me needs one (the
	// engine answers as for an anonymous request).
	c.Expect(c.Do("GET", "/api/me", "", "", "Authorization: Bearer "+ccTok.AccessToken), 401, notProvided)
	client := demoConfidential + ":" + secret
	form := "Content-Type: application/x-www-form-urlencoded"
	r = c.Do("POST", "/o/introspect", client, "token="+ccTok.AccessToken, form)
	if r.Status != 200 || !strings.Contains(r.Body, `"active":true`) || !strings.Contains(r.Body, `"client_id":"demo-confidential"`) {
		t.Errorf("introspect: %d %s", r.Status, r.Body)
	}
	c.Expect(c.Do("POST", "/o/revoke_token", client, "token="+ccTok.AccessToken, form), 200, "")
	c.Expect(c.Do("POST", "/o/introspect", client, "token="+ccTok.AccessToken, form), 200, `{"active":false}`)
	r = c.Do("POST", "/o/token", demoConfidential+":wrong", "grant_type=client_credentials", form)
	c.Expect(r, 401, "")
	if r.Header.Get("WWW-Authenticate") == "" || !strings.Contains(r.Body, `"error":"invalid_client"`) {
		t.Errorf("wrong secret: %v %s", r.Header, r.Body)
	}
	c.Expect(c.Do("POST", "/o/token", client, "grant_type=password&username=alice&password="+url.QueryEscape(pw), form), 400, "")

	// The login page: a wrong password shows the form again; an unsafe
	// next goes home; the logout ends the session.
	b2 := NewFormBrowser(t, base)
	r = b2.LogIn("/accounts/login?next=/o/authorize", "alice", "wrong")
	if r.Status != 200 || !strings.Contains(r.Body, "Please enter a correct username and password.") {
		t.Errorf("wrong password: %d %.500s", r.Status, r.Body)
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example"} {
		r = b2.LogIn("/accounts/login?next="+url.QueryEscape(next), "alice", pw)
		if r.Status != http.StatusFound || r.Header.Get("Location") != "/" {
			t.Errorf("login with next %q: %d Location %q; want 302 to /", next, r.Status, r.Header.Get("Location"))
		}
	}
	r = b.Post("/accounts/logout", url.Values{})
	c.Expect(r, 403, "") // no CSRF token
	page := b.Get("/accounts/login")
	r = b.Post("/accounts/logout", url.Values{"csrfmiddlewaretoken": {FormFields(page.Body).Get("csrfmiddlewaretoken")}})
	if r.Status != http.StatusFound || r.Header.Get("Location") != "/accounts/login" {
		t.Errorf("logout: %d %v", r.Status, r.Header)
	}
	r = b.Get(pub.AuthCodeURL("state-5", oauth2.S256ChallengeOption(verifier)))
	if r.Status != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), "/accounts/login?next=") {
		t.Errorf("authorize after logout: %d %v", r.Status, r.Header)
	}
}

// htmlLogin is the HTML login page under the login throttle and MFA: it
// logs in through the same checks as POST /api/auth/login. A user with
// TOTP on is asked for the code (the form again, 200), a wrong code is
// refused, a recovery code logs in; wrong passwords on the page count in
// the same -login-rate budget as the JSON login paths.
func htmlLogin(t *testing.T, start Starter) {
	base, out := start(t, []string{"-db", TempDB(t), "-secret", "test-secret-key-for-the-showcase-suite", "-login-rate", "3/min"})
	pw := DemoCredentials(out)["alice"]
	c := NewClient(t, base)

	// TOTP on for alice, with recovery codes.
	tok := c.obtain("alice", pw)
	var e enrollment
	r := c.Do("POST", "/api/mfa/totp/enroll", "", "", bearer(tok.Access))
	r.JSON(t, &e)
	code, err := totp.GenerateCode(e.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c.Expect(c.Do("POST", "/api/mfa/totp/confirm", "", `{"code":"`+code+`"}`, bearer(tok.Access)), 204, "")
	var rc struct {
		Codes []string `json:"codes"`
	}
	r = c.Do("POST", "/api/mfa/recovery-codes", "", "", bearer(tok.Access))
	r.JSON(t, &rc)
	if len(rc.Codes) != 10 {
		t.Fatalf("recovery codes: %d %s", r.Status, r.Body)
	}

	// The page reads the username as Django's login form does (NFKC):
	// the fullwidth form of alice's name is alice.
	b := NewFormBrowser(t, base)
	r = b.LogIn("/accounts/login?next=/api/me", "ａｌｉｃｅ", pw)
	if r.Status != 200 || !strings.Contains(r.Body, "two-factor authentication on") || b.Get("/api/me").Status != 401 {
		t.Fatalf("password without a code: %d %.600s; want the form asking for the code, not logged in", r.Status, r.Body)
	}
	form := FormFields(r.Body)
	form.Set("username", "alice")
	form.Set("password", pw)
	form.Set("otp", code) // used by confirm: refused
	r = b.Post("/accounts/login", form)
	if r.Status != 200 || !strings.Contains(r.Body, "wrong, expired or already used") {
		t.Fatalf("a used code: %d %.600s", r.Status, r.Body)
	}
	form = FormFields(r.Body)
	form.Set("username", "alice")
	form.Set("password", pw)
	form.Set("otp", rc.Codes[0])
	r = b.Post("/accounts/login", form)
	if r.Status != http.StatusFound || r.Header.Get("Location") != "/api/me" {
		t.Fatalf("a recovery code: %d %v %.300s", r.Status, r.Header, r.Body)
	}
	if r = b.Get("/api/me"); r.Status != 200 || !strings.Contains(r.Body, `"auth":"session"`) {
		t.Errorf("me after the HTML login: %d %s", r.Status, r.Body)
	}

	// The throttle, one budget for every login path of the address: the
	// used code above was one failure, a wrong password on the page is the
	// second, on the token endpoint the third; then every login is
	// refused, the page's too (429, Retry-After).
	b2 := NewFormBrowser(t, base)
	if r = b2.LogIn("/accounts/login", "admin", "guess"); r.Status != 200 || !strings.Contains(r.Body, "Please enter a correct username and password.") {
		t.Fatalf("wrong password: %d %.300s", r.Status, r.Body)
	}
	c.Expect(c.Do("POST", "/api/token", "", `{"username":"admin","password":"guess"}`), 401, "")
	for _, r := range []Response{b2.LogIn("/accounts/login", "admin", DemoCredentials(out)["admin"]), c.Do("POST", "/api/token", "", `{"username":"bob","password":"x"}`)} {
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Errorf("after 3 failures at 3/min: %d Retry-After %q %.200s", r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
}
