package oauth2

import (
	"context"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// MethodOAuth2 is the Identity.Method of a request authenticated by an
// OAuth2 access token.
const MethodOAuth2 = "oauth2"

// Authentication is the Bearer authenticator of resource endpoints
// (django-oauth-toolkit's OAuth2Authentication for DRF): an opaque access
// token in "Authorization: Bearer", looked up by its hash. It returns
// (nil, nil) without a Bearer header and for a bearer shaped like a JWT
// (three dot-separated base64url parts: jwtauth.LooksLikeJWT), which the
// JWT authenticator owns; an unknown, expired or revoked token, or one
// whose user is gone or inactive, is 401. The identity's Method is
// "oauth2" and its Credentials the *AccessToken (its scopes; see
// TokenFromIdentity). A client-credentials token has no user: its
// identity's User is core.AnonymousUser, so IsAuthenticated refuses it
// while TokenHasScope may allow it.
type Authentication struct {
	p *Provider
}

// Authentication returns the provider's Bearer authenticator.
func (p *Provider) Authentication() *Authentication { return &Authentication{p: p} }

// Challenge is `Bearer realm="api"`.
func (a *Authentication) Challenge() string { return `Bearer realm="api"` }

// Authenticate implements core.Authenticator.
func (a *Authentication) Authenticate(r core.Request) (*core.Identity, error) {
	token, ok, err := bearerToken(r)
	if !ok {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if jwtauth.LooksLikeJWT(token) {
		return nil, nil
	}
	at, u, err := a.p.verify(r.Context(), token)
	if err != nil {
		return nil, err
	}
	if u == nil {
		u = core.AnonymousUser{}
	}
	return &core.Identity{User: u, Method: MethodOAuth2, Credentials: at}, nil
}

// TokenFromIdentity returns the access token that authenticated id.
func TokenFromIdentity(id *core.Identity) (*AccessToken, bool) {
	if id == nil {
		return nil, false
	}
	t, ok := id.Credentials.(*AccessToken)
	return t, ok && t != nil
}

// TokenFromContext returns the access token that authenticated the
// request of ctx.
func TokenFromContext(ctx context.Context) (*AccessToken, bool) {
	return TokenFromIdentity(core.IdentityFromContext(ctx))
}

func tokenOf(pc *core.PermissionContext) (*AccessToken, bool) {
	t, ok := pc.Credentials.(*AccessToken)
	return t, ok && t != nil
}

// TokenHasScope is django-oauth-toolkit's TokenHasScope: the request was
// authenticated by an OAuth2 access token that has every one of these
// scopes (DOT's required_scopes). Any other authentication is refused.
type TokenHasScope []string

// HasPermission implements core.Permission.
func (s TokenHasScope) HasPermission(_ context.Context, pc *core.PermissionContext) bool {
	t, ok := tokenOf(pc)
	if !ok {
		return false
	}
	for _, want := range s {
		if !t.HasScope(want) {
			return false
		}
	}
	return true
}

// The scopes of TokenHasReadWriteScope (django-oauth-toolkit's READ_SCOPE
// and WRITE_SCOPE).
const (
	ReadScope  = "read"
	WriteScope = "write"
)

// TokenHasReadWriteScope is django-oauth-toolkit's TokenHasReadWriteScope:
// an OAuth2 access token with the read scope for safe methods (GET, HEAD,
// OPTIONS) and the write scope for the others, and every scope listed
// (DOT's required_scopes). Any other authentication is refused.
type TokenHasReadWriteScope []string

// HasPermission implements core.Permission.
func (s TokenHasReadWriteScope) HasPermission(ctx context.Context, pc *core.PermissionContext) bool {
	need := WriteScope
	if core.IsSafeMethod(pc.Method()) {
		need = ReadScope
	}
	return append(TokenHasScope{need}, s...).HasPermission(ctx, pc)
}
