package jwtauth

import (
	"maps"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenPair is what simplejwt's obtain-pair view returns: a refresh token
// and the access token derived from it. It encodes as {"refresh", "access"};
// the claims are for the caller (an outstanding-token store records the
// refresh jti and exp).
type TokenPair struct {
	Refresh       string  `json:"refresh"`
	Access        string  `json:"access"`
	RefreshClaims *Claims `json:"-"`
	AccessClaims  *Claims `json:"-"`
}

// NewPair returns a refresh token for userID (user_id, a string as
// simplejwt 5.5 emits) carrying extra as further claims, valid for
// WithRefreshTTL, and the access token derived from it as simplejwt's
// RefreshToken.access_token does (valid for WithAccessTTL from the same
// instant). extra may not name a modelled claim (token_type, user_id,
// username or a registered claim); set username with NewPairClaims.
func (j *JWTAuth) NewPair(userID string, extra map[string]any) (*TokenPair, error) {
	return j.NewPairClaims(&Claims{UserID: userID, Extra: extra})
}

// NewPairClaims is NewPair from claims: their user_id, username, sub,
// nbf and Extra are kept; token_type, exp, iat and jti are set.
func (j *JWTAuth) NewPairClaims(base *Claims) (*TokenPair, error) {
	now := j.cfg.clock()
	r := *base
	r.raw = ""
	r.Extra = maps.Clone(base.Extra)
	r.TokenType = RefreshToken
	r.IssuedAt = jwt.NewNumericDate(now)
	r.ExpiresAt = jwt.NewNumericDate(now.Add(j.cfg.refreshTTL))
	r.ID = NewJTI()
	refresh, err := j.Sign(&r)
	if err != nil {
		return nil, err
	}
	r.Issuer, r.Audience = j.issuedClaims(r.Issuer, r.Audience)
	access, ac, err := j.accessFrom(&r, r.Extra, now)
	if err != nil {
		return nil, err
	}
	return &TokenPair{Refresh: refresh, Access: access, RefreshClaims: &r, AccessClaims: ac}, nil
}

// issuedClaims are iss and aud as Sign writes them.
func (j *JWTAuth) issuedClaims(iss string, aud jwt.ClaimStrings) (string, jwt.ClaimStrings) {
	if j.cfg.issuer != "" {
		iss = j.cfg.issuer
	}
	if len(j.cfg.audience) > 0 {
		aud = jwt.ClaimStrings(j.cfg.audience)
	}
	return iss, aud
}

// AccessFromRefresh returns a new access token derived from verified
// refresh claims, as simplejwt's RefreshToken.access_token: every claim is
// copied except token_type, exp, jti and iat, which are new (exp is now
// plus WithAccessTTL). Verify the refresh token first (VerifyRefresh); the
// refresh endpoint also re-checks the user and the blacklist.
func (j *JWTAuth) AccessFromRefresh(refresh *Claims) (string, *Claims, error) {
	var extra map[string]any
	if refresh.raw != "" {
		// Verified claims: the unmodelled claims are in the payload.
		m, err := refresh.Map()
		if err != nil {
			return "", nil, err
		}
		for _, k := range modelled {
			delete(m, k)
		}
		if len(m) > 0 {
			extra = m
		}
	} else {
		extra = maps.Clone(refresh.Extra)
	}
	return j.accessFrom(refresh, extra, j.cfg.clock())
}

func (j *JWTAuth) accessFrom(r *Claims, extra map[string]any, now time.Time) (string, *Claims, error) {
	a := &Claims{
		TokenType: AccessToken,
		UserID:    r.UserID,
		Username:  r.Username,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    r.Issuer,
			Subject:   r.Subject,
			Audience:  r.Audience,
			NotBefore: r.NotBefore,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(j.cfg.accessTTL)),
			ID:        NewJTI(),
		},
		Extra: extra,
	}
	tok, err := j.Sign(a)
	if err != nil {
		return "", nil, err
	}
	a.Issuer, a.Audience = j.issuedClaims(a.Issuer, a.Audience)
	return tok, a, nil
}
