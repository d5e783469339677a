package jwtauth

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Defaults.
const (
	// DefaultTokenTTL is the lifetime of GenerateToken's tokens: the
	// reference's 24 hours.
	DefaultTokenTTL = 24 * time.Hour
	// DefaultAccessTTL is simplejwt's ACCESS_TOKEN_LIFETIME.
	DefaultAccessTTL = 5 * time.Minute
	// DefaultRefreshTTL is simplejwt's REFRESH_TOKEN_LIFETIME.
	DefaultRefreshTTL = 24 * time.Hour
	// MaxLeeway is the largest clock skew WithLeeway accepts.
	MaxLeeway = 30 * time.Second
	// DefaultJWKSMaxAge is the max-age of the JWKS endpoint's responses.
	DefaultJWKSMaxAge = 15 * time.Minute
)

// Option configures a JWTAuth, in the manner of golang-jwt's parser
// options. An invalid option makes the constructor return an error.
type Option func(*config)

type config struct {
	alg           Algorithm
	kid           string
	issuer        string
	audience      []string
	leeway        time.Duration
	tokenTTL      time.Duration
	accessTTL     time.Duration
	refreshTTL    time.Duration
	clock         func() time.Time
	headerTypes   []string
	revocation    Revocation
	cacheSize     int
	keySet        KeySet
	untypedAccess bool
	jwksMaxAge    time.Duration
	errs          []error
}

func defaultConfig() config {
	return config{
		alg:         HS256,
		tokenTTL:    DefaultTokenTTL,
		accessTTL:   DefaultAccessTTL,
		refreshTTL:  DefaultRefreshTTL,
		clock:       time.Now,
		headerTypes: []string{"Bearer"},
		cacheSize:   DefaultCacheSize,
		jwksMaxAge:  DefaultJWKSMaxAge,
	}
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("jwtauth: "+format, args...))
}

func (c *config) err() error { return errors.Join(c.errs...) }

// WithAlgorithm sets the HMAC algorithm of New's secret: HS256 (the
// default), HS384 or HS512. Other constructors take the algorithm with the
// key and ignore it.
func WithAlgorithm(alg Algorithm) Option {
	return func(c *config) {
		switch alg {
		case HS256, HS384, HS512:
			c.alg = alg
		default:
			c.fail("WithAlgorithm(%q): New takes an HMAC secret; use NewKey and NewWithKey for %s", alg, alg)
		}
	}
}

// WithKeyID names New's secret: its tokens carry this kid, and it can
// later be retired by it. The default is "" (no kid, as simplejwt).
func WithKeyID(kid string) Option { return func(c *config) { c.kid = kid } }

// WithIssuer sets the iss claim of new tokens and requires it of verified
// ones (simplejwt's ISSUER).
func WithIssuer(iss string) Option { return func(c *config) { c.issuer = iss } }

// WithAudience sets the aud claim of new tokens and requires verified ones
// to name at least one of aud (simplejwt's AUDIENCE).
func WithAudience(aud ...string) Option {
	return func(c *config) { c.audience = append([]string(nil), aud...) }
}

// WithLeeway allows for clock skew in the exp, nbf and iat checks: at most
// MaxLeeway (30 s); more is refused. The default is 0, as simplejwt.
func WithLeeway(d time.Duration) Option {
	return func(c *config) {
		if d < 0 || d > MaxLeeway {
			c.fail("WithLeeway(%v): leeway must be between 0 and %v", d, MaxLeeway)
			return
		}
		c.leeway = d
	}
}

func positive(c *config, name string, d time.Duration, dst *time.Duration) {
	if d <= 0 {
		c.fail("%s(%v): lifetime must be positive", name, d)
		return
	}
	*dst = d
}

// WithTokenTTL sets the lifetime of GenerateToken's tokens (24 h).
func WithTokenTTL(d time.Duration) Option {
	return func(c *config) { positive(c, "WithTokenTTL", d, &c.tokenTTL) }
}

// WithAccessTTL sets the lifetime of the access tokens of pairs
// (simplejwt's ACCESS_TOKEN_LIFETIME, 5 min).
func WithAccessTTL(d time.Duration) Option {
	return func(c *config) { positive(c, "WithAccessTTL", d, &c.accessTTL) }
}

// WithRefreshTTL sets the lifetime of refresh tokens (simplejwt's
// REFRESH_TOKEN_LIFETIME, 1 day).
func WithRefreshTTL(d time.Duration) Option {
	return func(c *config) { positive(c, "WithRefreshTTL", d, &c.refreshTTL) }
}

// WithClock replaces time.Now, for minting and verification alike.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.fail("WithClock(nil)")
			return
		}
		c.clock = now
	}
}

// WithHeaderTypes sets the Authorization schemes the Authentication
// accepts (simplejwt's AUTH_HEADER_TYPES, default "Bearer"). They are
// matched exactly, case included, as simplejwt does; the first is used in
// the WWW-Authenticate challenge.
func WithHeaderTypes(types ...string) Option {
	return func(c *config) {
		if len(types) == 0 {
			c.fail("WithHeaderTypes(): at least one type is needed")
			return
		}
		for _, t := range types {
			if t == "" || len(t) > 64 || strings.ContainsAny(t, " \t\r\n\v\f") {
				c.fail("WithHeaderTypes(%q): a type is one non-empty word", t)
				return
			}
		}
		c.headerTypes = append([]string(nil), types...)
	}
}

// WithRevocation installs the hook consulted on every verification,
// cached ones included (blacklisted jti, per-user "valid after" stamps).
func WithRevocation(r Revocation) Option { return func(c *config) { c.revocation = r } }

// WithCacheSize bounds the cache of verified access tokens (default
// DefaultCacheSize); 0 turns the cache off.
func WithCacheSize(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.fail("WithCacheSize(%d): size must not be negative", n)
			return
		}
		c.cacheSize = n
	}
}

// WithKeySet adds a source of keys consulted for a kid the JWTAuth's own
// ring does not have: a RemoteKeySet, to accept another issuer's tokens.
// The ring's keys win: a kid (or the absence of one) that names a ring key
// is never looked up in the set. Give the other issuer its own WithIssuer
// and WithAudience by using a separate JWTAuth when they differ.
func WithKeySet(ks KeySet) Option { return func(c *config) { c.keySet = ks } }

// WithUntypedAccessTokens accepts tokens without a token_type claim (and
// then without a jti) as access tokens: tokens of issuers that are not
// simplejwt. A token whose token_type is set must still be "access".
func WithUntypedAccessTokens() Option { return func(c *config) { c.untypedAccess = true } }

// WithJWKSMaxAge sets the Cache-Control max-age of JWKSHandler (15 min).
func WithJWKSMaxAge(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.fail("WithJWKSMaxAge(%v): must not be negative", d)
			return
		}
		c.jwksMaxAge = d
	}
}
