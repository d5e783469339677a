package oauth2_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/oauth2"
)

// exchange redeems a code for a confidential client with Basic.
func (h *harness) exchange(creds *oauth2.Credentials, code, verifier string) reply {
	h.t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return h.post("/o/token", form, creds.ClientID, creds.ClientSecret)
}

func TestCodeUsedTwice(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true, GrantTypes: []string{oauth2.GrantAuthorizationCode}})
	code := h.code(h.browser(true), codeQuery(app.ClientID))
	first := h.exchange(app, code, "")
	if first.status != 200 {
		t.Fatalf("first exchange: %d %s", first.status, first.body)
	}
	if !h.active(app, first.str("access_token")) {
		t.Fatal("the first access token is not active")
	}
	wantOAuthError(t, h.exchange(app, code, ""), 400, "invalid_grant")
	if h.active(app, first.str("access_token")) || h.active(app, first.str("refresh_token")) {
		t.Error("a reused code left the tokens it issued active")
	}
	r := h.post("/o/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.str("refresh_token")}}, app.ClientID, app.ClientSecret)
	wantOAuthError(t, r, 400, "invalid_grant")
}

func TestCodeRace(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	code := h.code(h.browser(true), codeQuery(app.ClientID))
	const n = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok []string
	bad := 0
	for range n {
		wg.Go(func() {
			r := h.exchange(app, code, "")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case r.status == 200:
				ok = append(ok, r.str("access_token"))
			case r.str("error") == "invalid_grant":
				bad++
			default:
				t.Errorf("exchange: %d %s", r.status, r.body)
			}
		})
	}
	wg.Wait()
	// One redemption wins the code; the other 49 are reuses, which revoke
	// what it issued (TestCodeReuseRaceRefused: also when they land
	// before its tokens are saved).
	if len(ok) != 1 || bad != n-1 {
		t.Fatalf("%d concurrent redemptions: %d succeeded, %d invalid_grant; want exactly one success", n, len(ok), bad)
	}
	if h.active(app, ok[0]) {
		t.Error("the winner's token is active although the code was presented again")
	}
}

