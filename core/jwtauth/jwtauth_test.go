package jwtauth_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

func TestGenerateAndVerify(t *testing.T) {
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option())
	tok, err := j.GenerateToken("user123", "john_doe")
	if err != nil {
		t.Fatal(err)
	}
	c, err := j.VerifyToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.UserID != "user123" || c.Username != "john_doe" || c.TokenType != jwtauth.AccessToken {
		t.Errorf("claims = %+v", c)
	}
	if !c.IssuedAt.Equal(t0) || !c.ExpiresAt.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("iat %v exp %v, want %v + 24h", c.IssuedAt, c.ExpiresAt, t0)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(c.ID) {
		t.Errorf("jti = %q, want 32 lower-case hex digits", c.ID)
	}
	if c.ID[12] != '4' || !strings.ContainsRune("89ab", rune(c.ID[16])) {
		t.Errorf("jti %q is not a version 4 UUID's hex", c.ID)
	}
	// The header is simplejwt's: HS256, JWT, no kid.
	tk, _, _ := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if len(tk.Header) != 2 || tk.Header["alg"] != "HS256" || tk.Header["typ"] != "JWT" {
		t.Errorf("header = %v", tk.Header)
	}
	m, err := c.Map()
	if err != nil || m["user_id"] != "user123" || m["token_type"] != "access" {
		t.Errorf("Map() = %v, %v", m, err)
	}
	// 24 h later it has expired.
	clk.Advance(24 * time.Hour)
	_, err = j.VerifyToken(tok)
	wantTokenError(t, err, jwtauth.MsgExpired, jwt.ErrTokenExpired)
}

func TestNewRefusesWeakOrBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  []byte
		opts []jwtauth.Option
		weak bool
	}{
		{"short key", []byte("my-secret-key"), nil, true},
		{"31 bytes", secret[:31], nil, true},
		{"HS384 needs 48", secret, []jwtauth.Option{jwtauth.WithAlgorithm(jwtauth.HS384)}, true},
		{"HS512 needs 64", []byte(strings.Repeat("k", 63)), []jwtauth.Option{jwtauth.WithAlgorithm(jwtauth.HS512)}, true},
		{"PEM as secret", []byte("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"), nil, true},
		{"leeway 31s", secret, []jwtauth.Option{jwtauth.WithLeeway(31 * time.Second)}, false},
		{"negative leeway", secret, []jwtauth.Option{jwtauth.WithLeeway(-time.Second)}, false},
		{"RS256 via New", secret, []jwtauth.Option{jwtauth.WithAlgorithm(jwtauth.RS256)}, false},
		{"zero ttl", secret, []jwtauth.Option{jwtauth.WithAccessTTL(0)}, false},
		{"negative cache", secret, []jwtauth.Option{jwtauth.WithCacheSize(-1)}, false},
		{"no header types", secret, []jwtauth.Option{jwtauth.WithHeaderTypes()}, false},
		{"header type with space", secret, []jwtauth.Option{jwtauth.WithHeaderTypes("Be arer")}, false},
		{"nil clock", secret, []jwtauth.Option{jwtauth.WithClock(nil)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jwtauth.New(tc.key, tc.opts...)
			if err == nil {
				t.Fatal("New succeeded")
			}
			if tc.weak != errors.Is(err, jwtauth.ErrWeakKey) {
				t.Errorf("err = %v; ErrWeakKey %v, want %v", err, errors.Is(err, jwtauth.ErrWeakKey), tc.weak)
			}
		})
	}
	if _, err := jwtauth.New(secret, jwtauth.WithLeeway(30*time.Second), jwtauth.WithAlgorithm(jwtauth.HS256)); err != nil {
		t.Errorf("30 s leeway refused: %v", err)
	}
	if _, err := jwtauth.New([]byte(strings.Repeat("k", 64)), jwtauth.WithAlgorithm(jwtauth.HS512)); err != nil {
		t.Errorf("HS512 with 64 bytes refused: %v", err)
	}
}

