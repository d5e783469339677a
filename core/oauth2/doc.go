// Package oauth2 is an OAuth2 authorization server with OpenID Connect,
// after django-oauth-toolkit: the reference's OAuth2Authentication. One
// Provider, configured by a Config whose fields document their defaults,
// serves every part:
//
//	p, err := oauth2.NewProvider(oauth2.Config{
//		Store:  oauth2.NewMemoryStore(), // or stores/sqlstore's
//		Users:  backend,                 // core.AuthBackend: GetUser
//		Issuer: "https://auth.example.com",
//		CSRF:   protector,               // core/csrf, for the consent form
//	})
//	creds, err := p.RegisterApplication(ctx, oauth2.NewApplication{…})
//
// # Applications
//
// An Application (OAuth2Application) is confidential or public, has exact
// redirect URIs, the grant types and scopes it may use, a name for the
// consent page and SkipAuthorization. A redirect URI is https, http on a
// loopback host (127.0.0.1, [::1], localhost) or a native app's
// reverse-domain scheme (com.example.app:/cb), without fragment or
// userinfo (RFC 6749 section 3.1.2.1, RFC 8252). An application
// registered with the scope ScopeIntrospection is a resource server: it
// may introspect every client's tokens. A generated client secret has 260
// random bits and is stored as its SHA-256 ("sha256$<hex>"); a secret
// given to RegisterApplication, or stored by django-oauth-toolkit 2.x
// with make_password, is a Django password hash verified through
// core/hashers. Secrets are compared in constant time.
//
// # Grants
//
//   - Authorization code (RFC 6749 section 4.1) with PKCE (RFC 7636):
//     S256 only, required for public clients and accepted for
//     confidential ones; "plain", a missing method and a verifier without
//     a challenge are refused, a verifier must be 43 to 128 unreserved
//     characters. A code lives Config.CodeTTL (60 s, at most 10 minutes),
//     is bound to its client, redirect URI, PKCE challenge, nonce (at most
//     MaxNonceBytes), scopes, user and auth_time, and is used up before
//     anything else is checked: a wrong verifier spends it, and a code
//     presented again is invalid_grant and revokes every token it issued;
//     a redemption that a reuse overtakes before its tokens are stored
//     answers with tokens that were never valid and no id_token
//     (oauth2store.ErrCodeReused).
//   - Client credentials (section 4.4), for confidential clients: an
//     access token without a refresh token and without a user.
//   - Refresh token (section 6): each use rotates it; a spent refresh
//     token presented again revokes its whole family; a family expires
//     Config.RefreshTokenTTL after its code was redeemed, however often it
//     rotates; another client's refresh token is invalid_grant.
//   - Implicit (response_type=token), only for an application registered
//     with GrantImplicit (current practice, RFC 9700, retires it);
//     otherwise unsupported_response_type.
//
// The password grant is not offered: grant_type=password is
// unsupported_grant_type. Tokens and codes are 130 random bits
// (crypto/rand.Text) and stored only as their SHA-256 (oauth2store).
//
// # Endpoints
//
// Each is a core.Endpoint the adapters mount: AuthorizeEndpoint (GET shows
// the consent page through Config.ConsentTemplate, POST decides under the
// CSRF check; an unknown client or a redirect URI that is not registered
// is a 400 without Location, never a redirect; only a session login
// counts, Config.LoginMethods), TokenEndpoint
// (client_secret_basic with form-url-decoded id and secret, or
// client_secret_post, exactly one), RevokeEndpoint (RFC 7009),
// IntrospectEndpoint (RFC 7662, for confidential clients, each told only
// of its own tokens unless registered with ScopeIntrospection; an
// inactive token, or one the caller may not see, is exactly
// {"active": false}), MetadataEndpoint (RFC 8414),
// OpenIDConfigurationEndpoint (Discovery 1.0), UserInfoEndpoint and
// JWKSEndpoint. Errors are RFC 6749 section 5.2's JSON
// {"error","error_description"} with Cache-Control: no-store; a
// parameter sent twice is invalid_request; a store failure is 503
// temporarily_unavailable (fail closed). Every authorization response
// redirected to a client names the issuer (iss, RFC 9207); the consent
// page is kept out of frames and sends no Referer. The paths are
// django-oauth-toolkit's (DefaultPaths).
//
// # OpenID Connect
//
// With the openid scope the code exchange adds an id_token signed by
// Config.Signer (a jwtauth key ring; RS256 by default): iss, sub, aud,
// exp, iat, auth_time, nonce when the request had one, at_hash, and the
// claims of the profile and email scopes from the user (core.FullUser).
// redirect_uri is required with openid. prompt=none without a login is
// login_required at the redirect URI; max_age (in whole seconds) sends a
// login older than it back to the login page; prompt=login and max_age=0
// send the browser to log in again and accept only a login later than
// that redirect (the moment is kept in the session).
//
// # Resource endpoints
//
// Provider.Authentication is the Bearer authenticator for the engine: an
// opaque token is looked up by its hash (a JWT-shaped bearer is left to
// the JWT authenticator), the identity's Method is "oauth2" and its
// Credentials the *AccessToken. TokenHasScope and TokenHasReadWriteScope
// are django-oauth-toolkit's permissions.
//
// The store contract is package oauth2store (standard library only);
// stores/storetest/oauth2test is its conformance suite.
package oauth2
