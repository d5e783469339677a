// Package jwtauth is JSON Web Token authentication compatible with
// djangorestframework-simplejwt, over github.com/golang-jwt/jwt/v5 (which
// does all the JOSE work: this package chooses keys and checks claims).
//
// The reference's JwtAuth:
//
//	jwtAuth, err := jwtauth.New(secret) // HS256; a secret under 32 bytes is refused
//	token, err := jwtAuth.GenerateToken("user123", "john_doe")
//	claims, err := jwtAuth.VerifyToken(token)
//
// What it provides:
//
//   - [JWTAuth]: signing ([JWTAuth.GenerateToken], [JWTAuth.Sign]) and
//     strict verification ([JWTAuth.VerifyAccess], [JWTAuth.VerifyRefresh],
//     [JWTAuth.Verify]); configured with options in golang-jwt's style
//     ([WithIssuer], [WithAudience], [WithLeeway], [WithAccessTTL], ...).
//   - [Claims]: simplejwt's claims (token_type, user_id as a string or an
//     integer, jti of 32 hex digits, exp, iat), the reference's username,
//     and the registered claims of RFC 7519. Claim names match exactly,
//     as in PyJWT: a token naming a modelled claim in a case variant
//     (USER_ID) or twice is refused ([ErrAmbiguousClaim]).
//   - simplejwt's token pairs: [JWTAuth.NewPair] and
//     [JWTAuth.AccessFromRefresh] (RefreshToken.access_token).
//   - A key ring by kid with the algorithm pinned per [Key] (HMAC, RSA,
//     RSA-PSS, ECDSA, Ed25519): [JWTAuth.AddKey], [JWTAuth.SetSigningKey],
//     [JWTAuth.RetireKey] rotate keys without invalidating live tokens.
//   - JWKS: [JWTAuth.JWKS] and [JWTAuth.JWKSHandler] publish the public
//     keys; [RemoteKeySet] consumes another issuer's, with caching by
//     Cache-Control and rate-limited, shared refreshes.
//   - [Authentication]: simplejwt's JWTAuthentication as a
//     core.Authenticator, with its messages, codes and error bodies, and
//     the stateless variant ([TokenUser]).
//   - A [Revocation] hook consulted on every verification (blacklists,
//     "valid after" stamps), and a bounded cache of verified access tokens
//     that makes a repeated token cost a lookup.
//
// Security defaults: the token's alg must be its key's algorithm ("none"
// and HMAC-with-a-public-key never verify); exp is required; iat may not be
// in the future; nbf is honoured; iss and aud are checked when configured;
// a "crit" header is refused; tokens over [MaxTokenBytes] are refused
// before parsing; a refresh token is never an access token; HMAC secrets
// must be as long as their hash; leeway is at most 30 s.
package jwtauth
