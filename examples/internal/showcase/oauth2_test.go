package showcase

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"go.uber.org/goleak"
)

// jwks is what the app's JWKS endpoint serves.
func jwks(t *testing.T, a *App) []*jwtauth.Key {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := a.JWKS.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(httptest.NewRequest("GET", "/.well-known/jwks.json", nil))); err != nil {
		t.Fatal(err)
	}
	keys, err := jwtauth.ParseJWKS(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// With -jwt-alg HS256 the id_token key is an RSA key made on the first
// start and kept in the database: a restart (or another replica) signs
// with the same key, and the JWKS publishes it.
func TestIDTokenKeyKept(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "s.sqlite3")
	first := openTest(t, "-db", db, "-demo=false")
	keys := jwks(t, first)
	if len(keys) != 1 || keys[0].Algorithm() != jwtauth.RS256 {
		t.Fatalf("JWKS under HS256: %d keys; want the RS256 id_token key", len(keys))
	}
	kid := first.OAuth2.Signer().SigningKey().ID()
	if keys[0].ID() != kid {
		t.Errorf("JWKS kid %q; the id_token key is %q", keys[0].ID(), kid)
	}
	second := openTest(t, "-db", db, "-demo=false")
	if got := second.OAuth2.Signer().SigningKey().ID(); got != kid {
		t.Errorf("after a restart the id_token key is %q; want the kept %q", got, kid)
	}
}

// -issuer, and its default: http:// and -addr, with the port listened on.
func TestIssuer(t *testing.T) {
	for _, tc := range []struct{ cfgAddr, addr, want string }{
		{"127.0.0.1:8000", "127.0.0.1:8000", "http://127.0.0.1:8000"},
		{"127.0.0.1:0", "127.0.0.1:41234", "http://127.0.0.1:41234"},
		{":8000", "[::]:8000", "http://localhost:8000"},
		{"0.0.0.0:8000", "0.0.0.0:8000", "http://localhost:8000"},
		{"[::1]:9000", "[::1]:9000", "http://[::1]:9000"},
	} {
		if got := DefaultIssuer(tc.cfgAddr, tc.addr); got != tc.want {
			t.Errorf("DefaultIssuer(%q, %q) = %q; want %q", tc.cfgAddr, tc.addr, got, tc.want)
		}
	}
	a := openTest(t, "-db", "sqlite::memory:", "-demo=false", "-issuer", "https://auth.example")
	if got := a.OAuth2.Metadata(true).Issuer; got != "https://auth.example" {
		t.Errorf("issuer %q", got)
	}
	cfg, err := ParseFlags("test", []string{"-db", "sqlite::memory:", "-issuer", "ftp://x"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	// An Open that fails stops what it started (the mail queue's workers
	// were left running).
	running := goleak.IgnoreCurrent()
	if _, err := Open(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "-issuer") {
		t.Errorf("-issuer ftp://x: %v", err)
	}
	if err := goleak.Find(running); err != nil {
		t.Errorf("after a failed Open: %v", err)
	}
}

// -demo registers the two demo clients on an empty database, once.
func TestDemoClients(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "s.sqlite3")
	a := openTest(t, "-db", db)
	if len(a.DemoClients) != 2 || a.DemoClients[0].ClientID != DemoConfidentialClient || a.DemoClients[0].ClientSecret == "" ||
		a.DemoClients[1].ClientID != DemoPublicClient || a.DemoClients[1].ClientSecret != "" {
		t.Fatalf("demo clients %+v", a.DemoClients)
	}
	if _, err := a.OAuth2.AuthenticateClient(context.Background(), DemoConfidentialClient, a.DemoClients[0].ClientSecret); err != nil {
		t.Errorf("the printed secret does not authenticate: %v", err)
	}
	if again := openTest(t, "-db", db); len(again.DemoClients) != 0 {
		t.Errorf("a second start registered %+v", again.DemoClients)
	}
}
