package oauth2store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Errors a store returns as answers (not failures).
var (
	// ErrDuplicateClientID: CreateApplication was given a client id that
	// is taken.
	ErrDuplicateClientID = errors.New("oauth2: client id is taken")
	// ErrDuplicateHash: SaveCode or SaveTokens was given a hash that is
	// already stored (a collision of 128+ random bits: a bug, never luck).
	ErrDuplicateHash = errors.New("oauth2: code or token hash already stored")
	// ErrCodeReused: SaveTokens was given a token whose CodeHash names a
	// code that ConsumeCode has answered CodeReused for. Nothing was
	// stored; the provider answers invalid_grant.
	ErrCodeReused = errors.New("oauth2: the authorization code was presented again; no tokens stored")
)

// Client types (RFC 6749 section 2.1), django-oauth-toolkit's names.
const (
	ClientConfidential = "confidential"
	ClientPublic       = "public"
)

// Grant types, as the token endpoint's grant_type names them (and
// "implicit", which has no grant_type: response_type=token).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantClientCredentials = "client_credentials"
	GrantRefreshToken      = "refresh_token"
	GrantImplicit          = "implicit"
)

// Token kinds.
const (
	KindAccess  = "access"
	KindRefresh = "refresh"
)

// MaxCodeLifetime is the longest an authorization code may live (RFC 6749
// section 4.1.2 recommends at most 10 minutes).
const MaxCodeLifetime = 10 * time.Minute

// UsedCodeRetention is how long after its ExpiresAt a used authorization
// code stays known, so that presenting it again still answers CodeReused
// and revokes the tokens issued from it (RFC 6749 section 4.1.2): a code
// replayed after it expired is as telling as one replayed before, and
// without the retention a replay a minute after the redemption would
// revoke nothing. 24 hours outlasts the access tokens a code issues many
// times over (core/oauth2's DefaultAccessTokenTTL is 1 hour) and leaves a
// day to notice a stolen code, at the cost of one small record per used
// code for a day. The refresh family a code starts may live longer
// (DefaultRefreshTokenTTL, 30 days); it is guarded by rotation (a spent
// refresh token presented again revokes its family), not by the code. An
// unused code is not retained: it is unknown once it expires.
const UsedCodeRetention = 24 * time.Hour

// HashToken returns the SHA-256 of an opaque code or token in lower-case
// hex: the key a store keeps it under. The values are at least 128
// random bits, so an unsalted fast hash is enough.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	var buf [2 * sha256.Size]byte // on the stack: the string is the one allocation
	hex.Encode(buf[:], sum[:])
	return string(buf[:])
}

// Application is a registered OAuth2 client (django-oauth-toolkit's
// Application model).
type Application struct {
	// ClientID identifies the client, at most 100 bytes (DOT's column).
	ClientID string
	// SecretHash is the client secret as an encoded hash: "sha256$<hex>"
	// for a generated secret, or a Django password hash (DOT 2.x's
	// make_password). "" for a public client.
	SecretHash string
	// ClientType is ClientConfidential or ClientPublic.
	ClientType string
	// Name is a human-readable name, shown on the consent page.
	Name string
	// RedirectURIs are the registered redirect URIs, compared exactly.
	RedirectURIs []string
	// GrantTypes are the grants the client may use (Grant… constants).
	GrantTypes []string
	// Scopes are the scopes the client may ask for. Every slice of a
	// record is kept in its order; nil and empty are the same.
	Scopes []string
	// SkipAuthorization: the authorize endpoint redirects without a
	// consent page.
	SkipAuthorization bool
	// UserID is the owner's user id ("" for none).
	UserID string
	// CreatedAt is when the application was registered.
	CreatedAt time.Time
}

// Code is an authorization code as a store keeps it, with everything the
// code was issued for: the token request must match it.
type Code struct {
	// Hash is HashToken of the code.
	Hash string
	// ClientID is the client the code was issued to.
	ClientID string
	// RedirectURI is the redirect_uri of the authorization request
	// ("" when the request had none and the client's only URI was used).
	RedirectURI string
	// UserID is the user who authorized the client.
	UserID string
	// Scopes are the granted scopes.
	Scopes []string
	// CodeChallenge and CodeChallengeMethod are PKCE's (RFC 7636); ""
	// when the request had none.
	CodeChallenge, CodeChallengeMethod string
	// Nonce is OpenID Connect's nonce ("" when none was sent).
	Nonce string
	// AuthTime is when the user last logged in (OpenID Connect auth_time);
	// the zero time (unknown) is returned as the zero time.
	AuthTime time.Time
	// ExpiresAt is when the code stops being valid, at most
	// MaxCodeLifetime after it is issued.
	ExpiresAt time.Time
}

// Token is an access or a refresh token as a store keeps it.
type Token struct {
	// Hash is HashToken of the token.
	Hash string
	// Kind is KindAccess or KindRefresh.
	Kind string
	// ClientID is the client the token was issued to.
	ClientID string
	// UserID is the user the token acts for; "" for a client-credentials
	// token.
	UserID string
	// Scopes are the granted scopes.
	Scopes []string
	// ExpiresAt is when the token expires. For a refresh token it is the
	// absolute expiry of its family: rotation hands it on unchanged.
	ExpiresAt time.Time
	// FamilyID names the refresh family the token belongs to: the first
	// refresh token issued by a grant and every token rotated from it (and
	// the access tokens issued beside them). "" for a token outside any
	// family (client credentials, implicit).
	FamilyID string
	// CodeHash is the Hash of the authorization code the family started
	// from; "" for other grants. A reused code revokes every token with
	// its hash.
	CodeHash string
	// AuthTime is when the user logged in (carried for id_tokens); the
	// zero time for a client-credentials token, returned as the zero time.
	AuthTime time.Time
	// IssuedAt is when the token was issued.
	IssuedAt time.Time
}

