package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core"
)

// Revocation is consulted on every successful verification, including
// those answered from the token cache: a blacklist of jti values, a
// per-user "valid after" stamp. Revoked returns true to refuse the token.
// An error means the store behind it failed: the verification fails
// closed with an error wrapping core.ErrStoreUnavailable (503), never as
// if the token were good.
type Revocation interface {
	Revoked(ctx context.Context, c *Claims) (bool, error)
}

// RevocationFunc adapts a function to Revocation.
type RevocationFunc func(ctx context.Context, c *Claims) (bool, error)

// Revoked calls f.
func (f RevocationFunc) Revoked(ctx context.Context, c *Claims) (bool, error) { return f(ctx, c) }

// KeySet is a source of verification keys beyond a JWTAuth's own ring
// (see RemoteKeySet). Key returns the key named kid, or nil when the set
// has none; an error means the set could not be consulted and should wrap
// core.ErrStoreUnavailable. It must be safe for concurrent use.
type KeySet interface {
	Key(kid string) (*Key, error)
}

// JWTAuth signs and verifies JSON Web Tokens with golang-jwt, the way
// simplejwt does by default and more strictly where simplejwt is lax:
//
//   - the token's kid (none counts as "") names one key of the ring, and
//     the token's alg must be that key's algorithm: an unknown kid, "none",
//     and an HMAC token against an RSA key (the key-confusion attack) are
//     all refused;
//   - exp is required, nbf honoured, iat may not be in the future, all
//     with at most WithLeeway of skew; iss and aud are checked when
//     configured;
//   - a header with "crit" is refused (no extension is understood);
//   - a token longer than MaxTokenBytes is refused before it is parsed;
//   - VerifyAccess never accepts a refresh token, nor VerifyRefresh an
//     access token.
//
// Keys can be added and retired while it serves (AddKey, SetSigningKey,
// RetireKey). A JWTAuth is safe for concurrent use.
type JWTAuth struct {
	cfg    config
	parser *jwt.Parser
	// validator is the parser's claims validation, for fastParse;
	// validatorNoExp the same without requiring exp (claimsError).
	validator, validatorNoExp *jwt.Validator
	cache                     *tokenCache // nil when off

	mu   sync.Mutex // serialises ring writers
	ring atomic.Pointer[ring]
}

// New returns a JWTAuth signing with an HMAC secret: HS256 unless
// WithAlgorithm says HS384 or HS512. A secret shorter than the hash (32
// bytes for HS256) is refused with an error wrapping ErrWeakKey; generate
// one with crypto/rand (authctl gensecret). The secret is copied.
func New(secret []byte, opts ...Option) (*JWTAuth, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.err(); err != nil {
		return nil, err
	}
	k, err := NewKey(cfg.kid, cfg.alg, secret)
	if err != nil {
		return nil, err
	}
	return build(cfg, k)
}

// NewWithKey returns a JWTAuth whose ring holds k: it signs with k when k
// has a private part, and only verifies otherwise. Use NewKey to make k
// (RS256, ES256, EdDSA, ...).
func NewWithKey(k *Key, opts ...Option) (*JWTAuth, error) {
	if k == nil {
		return nil, errors.New("jwtauth: NewWithKey(nil)")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.err(); err != nil {
		return nil, err
	}
	return build(cfg, k)
}

// NewVerifier returns a JWTAuth with an empty ring, which verifies with
// the keys of WithKeySet (another issuer's JWKS) and of AddKey, and cannot
// sign until a signing key is added.
func NewVerifier(opts ...Option) (*JWTAuth, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.err(); err != nil {
		return nil, err
	}
	return build(cfg, nil)
}

func build(cfg config, k *Key) (*JWTAuth, error) {
	j := &JWTAuth{cfg: cfg}
	popts := []jwt.ParserOption{
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.leeway),
		jwt.WithTimeFunc(cfg.clock),
		jwt.WithStrictDecoding(),
	}
	if cfg.issuer != "" {
		popts = append(popts, jwt.WithIssuer(cfg.issuer))
	}
	if len(cfg.audience) > 0 {
		popts = append(popts, jwt.WithAudience(cfg.audience...))
	}
	j.parser = jwt.NewParser(popts...)
	j.validator = jwt.NewValidator(popts...)
	j.validatorNoExp = jwt.NewValidator(popts[1:]...)
	if cfg.cacheSize > 0 {
		j.cache = newTokenCache(cfg.cacheSize)
	}
	var keys []*Key
	var signing *Key
	if k != nil {
		keys = []*Key{k}
		if k.CanSign() {
			signing = k
		}
	}
	r, err := newRing(keys, signing)
	if err != nil {
		return nil, err
	}
	j.ring.Store(r)
	return j, nil
}

