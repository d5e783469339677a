package showcasetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

type pair struct {
	Access  string `json:"access"`
	Refresh string `json:"refresh"`
}

func (c *Client) obtain(user, pass string) pair {
	c.T.Helper()
	r := c.Do("POST", "/api/token", "", `{"username":"`+user+`","password":"`+pass+`"}`)
	var p pair
	if r.Status != 200 {
		c.T.Fatalf("token for %s: %d %s", user, r.Status, r.Body)
	}
	r.JSON(c.T, &p)
	if p.Access == "" || p.Refresh == "" {
		c.T.Fatalf("token body %s", r.Body)
	}
	return p
}

func bearer(tok string) string { return "Authorization: Bearer " + tok }

const (
	tokenInvalid     = `{"detail":"Token is invalid","code":"token_not_valid"}`
	tokenBlacklisted = `{"detail":"Token is blacklisted","code":"token_not_valid"}`
)

// jwtTokens is the JWT part of the contract: obtain, use, refresh with
// rotation and reuse detection, verify, blacklist, logout-all.
func jwtTokens(t *testing.T, start Starter) {
	base, out := start(t, []string{"-db", TempDB(t), "-secret", "test-secret-key-for-the-showcase-suite"})
	creds := DemoCredentials(out)
	c := NewClient(t, base)
	alice := creds["alice"]

	r := c.Do("POST", "/api/token", "", `{"username":"alice","password":"wrong"}`)
	c.Expect(r, 401, `{"detail":"No active account found with the given credentials"}`)
	if got := r.Header.Get("WWW-Authenticate"); got != `Bearer realm="api"` {
		t.Errorf("token 401 challenge %q", got)
	}
	c.Expect(c.Do("POST", "/api/token", "", `{"username":"alice"}`), 400, `{"password":["This field is required."]}`)
	c.Expect(c.Do("POST", "/api/token", "", `{"username":"alice","password":"`+strings.Repeat("p", 4097)+`"}`), 400, "")

	p := c.obtain("alice", alice)
	var me struct {
		Username string `json:"username"`
		Auth     string `json:"auth"`
	}
	r = c.Do("GET", "/api/me", "", "", bearer(p.Access))
	c.Expect(r, 200, "")
	r.JSON(t, &me)
	if me.Username != "alice" || me.Auth != "jwt" {
		t.Errorf("me with a JWT: %s", r.Body)
	}
	// A token never works as the other kind.
	c.Expect(c.Do("GET", "/api/me", "", "", bearer(p.Refresh)), 401, "")
	c.Expect(c.Do("GET", "/api/me", "", "", bearer(p.Access+"x")), 401, "")
	c.Expect(c.Do("GET", "/api/me", "", "", bearer(strings.Repeat("a", 9<<10)+".b.c")), 401, "")
	c.Expect(c.Do("GET", "/api/me", "", "", "Authorization: Bearer"), 401, "")

	c.Expect(c.Do("POST", "/api/token/verify", "", `{"token":"`+p.Access+`"}`), 200, `{}`)
	c.Expect(c.Do("POST", "/api/token/verify", "", `{"token":"nope"}`), 401, tokenInvalid)

	// Rotation: the refresh token is spent; presenting it again revokes
	// the whole family, including the pair the first refresh issued.
	r = c.Do("POST", "/api/token/refresh", "", `{"refresh":"`+p.Refresh+`"}`)
	c.Expect(r, 200, "")
	var p2 pair
	r.JSON(t, &p2)
	if p2.Access == "" || p2.Refresh == "" || p2.Refresh == p.Refresh {
		t.Fatalf("refresh body %s", r.Body)
	}
	c.Expect(c.Do("GET", "/api/me", "", "", bearer(p2.Access)), 200, "")
	c.Expect(c.Do("POST", "/api/token/refresh", "", `{"refresh":"`+p.Refresh+`"}`), 401, tokenBlacklisted)
	c.Expect(c.Do("POST", "/api/token/refresh", "", `{"refresh":"`+p2.Refresh+`"}`), 401, "")
	c.Expect(c.Do("GET", "/api/me", "", "", bearer(p2.Access)), 401, "")

	// Concurrent refreshes of one token: exactly one wins.
	p3 := c.obtain("alice", alice)
	var wg sync.WaitGroup
	wins := make(chan int, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wins <- c.Do("POST", "/api/token/refresh", "", `{"refresh":"`+p3.Refresh+`"}`).Status
		}()
	}
	wg.Wait()
	close(wins)
	ok := 0
	for s := range wins {
		if s == 200 {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("%d of 20 concurrent refreshes succeeded, want 1", ok)
	}

	// Blacklist (logout of one refresh token).
	p4 := c.obtain("alice", alice)
	c.Expect(c.Do("POST", "/api/token/blacklist", "", `{"refresh":"`+p4.Refresh+`"}`), 200, `{}`)
	c.Expect(c.Do("POST", "/api/token/refresh", "", `{"refresh":"`+p4.Refresh+`"}`), 401, "")

	// Logout everywhere ends every token of the user.
	a, b := c.obtain("alice", alice), c.obtain("alice", alice)
	c.Expect(c.Do("POST", "/api/auth/logout-all", "", ""), 401, "")
	c.Expect(c.Do("POST", "/api/auth/logout-all", "", "", bearer(a.Access)), 204, "")
	c.Expect(c.Do("GET", "/api/me", "", "", bearer(b.Access)), 401, "")
	c.Expect(c.Do("POST", "/api/token/refresh", "", `{"refresh":"`+b.Refresh+`"}`), 401, "")
	fresh := c.obtain("alice", alice)
	c.Expect(c.Do("GET", "/api/me", "", "", bearer(fresh.Access)), 200, "")

	// HS256: the JWT secret is never published; the JWKS holds the
	// OpenID Connect id_token key alone (RS256).
	r = c.Do("GET", "/.well-known/jwks.json", "", "")
	c.Expect(r, 200, "")
	var set struct {
		Keys []struct{ Kty, Alg, K string }
	}
	r.JSON(t, &set)
	if len(set.Keys) != 1 || set.Keys[0].Kty != "RSA" || set.Keys[0].Alg != "RS256" || set.Keys[0].K != "" {
		t.Errorf("JWKS under HS256: %s; want the id_token's RS256 key alone", r.Body)
	}
}

// jwtAsymmetric runs the server with ES256 and a PEM key: the public key
// is served as JWKS and tokens work.
func jwtAsymmetric(t *testing.T, start Starter) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jwt.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	base, out := start(t, []string{"-db", TempDB(t), "-jwt-alg", "ES256", "-jwt-key", path})
	c := NewClient(t, base)
	r := c.Do("GET", "/.well-known/jwks.json", "", "")
	var set struct {
		Keys []struct {
			Kty, Kid, Alg, Crv, D string
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(r.Body), &set); err != nil || r.Status != 200 || len(set.Keys) != 1 {
		t.Fatalf("jwks: %d %s", r.Status, r.Body)
	}
	if k := set.Keys[0]; k.Kty != "EC" || k.Alg != "ES256" || k.Crv != "P-256" || k.Kid == "" || k.D != "" {
		t.Errorf("jwk %+v", k)
	}
	if !strings.Contains(r.Header.Get("Cache-Control"), "max-age=") {
		t.Errorf("jwks Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	p := c.obtain("alice", DemoCredentials(out)["alice"])
	c.Expect(c.Do("GET", "/api/me", "", "", bearer(p.Access)), 200, "")
}
