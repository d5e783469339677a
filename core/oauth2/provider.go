package oauth2

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/hashers"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
)

// Defaults of Config.
const (
	// DefaultCodeTTL is how long an authorization code lives:
	// django-oauth-toolkit's AUTHORIZATION_CODE_EXPIRE_SECONDS (60).
	DefaultCodeTTL = time.Minute
	// DefaultAccessTokenTTL is how long an access token lives: one hour
	// (django-oauth-toolkit's default is ten).
	DefaultAccessTokenTTL = time.Hour
	// DefaultRefreshTokenTTL is the absolute lifetime of a refresh family:
	// rotation never extends it.
	DefaultRefreshTokenTTL = 30 * 24 * time.Hour
	// DefaultIDTokenTTL is how long an id_token is valid.
	DefaultIDTokenTTL = time.Hour
	// DefaultLoginURL is where the authorize endpoint sends a browser
	// that is not logged in (Django's LOGIN_URL).
	DefaultLoginURL = "/accounts/login"
)

// ScopeIntrospection marks a resource server: an application registered
// with this scope among its Scopes may introspect every client's tokens at
// the introspection endpoint (django-oauth-toolkit's "introspection"
// scope). Any other client is told only of its own tokens (RFC 7662
// section 4). The scope must be one of the provider's (Config.Scopes;
// DefaultScopes has it); it is granted to a token only when asked for.
const ScopeIntrospection = "introspection"

// DefaultScopes are the scopes of a Config without Scopes:
// django-oauth-toolkit's SCOPES plus OpenID Connect's and
// ScopeIntrospection.
func DefaultScopes() map[string]string {
	return map[string]string{
		"read":             "Reading scope",
		"write":            "Writing scope",
		"openid":           "OpenID Connect scope",
		"profile":          "Your name and username",
		"email":            "Your email address",
		ScopeIntrospection: "Introspect the tokens of other applications",
	}
}

// explicitScopes are granted only when asked for, never by default: OpenID
// Connect's and ScopeIntrospection.
var explicitScopes = []string{"openid", "profile", "email", ScopeIntrospection}

// Paths are the endpoints' paths, joined to the issuer in the metadata
// documents. The defaults are django-oauth-toolkit's (DefaultPaths).
type Paths struct {
	Authorize, Token, Revoke, Introspect, UserInfo, JWKS string
}

// DefaultPaths returns django-oauth-toolkit's paths (/o/authorize, …) and
// /.well-known/jwks.json.
func DefaultPaths() Paths {
	return Paths{Authorize: "/o/authorize", Token: "/o/token", Revoke: "/o/revoke_token",
		Introspect: "/o/introspect", UserInfo: "/o/userinfo", JWKS: "/.well-known/jwks.json"}
}