// AddKey adds k to the ring: tokens naming its kid verify from now on. It
// does not sign until SetSigningKey names it (or it is the first key able
// to sign). A kid already in the ring is an error.
func (j *JWTAuth) AddKey(k *Key) error {
	if k == nil {
		return errors.New("jwtauth: AddKey(nil)")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	old := j.ring.Load()
	if _, dup := old.byKid[k.kid]; dup {
		return fmt.Errorf("jwtauth: AddKey: kid %q is already in the ring", k.kid)
	}
	if k.retired.Load() {
		return fmt.Errorf("jwtauth: AddKey: key %q was retired; make a new Key", k.kid)
	}
	signing := old.signing
	if signing == nil && k.CanSign() {
		signing = k
	}
	r, err := newRing(append(slices.Clip(old.keys), k), signing)
	if err != nil {
		return err
	}
	j.ring.Store(r)
	return nil
}

// SetSigningKey makes the key named kid the one new tokens are signed
// with; the previous one stays in the ring and keeps verifying the tokens
// it signed until RetireKey.
func (j *JWTAuth) SetSigningKey(kid string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	old := j.ring.Load()
	k := old.byKid[kid]
	if k == nil {
		return fmt.Errorf("jwtauth: SetSigningKey: no key %q", kid)
	}
	if !k.CanSign() {
		return fmt.Errorf("jwtauth: SetSigningKey: key %q is verify-only", kid)
	}
	r := *old
	r.signing = k
	j.ring.Store(&r)
	return nil
}

// RetireKey removes the key named kid from the ring: tokens it signed stop
// verifying at once (cached verifications included) and it leaves the
// JWKS. The signing key cannot be retired; SetSigningKey another first.
func (j *JWTAuth) RetireKey(kid string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	old := j.ring.Load()
	k := old.byKid[kid]
	if k == nil {
		return fmt.Errorf("jwtauth: RetireKey: no key %q", kid)
	}
	if k == old.signing {
		return fmt.Errorf("jwtauth: RetireKey: %q is the signing key; SetSigningKey another first", kid)
	}
	keys := make([]*Key, 0, len(old.keys)-1)
	for _, o := range old.keys {
		if o != k {
			keys = append(keys, o)
		}
	}
	r, err := newRing(keys, old.signing)
	if err != nil {
		return err
	}
	k.retired.Store(true)
	j.ring.Store(r)
	return nil
}

// Keys returns the keys of the ring, in the order they were added.
func (j *JWTAuth) Keys() []*Key { return slices.Clone(j.ring.Load().keys) }

// SigningKey returns the key new tokens are signed with, nil when none.
func (j *JWTAuth) SigningKey() *Key { return j.ring.Load().signing }

// HeaderTypes returns the Authorization schemes accepted (WithHeaderTypes).
func (j *JWTAuth) HeaderTypes() []string { return slices.Clone(j.cfg.headerTypes) }

// Now is the JWTAuth's clock (WithClock).
func (j *JWTAuth) Now() time.Time { return j.cfg.clock() }

// GenerateToken returns an access token for the user, valid for
// WithTokenTTL (24 h by default, the reference's lifetime), carrying
// token_type "access", user_id, username, iat, exp and a new jti (and iss
// and aud when configured). simplejwt's AccessToken() accepts it.
func (j *JWTAuth) GenerateToken(userID, username string) (string, error) {
	now := j.cfg.clock()
	c := &Claims{
		TokenType: AccessToken,
		UserID:    userID,
		Username:  username,
		RegisteredClaims: jwt.RegisteredClaims{
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(j.cfg.tokenTTL)),
			ID:        NewJTI(),
		},
	}
	return j.Sign(c)
}

