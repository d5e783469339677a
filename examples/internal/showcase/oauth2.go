package showcase

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/oauth2"
)

// The demo OAuth2 clients -demo registers on an empty database.
const (
	DemoConfidentialClient = "demo-confidential"
	DemoPublicClient       = "demo-public"
	// DemoRedirectURI is both demo clients' redirect URI (a local
	// callback, as a command-line client or a test listens on).
	DemoRedirectURI = "http://127.0.0.1:8765/callback"
)

// oidcKeySetting is the reinhardt_settings row that keeps the id_token
// signing key under -jwt-alg HS256.
const oidcKeySetting = "oidc_rsa_key"

// openOAuth2 builds the OAuth2 provider over the database's OAuth2 tables
// (with -redis the codes and tokens in Redis):
// the issuer (-issuer), the site's CSRF protector for the consent form,
// the showcase's consent template, -access-ttl and -refresh-ttl, and the
// id_token key (idTokenSigner). The JWKS endpoint publishes the JWT keys
// and the id_token key together.
func (a *App) openOAuth2(ctx context.Context) error {
	signer, err := a.idTokenSigner(ctx)
	if err != nil {
		return fmt.Errorf("id_token key: %w", err)
	}
	store, err := a.oauth2Store()
	if err != nil {
		return fmt.Errorf("-redis: %w", err)
	}
	store = wrap(a.wrap.OAuth2, store)
	p, err := oauth2.NewProvider(oauth2.Config{
		Events:          a.Events,
		Store:           store,
		Users:           a.Backend,
		Issuer:          a.Config.Issuer,
		CSRF:            a.CSRF,
		Signer:          signer,
		ConsentTemplate: ConsentTemplate,
		AccessTokenTTL:  a.Config.AccessTTL,
		RefreshTokenTTL: a.Config.RefreshTTL,
		// One stamp ends the user's JWTs and OAuth2 tokens alike: logout
		// everywhere, a password change, a password reset.
		ValidAfter: a.Tokens.RefreshStore().ValidAfter,
	})
	if err != nil {
		return fmt.Errorf("-issuer: %w", err)
	}
	a.OAuth2 = p
	a.startRedisCleanup(store)
	keys := a.JWT.Keys()
	for _, k := range signer.Keys() {
		if !slices.ContainsFunc(keys, func(o *jwtauth.Key) bool { return o.ID() == k.ID() }) {
			keys = append(keys, k)
		}
	}
	jwks, err := jwtauth.MarshalJWKS(keys...)
	if err != nil {
		return err
	}
	a.JWKS = jwksEndpoint(jwks)
	return nil
}

// idTokenSigner is the key id_tokens are signed with. With an asymmetric
// -jwt-alg it is the JWT signing key; with HS256 (whose secret cannot be
// published) it is an RSA key of 2048 bits made on the first start and
// kept in reinhardt_settings (PKCS#8 PEM), as the generated secret is, so
// that id_tokens verify across restarts and replicas. Its kid is its RFC
// 7638 thumbprint.
func (a *App) idTokenSigner(ctx context.Context) (*jwtauth.JWTAuth, error) {
	if jwtauth.Algorithm(a.Config.JWTAlg) != jwtauth.HS256 {
		return jwtauth.NewWithKey(a.JWT.SigningKey())
	}
	text, _, err := a.keptSetting(ctx, oidcKeySetting, func() (string, error) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return "", err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return "", err
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
	})
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("the kept id_token key is not PEM")
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the kept id_token key: %w", err)
	}
	k, err := jwtauth.NewKey("", jwtauth.RS256, priv)
	if err != nil {
		return nil, err
	}
	kid, err := jwtauth.Thumbprint(k)
	if err != nil {
		return nil, err
	}
	if k, err = jwtauth.NewKey(kid, jwtauth.RS256, priv); err != nil {
		return nil, err
	}
	return jwtauth.NewWithKey(k)
}

// jwksEndpoint serves a JWK Set at GET and HEAD, as JWTAuth.JWKSHandler
// does (15 minutes of public caching).
func jwksEndpoint(jwks []byte) core.Endpoint {
	return core.EndpointFunc(func(w core.Response, r core.Request) error {
		if m := r.Method(); m != http.MethodGet && m != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			return core.MethodNotAllowed(m)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=900")
		return w.Write(http.StatusOK, jwks)
	})
}

// seedDemoClients registers demo-confidential (confidential: the
// authorization code grant with refresh, and client credentials) and
// demo-public (public: the authorization code grant with PKCE, and
// refresh), both redirecting to DemoRedirectURI and allowed every scope
// the provider knows. Their credentials are kept in DemoClients to be
// printed once.
func (a *App) seedDemoClients(ctx context.Context) error {
	scopes := []string{"openid", "profile", "email", "read", "write"}
	for _, in := range []oauth2.NewApplication{
		{ClientID: DemoConfidentialClient, ClientType: oauth2.ClientConfidential, Name: "Demo confidential client",
			GrantTypes:   []string{oauth2.GrantAuthorizationCode, oauth2.GrantRefreshToken, oauth2.GrantClientCredentials},
			RedirectURIs: []string{DemoRedirectURI}, Scopes: scopes},
		{ClientID: DemoPublicClient, ClientType: oauth2.ClientPublic, Name: "Demo public client",
			GrantTypes:   []string{oauth2.GrantAuthorizationCode, oauth2.GrantRefreshToken},
			RedirectURIs: []string{DemoRedirectURI}, Scopes: scopes},
	} {
		creds, err := a.OAuth2.RegisterApplication(ctx, in)
		if errors.Is(err, oauth2.ErrDuplicateClientID) {
			continue // another replica seeded it
		}
		if err != nil {
			return fmt.Errorf("demo client %s: %w", in.ClientID, err)
		}
		a.DemoClients = append(a.DemoClients, *creds)
	}
	return nil
}

// OAuth2Scopes is the scope check of the resource endpoints a request
// authenticated by an OAuth2 access token reaches: django-oauth-toolkit's
// TokenHasReadWriteScope (read for GET and HEAD, write for the others).
// Requests authenticated otherwise pass it.
var OAuth2Scopes core.Permission = core.PermissionFunc(func(ctx context.Context, pc *core.PermissionContext) bool {
	if _, ok := pc.Credentials.(*oauth2.AccessToken); !ok {
		return true
	}
	return oauth2.TokenHasReadWriteScope{}.HasPermission(ctx, pc)
})