// Config configures a Provider. Store, Users, Issuer and CSRF are
// required; every other field has the documented default.
type Config struct {
	// Store keeps applications, codes and tokens (NewMemoryStore, or
	// stores/sqlstore's).
	Store Store
	// Users finds the user a code or token was issued for (GetUser); a
	// user it no longer finds, or finds inactive, has no valid tokens.
	Users core.AuthBackend
	// Events receives an events.OAuth2TokenRevoked for every token a
	// client revokes (RFC 7009); nil: none.
	Events *events.Dispatcher
	// Issuer is the OpenID Connect issuer and RFC 8414 "issuer": an
	// absolute http(s) URL without query or fragment (no trailing slash
	// is added or removed). The metadata's endpoint URLs are Issuer joined
	// with Paths.
	Issuer string
	// CSRF checks the consent form (POST /o/authorize), as Django's
	// csrf_protect does for django-oauth-toolkit's AuthorizationView.
	CSRF *csrf.Protector
	// Signer signs id_tokens; its public keys are the JWKS. nil: a new
	// RS256 key of 2048 bits, made by NewProvider and lost when the
	// process ends (give a kept key in production). An HMAC key is
	// refused, as is a Signer made WithIssuer or WithAudience (it would
	// overwrite the id_token's iss and aud).
	Signer *jwtauth.JWTAuth
	// Hashers verifies client secrets stored as Django password hashes
	// (django-oauth-toolkit 2.x hashes them with make_password) and hashes
	// secrets given to RegisterApplication. nil: hashers.Default().
	Hashers *hashers.Registry
	// Scopes are the scopes the provider knows, name to description
	// (shown on the consent page). nil: DefaultScopes.
	Scopes map[string]string
	// CodeTTL is the lifetime of authorization codes: DefaultCodeTTL when
	// 0, at most oauth2store.MaxCodeLifetime.
	CodeTTL time.Duration
	// AccessTokenTTL: DefaultAccessTokenTTL when 0.
	AccessTokenTTL time.Duration
	// RefreshTokenTTL is the absolute lifetime of a refresh family:
	// DefaultRefreshTokenTTL when 0.
	RefreshTokenTTL time.Duration
	// IDTokenTTL: DefaultIDTokenTTL when 0.
	IDTokenTTL time.Duration
	// LoginURL is where a browser that is not logged in is sent, with
	// next= the authorization request: DefaultLoginURL when "".
	LoginURL string
	// Paths are the endpoints' paths: DefaultPaths() when zero.
	Paths Paths
	// ConsentTemplate renders the consent page (see ConsentPage for its
	// data); nil: DefaultConsentTemplate.
	ConsentTemplate *template.Template
	// AuthTime returns when the request's user logged in (OpenID
	// Connect's auth_time; max_age compares with it), the zero time when
	// unknown. nil: the login time the session login recorded
	// (sessions.LoginAtKey).
	AuthTime func(r core.Request) time.Time
	// LoginMethods are the Identity.Method values that count as a logged-in
	// browser at the authorize endpoint: nil means "session" only. A
	// request authenticated otherwise (an OAuth2 or JWT bearer, Basic) is
	// sent to the login page: a token must never buy a code with more
	// scopes for another client.
	LoginMethods []string
	// MaxBodyBytes caps form bodies: core.DefaultMaxBodyBytes when 0.
	MaxBodyBytes int64
	// ValidAfter returns the user's "valid after" stamp: every code and
	// token of the user issued at or before it is dead (verification,
	// introspection, refresh and the code exchange refuse it), as
	// "log out everywhere", a password change and a password reset
	// require. Give the token manager's stamp
	// (tokens.TokenRotationManager.RefreshStore().ValidAfter), which
	// TokenRotationManager.LogoutAll sets, so that one stamp ends the
	// user's JWTs and OAuth2 tokens alike. The zero time means none; an
	// error fails the request closed. nil: no stamp (only revocation and
	// expiry end a token).
	ValidAfter func(ctx context.Context, userID string) (time.Time, error)
	// Now is the clock: time.Now when nil.
	Now func() time.Time
}

// Provider is an OAuth2 authorization server with OpenID Connect, made
// by NewProvider and safe for concurrent use. Its endpoints
// (AuthorizeEndpoint, TokenEndpoint, …) are core.Endpoints an adapter
// mounts; its Go API is RegisterApplication, GenerateAuthorizationCode,
// ExchangeCode, ClientCredentials, Refresh, VerifyToken, Revoke and
// Introspect.
type Provider struct {
	cfg    Config
	scopes []string // sorted names
	alg    jwtauth.Algorithm
}

