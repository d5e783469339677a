package oauth2

import (
	"net/http"
	"strings"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// Metadata is the RFC 8414 authorization server metadata, and with the
// OpenID Connect fields the Discovery 1.0 document.
type Metadata struct {
	Issuer                                 string   `json:"issuer"`
	AuthorizationEndpoint                  string   `json:"authorization_endpoint"`
	TokenEndpoint                          string   `json:"token_endpoint"`
	RevocationEndpoint                     string   `json:"revocation_endpoint"`
	IntrospectionEndpoint                  string   `json:"introspection_endpoint"`
	UserInfoEndpoint                       string   `json:"userinfo_endpoint,omitempty"`
	JWKSURI                                string   `json:"jwks_uri"`
	ScopesSupported                        []string `json:"scopes_supported"`
	ResponseTypesSupported                 []string `json:"response_types_supported"`
	ResponseModesSupported                 []string `json:"response_modes_supported"`
	GrantTypesSupported                    []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported      []string `json:"token_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethods       []string `json:"introspection_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported          []string `json:"code_challenge_methods_supported"`
	// AuthorizationResponseISSParameterSupported: authorization responses
	// carry iss (RFC 9207); always true.
	AuthorizationResponseISSParameterSupported bool     `json:"authorization_response_iss_parameter_supported"`
	SubjectTypesSupported                      []string `json:"subject_types_supported,omitempty"`
	IDTokenSigningAlgValuesSupported           []string `json:"id_token_signing_alg_values_supported,omitempty"`
	ClaimsSupported                            []string `json:"claims_supported,omitempty"`
}

func (p *Provider) endpointURL(path string) string {
	return strings.TrimSuffix(p.cfg.Issuer, "/") + path
}

// Metadata returns the provider's RFC 8414 metadata; with oidc, the OpenID
// Connect Discovery 1.0 fields too. The implicit grant is never advertised
// (response_type token, response mode fragment, grant type implicit): it
// serves only the legacy applications registered with it, and a client
// that discovers the server should not pick it (RFC 9700).
func (p *Provider) Metadata(oidc bool) *Metadata {
	ps := p.cfg.Paths
	m := &Metadata{
		Issuer:                                     p.cfg.Issuer,
		AuthorizationEndpoint:                      p.endpointURL(ps.Authorize),
		TokenEndpoint:                              p.endpointURL(ps.Token),
		RevocationEndpoint:                         p.endpointURL(ps.Revoke),
		IntrospectionEndpoint:                      p.endpointURL(ps.Introspect),
		JWKSURI:                                    p.endpointURL(ps.JWKS),
		ScopesSupported:                            p.scopes,
		ResponseTypesSupported:                     []string{"code"},
		ResponseModesSupported:                     []string{"query"},
		GrantTypesSupported:                        []string{GrantAuthorizationCode, GrantClientCredentials, GrantRefreshToken},
		TokenEndpointAuthMethodsSupported:          []string{"client_secret_basic", "client_secret_post", "none"},
		RevocationEndpointAuthMethodsSupported:     []string{"client_secret_basic", "client_secret_post", "none"},
		IntrospectionEndpointAuthMethods:           []string{"client_secret_basic", "client_secret_post"},
		CodeChallengeMethodsSupported:              []string{PKCEMethodS256},
		AuthorizationResponseISSParameterSupported: true,
	}
	if oidc {
		m.UserInfoEndpoint = p.endpointURL(ps.UserInfo)
		m.SubjectTypesSupported = []string{"public"}
		m.IDTokenSigningAlgValuesSupported = []string{string(p.alg)}
		m.ClaimsSupported = []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
			"preferred_username", "name", "given_name", "family_name", "email"}
	}
	return m
}

func metadataEndpoint(m *Metadata) core.Endpoint {
	return core.EndpointFunc(func(w core.Response, r core.Request) error {
		if r.Method() != http.MethodGet && r.Method() != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			return core.MethodNotAllowed(r.Method())
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		return core.WriteJSON(w, http.StatusOK, m)
	})
}

