package jwtauth_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

func TestJWKS(t *testing.T) {
	testKeys(t)
	j, err := jwtauth.NewWithKey(mustKey(t, "rsa-1", jwtauth.RS256, rsaKey))
	if err != nil {
		t.Fatal(err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	for _, k := range []*jwtauth.Key{
		mustKey(t, "ec-1", jwtauth.ES256, ecKey),
		mustKey(t, "ec-384", jwtauth.ES384, &p384.PublicKey),
		mustKey(t, "ed-1", jwtauth.EdDSA, edKey),
		mustKey(t, "hmac", jwtauth.HS256, secret),
	} {
		if err := j.AddKey(k); err != nil {
			t.Fatal(err)
		}
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(j.JWKS(), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 4 {
		t.Fatalf("%d keys, want 4 (no HMAC): %s", len(set.Keys), j.JWKS())
	}
	want := []map[string]string{
		{"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256"},
		{"kty": "EC", "kid": "ec-1", "use": "sig", "alg": "ES256", "crv": "P-256"},
		{"kty": "EC", "kid": "ec-384", "use": "sig", "alg": "ES384", "crv": "P-384"},
		{"kty": "OKP", "kid": "ed-1", "use": "sig", "alg": "EdDSA", "crv": "Ed25519"},
	}
	for i, w := range want {
		for k, v := range w {
			if set.Keys[i][k] != v {
				t.Errorf("key %d %s = %q, want %q", i, k, set.Keys[i][k], v)
			}
		}
		if _, ok := set.Keys[i]["k"]; ok {
			t.Errorf("key %d has a secret member", i)
		}
		if _, ok := set.Keys[i]["d"]; ok {
			t.Errorf("key %d has a private member", i)
		}
	}
	if set.Keys[0]["e"] != "AQAB" || len(set.Keys[1]["x"]) != 43 || len(set.Keys[1]["y"]) != 43 || len(set.Keys[2]["x"]) != 64 || len(set.Keys[3]["x"]) != 43 {
		t.Errorf("key material sizes: %s", j.JWKS())
	}

	// The published keys verify the ring's tokens (round trip).
	keys, err := jwtauth.ParseJWKS(j.JWKS())
	if err != nil || len(keys) != 4 {
		t.Fatalf("ParseJWKS: %d %v", len(keys), err)
	}
	for _, kid := range []string{"rsa-1", "ec-1", "ed-1"} {
		if err := j.SetSigningKey(kid); err != nil {
			t.Fatal(err)
		}
		tok, err := j.GenerateToken("1", "a")
		if err != nil {
			t.Fatal(err)
		}
		v, _ := jwtauth.NewVerifier()
		for _, k := range keys {
			if err := v.AddKey(k); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := v.VerifyToken(tok); err != nil {
			t.Errorf("%s via JWKS: %v", kid, err)
		}
	}

	// Retired keys leave the set.
	if err := j.RetireKey("ec-1"); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(j.JWKS(), &set)
	if len(set.Keys) != 3 {
		t.Errorf("after retiring: %s", j.JWKS())
	}
	empty, _ := jwtauth.NewVerifier()
	if string(empty.JWKS()) != `{"keys":[]}` {
		t.Errorf("empty JWKS %s", empty.JWKS())
	}
}

func TestJWKSHandler(t *testing.T) {
	testKeys(t)
	j, _ := jwtauth.NewWithKey(mustKey(t, "ed", jwtauth.EdDSA, edKey))
	h := j.JWKSHandler()
	rec := httptest.NewRecorder()
	if err := h.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(httptest.NewRequest("GET", "/.well-known/jwks.json", nil))); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "public, max-age=900" || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != string(j.JWKS()) {
		t.Errorf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	j2, _ := jwtauth.NewWithKey(mustKey(t, "ed", jwtauth.EdDSA, edKey), jwtauth.WithJWKSMaxAge(60e9))
	rec = httptest.NewRecorder()
	_ = j2.JWKSHandler().Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(httptest.NewRequest("HEAD", "/", nil)))
	if rec.Header().Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("max-age: %v", rec.Header())
	}
	rec = httptest.NewRecorder()
	err := h.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(httptest.NewRequest("POST", "/", nil)))
	if status, _, _ := render(err, ""); status != 405 {
		t.Errorf("POST: %d", status)
	}
}

func TestParseJWKSSkipsUnusableKeys(t *testing.T) {
	testKeys(t)
	good, _ := jwtauth.MarshalJWKS(mustKey(t, "ed", jwtauth.EdDSA, edKey.Public().(ed25519.PublicKey)))
	var g struct {
		Keys []json.RawMessage `json:"keys"`
	}
	_ = json.Unmarshal(good, &g)
	doc := `{"keys":[
		{"kty":"oct","kid":"sym","k":"c2VjcmV0"},
		{"kty":"RSA","kid":"small","n":"AQAB","e":"AQAB"},
		{"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"},
		{"kty":"EC","kid":"bad-curve","crv":"P-192","x":"AA","y":"AA"},
		{"kty":"EC","kid":"off-curve","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"kty":"OKP","kid":"x25519","crv":"X25519","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"kty":"OKP","kid":"ed-hs","alg":"HS256","crv":"Ed25519","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		"not an object",
		` + string(g.Keys[0]) + `,
		` + string(g.Keys[0]) + `
	]}`
	keys, err := jwtauth.ParseJWKS([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].ID() != "ed" || keys[0].Algorithm() != jwtauth.EdDSA || keys[0].CanSign() {
		t.Errorf("keys = %v", keys)
	}
	if _, err := jwtauth.ParseJWKS([]byte("{")); err == nil {
		t.Error("malformed JWKS accepted")
	}
}