// NewProvider returns a provider for cfg with its defaults filled in, or
// an error for a configuration that is missing something or unsafe.
func NewProvider(cfg Config) (*Provider, error) {
	if cfg.Store == nil || cfg.Users == nil || cfg.CSRF == nil {
		return nil, errors.New("oauth2: Config needs Store, Users and CSRF")
	}
	if u, err := url.Parse(cfg.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(cfg.Issuer, "#") || strings.HasSuffix(cfg.Issuer, "?") {
		return nil, fmt.Errorf("oauth2: Issuer %q is not an absolute http(s) URL without query and fragment", cfg.Issuer)
	}
	switch {
	case cfg.CodeTTL == 0:
		cfg.CodeTTL = DefaultCodeTTL
	case cfg.CodeTTL < 0 || cfg.CodeTTL > oauth2store.MaxCodeLifetime:
		return nil, fmt.Errorf("oauth2: CodeTTL %v is not within (0, %v]", cfg.CodeTTL, oauth2store.MaxCodeLifetime)
	}
	for _, d := range []*time.Duration{&cfg.AccessTokenTTL, &cfg.RefreshTokenTTL, &cfg.IDTokenTTL} {
		if *d < 0 {
			return nil, errors.New("oauth2: a negative token lifetime")
		}
	}
	if cfg.AccessTokenTTL == 0 {
		cfg.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if cfg.RefreshTokenTTL == 0 {
		cfg.RefreshTokenTTL = DefaultRefreshTokenTTL
	}
	if cfg.IDTokenTTL == 0 {
		cfg.IDTokenTTL = DefaultIDTokenTTL
	}
	if cfg.LoginURL == "" {
		cfg.LoginURL = DefaultLoginURL
	}
	if cfg.Paths == (Paths{}) {
		cfg.Paths = DefaultPaths()
	}
	if cfg.ConsentTemplate == nil {
		cfg.ConsentTemplate = DefaultConsentTemplate
	}
	if cfg.AuthTime == nil {
		cfg.AuthTime = sessionAuthTime
	}
	if cfg.LoginMethods == nil {
		cfg.LoginMethods = []string{"session"}
	}
	if cfg.Hashers == nil {
		cfg.Hashers = hashers.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Scopes == nil {
		cfg.Scopes = DefaultScopes()
	}
	p := &Provider{cfg: cfg}
	for name := range cfg.Scopes {
		if !validScopeToken(name) {
			return nil, fmt.Errorf("oauth2: scope %q has characters RFC 6749 section 3.3 does not allow", name)
		}
		p.scopes = append(p.scopes, name)
	}
	slices.Sort(p.scopes)
	if cfg.Signer == nil {
		signer, err := newRSASigner()
		if err != nil {
			return nil, err
		}
		p.cfg.Signer = signer
	}
	if err := p.checkSigner(); err != nil {
		return nil, err
	}
	return p, nil
}

func newRSASigner() (*jwtauth.JWTAuth, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	k, err := jwtauth.NewKey(rand.Text(), jwtauth.RS256, priv)
	if err != nil {
		return nil, err
	}
	return jwtauth.NewWithKey(k)
}

// checkSigner refuses an HMAC signing key and a signer that rewrites iss
// or aud (made WithIssuer or WithAudience): it signs a probe and reads
// the claims back.
func (p *Provider) checkSigner() error {
	k := p.cfg.Signer.SigningKey()
	if k == nil || !k.CanSign() || k.Public() == nil {
		return errors.New("oauth2: Signer needs an asymmetric signing key (RS256 by default)")
	}
	p.alg = k.Algorithm()
	tok, err := p.cfg.Signer.Sign(&jwtauth.Claims{RegisteredClaims: jwt5Registered("probe", "probe-aud")})
	if err != nil {
		return fmt.Errorf("oauth2: Signer cannot sign: %w", err)
	}
	parts := strings.Split(tok, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return err
	}
	var c struct {
		Iss string   `json:"iss"`
		Aud []string `json:"aud"`
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.Iss != "probe" || !slices.Equal(c.Aud, []string{"probe-aud"}) {
		return errors.New("oauth2: Signer rewrites iss or aud (made WithIssuer or WithAudience); give one without")
	}
	return nil
}

// Signer is the key ring that signs id_tokens: serve its JWKSHandler at
// Paths.JWKS.
func (p *Provider) Signer() *jwtauth.JWTAuth { return p.cfg.Signer }

// Config returns the provider's configuration with its defaults filled
// in.
func (p *Provider) Config() Config { return p.cfg }

func (p *Provider) now() time.Time { return p.cfg.Now() }

// CleanupExpired removes expired codes and tokens from the store (for
// `authctl clearsessions`), returning how many it removed.
func (p *Provider) CleanupExpired(ctx context.Context) (int, error) {
	return p.cfg.Store.CleanupExpired(ctx, p.now())
}

// newToken returns an opaque value of 130 random bits from crypto/rand in
// 26 characters of [A-Z2-7] (crypto/rand.Text): codes and tokens.
func newToken() string { return rand.Text() }

// NewApplication is what RegisterApplication registers.
type NewApplication struct {
	// ClientID: "" to generate one (26 letters and digits).
	ClientID string
	// ClientSecret of a confidential client: "" to generate one of 260
	// random bits (52 letters and digits), stored as its SHA-256; a given
	// secret is stored as a password hash (Config.Hashers). A public
	// client has none.
	ClientSecret string
	// ClientType is ClientConfidential or ClientPublic.
	ClientType string
	// Name is shown on the consent page.
	Name string
	// RedirectURIs: absolute URIs without fragment or userinfo, matched
	// exactly: https, http on a loopback host (127.0.0.1, [::1],
	// localhost), or a native app's reverse-domain private-use scheme
	// (com.example.app:/cb); at least one for the authorization code and
	// implicit grants.
	RedirectURIs []string
	// GrantTypes the client may use (Grant… constants); the client
	// credentials grant is for confidential clients only.
	GrantTypes []string
	// Scopes the client may ask for: nil means read and write, as the
	// showcase's createapplication defaults; each must be a provider
	// scope.
	Scopes []string
	// SkipAuthorization: no consent page for this client.
	SkipAuthorization bool
	// UserID is the owner's user id, "" for none.
	UserID string
}

// Credentials are a registered client's id and secret: the secret is
// shown once and only its hash is stored.
type Credentials struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

var errDuplicateClientID = fmt.Errorf("%w: %w", core.ErrInvalidInput, oauth2store.ErrDuplicateClientID)

// RegisterApplication validates and stores a new client, the reference's
// register_application, returning its credentials. A taken client id is
// an error wrapping ErrDuplicateClientID (and core.ErrInvalidInput).
func (p *Provider) RegisterApplication(ctx context.Context, in NewApplication) (*Credentials, error) {
	app := Application{
		ClientID: in.ClientID, ClientType: in.ClientType, Name: in.Name,
		RedirectURIs: slices.Clone(in.RedirectURIs), GrantTypes: slices.Clone(in.GrantTypes),
		Scopes: slices.Clone(in.Scopes), SkipAuthorization: in.SkipAuthorization, UserID: in.UserID,
		CreatedAt: p.now(),
	}
	if app.Scopes == nil {
		app.Scopes = []string{"read", "write"}
	}
	if err := p.validateApplication(app); err != nil {
		return nil, fmt.Errorf("%w: %w", core.ErrInvalidInput, err)
	}
	if app.ClientID == "" {
		app.ClientID = rand.Text()
	} else if len(app.ClientID) > 100 || !asciiFrom(app.ClientID, ' ') {
		return nil, fmt.Errorf("%w: oauth2: a client id is 1 to 100 characters of %%x20-7E (RFC 6749 appendix A.1)", core.ErrInvalidInput)
	}
	secret := in.ClientSecret
	switch {
	case app.ClientType == ClientPublic && secret != "":
		return nil, fmt.Errorf("%w: oauth2: a public client has no secret", core.ErrInvalidInput)
	case app.ClientType == ClientPublic:
	case secret == "":
		secret = rand.Text() + rand.Text()
		app.SecretHash = sha256SecretPrefix + hexSHA256(secret)
	default:
		if len(secret) > core.MaxPasswordBytes {
			return nil, fmt.Errorf("%w: oauth2: client secret too long", core.ErrInvalidInput)
		}
		h, err := p.cfg.Hashers.MakePassword(ctx, secret)
		if err != nil {
			return nil, err
		}
		app.SecretHash = h
	}
	if err := p.cfg.Store.CreateApplication(ctx, app); err != nil {
		if errors.Is(err, oauth2store.ErrDuplicateClientID) {
			return nil, errDuplicateClientID
		}
		return nil, err
	}
	return &Credentials{ClientID: app.ClientID, ClientSecret: secret}, nil
}

// asciiFrom reports whether every byte of s is within lo to %x7E: from
// ' ' it is RFC 6749 appendix A's VSCHAR (client ids), from '!' printable
// ASCII without the space (redirect URIs).
func asciiFrom(s string, lo byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < lo || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func (p *Provider) validateApplication(a Application) error {
	if a.ClientType != ClientConfidential && a.ClientType != ClientPublic {
		return fmt.Errorf("oauth2: client type %q is neither %q nor %q", a.ClientType, ClientConfidential, ClientPublic)
	}
	if len(a.GrantTypes) == 0 {
		return errors.New("oauth2: an application needs a grant type")
	}
	redirects := false
	for _, g := range a.GrantTypes {
		switch g {
		case GrantAuthorizationCode, GrantImplicit:
			redirects = true
		case GrantRefreshToken:
		case GrantClientCredentials:
			if a.ClientType == ClientPublic {
				return errors.New("oauth2: the client credentials grant is for confidential clients (RFC 6749 section 4.4)")
			}
		default:
			return fmt.Errorf("oauth2: unknown grant type %q", g)
		}
	}
	if redirects && len(a.RedirectURIs) == 0 {
		return errors.New("oauth2: the authorization code and implicit grants need a redirect URI")
	}
	for _, ru := range a.RedirectURIs {
		if err := validRedirectURI(ru); err != nil {
			return err
		}
	}
	for _, s := range a.Scopes {
		if _, ok := p.cfg.Scopes[s]; !ok {
			return fmt.Errorf("oauth2: unknown scope %q", s)
		}
	}
	return nil
}

// validRedirectURI: an absolute URI without fragment or userinfo (RFC
// 6749 section 3.1.2), printable ASCII without backslash, which is
//
//   - https with a host;
//   - http only for a loopback host, 127.0.0.1, [::1] or localhost, on any
//     port (RFC 6749 section 3.1.2.1 wants TLS; RFC 8252 section 7.3
//     keeps loopback for native apps);
//   - or a native app's private-use scheme, in reverse-domain form with a
//     dot ("com.example.app:/cb", RFC 8252 section 7.1), which keeps out
//     javascript:, data: and the like.
func validRedirectURI(s string) error {
	u, err := url.Parse(s)
	ok := err == nil && u.Fragment == "" && !strings.ContainsAny(s, "#\\") && asciiFrom(s, '!') && u.User == nil
	if ok {
		switch u.Scheme {
		case "https":
			ok = u.Host != ""
		case "http":
			h := u.Hostname()
			ok = h == "127.0.0.1" || h == "::1" || h == "localhost"
		default:
			ok = strings.Contains(u.Scheme, ".")
		}
	}
	if !ok {
		return fmt.Errorf("oauth2: redirect URI %q is not https, http on a loopback host or a reverse-domain private-use scheme, "+
			"without fragment and userinfo", s)
	}
	return nil
}

const sha256SecretPrefix = "sha256$"

func hexSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// sha256HexEqual reports whether hexHash is hexSHA256(s), comparing in
// constant time (the length of hexHash is not secret) and, for a secret
// of up to 256 bytes, without allocating.
func sha256HexEqual(s, hexHash string) bool {
	var sum [sha256.Size]byte
	if len(s) <= 256 {
		var buf [256]byte
		sum = sha256.Sum256(buf[:copy(buf[:], s)])
	} else {
		sum = sha256.Sum256([]byte(s))
	}
	var got [2 * sha256.Size]byte
	hex.Encode(got[:], sum[:])
	if len(hexHash) != len(got) {
		return false
	}
	var diff byte
	for i := range got {
		diff |= got[i] ^ hexHash[i]
	}
	return subtle.ConstantTimeByteEq(diff, 0) == 1
}

// checkSecret verifies a client secret against its stored hash in
// constant time: a generated secret's SHA-256, or a Django password hash.
func (p *Provider) checkSecret(ctx context.Context, secret, stored string) (bool, error) {
	if hexHash, ok := strings.CutPrefix(stored, sha256SecretPrefix); ok {
		return sha256HexEqual(secret, hexHash), nil
	}
	if stored == "" || len(secret) > core.MaxPasswordBytes {
		return false, nil
	}
	ok, _, err := p.cfg.Hashers.VerifyPassword(ctx, secret, stored)
	if errors.Is(err, hashers.ErrUnverifiable) {
		return false, nil
	}
	return ok, err
}

// AuthenticateClient returns the client clientID authenticates as: a
// confidential client with its secret, a public client with none (secret
// ""). A failure is an *Error with ErrCodeInvalidClient (401); a store
// failure wraps core.ErrStoreUnavailable.
func (p *Provider) AuthenticateClient(ctx context.Context, clientID, secret string) (*Application, error) {
	app, found, err := p.cfg.Store.Application(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errInvalidClient()
	}
	if app.ClientType == ClientPublic {
		if secret != "" {
			return nil, errInvalidClient()
		}
		return &app, nil
	}
	if secret == "" {
		return nil, errInvalidClient()
	}
	ok, err := p.checkSecret(ctx, secret, app.SecretHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errInvalidClient()
	}
	return &app, nil
}

// validScopeToken: RFC 6749 section 3.3's scope-token, %x21 / %x23-5B /
// %x5D-7E.
func validScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c == 0x22 || c == 0x5c || c > 0x7e {
			return false
		}
	}
	return true
}

// resolveScopes checks a request's scope parameter against the client's:
// "" means the client's scopes without the explicit ones (OpenID
// Connect's, ScopeIntrospection); an
// unknown or disallowed scope is invalid_scope. The result is sorted and
// without repeats.
func (p *Provider) resolveScopes(app *Application, requested string) ([]string, error) {
	var out []string
	if requested == "" {
		for _, s := range app.Scopes {
			if !slices.Contains(explicitScopes, s) {
				out = append(out, s)
			}
		}
	} else {
		for s := range strings.SplitSeq(requested, " ") {
			if s == "" {
				return nil, invalidScope("The scope is malformed.")
			}
			if _, ok := p.cfg.Scopes[s]; !ok || !slices.Contains(app.Scopes, s) {
				return nil, invalidScope("The requested scope is invalid, unknown, or not allowed for this client.")
			}
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func hasGrant(app *Application, g string) bool { return slices.Contains(app.GrantTypes, g) }