func TestNewKeyValidation(t *testing.T) {
	testKeys(t)
	small, err := rsaSmallKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		alg  jwtauth.Algorithm
		key  any
	}{
		{"none", "none", secret},
		{"unknown alg", "HS1", secret},
		{"RSA key for HS256", jwtauth.HS256, rsaKey},
		{"secret for RS256", jwtauth.RS256, secret},
		{"EC key for RS256", jwtauth.RS256, ecKey},
		{"P-256 for ES384", jwtauth.ES384, ecKey},
		{"RSA 1024", jwtauth.RS256, small},
		{"short ed25519", jwtauth.EdDSA, edKey[:10]},
		{"rsa for EdDSA", jwtauth.EdDSA, rsaKey},
	} {
		if _, err := jwtauth.NewKey("k", tc.alg, tc.key); err == nil {
			t.Errorf("%s: NewKey succeeded", tc.name)
		}
	}
}

func TestAsymmetricAlgorithms(t *testing.T) {
	testKeys(t)
	for _, tc := range []struct {
		alg      jwtauth.Algorithm
		priv     any
		pub      any
		wrongPub any
	}{
		{jwtauth.RS256, rsaKey, &rsaKey.PublicKey, &rsaKey2.PublicKey},
		{jwtauth.PS256, rsaKey, &rsaKey.PublicKey, &rsaKey2.PublicKey},
		{jwtauth.RS512, rsaKey, &rsaKey.PublicKey, &rsaKey2.PublicKey},
		{jwtauth.ES256, ecKey, &ecKey.PublicKey, nil},
		{jwtauth.EdDSA, edKey, edKey.Public(), nil},
	} {
		t.Run(string(tc.alg), func(t *testing.T) {
			signer, err := jwtauth.NewWithKey(mustKey(t, "k1", tc.alg, tc.priv))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := signer.GenerateToken("42", "alice")
			if err != nil {
				t.Fatal(err)
			}
			verifier, err := jwtauth.NewWithKey(mustKey(t, "k1", tc.alg, tc.pub))
			if err != nil {
				t.Fatal(err)
			}
			if c, err := verifier.VerifyToken(tok); err != nil || c.UserID != "42" {
				t.Fatalf("verify = %v, %v", c, err)
			}
			if _, err := verifier.GenerateToken("1", "x"); !errors.Is(err, jwtauth.ErrNoSigningKey) {
				t.Errorf("verify-only GenerateToken err = %v, want ErrNoSigningKey", err)
			}
			if verifier.SigningKey() != nil || signer.SigningKey().Algorithm() != tc.alg {
				t.Errorf("signing keys wrong")
			}
			if tc.wrongPub != nil {
				other, _ := jwtauth.NewWithKey(mustKey(t, "k1", tc.alg, tc.wrongPub))
				_, err := other.VerifyToken(tok)
				wantTokenError(t, err, jwtauth.MsgInvalid, jwt.ErrTokenSignatureInvalid)
			}
		})
	}
}

