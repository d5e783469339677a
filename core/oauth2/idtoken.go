package oauth2

import (
	"crypto"
	_ "crypto/sha512" // SHA-384 and SHA-512 for at_hash
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

func jwt5Registered(iss, aud string) jwt.RegisteredClaims {
	return jwt.RegisteredClaims{Issuer: iss, Audience: jwt.ClaimStrings{aud}}
}

// atHash is OpenID Connect's at_hash: the left half of the hash of the
// access token, by the hash of the signing algorithm (SHA-512 for
// EdDSA), base64url without padding.
func atHash(alg jwtauth.Algorithm, accessToken string) string {
	h := crypto.SHA256
	switch {
	case strings.HasSuffix(string(alg), "384"):
		h = crypto.SHA384
	case strings.HasSuffix(string(alg), "512"), alg == jwtauth.EdDSA:
		h = crypto.SHA512
	}
	d := h.New()
	d.Write([]byte(accessToken))
	sum := d.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// idToken signs the id_token of a code exchange (OpenID Connect Core
// section 2): iss, sub, aud, exp, iat, auth_time (when known), nonce (when
// sent), at_hash, and the claims of the profile and email scopes.
func (p *Provider) idToken(u core.User, clientID, nonce string, authTime time.Time, accessToken string, scopes []string, now time.Time) (string, error) {
	extra := map[string]any{"at_hash": atHash(p.alg, accessToken)}
	if !authTime.IsZero() {
		extra["auth_time"] = authTime.Unix()
	}
	if nonce != "" {
		extra["nonce"] = nonce
	}
	for k, v := range userClaims(u, scopes) {
		extra[k] = v
	}
	c := &jwtauth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: p.cfg.Issuer, Subject: u.GetID(), Audience: jwt.ClaimStrings{clientID},
			ExpiresAt: jwt.NewNumericDate(now.Add(p.cfg.IDTokenTTL)), IssuedAt: jwt.NewNumericDate(now),
		},
		Extra: extra,
	}
	return p.cfg.Signer.Sign(c)
}

// userClaims are the standard claims of the profile and email scopes
// (OpenID Connect Core section 5.4) that the user has: name, given_name,
// family_name, preferred_username; email. A user that is not a
// core.FullUser has only preferred_username.
func userClaims(u core.User, scopes []string) map[string]any {
	out := map[string]any{}
	fu, full := u.(core.FullUser)
	if slices.Contains(scopes, "profile") {
		out["preferred_username"] = u.GetUsername()
		if full {
			if n := fu.GetFullName(); n != "" {
				out["name"] = n
			}
			if n := fu.GetFirstName(); n != "" {
				out["given_name"] = n
			}
			if n := fu.GetLastName(); n != "" {
				out["family_name"] = n
			}
		}
	}
	if slices.Contains(scopes, "email") && full && fu.GetEmail() != "" {
		out["email"] = fu.GetEmail()
	}
	return out
}