func TestRefreshReuseRevokesFamily(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	first := h.exchange(app, h.code(h.browser(true), codeQuery(app.ClientID)), "")
	refresh := func(token string) reply {
		return h.post("/o/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}, app.ClientID, app.ClientSecret)
	}
	second := refresh(first.str("refresh_token"))
	if second.status != 200 || second.str("refresh_token") == first.str("refresh_token") {
		t.Fatalf("refresh: %d %s", second.status, second.body)
	}
	if h.active(app, first.str("access_token")) {
		t.Error("the access token of a rotated refresh token stays active")
	}
	if !h.active(app, second.str("access_token")) {
		t.Fatal("the new access token is not active")
	}
	wantOAuthError(t, refresh(first.str("refresh_token")), 400, "invalid_grant")
	if h.active(app, second.str("access_token")) || h.active(app, second.str("refresh_token")) {
		t.Error("reusing a spent refresh token left its family active")
	}
	wantOAuthError(t, refresh(second.str("refresh_token")), 400, "invalid_grant")
}

func TestRefreshScopeNarrowing(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	first := h.exchange(app, h.code(h.browser(true), codeQuery(app.ClientID, "scope", "read")), "")
	r := h.post("/o/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.str("refresh_token")}, "scope": {"read write"}}, app.ClientID, app.ClientSecret)
	wantOAuthError(t, r, 400, "invalid_scope")
}

func TestRefreshOtherClient(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	other := h.register(oauth2.NewApplication{SkipAuthorization: true})
	first := h.exchange(app, h.code(h.browser(true), codeQuery(app.ClientID)), "")
	r := h.post("/o/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.str("refresh_token")}}, other.ClientID, other.ClientSecret)
	wantOAuthError(t, r, 400, "invalid_grant")
	// The owner's token is untouched.
	r = h.post("/o/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.str("refresh_token")}}, app.ClientID, app.ClientSecret)
	if r.status != 200 {
		t.Errorf("the owner's refresh after another client's attempt: %d %s", r.status, r.body)
	}
	// Nor may another client redeem a code.
	code := h.code(h.browser(true), codeQuery(app.ClientID))
	wantOAuthError(t, h.exchange(other, code, ""), 400, "invalid_grant")
}

func TestRedirectURIExact(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true, RedirectURIs: []string{"https://client.example:8443/cb?x=1", redirectURI}})
	b := h.browser(true)
	for _, uri := range []string{
		"https://client.example/cb/",             // path
		"https://client.example/CB",              // case of the path
		"https://CLIENT.example/cb",              // case of the host
		"HTTPS://client.example/cb",              // case of the scheme
		"https://client.example:443/cb",          // port
		"https://client.example:8443/cb",         // the other one's query missing
		"https://client.example:8443/cb?x=2",     // query
		"https://client.example/cb?x=1",          // query added
		"https://client.example/cbx",             // suffix
		"https://client.example.evil/cb",         // host suffix
		"https://client.example/cb/../cb",        // dot segments
		"https://evil@client.example/cb",         // userinfo
		"https://client.example@evil.example/cb", // userinfo the other way
		"http://client.example/cb",               // scheme
		"https://client.example/cb#x",            // fragment
		"https://client.example/cb%2F",           // encoded slash
	} {
		r := h.authorize(b, codeQuery(app.ClientID, "redirect_uri", uri))
		if r.status != 400 || r.header.Get("Location") != "" || r.str("error") != "invalid_request" {
			t.Errorf("redirect_uri %q: %d Location %q %s; want 400 without Location", uri, r.status, r.header.Get("Location"), r.body)
		}
	}
	// Two registered URIs: one must be named.
	q := codeQuery(app.ClientID)
	q.Del("redirect_uri")
	if r := h.authorize(b, q); r.status != 400 || r.header.Get("Location") != "" {
		t.Errorf("no redirect_uri with two registered: %d %q", r.status, r.header.Get("Location"))
	}
	// Unknown client, and a repeated client_id or redirect_uri: no redirect.
	for _, raw := range []string{
		"response_type=code&client_id=nobody&redirect_uri=" + url.QueryEscape(redirectURI),
		"response_type=code&client_id=" + app.ClientID + "&client_id=" + app.ClientID + "&redirect_uri=" + url.QueryEscape(redirectURI),
		"response_type=code&client_id=" + app.ClientID + "&redirect_uri=" + url.QueryEscape(redirectURI) + "&redirect_uri=https://evil.example/",
	} {
		req, _ := http.NewRequest("GET", h.srv.URL+"/o/authorize?"+raw, nil)
		r := do(t, b, req)
		if r.status != 400 || r.header.Get("Location") != "" {
			t.Errorf("%s: %d %q; want 400 without Location", raw, r.status, r.header.Get("Location"))
		}
	}
	// A repeated other parameter is invalid_request, at the redirect URI.
	req, _ := http.NewRequest("GET", h.srv.URL+"/o/authorize?"+codeQuery(app.ClientID).Encode()+"&scope=read&scope=write", nil)
	if v := location(t, do(t, b, req), redirectURI+"?"); v.Get("error") != "invalid_request" {
		t.Errorf("repeated scope: %v", v)
	}
	// The registered URI's own query is kept.
	v := location(t, h.authorize(b, codeQuery(app.ClientID, "redirect_uri", "https://client.example:8443/cb?x=1")), "https://client.example:8443/cb?x=1&")
	if v.Get("code") == "" {
		t.Errorf("no code: %v", v)
	}
}

func TestPKCE(t *testing.T) {
	h := newHarness(t)
	pub := h.register(oauth2.NewApplication{SkipAuthorization: true, ClientType: oauth2.ClientPublic})
	conf := h.register(oauth2.NewApplication{SkipAuthorization: true})
	b := h.browser(true)
	verifier, challenge := pkce("abc123")
	refused := func(q url.Values, what string) {
		t.Helper()
		v := location(t, h.authorize(b, q), redirectURI+"?")
		if v.Get("error") != "invalid_request" || v.Get("code") != "" {
			t.Errorf("%s: %v; want invalid_request", what, v)
		}
	}
	refused(codeQuery(pub.ClientID), "public client without code_challenge")
	refused(codeQuery(pub.ClientID, "code_challenge", verifier, "code_challenge_method", "plain"), "plain")
	refused(codeQuery(conf.ClientID, "code_challenge", verifier, "code_challenge_method", "plain"), "plain for a confidential client")
	refused(codeQuery(pub.ClientID, "code_challenge", challenge), "no method (defaults to plain)")
	refused(codeQuery(pub.ClientID, "code_challenge", "short", "code_challenge_method", "S256"), "a malformed challenge")

	token := func(code, v string) reply {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}, "client_id": {pub.ClientID}}
		if v != "" {
			form.Set("code_verifier", v)
		}
		return h.post("/o/token", form, "", "")
	}
	withPKCE := codeQuery(pub.ClientID, "code_challenge", challenge, "code_challenge_method", "S256")
	for name, v := range map[string]string{
		"missing verifier":   "",
		"wrong verifier":     strings.Repeat("z", 64),
		"too short verifier": verifier[:42],
		"too long verifier":  strings.Repeat("a", 129),
		"bad characters":     verifier[:60] + "+/=!",
	} {
		code := h.code(b, withPKCE)
		wantOAuthError(t, token(code, v), 400, "invalid_grant")
		// The code is spent: the right verifier does not help now.
		if r := token(code, verifier); r.status != 400 || r.str("error") != "invalid_grant" {
			t.Errorf("%s: the right verifier afterwards got %d %s; the code must be spent", name, r.status, r.body)
		}
	}
	// A verifier of 42 characters is refused even when it matches its challenge.
	short := verifier[:42]
	sum := sha256.Sum256([]byte(short))
	shortChallenge := base64.RawURLEncoding.EncodeToString(sum[:])
	code42 := h.code(b, codeQuery(pub.ClientID, "code_challenge", shortChallenge, "code_challenge_method", "S256"))
	wantOAuthError(t, token(code42, short), 400, "invalid_grant")
	if r := token(h.code(b, withPKCE), verifier); r.status != 200 {
		t.Errorf("the right verifier: %d %s", r.status, r.body)
	}
	// A verifier for a code issued without a challenge.
	code := h.code(b, codeQuery(conf.ClientID))
	wantOAuthError(t, h.exchange(conf, code, verifier), 400, "invalid_grant")
	// A confidential client may use S256.
	if r := h.exchange(conf, h.code(b, codeQuery(conf.ClientID, "code_challenge", challenge, "code_challenge_method", "S256")), verifier); r.status != 200 {
		t.Errorf("confidential client with S256: %d %s", r.status, r.body)
	}
}