// CodeState is ConsumeCode's answer.
type CodeState int

const (
	// CodeUnknown: no code that can be redeemed or recognised has that
	// hash: never issued, unused and expired, used and expired more than
	// UsedCodeRetention ago, or removed by CleanupExpired.
	CodeUnknown CodeState = iota
	// CodeValid: the code was live and unused, and this call used it.
	CodeValid
	// CodeReused: the code was used before, and its ExpiresAt plus
	// UsedCodeRetention is after now (a used code is recognised after it
	// expires, see UsedCodeRetention). The store has revoked every
	// token whose CodeHash is the code's, and marked the code so that
	// SaveTokens stores none for it from now on (ErrCodeReused).
	CodeReused
)

// RotateState is RotateRefreshToken's answer.
type RotateState int

const (
	// RotateUnknown: no unexpired refresh token of that client has that
	// hash (never issued, expired, another client's, or its family was
	// revoked). Nothing changed.
	RotateUnknown RotateState = iota
	// RotateOK: the token was live; it is now spent, the access tokens of
	// its family are revoked and the new tokens are stored.
	RotateOK
	// RotateReused: the token was spent before. Its whole family (every
	// token with its FamilyID) is now revoked, and nothing was stored.
	RotateReused
)

// Applications keeps the registered clients.
type Applications interface {
	// CreateApplication stores app. It returns ErrDuplicateClientID, and
	// changes nothing, when the client id is taken.
	CreateApplication(ctx context.Context, app Application) error
	// Application returns the client with that id; found is false when
	// there is none.
	Application(ctx context.Context, clientID string) (app Application, found bool, err error)
	// DeleteApplication removes the client with that id, its codes and
	// its tokens, reporting whether it existed.
	DeleteApplication(ctx context.Context, clientID string) (bool, error)
}

// Codes keeps authorization codes.
type Codes interface {
	// SaveCode stores c. ErrDuplicateHash when its hash is stored.
	SaveCode(ctx context.Context, c Code) error
	// ConsumeCode uses the code with that hash, once: see CodeState. An
	// unused code whose ExpiresAt is not after now is CodeUnknown (it is
	// not used by the call). A used code is CodeReused until its
	// ExpiresAt plus UsedCodeRetention, and CodeUnknown from then on. The
	// code is returned with CodeValid and CodeReused. Of concurrent calls
	// with one hash exactly one gets CodeValid. A used code stays stored
	// (to recognise reuse) until ExpiresAt plus UsedCodeRetention; a store
	// must not evict it sooner.
	ConsumeCode(ctx context.Context, hash string, now time.Time) (Code, CodeState, error)
}

// Tokens keeps access and refresh tokens.
type Tokens interface {
	// SaveTokens stores the tokens, all or none (one transaction). When a
	// token's CodeHash names a code that ConsumeCode has answered
	// CodeReused for, none is stored and the answer is ErrCodeReused (the
	// code's first redemption raced with its reuse: its tokens are revoked
	// before they exist, and the redemption must fail). ErrDuplicateHash
	// when a hash is stored. The check and the insert are one step with respect
	// to ConsumeCode: a SQL store locks the code's row in both (SELECT …
	// FOR UPDATE, or SQLite's single writer), or a reuse committed between
	// them would miss the new tokens.
	SaveTokens(ctx context.Context, tokens ...Token) error
	// Token returns the live token with that hash: not revoked, not spent
	// (a refresh token that was rotated) and expiring after now. found is
	// false for any other.
	Token(ctx context.Context, hash string, now time.Time) (tok Token, found bool, err error)
	// RotateRefreshToken spends the refresh token with that hash, if it is
	// clientID's, unexpired at now and live, and stores next in the same
	// step: see RotateState. The token is returned with RotateOK and
	// RotateReused. Of concurrent calls with one hash exactly one gets
	// RotateOK. A hash of next that is already stored is ErrDuplicateHash,
	// and then nothing changes (the old token is not spent).
	RotateRefreshToken(ctx context.Context, hash, clientID string, now time.Time, next ...Token) (Token, RotateState, error)
	// RevokeToken revokes the live token with that hash if it is
	// clientID's (RFC 7009), reporting whether it did. Revoking a refresh
	// token revokes its whole family; revoking an access token revokes it
	// alone.
	RevokeToken(ctx context.Context, hash, clientID string) (bool, error)
}

// Store is everything the provider keeps. Implementations are safe for
// concurrent use; see the package doc for errors and single use. Each
// method is atomic: ConsumeCode and RotateRefreshToken are a conditional
// update of one row (used = false, spent = false) whose affected-row count
// decides the race, followed in the same transaction by what the answer
// entails (revoking a code's or a family's tokens, storing next).
type Store interface {
	Applications
	Codes
	Tokens
	// CleanupExpired removes the unused codes and the tokens whose
	// ExpiresAt is not after now (revoked or not), and the used codes
	// whose ExpiresAt plus UsedCodeRetention is not after now, returning
	// how many it removed. Live rows stay, used codes stay for the
	// retention (to recognise their reuse); applications stay.
	CleanupExpired(ctx context.Context, now time.Time) (int, error)
}
