package jwtauth_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// The reference README's "JWT (JSON Web Token) Authentication":
//
//	let jwt_auth = JwtAuth::new(b"my-secret-key");
//	let token = jwt_auth.generate_token("user123".to_string(), "john_doe".to_string()).unwrap();
//	let claims = jwt_auth.verify_token(&token).unwrap();
//
// The reference's 13-byte "my-secret-key" is refused here: an HS256
// secret must be at least 32 bytes (RFC 7518 section 3.2), because a short
// HMAC secret can be brute-forced offline from any token it signed. Use a
// random secret of 32 bytes or more (authctl gensecret).
func ExampleNew() {
	jwtAuth, _ := jwtauth.New([]byte("my-secret-key-of-at-least-32-bytes!!"))
	token, _ := jwtAuth.GenerateToken("user123", "john_doe")
	claims, _ := jwtAuth.VerifyToken(token)

	fmt.Println(claims.UserID, claims.Username, claims.TokenType)
	fmt.Println(claims.ExpiresAt.Sub(claims.IssuedAt.Time)) // 24 hours by default
	fmt.Println(len(claims.ID))                             // jti: 32 hex digits, as simplejwt

	_, err := jwtauth.New([]byte("my-secret-key"))
	fmt.Println(errors.Is(err, jwtauth.ErrWeakKey))
	// Output:
	// user123 john_doe access
	// 24h0m0s
	// 32
	// true
}

// simplejwt's obtain-pair and refresh: a refresh token with user_id, and
// access tokens derived from it.
func ExampleJWTAuth_NewPair() {
	jwtAuth, _ := jwtauth.New([]byte("django-insecure-0123456789abcdefghijklmnop"))
	pair, _ := jwtAuth.NewPair("42", map[string]any{"scope": "read"})

	ctx := context.Background()
	access, _ := jwtAuth.VerifyAccess(ctx, pair.Access)
	fmt.Println(access.UserID, access.TokenType, access.ExpiresAt.Sub(access.IssuedAt.Time))

	// A refresh token is never an access token.
	_, err := jwtAuth.VerifyAccess(ctx, pair.Refresh)
	fmt.Println(err.(*jwtauth.TokenError).Message)

	// The refresh view: verify the refresh token, derive a new access one.
	refresh, _ := jwtAuth.VerifyRefresh(ctx, pair.Refresh)
	newAccess, _, _ := jwtAuth.AccessFromRefresh(refresh)
	claims, _ := jwtAuth.VerifyAccess(ctx, newAccess)
	all, _ := claims.Map()
	fmt.Println(claims.UserID, all["scope"])
	// Output:
	// 42 access 5m0s
	// Token has wrong type
	// 42 read
}

// JWTAuthentication in an engine: a Bearer token authenticates, a bad one
// gets simplejwt's 401 body.
func ExampleAuthentication() {
	jwtAuth, _ := jwtauth.New([]byte("my-secret-key-of-at-least-32-bytes!!"))
	users := core.NewDefaultUserManager()
	pw := "correct horse battery staple"
	alice, _ := users.CreateUser(context.Background(), "alice", &pw, nil)
	engine := core.NewEngine(jwtauth.NewAuthentication(jwtAuth, jwtauth.StoreUsers(users)))

	token, _ := jwtAuth.GenerateToken(alice.GetID(), alice.Username)
	r := httptest.NewRequest("GET", "/api/me", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	id, _ := engine.Authenticate(core.NewHTTPRequest(r))
	fmt.Println(id.User.GetUsername(), id.Method)

	r.Header.Set("Authorization", "Bearer "+token[:len(token)-4]+"AAAA")
	_, err := engine.Authenticate(core.NewHTTPRequest(r))
	rec := httptest.NewRecorder()
	_ = engine.WriteError(core.NewHTTPResponse(rec), err)
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	fmt.Println(rec.Body.String())
	// Output:
	// alice jwt
	// 401 Bearer realm="api"
	// {"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is invalid"}]}
}

// Rotating keys: tokens of the old key keep verifying until it is retired.
func ExampleJWTAuth_RetireKey() {
	jwtAuth, _ := jwtauth.New([]byte("first-secret-of-at-least-32-bytes!!!"), jwtauth.WithKeyID("2026-01"))
	old, _ := jwtAuth.GenerateToken("1", "alice")

	next, _ := jwtauth.NewKey("2026-02", jwtauth.HS256, []byte("second-secret-of-at-least-32-bytes!!"))
	_ = jwtAuth.AddKey(next)
	_ = jwtAuth.SetSigningKey("2026-02")
	_, err := jwtAuth.VerifyToken(old)
	fmt.Println("old token during rotation:", err)

	_ = jwtAuth.RetireKey("2026-01")
	_, err = jwtAuth.VerifyToken(old)
	fmt.Println("old token after retiring its key:", errors.Is(err, jwtauth.ErrUnknownKey))
	// Output:
	// old token during rotation: <nil>
	// old token after retiring its key: true
}

// Publishing the public keys, and verifying another issuer's tokens with
// its JWKS.
func ExampleRemoteKeySet() {
	signing, _ := jwtauth.NewKey("ed-2026", jwtauth.EdDSA, edKeyForExample())
	issuer, _ := jwtauth.NewWithKey(signing)
	srv := httptest.NewServer(httpHandler(issuer.JWKSHandler()))
	defer srv.Close()

	remote := jwtauth.NewRemoteKeySet(srv.URL, jwtauth.WithCacheTTL(time.Minute, time.Hour))
	verifier, _ := jwtauth.NewVerifier(jwtauth.WithKeySet(remote))

	token, _ := issuer.GenerateToken("42", "alice")
	claims, err := verifier.VerifyToken(token)
	fmt.Println(claims.UserID, err)
	fmt.Println(strings.Contains(string(issuer.JWKS()), `"kty":"OKP","kid":"ed-2026","use":"sig","alg":"EdDSA","crv":"Ed25519"`))
	// Output:
	// 42 <nil>
	// true
}

// edKeyForExample is a fixed Ed25519 key (use one from crypto/rand).
func edKeyForExample() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed([]byte("an-example-seed-of-32-bytes-long"))
}

// httpHandler mounts an endpoint on net/http (the stdhttp adapter does
// this for real applications).
func httpHandler(e core.Endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := e.Serve(core.NewHTTPResponse(w), core.NewHTTPRequest(r)); err != nil {
			_ = core.WriteError(core.NewHTTPResponse(w), err, "")
		}
	})
}