// TestRejections is the list of tokens that must never verify.
func TestRejections(t *testing.T) {
	testKeys(t)
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option())
	rsaJ, err := jwtauth.NewWithKey(mustKey(t, "rsa1", jwtauth.RS256, rsaKey), clk.Option())
	if err != nil {
		t.Fatal(err)
	}
	good, _ := j.GenerateToken("42", "alice")
	parts := strings.Split(good, ".")
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	now := t0
	claims := func() jwt.MapClaims { return accessClaims(now, "42") }
	refresh := claims()
	refresh["token_type"] = "refresh"
	noExp := claims()
	delete(noExp, "exp")
	expired := claims()
	expired["exp"] = now.Add(-time.Second).Unix()
	future := claims()
	future["nbf"] = now.Add(time.Minute).Unix()
	futureIat := claims()
	futureIat["iat"] = now.Add(time.Minute).Unix()
	// PyJWT checks iat and nbf before exp: an expired token that is also
	// not yet valid is "invalid", not "expired".
	expiredFuture := claims()
	expiredFuture["exp"] = now.Add(-time.Second).Unix()
	expiredFuture["nbf"] = now.Add(time.Minute).Unix()
	// simplejwt's missing-exp check runs after PyJWT's, which refuses the
	// iat first.
	noExpFutureIat := claims()
	delete(noExpFutureIat, "exp")
	noExpFutureIat["iat"] = now.Add(time.Minute).Unix()
	audJ := mustNew(t, secret, newClock(t0).Option(), jwtauth.WithAudience("api"))
	expiredNoAud := claims()
	expiredNoAud["exp"] = now.Add(-time.Second).Unix()

	for _, tc := range []struct {
		name  string
		j     *jwtauth.JWTAuth
		token string
		msg   string
		cause error
	}{
		{"alg none", j, seg(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + ".", jwtauth.MsgInvalid, jwtauth.ErrAlgorithmMismatch},
		{"alg none signed with the none key", j, sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(), nil), jwtauth.MsgInvalid, jwtauth.ErrAlgorithmMismatch},
		{"tampered payload", j, parts[0] + "." + seg(`{"token_type":"access","exp":9999999999,"iat":1772366400,"jti":"x","user_id":"1"}`) + "." + parts[2], jwtauth.MsgInvalid, jwt.ErrTokenSignatureInvalid},
		{"tampered signature", j, parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])), jwtauth.MsgInvalid, jwt.ErrTokenSignatureInvalid},
		{"another key", j, sign(t, jwt.SigningMethodHS256, []byte("another-secret-of-at-least-32-bytes"), claims(), nil), jwtauth.MsgInvalid, jwt.ErrTokenSignatureInvalid},
		{"HS256 with the RSA public key's PEM", rsaJ, sign(t, jwt.SigningMethodHS256, pubPEM, claims(), map[string]any{"kid": "rsa1"}), jwtauth.MsgInvalid, jwtauth.ErrAlgorithmMismatch},
		{"HS256 with the RSA public key's DER", rsaJ, sign(t, jwt.SigningMethodHS256, pubDER, claims(), map[string]any{"kid": "rsa1"}), jwtauth.MsgInvalid, jwtauth.ErrAlgorithmMismatch},
		{"RS384 against an RS256 key", rsaJ, sign(t, jwt.SigningMethodRS384, rsaKey, claims(), map[string]any{"kid": "rsa1"}), jwtauth.MsgInvalid, jwtauth.ErrAlgorithmMismatch},
		{"HS384 against an HS256 key", j, sign(t, jwt.SigningMethodHS384, secret, claims(), nil), jwtauth.MsgInvalid, jwtauth.ErrAlgorithmMismatch},
		{"expired", j, sign(t, jwt.SigningMethodHS256, secret, expired, nil), jwtauth.MsgExpired, jwt.ErrTokenExpired},
		{"nbf in the future", j, sign(t, jwt.SigningMethodHS256, secret, future, nil), jwtauth.MsgInvalid, jwt.ErrTokenNotValidYet},
		{"iat in the future", j, sign(t, jwt.SigningMethodHS256, secret, futureIat, nil), jwtauth.MsgInvalid, jwt.ErrTokenUsedBeforeIssued},
		{"no exp", j, sign(t, jwt.SigningMethodHS256, secret, noExp, nil), jwtauth.MsgNoExp, jwt.ErrTokenRequiredClaimMissing},
		{"expired and nbf in the future", j, sign(t, jwt.SigningMethodHS256, secret, expiredFuture, nil), jwtauth.MsgInvalid, jwt.ErrTokenNotValidYet},
		{"no exp and iat in the future", j, sign(t, jwt.SigningMethodHS256, secret, noExpFutureIat, nil), jwtauth.MsgInvalid, jwt.ErrTokenUsedBeforeIssued},
		{"no exp and no aud", audJ, sign(t, jwt.SigningMethodHS256, secret, noExp, nil), jwtauth.MsgInvalid, jwt.ErrTokenRequiredClaimMissing},
		{"expired before the audience check", audJ, sign(t, jwt.SigningMethodHS256, secret, expiredNoAud, nil), jwtauth.MsgExpired, jwt.ErrTokenExpired},
		{"crit header", j, sign(t, jwt.SigningMethodHS256, secret, claims(), map[string]any{"crit": []string{"exp"}, "exp": 1}), jwtauth.MsgInvalid, jwtauth.ErrCritHeader},
		{"empty crit header", j, sign(t, jwt.SigningMethodHS256, secret, claims(), map[string]any{"crit": []string{}}), jwtauth.MsgInvalid, jwtauth.ErrCritHeader},
		{"unknown kid", j, sign(t, jwt.SigningMethodHS256, secret, claims(), map[string]any{"kid": "nope"}), jwtauth.MsgInvalid, jwtauth.ErrUnknownKey},
		{"kid not a string", j, sign(t, jwt.SigningMethodHS256, secret, claims(), map[string]any{"kid": 7}), jwtauth.MsgInvalid, jwtauth.ErrUnknownKey},
		{"no kid against a kid'd ring", rsaJ, sign(t, jwt.SigningMethodRS256, rsaKey, claims(), nil), jwtauth.MsgInvalid, jwtauth.ErrUnknownKey},
		{"refresh as access", j, sign(t, jwt.SigningMethodHS256, secret, refresh, nil), jwtauth.MsgWrongType, jwtauth.ErrWrongTokenType},
		{"1 MB of dots", j, strings.Repeat(".", 1<<20), jwtauth.MsgInvalid, jwtauth.ErrTokenTooLarge},
		{"just over 8 KiB", j, good + "." + strings.Repeat("A", jwtauth.MaxTokenBytes), jwtauth.MsgInvalid, jwtauth.ErrTokenTooLarge},
		{"two segments", j, parts[0] + "." + parts[1], jwtauth.MsgInvalid, jwt.ErrTokenMalformed},
		{"four segments", j, good + ".x", jwtauth.MsgInvalid, jwt.ErrTokenMalformed},
		{"padding", j, parts[0] + "." + parts[1] + "=." + parts[2], jwtauth.MsgInvalid, jwt.ErrTokenMalformed},
		{"empty", j, "", jwtauth.MsgInvalid, jwt.ErrTokenMalformed},
		{"user_id a float", j, sign(t, jwt.SigningMethodHS256, secret, accessClaims(now, 4.5), nil), jwtauth.MsgInvalid, jwt.ErrTokenMalformed},
		{"user_id an object", j, sign(t, jwt.SigningMethodHS256, secret, accessClaims(now, map[string]any{"a": 1}), nil), jwtauth.MsgInvalid, jwt.ErrTokenMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.j.VerifyToken(tc.token)
			if err == nil {
				t.Fatalf("verified: %+v", c)
			}
			wantTokenError(t, err, tc.msg, tc.cause)
		})
	}
}

