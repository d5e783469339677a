package oauth2_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	xoauth2 "golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/reinhardt-go/auth/core/oauth2"
)

// TestClientLibraries drives the provider from the client's side, as
// ory/fosite's integration tests do: golang.org/x/oauth2 runs the code
// flow with PKCE (confidential with client_secret_basic, public with its
// client_id in the body) and a refresh, clientcredentials the client
// credentials grant, and github.com/coreos/go-oidc verifies the id_token
// through discovery and the JWKS and reads userinfo.
func TestClientLibraries(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, h.srv.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	b := h.browser(true)
	for _, style := range []struct {
		name   string
		typ    string
		style  xoauth2.AuthStyle
		secret bool
	}{
		{"confidential, client_secret_basic", oauth2.ClientConfidential, xoauth2.AuthStyleInHeader, true},
		{"confidential, client_secret_post", oauth2.ClientConfidential, xoauth2.AuthStyleInParams, true},
		{"public", oauth2.ClientPublic, xoauth2.AuthStyleInParams, false},
	} {
		t.Run(style.name, func(t *testing.T) {
			app := h.register(oauth2.NewApplication{SkipAuthorization: true, ClientType: style.typ,
				GrantTypes: []string{oauth2.GrantAuthorizationCode, oauth2.GrantRefreshToken}})
			conf := &xoauth2.Config{
				ClientID: app.ClientID, ClientSecret: app.ClientSecret, RedirectURL: redirectURI,
				Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email", "read"},
			}
			conf.Endpoint.AuthStyle = style.style
			verifier := xoauth2.GenerateVerifier()
			req, _ := http.NewRequest("GET", conf.AuthCodeURL("st4te", xoauth2.S256ChallengeOption(verifier), oidc.Nonce("n0nce")), nil)
			v := location(t, do(t, b, req), redirectURI+"?")
			if v.Get("state") != "st4te" {
				t.Fatalf("state %q", v.Get("state"))
			}
			tok, err := conf.Exchange(ctx, v.Get("code"), xoauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			raw, _ := tok.Extra("id_token").(string)
			idt, err := provider.Verifier(&oidc.Config{ClientID: app.ClientID}).Verify(ctx, raw)
			if err != nil {
				t.Fatalf("go-oidc Verify: %v", err)
			}
			var claims struct {
				AuthTime int64  `json:"auth_time"`
				Email    string `json:"email"`
			}
			if err := idt.Claims(&claims); err != nil || idt.Nonce != "n0nce" || idt.Subject != h.alice.GetID() || claims.AuthTime == 0 || claims.Email != "alice@example.com" {
				t.Errorf("id_token: nonce %q sub %q claims %+v %v", idt.Nonce, idt.Subject, claims, err)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			info, err := provider.UserInfo(ctx, xoauth2.StaticTokenSource(tok))
			if err != nil || info.Subject != h.alice.GetID() || info.Email != "alice@example.com" {
				t.Errorf("UserInfo: %+v, %v", info, err)
			}
			// Refresh through an expired token.
			tok.Expiry = time.Now().Add(-time.Minute)
			fresh, err := conf.TokenSource(ctx, tok).Token()
			if err != nil || fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
				t.Fatalf("refresh: %+v, %v", fresh, err)
			}
			if _, err := provider.UserInfo(ctx, xoauth2.StaticTokenSource(fresh)); err != nil {
				t.Errorf("UserInfo with the refreshed token: %v", err)
			}
			// The code is spent, and presenting it again revokes what it
			// issued, the refreshed tokens included.
			if _, err := conf.Exchange(ctx, v.Get("code"), xoauth2.VerifierOption(verifier)); err == nil {
				t.Error("a second Exchange of the code succeeded")
			}
			if _, err := provider.UserInfo(ctx, xoauth2.StaticTokenSource(fresh)); err == nil {
				t.Error("the refreshed token still reads userinfo after its code was reused")
			}
		})
	}
	app := h.register(oauth2.NewApplication{GrantTypes: []string{oauth2.GrantClientCredentials}})
	cc := &clientcredentials.Config{ClientID: app.ClientID, ClientSecret: app.ClientSecret, TokenURL: provider.Endpoint().TokenURL, Scopes: []string{"read"}}
	tok, err := cc.Token(ctx)
	if err != nil || tok.AccessToken == "" || tok.RefreshToken != "" {
		t.Fatalf("client credentials: %+v, %v", tok, err)
	}
	if !h.active(app, tok.AccessToken) {
		t.Error("the client-credentials token is not active")
	}
	cc.ClientSecret = "wrong"
	if _, err := cc.Token(ctx); err == nil {
		t.Error("client credentials with a wrong secret succeeded")
	}
}
