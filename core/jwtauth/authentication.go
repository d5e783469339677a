package jwtauth

import (
	"context"
	"errors"

	"github.com/reinhardt-go/auth/core"
)

// UserLookup finds the user a token names by its user_id. GetUser returns
// (nil, nil) for an unknown id and an error only when the store failed
// (wrapping core.ErrStoreUnavailable). core.AuthBackend satisfies it; for
// a core.UserStore use StoreUsers.
type UserLookup interface {
	GetUser(ctx context.Context, id string) (core.User, error)
}

// StoreUsers looks users up in a core.UserStore by id. Unlike
// core.ModelBackend.GetUser it returns inactive users too, so that the
// Authentication can answer "User is inactive" as simplejwt does.
func StoreUsers(s core.UserStore) UserLookup { return storeUsers{s} }

type storeUsers struct{ s core.UserStore }

func (s storeUsers) GetUser(ctx context.Context, id string) (core.User, error) {
	u, err := core.LookUpID(ctx, s.s, id)
	if err != nil || u == nil {
		return nil, err
	}
	return u, nil
}

// Authentication is simplejwt's JWTAuthentication as a core.Authenticator:
// it reads "Authorization: <type> <token>" (types from WithHeaderTypes,
// "Bearer" by default, matched exactly), verifies the access token with
// JWT and loads its user with Users. With Users nil it is
// JWTStatelessUserAuthentication: the user is a TokenUser made from the
// claims, without a lookup.
//
//   - No header, another scheme, or a Bearer credential that is not a JWS
//     (an opaque OAuth2 token, say): (nil, nil), the next authenticator
//     tries.
//   - Not exactly two space-delimited values: 401 bad_authorization_header.
//   - A token that does not verify: 401 with simplejwt's body, {"detail":
//     "Given token not valid for any token type", "code":
//     "token_not_valid", "messages": [...]}.
//   - No user_id claim, unknown or inactive user: 401 with simplejwt's
//     messages and codes.
//
// The identity's Method is "jwt" and its Credentials the *Claims.
type Authentication struct {
	JWT   *JWTAuth
	Users UserLookup
	// Realm of the challenge; "" means "api", simplejwt's.
	Realm string
}

// NewAuthentication returns the authenticator verifying with j and
// looking users up in users (nil: stateless).
func NewAuthentication(j *JWTAuth, users UserLookup) *Authentication {
	return &Authentication{JWT: j, Users: users}
}

// Challenge implements core.Challenger: `Bearer realm="api"` (the first
// header type).
func (a *Authentication) Challenge() string {
	realm := a.Realm
	if realm == "" {
		realm = "api"
	}
	return a.JWT.cfg.headerTypes[0] + ` realm="` + realm + `"`
}

// maxHeaderSlack is how much longer than MaxTokenBytes an Authorization
// header may be (the scheme and the spaces around the token).
const maxHeaderSlack = 128

// ParseAuthorization extracts the token of a header of one of types, as
// simplejwt's get_raw_token does, with two additions: a header longer than
// MaxTokenBytes (plus room for the scheme) is refused before it is split,
// and a credential that is not shaped like a JWS (see LooksLikeJWT) is not
// ours.
//
// ok is false when the header is not of our schemes or not a JWS: another
// authenticator's. When ok is true, either token is the credential or err
// is the failure to answer (401).
func ParseAuthorization(header string, types []string) (token string, ok bool, err error) {
	rest, ours := splitScheme(header, types)
	if !ours {
		return "", false, nil
	}
	if len(header) > MaxTokenBytes+maxHeaderSlack {
		return "", true, invalidTokenFailure(tokenErr(MsgInvalid, ErrTokenTooLarge))
	}
	// One pass over the credential: where it ends, and whether it is a JWS.
	i := 0
	for i < len(rest) && charClass[rest[i]] == clsSpace {
		i++
	}
	rest = rest[i:]
	n, jws := scanJWS(rest)
	tok, extra := rest[:n], rest[n:]
	for i := 0; i < len(extra); i++ {
		if charClass[extra[i]] != clsSpace {
			tok = ""
			break
		}
	}
	if tok == "" {
		return "", true, failure(core.ErrInvalidToken, "Authorization header must contain two space-delimited values", "bad_authorization_header")
	}
	if len(tok) > MaxTokenBytes {
		return "", true, invalidTokenFailure(tokenErr(MsgInvalid, ErrTokenTooLarge))
	}
	if !jws {
		return "", false, nil
	}
	return tok, true, nil
}

// Byte classes for the scanners.
const (
	clsOther = iota
	clsB64   // base64url alphabet
	clsDot
	clsSpace // what Python's bytes.split() splits on
)

var charClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = clsB64
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = clsB64
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clsB64
	}
	t['-'], t['_'], t['.'] = clsB64, clsB64, clsDot
	for _, c := range " \t\n\r\v\f" {
		t[c] = clsSpace
	}
	return t
}()

// scanJWS returns the length of the first field of s (s starts with it)
// and whether that field has the shape LooksLikeJWT describes.
func scanJWS(s string) (n int, jws bool) {
	dots, lastDot := 0, -1
	jws = len(s) > 0 && s[0] == 'e'
	for ; n < len(s); n++ {
		c := charClass[s[n]]
		if c == clsB64 {
			continue
		}
		switch c {
		case clsDot:
			if n == lastDot+1 { // an empty header or payload
				jws = false
			}
			dots++
			lastDot = n
			continue
		case clsSpace:
		default:
			jws = false
			continue
		}
		break
	}
	return n, jws && dots == 2 && n <= MaxTokenBytes
}

// Authenticate implements core.Authenticator.
func (a *Authentication) Authenticate(r core.Request) (*core.Identity, error) {
	header := r.Header("Authorization")
	ctx := r.Context()
	claims, hit, err := a.cached(ctx, header)
	if !hit && err == nil {
		var token string
		var ok bool
		token, ok, err = ParseAuthorization(header, a.JWT.cfg.headerTypes)
		if !ok || err != nil {
			return nil, err
		}
		claims, err = a.JWT.Verify(ctx, token, AccessToken)
	}
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) {
			return nil, invalidTokenFailure(te)
		}
		return nil, err
	}
	if claims.UserID == "" {
		return nil, failure(core.ErrInvalidToken, "Token contained no recognizable user identification", "token_not_valid")
	}
	if a.Users == nil {
		return &core.Identity{User: &TokenUser{Claims: claims}, Method: "jwt", Credentials: claims}, nil
	}
	u, err := a.Users.GetUser(ctx, claims.UserID)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, failure(core.ErrUserNotFound, "User not found", "user_not_found")
	}
	if !u.IsActive() {
		return nil, failure(core.ErrInvalidCredentials, "User is inactive", "user_inactive")
	}
	return &core.Identity{User: u, Method: "jwt", Credentials: claims}, nil
}

// cached answers a header whose credential is an access token in the
// verified-token cache without scanning the credential: a cached token is
// known to be a single JWS, so the header is ours and has two values.
func (a *Authentication) cached(ctx context.Context, header string) (*Claims, bool, error) {
	if a.JWT.cache == nil || len(header) > MaxTokenBytes+maxHeaderSlack {
		return nil, false, nil
	}
	rest, ours := splitScheme(header, a.JWT.cfg.headerTypes)
	if !ours {
		return nil, false, nil
	}
	i, j := 0, len(rest)
	for i < j && charClass[rest[i]] == clsSpace {
		i++
	}
	for j > i && charClass[rest[j-1]] == clsSpace {
		j--
	}
	return a.JWT.cached(ctx, rest[i:j])
}

// TokenUser is simplejwt's TokenUser: the user a verified token describes,
// without a database lookup (Authentication with Users nil). It is always
// active (simplejwt never issues tokens to inactive users) and never
// staff.
type TokenUser struct {
	Claims *Claims
}

// GetID is the user_id claim.
func (u *TokenUser) GetID() string { return u.Claims.UserID }

// GetUsername is the username claim ("" when the token has none).
func (u *TokenUser) GetUsername() string { return u.Claims.Username }

// IsAuthenticated is true.
func (u *TokenUser) IsAuthenticated() bool { return true }

// IsActive is true.
func (u *TokenUser) IsActive() bool { return true }

// IsAdmin is false.
func (u *TokenUser) IsAdmin() bool { return false }

// LooksLikeJWT reports whether s has the shape of a JWS compact
// serialization: at most MaxTokenBytes, exactly two dots, only base64url
// characters, a header segment that decodes to a JSON object (it starts
// with "e", the encoding of "{") and a non-empty payload. It decodes
// nothing.
func LooksLikeJWT(s string) bool {
	n, jws := scanJWS(s)
	return jws && n == len(s)
}

// splitScheme reports whether header's first field is one of types
// (exactly, as simplejwt compares) and returns what follows it. Only the
// first maxHeaderSlack bytes are looked at, so a huge header of any kind
// costs nothing here.
func splitScheme(header string, types []string) (rest string, ok bool) {
	limit := min(len(header), maxHeaderSlack)
	i := 0
	for i < limit && charClass[header[i]] == clsSpace {
		i++
	}
	j := i
	for j < limit && charClass[header[j]] != clsSpace {
		j++
	}
	if i == j || (j < len(header) && charClass[header[j]] != clsSpace) {
		return "", false // no field, or one longer than the probe
	}
	scheme := header[i:j]
	for _, t := range types {
		if scheme == t {
			return header[j:], true
		}
	}
	return "", false
}