func TestAccessRefreshTypes(t *testing.T) {
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option())
	ctx := context.Background()
	pair, err := j.NewPair("42", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.VerifyRefresh(ctx, pair.Refresh); err != nil {
		t.Errorf("refresh as refresh: %v", err)
	}
	_, err = j.VerifyAccess(ctx, pair.Refresh)
	wantTokenError(t, err, jwtauth.MsgWrongType, jwtauth.ErrWrongTokenType)
	_, err = j.VerifyRefresh(ctx, pair.Access)
	wantTokenError(t, err, jwtauth.MsgWrongType, jwtauth.ErrWrongTokenType)
	for _, tok := range []string{pair.Access, pair.Refresh} {
		if _, err := j.Verify(ctx, tok, jwtauth.UntypedToken); err != nil {
			t.Errorf("untyped: %v", err)
		}
	}

	// simplejwt's checks after decoding: a jti, then a type.
	noJTI := accessClaims(t0, "42")
	delete(noJTI, "jti")
	_, err = j.VerifyToken(sign(t, jwt.SigningMethodHS256, secret, noJTI, nil))
	wantTokenError(t, err, jwtauth.MsgNoID, jwtauth.ErrMissingClaim)
	noType := accessClaims(t0, "42")
	delete(noType, "token_type")
	untyped := sign(t, jwt.SigningMethodHS256, secret, noType, nil)
	_, err = j.VerifyToken(untyped)
	wantTokenError(t, err, jwtauth.MsgNoType, jwtauth.ErrMissingClaim)

	// WithUntypedAccessTokens accepts it (a foreign issuer), but never a
	// typed refresh token.
	lax := mustNew(t, secret, clk.Option(), jwtauth.WithUntypedAccessTokens())
	if _, err := lax.VerifyToken(untyped); err != nil {
		t.Errorf("untyped access refused: %v", err)
	}
	delete(noType, "jti")
	if _, err := lax.VerifyToken(sign(t, jwt.SigningMethodHS256, secret, noType, nil)); err != nil {
		t.Errorf("untyped access without jti refused: %v", err)
	}
	_, err = lax.VerifyToken(pair.Refresh)
	wantTokenError(t, err, jwtauth.MsgWrongType, jwtauth.ErrWrongTokenType)
}

