package jwtauth_test

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core/jwtauth"
)

// simplejwt's test vectors (djangorestframework-simplejwt's tests): payload
// {"exp":946684800}, both header key orders, two secrets. They expired at
// 2000-01-01T00:00:00Z, so they verify only with a clock before that, and
// are rejected as expired otherwise. Their secrets are short, which the
// package refuses; the test key bypasses the check.
func TestSimpleJWTVectors(t *testing.T) {
	vectors := []struct {
		secret string
		tokens []string
	}{
		{"not_secret", []string{
			"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjk0NjY4NDgwMH0.NHpdD2X8ub4SE_MZLBedWa57FCpntGaN_r6f8kNKdUs",
			"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjk0NjY4NDgwMH0.jvxQgXCSDToR8uKoRJcMT-LmMJJn2-NM76nfSR2FOgs",
		}},
		{"not very secret in tests", []string{
			"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjk0NjY4NDgwMH0.VKoOnMgmETawjDZwxrQaHG0xHdo6xBodFy6FXJzTVxs",
			"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjk0NjY4NDgwMH0.iqxxOHV63sjeqNR1GDxX3LPvMymfVB76sOIDqTbjAgk",
		}},
	}
	exp := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if exp.Unix() != 946684800 {
		t.Fatal("epoch arithmetic")
	}
	ctx := context.Background()
	for _, v := range vectors {
		before := newClock(exp.Add(-time.Hour))
		j, err := jwtauth.NewWithKey(jwtauth.InsecureHMACKey("", jwtauth.HS256, []byte(v.secret)), before.Option())
		if err != nil {
			t.Fatal(err)
		}
		other, _ := jwtauth.NewWithKey(jwtauth.InsecureHMACKey("", jwtauth.HS256, []byte(v.secret+"x")), before.Option())
		for _, tok := range v.tokens {
			c, err := j.Verify(ctx, tok, jwtauth.UntypedToken)
			if err != nil {
				t.Errorf("%s with %q before 2000: %v", tok, v.secret, err)
				continue
			}
			if !c.ExpiresAt.Equal(exp) || c.IssuedAt != nil || c.TokenType != "" {
				t.Errorf("claims = %+v", c)
			}
			// As an access token it lacks simplejwt's jti.
			_, err = j.VerifyToken(tok)
			wantTokenError(t, err, jwtauth.MsgNoID, jwtauth.ErrMissingClaim)
			// Another secret: bad signature.
			_, err = other.Verify(ctx, tok, jwtauth.UntypedToken)
			wantTokenError(t, err, jwtauth.MsgInvalid, jwt.ErrTokenSignatureInvalid)
			// At exp, and today: expired.
			for _, now := range []time.Time{exp, time.Now()} {
				late, _ := jwtauth.NewWithKey(jwtauth.InsecureHMACKey("", jwtauth.HS256, []byte(v.secret)), jwtauth.WithClock(func() time.Time { return now }))
				_, err = late.Verify(ctx, tok, jwtauth.UntypedToken)
				wantTokenError(t, err, jwtauth.MsgExpired, jwt.ErrTokenExpired)
			}
		}
	}
	// The same secret is refused by the public constructors.
	if _, err := jwtauth.New([]byte("not_secret")); err == nil {
		t.Error("New accepted simplejwt's 10-byte test secret")
	}
}