func TestImplicit(t *testing.T) {
	h := newHarness(t)
	code := h.register(oauth2.NewApplication{SkipAuthorization: true})
	implicit := h.register(oauth2.NewApplication{SkipAuthorization: true, ClientType: oauth2.ClientPublic, GrantTypes: []string{oauth2.GrantImplicit}})
	b := h.browser(true)
	q := codeQuery(code.ClientID, "response_type", "token")
	v := location(t, h.authorize(b, q), redirectURI+"?")
	if v.Get("error") != "unsupported_response_type" || v.Get("access_token") != "" {
		t.Errorf("response_type=token without implicit: %v", v)
	}
	v = location(t, h.authorize(b, codeQuery(implicit.ClientID, "response_type", "token", "scope", "read")), redirectURI+"#")
	if v.Get("access_token") == "" || v.Get("token_type") != "Bearer" || v.Get("state") != "xyz" || v.Get("refresh_token") != "" || v.Get("iss") != h.srv.URL {
		t.Errorf("implicit grant: %v", v)
	}
	// An implicit-only client gets no code.
	v = location(t, h.authorize(b, codeQuery(implicit.ClientID)), redirectURI+"?")
	if v.Get("error") != "unauthorized_client" {
		t.Errorf("response_type=code for an implicit-only client: %v", v)
	}
}