func TestLeewayIssuerAudience(t *testing.T) {
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option(), jwtauth.WithLeeway(10*time.Second),
		jwtauth.WithIssuer("https://issuer.example"), jwtauth.WithAudience("api", "admin"))
	tok, err := j.GenerateToken("1", "u")
	if err != nil {
		t.Fatal(err)
	}
	c, err := j.VerifyToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer != "https://issuer.example" || len(c.Audience) != 2 {
		t.Errorf("iss %q aud %v", c.Issuer, c.Audience)
	}

	claims := accessClaims(t0, "1")
	claims["iss"] = "https://issuer.example"
	claims["aud"] = "api"
	if _, err := j.VerifyToken(sign(t, jwt.SigningMethodHS256, secret, claims, nil)); err != nil {
		t.Errorf("aud as a string refused: %v", err)
	}
	claims["aud"] = "other"
	_, err = j.VerifyToken(sign(t, jwt.SigningMethodHS256, secret, claims, nil))
	wantTokenError(t, err, jwtauth.MsgInvalid, jwt.ErrTokenInvalidAudience)
	delete(claims, "aud")
	_, err = j.VerifyToken(sign(t, jwt.SigningMethodHS256, secret, claims, nil))
	wantTokenError(t, err, jwtauth.MsgInvalid, jwt.ErrTokenRequiredClaimMissing)
	claims["aud"] = "api"
	claims["iss"] = "https://evil.example"
	_, err = j.VerifyToken(sign(t, jwt.SigningMethodHS256, secret, claims, nil))
	wantTokenError(t, err, jwtauth.MsgInvalid, jwt.ErrTokenInvalidIssuer)

	// Leeway: 10 s past exp still good, 11 s not; iat 10 s ahead good.
	claims["iss"] = "https://issuer.example"
	claims["exp"] = t0.Add(-10 * time.Second).Unix()
	if _, err := j.VerifyToken(sign(t, jwt.SigningMethodHS256, secret, claims, nil)); err == nil {
		t.Errorf("exp == now - leeway accepted (simplejwt: expired when exp <= now - leeway)")
	}
	claims["exp"] = t0.Add(-9 * time.Second).Unix()
	if _, err := j.VerifyToken(sign(t, jwt.SigningMethodHS256, secret, claims, nil)); err != nil {
		t.Errorf("within leeway refused: %v", err)
	}
	claims["exp"] = t0.Add(time.Hour).Unix()
	claims["iat"] = t0.Add(10 * time.Second).Unix()
	if _, err := j.VerifyToken(sign(t, jwt.SigningMethodHS256, secret, claims, nil)); err != nil {
		t.Errorf("iat within leeway refused: %v", err)
	}
	claims["iat"] = t0.Add(11 * time.Second).Unix()
	if _, err := j.VerifyToken(sign(t, jwt.SigningMethodHS256, secret, claims, nil)); err == nil {
		t.Errorf("iat beyond leeway accepted")
	}
}