// RFC 7515 Appendix A.1 (RFC 7519 section 3.1): HS256 with the JWK's
// 64-byte key. Its exp (1300819380, 2011-03-22) has passed: it verifies
// with a clock pinned before then and is rejected as expired otherwise.
func TestRFC7515A1(t *testing.T) {
	const tok = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." +
		"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ." +
		"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	key, err := base64.RawURLEncoding.DecodeString("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
	if err != nil || len(key) != 64 {
		t.Fatalf("key: %d bytes, %v", len(key), err)
	}
	exp := time.Unix(1300819380, 0)
	ctx := context.Background()
	pinned := newClock(exp.Add(-time.Minute))
	j := mustNew(t, key, pinned.Option(), jwtauth.WithIssuer("joe"))
	c, err := j.Verify(ctx, tok, jwtauth.UntypedToken)
	if err != nil {
		t.Fatalf("A.1 with a pinned clock: %v", err)
	}
	if c.Issuer != "joe" || !c.ExpiresAt.Equal(exp) {
		t.Errorf("claims %+v", c)
	}
	m, err := c.Map()
	if err != nil || m["http://example.com/is_root"] != true {
		t.Errorf("Map() = %v, %v", m, err)
	}
	// Untyped, it is no access token (no jti) unless the issuer is foreign.
	_, err = j.VerifyToken(tok)
	wantTokenError(t, err, jwtauth.MsgNoID, nil)
	lax := mustNew(t, key, pinned.Option(), jwtauth.WithUntypedAccessTokens())
	if _, err := lax.VerifyToken(tok); err != nil {
		t.Errorf("foreign-issuer access: %v", err)
	}
	// Another issuer required: refused.
	wrongIss := mustNew(t, key, pinned.Option(), jwtauth.WithIssuer("jane"))
	_, err = wrongIss.Verify(ctx, tok, jwtauth.UntypedToken)
	wantTokenError(t, err, jwtauth.MsgInvalid, jwt.ErrTokenInvalidIssuer)

	for _, now := range []time.Time{exp, time.Now()} {
		late := mustNew(t, key, jwtauth.WithClock(func() time.Time { return now }))
		_, err := late.Verify(ctx, tok, jwtauth.UntypedToken)
		wantTokenError(t, err, jwtauth.MsgExpired, jwt.ErrTokenExpired)
	}
}

// RFC 7519 section 6.1: the unsecured JWT is refused (alg none), whatever
// the clock.
func TestRFC7519UnsecuredJWT(t *testing.T) {
	const tok = "eyJhbGciOiJub25lIn0." +
		"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
	key, _ := base64.RawURLEncoding.DecodeString("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
	pinned := newClock(time.Unix(1300819380, 0).Add(-time.Minute))
	j := mustNew(t, key, pinned.Option())
	_, err := j.Verify(context.Background(), tok, jwtauth.UntypedToken)
	wantTokenError(t, err, jwtauth.MsgInvalid, jwtauth.ErrAlgorithmMismatch)
	// The authenticator answers 401 (it is a JWS-shaped Bearer credential).
	a := jwtauth.NewAuthentication(j, nil)
	_, err = a.Authenticate(request("Authorization: Bearer " + tok))
	if status, _, _ := render(err, a.Challenge()); status != 401 {
		t.Errorf("status %d, want 401", status)
	}
}

// RFC 7638 section 3.1: the thumbprint of RFC 7517's example RSA key.
func TestThumbprintRFC7638(t *testing.T) {
	const n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		t.Fatal(err)
	}
	k := mustKey(t, "2011-04-29", jwtauth.RS256, &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: 65537})
	got, err := jwtauth.Thumbprint(k)
	if err != nil || got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Errorf("Thumbprint = %q, %v", got, err)
	}
	if _, err := jwtauth.Thumbprint(mustKey(t, "", jwtauth.HS256, secret)); err == nil {
		t.Error("HMAC thumbprint")
	}
	// The same key through a JWKS round trip.
	jwks := []byte(`{"keys":[{"kty":"RSA","n":"` + n + `","e":"AQAB","alg":"RS256","kid":"2011-04-29"}]}`)
	keys, err := jwtauth.ParseJWKS(jwks)
	if err != nil || len(keys) != 1 {
		t.Fatalf("ParseJWKS: %v %v", keys, err)
	}
	if tp, _ := jwtauth.Thumbprint(keys[0]); tp != got {
		t.Errorf("round trip thumbprint %q", tp)
	}
}