// Sign signs c with the signing key, setting iss and aud when configured
// (as simplejwt's TokenBackend.encode does) and the kid header when the key
// has one. c is not modified. It does not add exp, iat or jti: GenerateToken,
// NewPair and AccessFromRefresh do.
func (j *JWTAuth) Sign(c *Claims) (string, error) {
	k := j.ring.Load().signing
	if k == nil {
		return "", ErrNoSigningKey
	}
	cc := *c
	cc.raw = ""
	if j.cfg.issuer != "" {
		cc.Issuer = j.cfg.issuer
	}
	if len(j.cfg.audience) > 0 {
		cc.Audience = jwt.ClaimStrings(slices.Clone(j.cfg.audience))
	}
	t := jwt.NewWithClaims(k.method, &cc)
	if k.kid != "" {
		t.Header["kid"] = k.kid
	}
	return t.SignedString(k.sign)
}

// VerifyToken verifies an access token (VerifyAccess without a context):
// the reference's verify_token.
func (j *JWTAuth) VerifyToken(token string) (*Claims, error) {
	return j.Verify(context.Background(), token, AccessToken)
}

// VerifyAccess verifies an access token; a refresh token is refused.
func (j *JWTAuth) VerifyAccess(ctx context.Context, token string) (*Claims, error) {
	return j.Verify(ctx, token, AccessToken)
}

// VerifyRefresh verifies a refresh token; an access token is refused.
func (j *JWTAuth) VerifyRefresh(ctx context.Context, token string) (*Claims, error) {
	return j.Verify(ctx, token, RefreshToken)
}

// Verify verifies token as a token of type want (UntypedToken: any type,
// and no jti required) and returns its claims. A token that fails is a
// *TokenError with simplejwt's message; a failing revocation hook or key
// set is an error wrapping core.ErrStoreUnavailable.
//
// Access tokens are remembered (WithCacheSize): presenting the same token
// again costs a lookup, still subject to its expiry, to its key not being
// retired, and to the revocation hook.
func (j *JWTAuth) Verify(ctx context.Context, token string, want TokenType) (*Claims, error) {
	if len(token) > MaxTokenBytes {
		return nil, tokenErr(MsgInvalid, ErrTokenTooLarge)
	}
	cache := j.cache
	if want != AccessToken {
		cache = nil
	}
	var h uint64
	if cache != nil {
		h = cache.hash(token)
		if e := cache.get(token, h, j.cfg.clock().UnixNano()); e != nil {
			if err := j.checkRevoked(ctx, e.claims); err != nil {
				return nil, err
			}
			return e.claims, nil
		}
	}
	return j.verifyUncached(ctx, token, want, h, cache)
}

// cached returns the claims of an access token in the cache (hit true),
// after the revocation hook.
func (j *JWTAuth) cached(ctx context.Context, token string) (c *Claims, hit bool, err error) {
	if j.cache == nil || len(token) > MaxTokenBytes {
		return nil, false, nil
	}
	e := j.cache.get(token, j.cache.hash(token), j.cfg.clock().UnixNano())
	if e == nil {
		return nil, false, nil
	}
	if err := j.checkRevoked(ctx, e.claims); err != nil {
		return nil, true, err
	}
	return e.claims, true, nil
}

func (j *JWTAuth) verifyUncached(ctx context.Context, token string, want TokenType, h uint64, cache *tokenCache) (*Claims, error) {
	c, key, err := j.parse(token)
	if err != nil {
		return nil, err
	}
	if err := j.checkType(c, want); err != nil {
		return nil, err
	}
	if err := j.checkRevoked(ctx, c); err != nil {
		return nil, err
	}
	if cache != nil {
		deadline := int64(math.MaxInt64)
		if end := c.ExpiresAt.Add(j.cfg.leeway); end.Before(maxUnixNano) {
			deadline = end.UnixNano()
		}
		cache.put(token, h, c, key, deadline, j.cfg.clock().UnixNano())
	}
	return c, nil
}

// maxUnixNano is the last instant UnixNano can represent (year 2262).
var maxUnixNano = time.Unix(0, math.MaxInt64)

// verified is the one allocation of a verification: the claims returned
// and the wire form the parser decodes into.
type verified struct {
	Claims
	w     wireClaims
	dates [3]jwt.NumericDate // what w's dates point to, on the fast path
}

// parse checks the signature and the registered claims of token and
// returns its claims and the key that verified it.
func (j *JWTAuth) parse(token string) (*Claims, *Key, error) {
	if c, k, ok := j.fastParse(token); ok {
		return c, k, nil
	}
	return j.parseSlow(token)
}