func TestKeyRotation(t *testing.T) {
	testKeys(t)
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option(), jwtauth.WithKeyID("2026-01"))
	old, _ := j.GenerateToken("1", "a")
	if _, err := j.VerifyToken(old); err != nil {
		t.Fatal(err)
	}

	// A new signing key (of another algorithm): old tokens keep verifying.
	if err := j.AddKey(mustKey(t, "2026-02", jwtauth.ES256, ecKey)); err != nil {
		t.Fatal(err)
	}
	if err := j.AddKey(mustKey(t, "2026-02", jwtauth.EdDSA, edKey)); err == nil {
		t.Error("duplicate kid accepted")
	}
	if j.SigningKey().ID() != "2026-01" {
		t.Errorf("AddKey changed the signing key")
	}
	if err := j.SetSigningKey("2026-02"); err != nil {
		t.Fatal(err)
	}
	if err := j.SetSigningKey("missing"); err == nil {
		t.Error("SetSigningKey(missing) succeeded")
	}
	fresh, _ := j.GenerateToken("1", "a")
	tk, _, _ := jwt.NewParser().ParseUnverified(fresh, jwt.MapClaims{})
	if tk.Header["kid"] != "2026-02" || tk.Header["alg"] != "ES256" {
		t.Errorf("new token header %v", tk.Header)
	}
	for _, tok := range []string{old, fresh} {
		if _, err := j.VerifyToken(tok); err != nil {
			t.Errorf("during rotation: %v", err)
		}
	}
	if err := j.RetireKey("2026-02"); err == nil {
		t.Error("retired the signing key")
	}
	if err := j.RetireKey("2026-01"); err != nil {
		t.Fatal(err)
	}
	if err := j.RetireKey("2026-01"); err == nil {
		t.Error("retired twice")
	}
	// The old token was cached: retiring its key voids it anyway.
	_, err := j.VerifyToken(old)
	wantTokenError(t, err, jwtauth.MsgInvalid, jwtauth.ErrUnknownKey)
	if _, err := j.VerifyToken(fresh); err != nil {
		t.Errorf("after retiring the old key: %v", err)
	}
	if ks := j.Keys(); len(ks) != 1 || ks[0].ID() != "2026-02" {
		t.Errorf("Keys() = %v", ks)
	}

	// A verify-only ring gets its first signing key from AddKey.
	v, err := jwtauth.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	if err := v.AddKey(mustKey(t, "pub", jwtauth.EdDSA, edKey.Public())); err != nil {
		t.Fatal(err)
	}
	if v.SigningKey() != nil {
		t.Error("a public key became the signing key")
	}
	if err := v.SetSigningKey("pub"); err == nil {
		t.Error("SetSigningKey(public key) succeeded")
	}
	if err := v.AddKey(mustKey(t, "priv", jwtauth.HS256, secret)); err != nil || v.SigningKey().ID() != "priv" {
		t.Errorf("first signing key: %v", err)
	}
}

