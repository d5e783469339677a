package oauth2

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
)

// OAuth2Token is a token response (RFC 6749 section 5.1): the reference's
// OAuth2Token. The JSON is the token endpoint's body.
type OAuth2Token struct {
	AccessToken string `json:"access_token"`
	// TokenType is always "Bearer".
	TokenType string `json:"token_type"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int64 `json:"expires_in"`
	// RefreshToken is set for the authorization code and refresh token
	// grants.
	RefreshToken string `json:"refresh_token,omitempty"`
	// Scope is the granted scopes, space-separated.
	Scope string `json:"scope"`
	// IDToken is the OpenID Connect id_token, with the openid scope in
	// the authorization code grant.
	IDToken string `json:"id_token,omitempty"`
}

// PKCE code challenge methods. Only S256 is accepted.
const (
	PKCEMethodS256  = "S256"
	PKCEMethodPlain = "plain"
)

// AuthorizationRequest is what an authorization code is issued for: the
// user's decision on a client's request (GenerateAuthorizationCode).
type AuthorizationRequest struct {
	ClientID string
	// RedirectURI as the request sent it ("" when it sent none and the
	// client has exactly one; required with the openid scope).
	RedirectURI string
	// UserID is the user who authorized the client.
	UserID string
	// Scope is the scope parameter, space-separated ("" for the client's
	// default scopes).
	Scope string
	// CodeChallenge and CodeChallengeMethod are PKCE's: required (S256)
	// for a public client.
	CodeChallenge, CodeChallengeMethod string
	// Nonce is OpenID Connect's nonce, at most MaxNonceBytes.
	Nonce string
	// AuthTime is when the user logged in.
	AuthTime time.Time
}

// Caps on what a client sends to the authorize endpoint and is kept with
// the code or carried through the consent form: longer is invalid_request.
const (
	// MaxNonceBytes caps OpenID Connect's nonce.
	MaxNonceBytes = 512
	// MaxStateBytes caps the state parameter.
	MaxStateBytes = 2048
)

// checkOpenIDRedirect: with the openid scope the request must name its
// redirect_uri (OpenID Connect Core section 3.1.2.1), even when the
// client has only one.
func checkOpenIDRedirect(scopes []string, redirectURI string) error {
	if redirectURI == "" && slices.Contains(scopes, "openid") {
		return invalidRequest("The redirect_uri parameter is required with the openid scope.")
	}
	return nil
}

func checkNonce(nonce string) error {
	if len(nonce) > MaxNonceBytes {
		return invalidRequest("The nonce parameter is too long.")
	}
	return nil
}

// checkPKCE validates a request's PKCE parameters (RFC 7636 section
// 4.3): S256 only, the challenge 43 base64url characters; required for
// public clients.
func checkPKCE(app *Application, challenge, method string) error {
	if challenge == "" {
		if method != "" {
			return invalidRequest("code_challenge_method without code_challenge.")
		}
		if app.ClientType == ClientPublic {
			return invalidRequest("Code challenge required.")
		}
		return nil
	}
	if method == "" || method == PKCEMethodPlain {
		return invalidRequest("Transform algorithm not supported: use S256.")
	}
	if method != PKCEMethodS256 {
		return invalidRequest("Transform algorithm not supported.")
	}
	if len(challenge) != 43 || !pkceChars(challenge) || strings.ContainsAny(challenge, ".~") {
		return invalidRequest("Invalid code_challenge.")
	}
	return nil
}

// pkceChars: RFC 7636's unreserved characters, [A-Za-z0-9-._~].
func pkceChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// verifyPKCE checks a code_verifier (43 to 128 unreserved characters)
// against an S256 challenge in constant time.
func verifyPKCE(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 || !pkceChars(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// redirectFor returns the redirect URI a request names for app: the
// one it sent if registered, exactly; the only registered one if it
// sent none. ok is false otherwise: never redirect then.
func redirectFor(app *Application, sent string) (string, bool) {
	if sent == "" {
		if len(app.RedirectURIs) == 1 {
			return app.RedirectURIs[0], true
		}
		return "", false
	}
	for _, u := range app.RedirectURIs {
		if subtle.ConstantTimeCompare([]byte(u), []byte(sent)) == 1 {
			return u, true
		}
	}
	return "", false
}

// GenerateAuthorizationCode issues an authorization code for a request the
// user has authorized: the reference's generate_authorization_code. It
// checks the client, the redirect URI, the scopes and PKCE as the
// authorize endpoint does; a refusal is an *Error.
func (p *Provider) GenerateAuthorizationCode(ctx context.Context, req AuthorizationRequest) (string, error) {
	app, found, err := p.cfg.Store.Application(ctx, req.ClientID)
	if err != nil {
		return "", err
	}
	if !found {
		return "", invalidRequest("Invalid client_id parameter value.")
	}
	if _, ok := redirectFor(&app, req.RedirectURI); !ok {
		return "", invalidRequest("Mismatching redirect URI.")
	}
	if !hasGrant(&app, GrantAuthorizationCode) {
		return "", oerr(ErrCodeUnauthorizedClient, "The client is not authorized to use the authorization code grant.")
	}
	scopes, err := p.resolveScopes(&app, req.Scope)
	if err != nil {
		return "", err
	}
	if err := checkPKCE(&app, req.CodeChallenge, req.CodeChallengeMethod); err != nil {
		return "", err
	}
	if err := checkNonce(req.Nonce); err != nil {
		return "", err
	}
	if err := checkOpenIDRedirect(scopes, req.RedirectURI); err != nil {
		return "", err
	}
	if req.UserID == "" {
		return "", errors.New("oauth2: GenerateAuthorizationCode needs the user's id")
	}
	return p.issueCode(ctx, &app, req, scopes)
}

func (p *Provider) issueCode(ctx context.Context, app *Application, req AuthorizationRequest, scopes []string) (string, error) {
	code := newToken()
	err := p.cfg.Store.SaveCode(ctx, oauth2store.Code{
		Hash: oauth2store.HashToken(code), ClientID: app.ClientID, RedirectURI: req.RedirectURI,
		UserID: req.UserID, Scopes: scopes, CodeChallenge: req.CodeChallenge,
		CodeChallengeMethod: req.CodeChallengeMethod, Nonce: req.Nonce, AuthTime: req.AuthTime,
		ExpiresAt: p.now().Add(p.cfg.CodeTTL),
	})
	if err != nil {
		return "", err
	}
	return code, nil
}

// ExchangeRequest is a token request of the authorization code grant.
type ExchangeRequest struct {
	Code         string
	RedirectURI  string
	CodeVerifier string
}

// ExchangeCode redeems an authorization code for client, which the caller
// has authenticated (AuthenticateClient): the reference's exchange_code.
// The code is used up first, so a wrong verifier, client or redirect URI
// still spends it; a code presented again is invalid_grant and revokes the
// tokens it issued (when that happens while the winning redemption runs,
// the winner's answer holds tokens that were never valid, and no
// id_token). With the openid scope the answer has an id_token.
func (p *Provider) ExchangeCode(ctx context.Context, client *Application, req ExchangeRequest) (*OAuth2Token, error) {
	if !hasGrant(client, GrantAuthorizationCode) {
		return nil, oerr(ErrCodeUnauthorizedClient, "The client is not authorized to use this grant type.")
	}
	if req.Code == "" {
		return nil, invalidRequest("Missing code parameter.")
	}
	now := p.now()
	c, st, err := p.cfg.Store.ConsumeCode(ctx, oauth2store.HashToken(req.Code), now)
	if err != nil {
		return nil, err
	}
	if st != oauth2store.CodeValid {
		return nil, invalidGrant("The authorization code is invalid, expired or already used.")
	}
	if subtle.ConstantTimeCompare([]byte(c.ClientID), []byte(client.ClientID)) != 1 {
		return nil, invalidGrant("The authorization code was issued to another client.")
	}
	if c.RedirectURI != "" && req.RedirectURI != c.RedirectURI {
		return nil, invalidGrant("Mismatching redirect URI.")
	}
	switch {
	case c.CodeChallenge == "" && req.CodeVerifier != "":
		return nil, invalidGrant("A code_verifier was sent for a code issued without a code_challenge.")
	case c.CodeChallenge != "" && req.CodeVerifier == "":
		return nil, invalidGrant("Code verifier required.")
	case c.CodeChallenge != "" && !verifyPKCE(req.CodeVerifier, c.CodeChallenge):
		return nil, invalidGrant("Invalid code_verifier.")
	}
	// The code was issued CodeTTL before it expires.
	u, err := p.liveUser(ctx, c.UserID, c.ExpiresAt.Add(-p.cfg.CodeTTL))
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, invalidGrant("The user is no longer active.")
	}
	access, refresh := newToken(), newToken()
	family := newToken()
	at := p.accessRecord(access, client.ClientID, c.UserID, c.Scopes, now, c.AuthTime)
	at.FamilyID, at.CodeHash = family, c.Hash
	rt := p.refreshRecord(refresh, at, now.Add(p.cfg.RefreshTokenTTL))
	err = p.cfg.Store.SaveTokens(ctx, at, rt)
	reused := errors.Is(err, oauth2store.ErrCodeReused)
	if err != nil && !reused {
		return nil, err
	}
	tok := p.response(access, refresh, c.Scopes)
	if reused {
		// The code was presented again while this redemption, which won
		// it, ran: RFC 6749 section 4.1.2 denies the other request and
		// revokes what this one issued. This one still answers (exactly
		// one redemption of a code succeeds), but its tokens were never
		// stored, so they are dead from the start, and it carries no
		// id_token: nobody is logged in by a code that was stolen.
		return tok, nil
	}
	if slices.Contains(c.Scopes, "openid") {
		if tok.IDToken, err = p.idToken(u, client.ClientID, c.Nonce, c.AuthTime, access, c.Scopes, now); err != nil {
			return nil, err
		}
	}
	return tok, nil
}

func (p *Provider) accessRecord(token, clientID, userID string, scopes []string, now, authTime time.Time) oauth2store.Token {
	return oauth2store.Token{
		Hash: oauth2store.HashToken(token), Kind: oauth2store.KindAccess, ClientID: clientID, UserID: userID,
		Scopes: scopes, ExpiresAt: now.Add(p.cfg.AccessTokenTTL), AuthTime: authTime, IssuedAt: now,
	}
}

func (p *Provider) refreshRecord(token string, at oauth2store.Token, expires time.Time) oauth2store.Token {
	rt := at
	rt.Hash, rt.Kind, rt.ExpiresAt = oauth2store.HashToken(token), oauth2store.KindRefresh, expires
	return rt
}

func (p *Provider) response(access, refresh string, scopes []string) *OAuth2Token {
	return &OAuth2Token{AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(p.cfg.AccessTokenTTL / time.Second),
		RefreshToken: refresh, Scope: strings.Join(scopes, " ")}
}

// liveUser returns the active user with that id for a code or token
// issued at issued, or nil: when there is no such user, when the user is
// inactive, or when the code or token was issued at or before the user's
// "valid after" stamp (Config.ValidAfter).
func (p *Provider) liveUser(ctx context.Context, id string, issued time.Time) (core.User, error) {
	if id == "" {
		return nil, nil
	}
	if p.cfg.ValidAfter != nil {
		stamp, err := p.cfg.ValidAfter(ctx, id)
		if err != nil {
			return nil, err
		}
		if !stamp.IsZero() && !issued.After(stamp) {
			return nil, nil
		}
	}
	u, err := p.cfg.Users.GetUser(ctx, id)
	if err != nil || u == nil || !u.IsActive() {
		return nil, err
	}
	return u, nil
}

// ClientCredentials issues an access token to a confidential client the
// caller has authenticated (RFC 6749 section 4.4): no refresh token and
// no user.
func (p *Provider) ClientCredentials(ctx context.Context, client *Application, scope string) (*OAuth2Token, error) {
	if client.ClientType != ClientConfidential || !hasGrant(client, GrantClientCredentials) {
		return nil, oerr(ErrCodeUnauthorizedClient, "The client is not authorized to use this grant type.")
	}
	scopes, err := p.resolveScopes(client, scope)
	if err != nil {
		return nil, err
	}
	now := p.now()
	access := newToken()
	if err := p.cfg.Store.SaveTokens(ctx, p.accessRecord(access, client.ClientID, "", scopes, now, time.Time{})); err != nil {
		return nil, err
	}
	return p.response(access, "", scopes), nil
}

// Refresh rotates a refresh token of client, which the caller has
// authenticated (RFC 6749 section 6): a new access and refresh token in the
// same family, whose absolute expiry they keep. scope may narrow the
// access token's scope, never widen it; the new refresh token keeps the
// scope of the one it replaces. A spent refresh token presented again revokes its
// whole family; another client's is invalid_grant.
func (p *Provider) Refresh(ctx context.Context, client *Application, refreshToken, scope string) (*OAuth2Token, error) {
	if !hasGrant(client, GrantRefreshToken) && !hasGrant(client, GrantAuthorizationCode) {
		return nil, oerr(ErrCodeUnauthorizedClient, "The client is not authorized to use this grant type.")
	}
	if refreshToken == "" {
		return nil, invalidRequest("Missing refresh_token parameter.")
	}
	now := p.now()
	hash := oauth2store.HashToken(refreshToken)
	old, found, err := p.cfg.Store.Token(ctx, hash, now)
	if err != nil {
		return nil, err
	}
	if !found || old.Kind != oauth2store.KindRefresh || subtle.ConstantTimeCompare([]byte(old.ClientID), []byte(client.ClientID)) != 1 {
		if !found {
			// Maybe spent: presenting it again revokes its family.
			if _, _, err := p.cfg.Store.RotateRefreshToken(ctx, hash, client.ClientID, now); err != nil {
				return nil, err
			}
		}
		return nil, invalidGrant("The refresh token is invalid.")
	}
	scopes := old.Scopes
	if scope != "" {
		narrowed, err := p.resolveScopes(client, scope)
		if err != nil {
			return nil, err
		}
		for _, s := range narrowed {
			if !slices.Contains(old.Scopes, s) {
				return nil, invalidScope("The requested scope exceeds the scope granted by the resource owner.")
			}
		}
		scopes = narrowed
	}
	u, err := p.liveUser(ctx, old.UserID, old.IssuedAt)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, invalidGrant("The user is no longer active.")
	}
	access, refresh := newToken(), newToken()
	at := p.accessRecord(access, client.ClientID, old.UserID, scopes, now, old.AuthTime)
	at.FamilyID, at.CodeHash = old.FamilyID, old.CodeHash
	rt := p.refreshRecord(refresh, at, old.ExpiresAt)
	// The new refresh token keeps the grant's whole scope (RFC 6749
	// section 6); only the access token is narrowed.
	rt.Scopes = old.Scopes
	_, st, err := p.cfg.Store.RotateRefreshToken(ctx, hash, client.ClientID, now, at, rt)
	if err != nil {
		return nil, err
	}
	if st != oauth2store.RotateOK {
		return nil, invalidGrant("The refresh token is invalid.")
	}
	return p.response(access, refresh, scopes), nil
}

// AccessToken is what VerifyToken and the Bearer authenticator learn of
// a live access token: the Identity's Credentials for "oauth2".
type AccessToken struct {
	ClientID string
	// UserID is "" for a client-credentials token.
	UserID    string
	Scopes    []string
	ExpiresAt time.Time
	IssuedAt  time.Time
	AuthTime  time.Time
}

// HasScope reports whether the token was granted scope.
func (t *AccessToken) HasScope(scope string) bool { return slices.Contains(t.Scopes, scope) }

// errInvalidToken is VerifyToken's refusal.
var errInvalidToken = core.NewAuthError(core.ErrInvalidToken, "Invalid token.")

// VerifyToken returns the live access token: the reference's
// verify_token. An unknown, expired or revoked token, a refresh token, or
// one whose user is gone or inactive is a *core.AuthenticationError of
// kind core.ErrInvalidToken; a store failure wraps
// core.ErrStoreUnavailable.
func (p *Provider) VerifyToken(ctx context.Context, token string) (*AccessToken, error) {
	t, _, err := p.verify(ctx, token)
	return t, err
}

func (p *Provider) verify(ctx context.Context, token string) (*AccessToken, core.User, error) {
	if token == "" || len(token) > maxTokenBytes {
		return nil, nil, errInvalidToken
	}
	st, found, err := p.cfg.Store.Token(ctx, oauth2store.HashToken(token), p.now())
	if err != nil {
		return nil, nil, err
	}
	if !found || st.Kind != oauth2store.KindAccess {
		return nil, nil, errInvalidToken
	}
	var u core.User
	if st.UserID != "" {
		if u, err = p.liveUser(ctx, st.UserID, st.IssuedAt); err != nil {
			return nil, nil, err
		}
		if u == nil {
			return nil, nil, errInvalidToken
		}
	}
	return &AccessToken{ClientID: st.ClientID, UserID: st.UserID, Scopes: st.Scopes, ExpiresAt: st.ExpiresAt,
		IssuedAt: st.IssuedAt, AuthTime: st.AuthTime}, u, nil
}

// maxTokenBytes: a longer bearer is refused without a lookup.
const maxTokenBytes = 8 << 10

// Revoke revokes a token of client (RFC 7009): an access token alone, a
// refresh token with its family. An unknown token, or another client's,
// is not an error (the endpoint answers 200 either way).
func (p *Provider) Revoke(ctx context.Context, client *Application, token string) error {
	if token == "" || len(token) > maxTokenBytes {
		return nil
	}
	revoked, err := p.cfg.Store.RevokeToken(ctx, oauth2store.HashToken(token), client.ClientID)
	if err != nil {
		return err
	}
	if revoked {
		p.cfg.Events.Emit(ctx, &events.OAuth2TokenRevoked{ClientID: client.ClientID})
	}
	return nil
}

// Introspection is RFC 7662's answer. An inactive token is exactly
// {"active": false}.
type Introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Username  string `json:"username,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Iss       string `json:"iss,omitempty"`
}