// MetadataEndpoint serves the RFC 8414 metadata (mount it at GET
// /.well-known/oauth-authorization-server).
func (p *Provider) MetadataEndpoint() core.Endpoint { return metadataEndpoint(p.Metadata(false)) }

// OpenIDConfigurationEndpoint serves the OpenID Connect Discovery 1.0
// document (mount it at GET /.well-known/openid-configuration).
func (p *Provider) OpenIDConfigurationEndpoint() core.Endpoint {
	return metadataEndpoint(p.Metadata(true))
}

// JWKSEndpoint serves the public keys of the id_token signer (mount it at
// Paths.JWKS); it is Signer().JWKSHandler().
func (p *Provider) JWKSEndpoint() core.Endpoint { return p.cfg.Signer.JWKSHandler() }

// bearerToken returns the credential of an "Authorization: Bearer"
// header (the scheme in any case, as DRF compares it). ok is false when
// there is no such header; a malformed one is an error.
func bearerToken(r core.Request) (token string, ok bool, err error) {
	vals := r.HeaderValues("Authorization")
	if len(vals) == 0 {
		return "", false, nil
	}
	if len(vals) > 1 {
		return "", true, errInvalidToken
	}
	scheme, rest, _ := strings.Cut(vals[0], " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false, nil
	}
	token = strings.Trim(rest, " \t")
	if token == "" || strings.ContainsAny(token, " \t") || len(token) > maxTokenBytes {
		return "", true, errInvalidToken
	}
	return token, true, nil
}

// UserInfoEndpoint is OpenID Connect's UserInfo endpoint (mount it at
// Paths.UserInfo for GET and POST): the Bearer access token's user as
// {"sub", and the claims of its profile and email scopes}. No token is
// 401 with WWW-Authenticate: Bearer, without an error code and with an
// empty body (RFC 6750 section 3.1); a token that is
// not valid 401 with error="invalid_token"; a valid token without the
// openid scope 403 with error="insufficient_scope". Mount it outside the
// engine's middleware: there a bearer that is not valid would get the
// engine's DRF answer instead.
func (p *Provider) UserInfoEndpoint() core.Endpoint {
	return core.EndpointFunc(func(w core.Response, r core.Request) error {
		if r.Method() != http.MethodGet && r.Method() != http.MethodPost {
			w.Header().Set("Allow", "GET, POST")
			return core.MethodNotAllowed(r.Method())
		}
		h := w.Header()
		noStore(h)
		token, ok, err := bearerToken(r)
		if !ok {
			h.Set("WWW-Authenticate", `Bearer realm="oauth2"`)
			return w.Write(http.StatusUnauthorized, nil)
		}
		if err == nil && jwtauth.LooksLikeJWT(token) {
			err = errInvalidToken
		}
		var at *AccessToken
		var u core.User
		if err == nil {
			at, u, err = p.verify(r.Context(), token)
		}
		if err == nil && u == nil {
			err = errInvalidToken // a client-credentials token has no user
		}
		if err != nil {
			if e := asError(err); e.Status == http.StatusServiceUnavailable {
				return writeError(w, err)
			}
			h.Set("WWW-Authenticate", `Bearer realm="oauth2", error="invalid_token"`)
			return core.WriteJSON(w, http.StatusUnauthorized, errorBody{ErrCodeInvalidToken, "The access token is invalid."})
		}
		if !at.HasScope("openid") {
			h.Set("WWW-Authenticate", `Bearer realm="oauth2", error="insufficient_scope", scope="openid"`)
			return core.WriteJSON(w, http.StatusForbidden, errorBody{ErrCodeInsufficientScope, "The access token has no openid scope."})
		}
		claims := userClaims(u, at.Scopes)
		claims["sub"] = u.GetID()
		return core.WriteJSON(w, http.StatusOK, claims)
	})
}
