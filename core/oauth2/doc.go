// Package oauth2 is an OAuth2 provider with OpenID Connect, after
// django-oauth-toolkit: applications, grants, opaque tokens stored hashed,
// the authorize, token, revoke, introspect, userinfo and discovery
// endpoints, a Bearer authenticator and scope permissions.
package oauth2