// Introspect describes a token (RFC 7662): an access or refresh token
// that is live and whose user is active, or {"active": false}. It
// describes any client's token to its caller, who must be trusted with it;
// IntrospectEndpoint tells a client only of its own tokens unless the
// client is registered with ScopeIntrospection.
func (p *Provider) Introspect(ctx context.Context, token string) (*Introspection, error) {
	if token == "" || len(token) > maxTokenBytes {
		return &Introspection{}, nil
	}
	st, found, err := p.cfg.Store.Token(ctx, oauth2store.HashToken(token), p.now())
	if err != nil || !found {
		return &Introspection{}, err
	}
	out := &Introspection{Active: true, Scope: strings.Join(st.Scopes, " "), ClientID: st.ClientID,
		TokenType: "Bearer", Exp: st.ExpiresAt.Unix(), Iat: st.IssuedAt.Unix(), Iss: p.cfg.Issuer}
	if st.Kind == oauth2store.KindRefresh {
		out.TokenType = "refresh_token"
	}
	if st.UserID != "" {
		u, err := p.liveUser(ctx, st.UserID, st.IssuedAt)
		if err != nil || u == nil {
			return &Introspection{}, err
		}
		out.Username, out.Sub = u.GetUsername(), u.GetID()
	}
	return out, nil
}
