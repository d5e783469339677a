package showcase

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/oauth2"
	"github.com/reinhardt-go/auth/core/passwordreset"
)

// TestResetEndsOAuth2Tokens: a password reset ends every token of the
// user (docs/showcase.md), the OAuth2 access and refresh tokens granted to
// a client before it too (say, an attacker's client, authorized while the
// account was taken over): the provider's Config.ValidAfter reads the
// stamp tokens.LogoutAll sets.
//
// With -redis the stamp lives in Redis, and the provider reads it there.
func TestResetEndsOAuth2Tokens(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { resetEndsOAuth2Tokens(t, openTest(t, "-db", "sqlite::memory:")) })
	t.Run("Redis", func(t *testing.T) {
		u := os.Getenv("REINHARDT_TEST_REDIS")
		if u == "" {
			if os.Getenv("CI") == "true" || os.Getenv("REINHARDT_REQUIRE_SERVICES") == "1" {
				t.Fatal("REINHARDT_TEST_REDIS is not set: run the tests with `make test`, which starts Redis")
			}
			t.Skip("REINHARDT_TEST_REDIS not set (make test starts a Redis)")
		}
		prefix := fmt.Sprintf("showcase-reset-test:%d:", time.Now().UnixNano())
		resetEndsOAuth2Tokens(t, openTest(t, "-db", "sqlite::memory:", "-redis", u+"?prefix="+url.QueryEscape(prefix)))
	})
}

func resetEndsOAuth2Tokens(t *testing.T, a *App) {
	ctx := context.Background()
	alice, err := a.Store.GetByUsername(ctx, "alice")
	if err != nil || alice == nil {
		t.Fatalf("alice: %v", err)
	}
	// An OAuth2 grant of alice to the public demo client (PKCE).
	verifier := strings.Repeat("v", 43)
	sum := sha256.Sum256([]byte(verifier))
	code, err := a.OAuth2.GenerateAuthorizationCode(ctx, oauth2.AuthorizationRequest{
		ClientID: DemoPublicClient, RedirectURI: DemoRedirectURI, UserID: alice.GetID(), Scope: "read write",
		CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:]), CodeChallengeMethod: oauth2.PKCEMethodS256,
	})
	if err != nil {
		t.Fatal(err)
	}
	client, err := a.OAuth2.AuthenticateClient(ctx, DemoPublicClient, "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := a.OAuth2.ExchangeCode(ctx, client, oauth2.ExchangeRequest{Code: code, RedirectURI: DemoRedirectURI, CodeVerifier: verifier})
	if err != nil {
		t.Fatal(err)
	}

	// alice resets her password through the endpoint.
	gen, err := passwordreset.New(a.Secret)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"uid":"` + passwordreset.EncodeUID(alice.GetID()) + `","token":"` + gen.MakeToken(alice) +
		`","new_password":"a-Brand-new-passphrase-42"}`
	r := httptest.NewRequest("POST", "/api/auth/password/reset/confirm", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	if err := a.PasswordResetConfirm.Serve(core.NewHTTPResponse(w), core.NewHTTPRequest(r)); err != nil || w.Code != 204 {
		t.Fatalf("reset confirm: %v %d %s", err, w.Code, w.Body)
	}

	if _, err := a.OAuth2.VerifyToken(ctx, tok.AccessToken); err == nil {
		t.Error("the OAuth2 access token issued before the reset still authenticates")
	}
	if _, err := a.OAuth2.Refresh(ctx, client, tok.RefreshToken, ""); err == nil {
		t.Error("the OAuth2 refresh token issued before the reset still refreshes (for up to -refresh-ttl)")
	}
}