func TestClientAuthentication(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{GrantTypes: []string{oauth2.GrantClientCredentials}})
	ok := h.post("/o/token", url.Values{"grant_type": {"client_credentials"}}, app.ClientID, app.ClientSecret)
	if ok.status != 200 || ok.json["refresh_token"] != nil || ok.str("scope") != "read write" {
		t.Fatalf("client credentials: %d %s", ok.status, ok.body)
	}
	r := h.post("/o/token", url.Values{"grant_type": {"client_credentials"}}, app.ClientID, app.ClientSecret+"x")
	wantOAuthError(t, r, 401, "invalid_client")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("401 without a Basic challenge: %v", r.header)
	}
	r = h.post("/o/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID}, "client_secret": {"wrong"}}, "", "")
	wantOAuthError(t, r, 401, "invalid_client")
	r = h.post("/o/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"nobody"}, "client_secret": {"x"}}, "", "")
	wantOAuthError(t, r, 401, "invalid_client")
	// client_secret_post works; both methods at once do not.
	r = h.post("/o/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}}, "", "")
	if r.status != 200 {
		t.Errorf("client_secret_post: %d %s", r.status, r.body)
	}
	r = h.post("/o/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}}, app.ClientID, app.ClientSecret)
	wantOAuthError(t, r, 400, "invalid_request")
	// Grants.
	wantOAuthError(t, h.post("/o/token", url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {alicePassword}}, app.ClientID, app.ClientSecret), 400, "unsupported_grant_type")
	wantOAuthError(t, h.post("/o/token", url.Values{}, app.ClientID, app.ClientSecret), 400, "invalid_request")
	wantOAuthError(t, h.post("/o/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, app.ClientID, app.ClientSecret), 400, "unauthorized_client")
	// A repeated parameter.
	req, _ := http.NewRequest("POST", h.srv.URL+"/o/token", strings.NewReader("grant_type=client_credentials&scope=read&scope=write"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(app.ClientID, app.ClientSecret)
	wantOAuthError(t, do(t, nil, req), 400, "invalid_request")
	// A JSON body.
	req, _ = http.NewRequest("POST", h.srv.URL+"/o/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(app.ClientID, app.ClientSecret)
	wantOAuthError(t, do(t, nil, req), 400, "invalid_request")
	// A scope the client does not have.
	wantOAuthError(t, h.post("/o/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"openid admin"}}, app.ClientID, app.ClientSecret), 400, "invalid_scope")
}

// TestBasicFormEncoded: client_secret_basic's id and secret are
// form-url-encoded before base64 (RFC 6749 section 2.3.1).
func TestBasicFormEncoded(t *testing.T) {
	h := newHarness(t)
	secret := "s3cret:with+plus %/é"
	app := h.register(oauth2.NewApplication{ClientID: "id:with space", ClientSecret: secret, GrantTypes: []string{oauth2.GrantClientCredentials}})
	if app.ClientSecret != secret {
		t.Fatalf("a given secret came back as %q", app.ClientSecret)
	}
	if r := h.post("/o/token", url.Values{"grant_type": {"client_credentials"}}, app.ClientID, secret); r.status != 200 {
		t.Errorf("form-encoded Basic credentials: %d %s", r.status, r.body)
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/o/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(app.ClientID), secret) // the secret not encoded: "+" reads as a space
	wantOAuthError(t, do(t, nil, req), 401, "invalid_client")
}

// TestDjangoHashedSecret: a client secret stored as django-oauth-toolkit
// 2.x stores it (make_password; this hash was made by Django 3.2) verifies.
func TestDjangoHashedSecret(t *testing.T) {
	h := newHarness(t)
	err := h.store.CreateApplication(context.Background(), oauth2.Application{
		ClientID: "from-dot", ClientType: oauth2.ClientConfidential, GrantTypes: []string{oauth2.GrantClientCredentials},
		Scopes:     []string{"read"},
		SecretHash: "pbkdf2_sha256$260000$abcdefghijklmnop$sTKI6VvELInCc4EsTTvfOdi+tUzD0OJYDDFE6ezONFg=",
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := h.post("/o/token", url.Values{"grant_type": {"client_credentials"}}, "from-dot", "dot-secret-from-django"); r.status != 200 {
		t.Errorf("Django-hashed secret: %d %s", r.status, r.body)
	}
	wantOAuthError(t, h.post("/o/token", url.Values{"grant_type": {"client_credentials"}}, "from-dot", "dot-secret-from-djangO"), 401, "invalid_client")
}

func TestIntrospectAndRevoke(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{GrantTypes: []string{oauth2.GrantClientCredentials}})
	rs := h.register(oauth2.NewApplication{GrantTypes: []string{oauth2.GrantClientCredentials}, Scopes: []string{oauth2.ScopeIntrospection}})
	pub := h.register(oauth2.NewApplication{ClientType: oauth2.ClientPublic})
	tok := h.post("/o/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}, app.ClientID, app.ClientSecret).str("access_token")
	r := h.introspect(rs, tok)
	if r.status != 200 || r.json["active"] != true || r.str("client_id") != app.ClientID || r.str("scope") != "read" || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("introspection by a resource server: %d %s", r.status, r.body)
	}
	if r := h.introspect(app, tok); r.json["active"] != true || r.str("client_id") != app.ClientID {
		t.Errorf("introspection by the token's own client: %d %s", r.status, r.body)
	}
	if r := h.introspect(rs, "unknown"); r.body != `{"active":false}` {
		t.Errorf("unknown token: %s; want exactly {\"active\":false}", r.body)
	}
	wantOAuthError(t, h.post("/o/introspect", url.Values{"token": {tok}, "client_id": {pub.ClientID}}, "", ""), 401, "invalid_client")
	wantOAuthError(t, h.post("/o/introspect", url.Values{"token": {tok}}, "", ""), 401, "invalid_client")
	// Another client cannot revoke it; its own can.
	if r := h.post("/o/revoke_token", url.Values{"token": {tok}}, rs.ClientID, rs.ClientSecret); r.status != 200 {
		t.Errorf("revoke by another client: %d", r.status)
	}
	if !h.active(rs, tok) {
		t.Error("another client revoked the token")
	}
	if r := h.post("/o/revoke_token", url.Values{"token": {tok}, "token_type_hint": {"access_token"}}, app.ClientID, app.ClientSecret); r.status != 200 || r.body != "" {
		t.Errorf("revoke: %d %s", r.status, r.body)
	}
	if r := h.introspect(rs, tok); r.body != `{"active":false}` {
		t.Errorf("revoked token: %s", r.body)
	}
	wantOAuthError(t, h.post("/o/revoke_token", url.Values{"token": {tok}}, app.ClientID, "wrong"), 401, "invalid_client")
}

// TestIntrospectOnlyOwnTokens: RFC 7662 section 4: a confidential client
// that is not a resource server (no ScopeIntrospection) learns nothing of
// another client's live tokens, access or refresh: exactly
// {"active": false}, as for an unknown token.
func TestIntrospectOnlyOwnTokens(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	other := h.register(oauth2.NewApplication{GrantTypes: []string{oauth2.GrantClientCredentials}})
	rs := h.register(oauth2.NewApplication{GrantTypes: []string{oauth2.GrantClientCredentials}, Scopes: []string{oauth2.ScopeIntrospection}})
	tok := h.exchange(app, h.code(h.browser(true), codeQuery(app.ClientID, "scope", "openid read")), "")
	for _, kind := range []string{"access_token", "refresh_token"} {
		if r := h.introspect(other, tok.str(kind)); r.status != 200 || r.body != `{"active":false}` {
			t.Errorf("another client introspecting a live %s: %d %s; want exactly {\"active\":false}", kind, r.status, r.body)
		}
		if r := h.introspect(app, tok.str(kind)); r.json["active"] != true || r.str("username") != "alice" {
			t.Errorf("the token's own client introspecting its %s: %d %s", kind, r.status, r.body)
		}
		if r := h.introspect(rs, tok.str(kind)); r.json["active"] != true || r.str("client_id") != app.ClientID || r.str("sub") != h.alice.GetID() {
			t.Errorf("a resource server introspecting a %s: %d %s", kind, r.status, r.body)
		}
	}
}

func TestBearerAuthenticator(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{GrantTypes: []string{oauth2.GrantClientCredentials}})
	write := h.post("/o/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"write"}}, app.ClientID, app.ClientSecret).str("access_token")
	call := func(method, auth string) reply {
		req, _ := http.NewRequest(method, h.srv.URL+"/api/posts", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return do(t, nil, req)
	}
	if r := call("POST", "Bearer "+write); r.status != 200 {
		t.Errorf("POST with a write token: %d %s", r.status, r.body)
	}
	if r := call("GET", "Bearer "+write); r.status != 403 {
		t.Errorf("GET with a write-only token: %d", r.status)
	}
	if r := call("GET", "Bearer not-a-token"); r.status != 403 || !strings.Contains(r.body, "Invalid token.") {
		t.Errorf("an unknown bearer: %d %s; want the authentication failure (403: the session authenticator, first, has no challenge)", r.status, r.body)
	}
	// A JWT-shaped bearer is not ours: anonymous here, refused by the
	// permission as not authenticated (403: the session authenticator,
	// first, has no challenge).
	if r := call("GET", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"); r.status != 403 ||
		r.str("detail") != "Authentication credentials were not provided." {
		t.Errorf("a JWT bearer: %d %s; want 403 not authenticated", r.status, r.body)
	}
	a := h.p.Authentication()
	req, _ := http.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")
	if id, err := a.Authenticate(coreRequest(req)); id != nil || err != nil {
		t.Errorf("Authenticate(JWT) = %v, %v; want nil, nil", id, err)
	}
	req.Header.Set("Authorization", "Basic YTpi")
	if id, err := a.Authenticate(coreRequest(req)); id != nil || err != nil {
		t.Errorf("Authenticate(Basic) = %v, %v; want nil, nil", id, err)
	}
	req.Header.Set("Authorization", "Bearer unknown-token")
	if id, err := a.Authenticate(coreRequest(req)); id != nil || !errors.Is(err, core.ErrInvalidToken) {
		t.Errorf("Authenticate(unknown) = %v, %v; want ErrInvalidToken", id, err)
	}
	req.Header.Set("Authorization", "bearer "+write)
	id, err := a.Authenticate(coreRequest(req))
	if err != nil || id == nil || id.Method != "oauth2" || id.User.IsAuthenticated() {
		t.Fatalf("Authenticate(client-credentials token) = %+v, %v", id, err)
	}
	if tok, ok := oauth2.TokenFromIdentity(id); !ok || !tok.HasScope("write") || tok.HasScope("read") || tok.ClientID != app.ClientID {
		t.Errorf("token from identity: %+v", tok)
	}
}

// TestAuthorizeNeedsBrowserLogin: a bearer token is not a login at the
// authorize endpoint, or a read-only token would buy a code with every
// scope for another client that skips consent.
func TestAuthorizeNeedsBrowserLogin(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	tok := h.exchange(app, h.code(h.browser(true), codeQuery(app.ClientID, "scope", "read")), "")
	other := h.register(oauth2.NewApplication{SkipAuthorization: true})
	req, _ := http.NewRequest("GET", h.srv.URL+"/o/authorize?"+codeQuery(other.ClientID, "scope", "read write").Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+tok.str("access_token"))
	location(t, do(t, nil, req), "/accounts/login?")
}

// TestNonceAndStateCapped: a nonce over 512 bytes or a state over 2 KiB
// is invalid_request (they travel with every code and consent form); at
// the cap they pass.
func TestNonceAndStateCapped(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	b := h.browser(true)
	h.code(b, codeQuery(app.ClientID, "scope", "openid", "nonce", strings.Repeat("n", 512), "state", strings.Repeat("s", 2048)))
	for name, q := range map[string]url.Values{
		"nonce": codeQuery(app.ClientID, "scope", "openid", "nonce", strings.Repeat("n", 513)),
		"state": codeQuery(app.ClientID, "state", strings.Repeat("s", 2049)),
	} {
		v := location(t, h.authorize(b, q), redirectURI+"?")
		if v.Get("error") != "invalid_request" || v.Get("code") != "" || len(v.Get("state")) > 2048 {
			t.Errorf("%s over the cap: %v", name, v)
		}
	}
	_, err := h.p.GenerateAuthorizationCode(context.Background(), oauth2.AuthorizationRequest{ClientID: app.ClientID,
		RedirectURI: redirectURI, UserID: h.alice.GetID(), Scope: "openid", Nonce: strings.Repeat("n", 513)})
	if !errors.Is(err, &oauth2.Error{Code: oauth2.ErrCodeInvalidRequest}) {
		t.Errorf("GenerateAuthorizationCode with a nonce over the cap: %v; want invalid_request", err)
	}
}

// TestRepeatedParameterDescription: a repeated parameter's name is the
// sender's text; the error_description redirected to the client is a
// fixed message within RFC 6749 section 4.1.2.1's charset, never the name.
func TestRepeatedParameterDescription(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	name := url.QueryEscape("<script>\"\\é")
	req, _ := http.NewRequest("GET", h.srv.URL+"/o/authorize?"+codeQuery(app.ClientID).Encode()+"&"+name+"=1&"+name+"=2", nil)
	v := location(t, do(t, h.browser(true), req), redirectURI+"?")
	desc := v.Get("error_description")
	if v.Get("error") != "invalid_request" || desc == "" || strings.Contains(desc, "script") {
		t.Errorf("repeated parameter: %v", v)
	}
	for _, c := range []byte(desc) {
		if c < 0x20 || c == '"' || c == '\\' || c > 0x7e {
			t.Errorf("error_description %q has %q, outside RFC 6749's charset", desc, c)
		}
	}
}

// TestRedirectURIRegistration: RFC 6749 section 3.1.2.1 and RFC 8252:
// plain http only for loopback hosts (127.0.0.1, [::1], localhost, any
// port); a native app's private-use scheme in reverse-domain form; never
// a fragment, userinfo, or a scheme such as javascript:.
func TestRedirectURIRegistration(t *testing.T) {
	h := newHarness(t)
	for uri, ok := range map[string]bool{
		"https://client.example/cb":        true,
		"http://127.0.0.1:9000/cb":         true,
		"http://127.0.0.1/cb":              true,
		"http://[::1]:8080/cb":             true,
		"http://localhost:3000/cb":         true,
		"com.example.app:/oauth2redirect":  true,
		"com.example.app:/cb?x=1":          true,
		"http://client.example/cb":         false,
		"http://localhost.evil.example/cb": false,
		"http://127.0.0.1.evil.example/cb": false,
		"http://10.0.0.1/cb":               false,
		"javascript:alert(1)":              false,
		"data:text/html,x":                 false,
		"myapp:/cb":                        false,
		"com.example.app:/cb#x":            false,
		"com.example.app://user@host/cb":   false,
		"https://user@client.example/cb":   false,
		"/relative/cb":                     false,
		"https://client.example/cb#":       false,
		`com.example.app:/cb\x`:            false,
		"https://client.example/c b":       false,
	} {
		_, err := h.p.RegisterApplication(context.Background(), oauth2.NewApplication{ClientType: oauth2.ClientPublic,
			GrantTypes: []string{oauth2.GrantAuthorizationCode}, RedirectURIs: []string{uri}})
		if ok && err != nil {
			t.Errorf("redirect URI %q refused: %v", uri, err)
		}
		if !ok && !errors.Is(err, core.ErrInvalidInput) {
			t.Errorf("redirect URI %q: %v; want ErrInvalidInput", uri, err)
		}
	}
}
