package oauth2_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/oauth2"
)

// TestRepeatedRedirectURIBesideAnotherRepeat: a repeated redirect_uri is
// a 400 without Location (RFC 6749 section 4.1.2.1) even when another
// parameter, one that sorts before it, is repeated too; it was once
// dropped then, and the request redirected to the client's only URI.
func TestRepeatedRedirectURIBesideAnotherRepeat(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	raw := "response_type=code&client_id=" + app.ClientID +
		"&redirect_uri=" + url.QueryEscape("https://evil.example/cb") + "&redirect_uri=" + url.QueryEscape(redirectURI) +
		"&a=1&a=2"
	req, _ := http.NewRequest("GET", h.srv.URL+"/o/authorize?"+raw, nil)
	r := do(t, h.browser(true), req)
	if r.status != 400 || r.header.Get("Location") != "" {
		t.Fatalf("repeated redirect_uri (and a): %d Location %q; want 400 without Location", r.status, r.header.Get("Location"))
	}
}

// TestRefreshKeepsRefreshTokenScope: RFC 6749 section 6: "If a new
// refresh token is issued, the refresh token scope MUST be identical to
// that of the refresh token included by the client in the request." A
// refresh that narrows the access token's scope leaves the new refresh
// token the whole grant, so the client can get the full scope back.
func TestRefreshKeepsRefreshTokenScope(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	first := h.exchange(app, h.code(h.browser(true), codeQuery(app.ClientID, "scope", "read write")), "")
	narrowed := h.post("/o/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.str("refresh_token")}, "scope": {"read"}}, app.ClientID, app.ClientSecret)
	if narrowed.status != 200 || narrowed.str("scope") != "read" {
		t.Fatalf("narrowing refresh: %d %s", narrowed.status, narrowed.body)
	}
	again := h.post("/o/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {narrowed.str("refresh_token")}, "scope": {"read write"}}, app.ClientID, app.ClientSecret)
	if again.status != 200 {
		t.Fatalf("refresh within the originally granted scope: %d %s; the rotated refresh token lost the grant's scope", again.status, again.body)
	}
}

// TestCodeReuseAfterExpiryRevokes: RFC 6749 section 4.1.2: a code used
// more than once SHOULD revoke the tokens it issued. A used code was once
// unknown as soon as it expired (60 s by default), so a stolen code
// replayed a minute after its redemption revoked nothing; it is now kept
// for oauth2store.UsedCodeRetention after its expiry.
func TestCodeReuseAfterExpiryRevokes(t *testing.T) {
	h := newHarness(t)
	app := h.register(oauth2.NewApplication{SkipAuthorization: true})
	code := h.code(h.browser(true), codeQuery(app.ClientID))
	first := h.exchange(app, code, "")
	if first.status != 200 {
		t.Fatalf("exchange: %d %s", first.status, first.body)
	}
	h.offset.Store(int64(2 * time.Minute))
	wantOAuthError(t, h.exchange(app, code, ""), 400, "invalid_grant")
	if h.active(app, first.str("refresh_token")) {
		t.Error("a code replayed after its expiry left the tokens it issued active")
	}
}
