package oauth2_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/oauth2"
)

// verifyIDToken checks an id_token's signature with the key the JWKS
// endpoint publishes and returns its claims.
func (h *harness) verifyIDToken(raw string) jwt.MapClaims {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.srv.URL+"/.well-known/jwks.json", nil)
	jwks := do(h.t, nil, req)
	keys, err := jwtauth.ParseJWKS([]byte(jwks.body))
	if err != nil || len(keys) != 1 {
		h.t.Fatalf("JWKS: %v %s", err, jwks.body)
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(raw, claims, func(tok *jwt.Token) (any, error) {
		if tok.Header["kid"] != keys[0].ID() {
			h.t.Errorf("kid %v; JWKS has %q", tok.Header["kid"], keys[0].ID())
		}
		return keys[0].Public(), nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(h.srv.URL), jwt.WithExpirationRequired())
	if err != nil {
		h.t.Fatalf("id_token does not verify: %v", err)
	}
	return claims
}

func TestIDToken(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	b := h.browser(true)
	before := time.Now().Add(-time.Minute).Unix()
	code := h.code(b, codeQuery(app.ClientID, "scope", "openid profile email read", "nonce", "n-0S6_WzA2Mj"))
	tok := h.exchange(app, code, "")
	if tok.status != 200 || tok.str("id_token") == "" {
		t.Fatalf("token response: %d %s", tok.status, tok.body)
	}
	c := h.verifyIDToken(tok.str("id_token"))
	sum := sha256.Sum256([]byte(tok.str("access_token")))
	want := map[string]any{
		"iss": h.srv.URL, "sub": h.alice.GetID(), "aud": app.ClientID, "nonce": "n-0S6_WzA2Mj",
		"at_hash": base64.RawURLEncoding.EncodeToString(sum[:16]), "email": "alice@example.com",
		"name": "Alice Liddell", "given_name": "Alice", "family_name": "Liddell", "preferred_username": "alice",
	}
	for k, v := range want {
		got := c[k]
		if aud, ok := got.([]any); ok && len(aud) == 1 {
			got = aud[0]
		}
		if got != v {
			t.Errorf("id_token %s = %v; want %v", k, c[k], v)
		}
	}
	for _, k := range []string{"exp", "iat", "auth_time"} {
		if n, ok := c[k].(float64); !ok || int64(n) < before {
			t.Errorf("id_token %s = %v", k, c[k])
		}
	}
	// Without a nonce there is none; without email and profile, no such claims.
	tok = h.exchange(app, h.code(b, codeQuery(app.ClientID, "scope", "openid")), "")
	c = h.verifyIDToken(tok.str("id_token"))
	for _, k := range []string{"nonce", "email", "name", "preferred_username"} {
		if _, ok := c[k]; ok {
			t.Errorf("id_token for scope openid has %s", k)
		}
	}
	// Userinfo, GET and POST.
	for _, method := range []string{"GET", "POST"} {
		tok := h.exchange(app, h.code(b, codeQuery(app.ClientID, "scope", "openid email")), "")
		req, _ := http.NewRequest(method, h.srv.URL+"/o/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+tok.str("access_token"))
		r := do(t, nil, req)
		if r.status != 200 || r.str("sub") != h.alice.GetID() || r.str("email") != "alice@example.com" || r.json["name"] != nil {
			t.Errorf("%s userinfo: %d %s", method, r.status, r.body)
		}
	}
}

func TestUserInfoRefusals(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true, GrantTypes: []string{oauth2.GrantAuthorizationCode, oauth2.GrantClientCredentials}})
	b := h.browser(true)
	noOpenID := h.exchange(app, h.code(b, codeQuery(app.ClientID, "scope", "read profile")), "")
	if noOpenID.json["id_token"] != nil {
		t.Error("an id_token without the openid scope")
	}
	userinfo := func(auth string) reply {
		req, _ := http.NewRequest("GET", h.srv.URL+"/o/userinfo", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return do(t, nil, req)
	}
	r := userinfo("Bearer " + noOpenID.str("access_token"))
	if r.status != 403 || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
		t.Errorf("userinfo without openid: %d %v", r.status, r.header)
	}
	// No token: a challenge without an error code, and no error body
	// (RFC 6750 section 3.1).
	r = userinfo("")
	if r.status != 401 || r.header.Get("WWW-Authenticate") != `Bearer realm="oauth2"` || r.body != "" {
		t.Errorf("userinfo without a token: %d %v %q", r.status, r.header, r.body)
	}
	r = userinfo("Bearer nope")
	if r.status != 401 || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("userinfo with an unknown token: %d %v", r.status, r.header)
	}
	cc := h.post("/o/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}, app.ClientID, app.ClientSecret)
	if r := userinfo("Bearer " + cc.str("access_token")); r.status != 401 {
		t.Errorf("userinfo with a client-credentials token: %d", r.status)
	}
}