// parseSlow is parse with golang-jwt's parser, for every token.
func (j *JWTAuth) parseSlow(token string) (*Claims, *Key, error) {
	v := new(verified)
	var used *Key
	var ksErr error
	_, err := j.parser.ParseWithClaims(token, &v.w, func(t *jwt.Token) (any, error) {
		k, err := j.keyFor(t)
		if err != nil {
			if errors.Is(err, core.ErrStoreUnavailable) {
				ksErr = err
			}
			return nil, err
		}
		used = k
		return k.verify, nil
	})
	if ksErr != nil {
		return nil, nil, ksErr
	}
	if err != nil {
		return nil, nil, j.claimsError(err, &v.w)
	}
	v.w.to(&v.Claims)
	v.raw = token
	return &v.Claims, used, nil
}

// claimsError words a refusal of the parser as simplejwt 5.5 does. PyJWT
// checks iat and nbf, then exp, then iss and aud, and stops at the first
// failure: "Token is expired" only when exp is the first claim that fails.
// PyJWT does not require exp; simplejwt then finds it missing, "Token has
// no 'exp' claim", provided PyJWT accepted everything else.
func (j *JWTAuth) claimsError(err error, w *wireClaims) error {
	if !errors.Is(err, jwt.ErrTokenInvalidClaims) ||
		errors.Is(err, jwt.ErrTokenUsedBeforeIssued) || errors.Is(err, jwt.ErrTokenNotValidYet) {
		return tokenErr(MsgInvalid, err)
	}
	if errors.Is(err, jwt.ErrTokenExpired) {
		return tokenErr(MsgExpired, err)
	}
	if w.ExpiresAt == nil && j.validatorNoExp.Validate(w) == nil {
		return tokenErr(MsgNoExp, fmt.Errorf("%w: exp: %w", ErrMissingClaim, err))
	}
	return tokenErr(MsgInvalid, err)
}

// keyFor is the key function: the key the token's kid names, provided the
// token's alg is that key's algorithm and its header has no crit.
func (j *JWTAuth) keyFor(t *jwt.Token) (*Key, error) {
	if _, ok := t.Header["crit"]; ok {
		return nil, ErrCritHeader
	}
	kid := ""
	if v, ok := t.Header["kid"]; ok {
		s, ok := v.(string)
		if !ok {
			return nil, ErrUnknownKey
		}
		kid = s
	}
	k := j.ring.Load().byKid[kid]
	if k == nil && j.cfg.keySet != nil {
		var err error
		if k, err = j.cfg.keySet.Key(kid); err != nil {
			return nil, err
		}
	}
	if k == nil {
		return nil, ErrUnknownKey
	}
	if t.Method == nil || t.Method.Alg() != string(k.alg) {
		return nil, ErrAlgorithmMismatch
	}
	return k, nil
}

// checkType applies simplejwt's Token.verify after decoding: a jti, then
// the token type.
func (j *JWTAuth) checkType(c *Claims, want TokenType) error {
	if want == UntypedToken {
		return nil
	}
	if want == AccessToken && c.TokenType == "" && j.cfg.untypedAccess {
		return nil
	}
	if c.ID == "" {
		return tokenErr(MsgNoID, fmt.Errorf("%w: jti", ErrMissingClaim))
	}
	if c.TokenType == "" {
		return tokenErr(MsgNoType, fmt.Errorf("%w: token_type", ErrMissingClaim))
	}
	if c.TokenType != want {
		return tokenErr(MsgWrongType, fmt.Errorf("%w: %q, want %q", ErrWrongTokenType, c.TokenType, want))
	}
	return nil
}

func (j *JWTAuth) checkRevoked(ctx context.Context, c *Claims) error {
	if j.cfg.revocation == nil {
		return nil
	}
	revoked, err := j.cfg.revocation.Revoked(ctx, c)
	if err != nil {
		if errors.Is(err, core.ErrStoreUnavailable) {
			return err
		}
		return fmt.Errorf("jwtauth: revocation check: %w: %w", core.ErrStoreUnavailable, err)
	}
	if revoked {
		return tokenErr(MsgBlacklisted, ErrRevoked)
	}
	return nil
}