func TestConcurrentRotationAndVerification(t *testing.T) {
	j := mustNew(t, secret, jwtauth.WithKeyID("k0"))
	tok, _ := j.GenerateToken("1", "a")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if _, err := j.VerifyToken(tok); err != nil {
					t.Error(err)
					return
				}
				_ = j.JWKS()
			}
		})
	}
	for i := range 50 {
		k := mustKey(t, "k"+strings.Repeat("x", i+1), jwtauth.HS256, []byte(strings.Repeat("s", 32+i)))
		if err := j.AddKey(k); err != nil {
			t.Fatal(err)
		}
		if err := j.SetSigningKey(k.ID()); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			if err := j.RetireKey("k" + strings.Repeat("x", i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	wg.Wait()
}

func TestRevocationHook(t *testing.T) {
	clk := newClock(t0)
	revoked := map[string]bool{}
	var mu sync.Mutex
	var storeDown error
	calls := 0
	hook := jwtauth.RevocationFunc(func(ctx context.Context, c *jwtauth.Claims) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return revoked[c.ID], storeDown
	})
	j := mustNew(t, secret, clk.Option(), jwtauth.WithRevocation(hook))
	tok, _ := j.GenerateToken("1", "a")
	c, err := j.VerifyToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.VerifyToken(tok); err != nil { // a cache hit
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("hook called %d times for two verifications, want 2", calls)
	}
	mu.Lock()
	revoked[c.ID] = true
	mu.Unlock()
	_, err = j.VerifyToken(tok)
	wantTokenError(t, err, jwtauth.MsgBlacklisted, jwtauth.ErrRevoked)

	mu.Lock()
	revoked[c.ID] = false
	storeDown = errors.New("redis: connection refused")
	mu.Unlock()
	_, err = j.VerifyToken(tok)
	if !errors.Is(err, core.ErrStoreUnavailable) || errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("store failure: err = %v, want ErrStoreUnavailable", err)
	}
	if status, _, _ := render(err, `Bearer realm="api"`); status != 503 {
		t.Errorf("store failure renders %d, want 503", status)
	}
}

func TestTokenErrorRendering(t *testing.T) {
	j := mustNew(t, secret)
	_, err := j.VerifyToken("eyJhbGciOiJIUzI1NiJ9.e30.x")
	// Rendered alone, it is simplejwt's token views' body.
	status, body, _ := render(err, `Bearer realm="api"`)
	if status != 401 || body != `{"detail":"Token is invalid","code":"token_not_valid"}` {
		t.Errorf("%d %s", status, body)
	}
	if !strings.HasPrefix(err.Error(), "Token is invalid: ") {
		t.Errorf("Error() = %q", err.Error())
	}
	if (&jwtauth.TokenError{Message: "m"}).Error() != "m" {
		t.Error("Error without a cause")
	}
	// Through the authenticator: its own body, the cause still visible.
	a := jwtauth.NewAuthentication(j, nil)
	_, err = a.Authenticate(request("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"))
	var te *jwtauth.TokenError
	if !errors.As(err, &te) || !errors.Is(err, jwt.ErrTokenMalformed) || err.Error() != te.Error() {
		t.Errorf("authenticator error %v", err)
	}
}

func TestAccessors(t *testing.T) {
	testKeys(t)
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option(), jwtauth.WithHeaderTypes("JWT"), jwtauth.WithRefreshTTL(time.Hour))
	if h := j.HeaderTypes(); len(h) != 1 || h[0] != "JWT" || !j.Now().Equal(t0) {
		t.Errorf("HeaderTypes %v Now %v", h, j.Now())
	}
	pair, _ := j.NewPair("1", nil)
	if !pair.RefreshClaims.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("refresh exp %v", pair.RefreshClaims.ExpiresAt)
	}
	k := mustKey(t, "e", jwtauth.EdDSA, edKey)
	if k.Public() == nil || mustKey(t, "h", jwtauth.HS256, secret).Public() != nil {
		t.Error("Public()")
	}
	if _, err := jwtauth.NewWithKey(nil); err == nil {
		t.Error("NewWithKey(nil)")
	}
	if _, err := jwtauth.NewWithKey(k, jwtauth.WithLeeway(time.Hour)); err == nil {
		t.Error("NewWithKey with a bad option")
	}
	if _, err := jwtauth.NewVerifier(jwtauth.WithJWKSMaxAge(-1)); err == nil {
		t.Error("NewVerifier with a bad option")
	}
	if err := j.AddKey(nil); err == nil {
		t.Error("AddKey(nil)")
	}
	// A year-9999 exp is cached without overflowing.
	far := accessClaims(t0, "1")
	far["exp"] = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	tok := sign(t, jwt.SigningMethodHS256, secret, far, nil)
	c1, err := j.VerifyToken(tok)
	if c2, _ := j.VerifyToken(tok); err != nil || c1 != c2 {
		t.Errorf("far exp: %v, cached %v", err, c1 == c2)
	}
}
