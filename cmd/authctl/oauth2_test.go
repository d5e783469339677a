package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// migratedDB returns a migrated SQLite database's URL.
func migratedDB(t *testing.T) string {
	t.Helper()
	db := "sqlite:" + filepath.Join(t.TempDir(), "a.sqlite3")
	if code, _, errs := runCmd(t, "", nil, "-db", db, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, errs)
	}
	return db
}

func storedApp(t *testing.T, db, clientID string) (oauth2store.Application, bool) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, found, err := s.OAuth2().Application(ctx, clientID)
	if err != nil {
		t.Fatal(err)
	}
	return a, found
}

var alnum = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// TestCreateApplication: the showcase's spelling prints the credentials as
// JSON, the secret once, and stores only its hash; ids and secrets are
// letters and digits.
func TestCreateApplication(t *testing.T) {
	db := migratedDB(t)
	code, out, errs := runCmd(t, "", nil, "-db", db, "createapplication", "--name", "Shop", "--client-type", "confidential",
		"--grant-types", "authorization_code,refresh_token,client_credentials", "--redirect-uris", "https://shop.example/cb,http://127.0.0.1:8765/callback",
		"--scopes", "openid,profile,email,read,write", "--skip-authorization")
	if code != 0 {
		t.Fatalf("createapplication: %d %s %s", code, out, errs)
	}
	var creds struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(out), &creds); err != nil {
		t.Fatalf("output %q is not the credentials' JSON: %v", out, err)
	}
	if !alnum.MatchString(creds.ClientID) || !alnum.MatchString(creds.ClientSecret) || len(creds.ClientSecret) < 40 {
		t.Errorf("credentials %+v: want letters and digits, a long secret", creds)
	}
	if !strings.Contains(errs, "New application Shop created successfully.") {
		t.Errorf("stderr %q: want DOT's success line", errs)
	}
	a, found := storedApp(t, db, creds.ClientID)
	if !found {
		t.Fatal("the application is not stored")
	}
	if a.Name != "Shop" || a.ClientType != "confidential" || !a.SkipAuthorization ||
		!slices.Equal(a.GrantTypes, []string{"authorization_code", "refresh_token", "client_credentials"}) ||
		!slices.Equal(a.RedirectURIs, []string{"https://shop.example/cb", "http://127.0.0.1:8765/callback"}) ||
		!slices.Equal(a.Scopes, []string{"openid", "profile", "email", "read", "write"}) {
		t.Errorf("stored %+v", a)
	}
	if strings.Contains(a.SecretHash, creds.ClientSecret) || !strings.HasPrefix(a.SecretHash, "sha256$") {
		t.Errorf("the secret is stored as %q; want only its hash", a.SecretHash)
	}
	// Scopes default to read and write; a public client gets no secret.
	code, out, errs = runCmd(t, "", nil, "-db", db, "createapplication", "--name", "SPA", "--client-type", "public",
		"--grant-types", "authorization_code", "--redirect-uris", "http://127.0.0.1:8765/callback")
	if code != 0 || !strings.Contains(out, `"client_secret":""`) {
		t.Fatalf("public client: %d %s %s", code, out, errs)
	}
	json.Unmarshal([]byte(out), &creds)
	if a, _ := storedApp(t, db, creds.ClientID); !slices.Equal(a.Scopes, []string{"read", "write"}) || a.SecretHash != "" {
		t.Errorf("public client stored %+v", a)
	}
}

// TestCreateApplicationDOT: django-oauth-toolkit's spelling, with the
// client type and grant type as arguments, a given id and secret (not
// printed, stored as a password hash) and space-separated redirect URIs.
func TestCreateApplicationDOT(t *testing.T) {
	db := migratedDB(t)
	code, out, errs := runCmd(t, "", nil, "-db", db, "createapplication", "--client-id", "dot-client", "--client-secret", "given-secret-0123456789",
		"--redirect-uris", "https://a.example/cb https://b.example/cb", "confidential", "authorization-code", "--algorithm", "RS256")
	if code != 0 || !strings.Contains(out, `"client_id":"dot-client"`) || strings.Contains(out, "given-secret") {
		t.Fatalf("createapplication (DOT): %d %s %s", code, out, errs)
	}
	if !strings.Contains(errs, "New application dot-client created successfully.") {
		t.Errorf("stderr %q", errs)
	}
	a, found := storedApp(t, db, "dot-client")
	if !found || !slices.Equal(a.GrantTypes, []string{"authorization_code", "refresh_token"}) ||
		!slices.Equal(a.RedirectURIs, []string{"https://a.example/cb", "https://b.example/cb"}) || strings.HasPrefix(a.SecretHash, "sha256$") || a.SecretHash == "" {
		t.Errorf("stored %+v", a)
	}
	code, out, _ = runCmd(t, "", nil, "-db", db, "createapplication", "confidential", "client-credentials")
	if code != 0 {
		t.Fatalf("client-credentials: %d %s", code, out)
	}
	// Refusals: nothing stored, a clear message.
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--client-id", "dot-client", "confidential", "client-credentials"}, 1, "is taken"},
		{[]string{"confidential", "password"}, 1, "want authorization-code"},
		{[]string{"public", "client-credentials"}, 1, "confidential clients"},
		{[]string{"confidential", "authorization-code"}, 1, "redirect URI"},
		{[]string{"--redirect-uris", "https://a.example/cb#frag", "public", "authorization-code"}, 1, "redirect URI"},
		{[]string{"--algorithm", "HS256", "confidential", "client-credentials"}, 1, "RS256"},
		{[]string{"--scopes", "admin", "confidential", "client-credentials"}, 1, "unknown scope"},
		{[]string{"--client-type", "public", "public", "implicit"}, 2, "not both"},
		{[]string{"confidential"}, 2, "usage"},
		{[]string{}, 2, "usage"},
		{[]string{"--user", "999", "confidential", "client-credentials"}, 1, "does not exist"},
	} {
		code, out, errs := runCmd(t, "", nil, append([]string{"-db", db, "createapplication"}, tc.args...)...)
		if code != tc.code || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("createapplication %q: %d %q %q; want exit %d mentioning %q", tc.args, code, out, errs, tc.code, tc.want)
		}
	}
}

// TestClearSessionsOAuth2: expired OAuth2 codes and tokens leave the
// database, live ones stay.
func TestClearSessionsOAuth2(t *testing.T) {
	db := migratedDB(t)
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	o := s.OAuth2()
	now := time.Now()
	tok := func(name string, exp time.Time) oauth2store.Token {
		return oauth2store.Token{Hash: oauth2store.HashToken(name), Kind: oauth2store.KindAccess, ClientID: "c", ExpiresAt: exp, IssuedAt: now}
	}
	if err := o.SaveTokens(ctx, tok("old", now.Add(-time.Minute)), tok("live", now.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := o.SaveCode(ctx, oauth2store.Code{Hash: oauth2store.HashToken("code"), ClientID: "c", ExpiresAt: now.Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	code, out, errs := runCmd(t, "", nil, "-db", db, "clearsessions")
	if code != 0 || !strings.Contains(out, "2 expired OAuth2 codes and tokens") {
		t.Fatalf("clearsessions: %d %q %q", code, out, errs)
	}
	s, err = sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, found, _ := s.OAuth2().Token(ctx, oauth2store.HashToken("live"), now); !found {
		t.Error("clearsessions removed a live OAuth2 token")
	}
}
