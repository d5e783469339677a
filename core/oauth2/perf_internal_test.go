package oauth2

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
)

// TestSHA256HexEqual: the allocation-free secret check agrees with
// comparing hexSHA256 strings, on both sides of its stack buffer, and
// refuses a stored hash in upper case or of another length as the string
// comparison did.
func TestSHA256HexEqual(t *testing.T) {
	for _, n := range []int{0, 1, 52, 255, 256, 257, 1000} {
		s := strings.Repeat("k", n)
		h := hexSHA256(s)
		if !sha256HexEqual(s, h) {
			t.Errorf("%d bytes: its own hash refused", n)
		}
		for _, bad := range []string{hexSHA256(s + "x"), strings.ToUpper(h), h[:63], h + "0", ""} {
			if sha256HexEqual(s, bad) {
				t.Errorf("%d bytes: accepted %q", n, bad)
			}
		}
	}
}

// TestHotPathAllocations holds the allocations of the steps every token
// and introspection request takes to what they were brought down to:
// none for checking a generated secret, one string for a token's hash,
// one array for an application's three slices, one string for Basic
// credentials.
func TestHotPathAllocations(t *testing.T) {
	p := fuzzProvider(t)
	ctx := context.Background()
	stored := sha256SecretPrefix + hexSHA256("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST")
	app := Application{ClientID: "c", RedirectURIs: []string{"https://a.example/cb"}, GrantTypes: []string{GrantClientCredentials},
		Scopes: []string{"read", "write"}}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("bench-client:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST"))
	for _, c := range []struct {
		name string
		max  float64
		f    func()
	}{
		{"checkSecret", 0, func() {
			if ok, err := p.checkSecret(ctx, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST", stored); !ok || err != nil {
				t.Fatal("secret refused")
			}
		}},
		{"HashToken", 1, func() { _ = oauth2store.HashToken("ABCDEFGHIJKLMNOPQRSTUVWXYZ") }},
		{"cloneApp", 1, func() { _ = cloneApp(app) }},
		{"parseBasic", 1, func() {
			if _, _, ok, err := parseBasic(basic); !ok || err != nil {
				t.Fatal("Basic refused")
			}
		}},
	} {
		if n := testing.AllocsPerRun(100, c.f); n > c.max {
			t.Errorf("%s: %v allocations, want at most %v", c.name, n, c.max)
		}
	}
}

// TestCloneAppIndependent: the slices of a cloned application share one
// array, yet appending to one does not write into the next, and changing
// the clone does not change the store's copy; nil stays nil.
func TestCloneAppIndependent(t *testing.T) {
	orig := Application{ClientID: "c", RedirectURIs: []string{"https://a.example/cb"}, GrantTypes: []string{GrantClientCredentials, GrantRefreshToken},
		Scopes: []string{"read"}}
	c := cloneApp(orig)
	c.RedirectURIs = append(c.RedirectURIs, "https://evil.example/")
	c.GrantTypes[0] = GrantImplicit
	if !slices.Equal(c.GrantTypes, []string{GrantImplicit, GrantRefreshToken}) || !slices.Equal(c.Scopes, []string{"read"}) {
		t.Fatalf("appending to RedirectURIs changed the others: %q %q", c.GrantTypes, c.Scopes)
	}
	if !slices.Equal(orig.RedirectURIs, []string{"https://a.example/cb"}) || orig.GrantTypes[0] != GrantClientCredentials {
		t.Fatalf("the clone shares the original's arrays: %q %q", orig.RedirectURIs, orig.GrantTypes)
	}
	if e := cloneApp(Application{Scopes: []string{}}); e.RedirectURIs != nil || e.GrantTypes != nil || e.Scopes == nil {
		t.Fatalf("nil and empty slices: %#v", e)
	}
}