func TestDiscovery(t *testing.T) {
	h := newHarness(t)
	for path, oidc := range map[string]bool{"/.well-known/openid-configuration": true, "/.well-known/oauth-authorization-server": false} {
		req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
		r := do(t, nil, req)
		if r.status != 200 || r.str("issuer") != h.srv.URL || r.str("token_endpoint") != h.srv.URL+"/o/token" ||
			r.str("authorization_endpoint") != h.srv.URL+"/o/authorize" || r.str("jwks_uri") != h.srv.URL+"/.well-known/jwks.json" ||
			r.str("revocation_endpoint") != h.srv.URL+"/o/revoke_token" || r.str("introspection_endpoint") != h.srv.URL+"/o/introspect" {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
		if got := r.json["code_challenge_methods_supported"]; len(got.([]any)) != 1 || got.([]any)[0] != "S256" {
			t.Errorf("%s code_challenge_methods_supported = %v", path, got)
		}
		if (r.str("userinfo_endpoint") == h.srv.URL+"/o/userinfo") != oidc {
			t.Errorf("%s userinfo_endpoint = %q", path, r.str("userinfo_endpoint"))
		}
		if oidc && r.json["id_token_signing_alg_values_supported"].([]any)[0] != "RS256" {
			t.Errorf("id_token_signing_alg_values_supported: %s", r.body)
		}
		// RFC 9207's iss in authorization responses; the implicit grant,
		// for legacy applications registered with it, is not advertised.
		if r.json["authorization_response_iss_parameter_supported"] != true {
			t.Errorf("%s: authorization_response_iss_parameter_supported = %v", path, r.json["authorization_response_iss_parameter_supported"])
		}
		if !strings.Contains(r.body, `"response_types_supported":["code"]`) || strings.Contains(r.body, "implicit") {
			t.Errorf("%s advertises the implicit grant: %s", path, r.body)
		}
	}
}

// TestOpenIDNeedsRedirectURI: OpenID Connect Core section 3.1.2.1 makes
// redirect_uri required with the openid scope, even for a client with a
// single registered URI; a plain OAuth2 request may still leave it out.
func TestOpenIDNeedsRedirectURI(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	b := h.browser(true)
	q := codeQuery(app.ClientID, "scope", "openid read")
	q.Del("redirect_uri")
	if v := location(t, h.authorize(b, q), redirectURI+"?"); v.Get("error") != "invalid_request" || v.Get("code") != "" {
		t.Errorf("openid without redirect_uri: %v; want invalid_request", v)
	}
	q.Set("scope", "read")
	h.code(b, q)
	_, err := h.p.GenerateAuthorizationCode(context.Background(), oauth2.AuthorizationRequest{ClientID: app.ClientID, UserID: h.alice.GetID(), Scope: "openid"})
	if !errors.Is(err, &oauth2.Error{Code: oauth2.ErrCodeInvalidRequest}) {
		t.Errorf("GenerateAuthorizationCode(openid, no redirect URI) = %v; want invalid_request", err)
	}
}

// TestMethodNotAllowed: every endpoint answers a method it does not serve
// as the rest of the API does, DRF's 405 {"detail"} with Allow.
func TestMethodNotAllowed(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct{ method, path, allow string }{
		{"PUT", "/o/authorize", "GET, POST"},
		{"GET", "/o/token", "POST"},
		{"GET", "/o/revoke_token", "POST"},
		{"GET", "/o/introspect", "POST"},
		{"DELETE", "/o/userinfo", "GET, POST"},
		{"POST", "/.well-known/openid-configuration", "GET, HEAD"},
	} {
		req, _ := http.NewRequest(c.method, h.srv.URL+c.path, nil)
		r := do(t, nil, req)
		if r.status != 405 || r.header.Get("Allow") != c.allow || r.str("detail") != `Method "`+c.method+`" not allowed.` {
			t.Errorf("%s %s: %d Allow %q %s", c.method, c.path, r.status, r.header.Get("Allow"), r.body)
		}
	}
}
