package tokens

import (
	"context"
	"errors"
	"time"
)

// TokenBlacklist keeps the ids (jti) of tokens that must no longer be
// accepted: the reference's TokenBlacklist, simplejwt's blacklist app.
// Every method honours ctx. An implementation must be safe for concurrent
// use, and:
//
//   - Blacklist is idempotent, as simplejwt's get_or_create: blacklisting a
//     jti already there is not an error and keeps the first entry (its
//     reason and time). expiresAt is when the token expires; the entry may
//     be dropped by Cleanup after that. A jti of up to 255 bytes (simplejwt's
//     column) must be accepted.
//   - IsBlacklisted of a jti it has never seen is (false, nil): an unknown
//     jti is not blacklisted, not an error. An entry stays blacklisted until
//     Cleanup removes it, even past its expiry.
//   - Cleanup(now) removes the entries whose expiresAt is at or before now
//     and returns how many token records it removed. Callers that verify
//     tokens with a leeway pass now minus that leeway
//     (TokenRotationManager.Cleanup does).
//   - Stats describes what is there.
//   - A failure of the store itself (not a negative answer) is an error
//     wrapping core.ErrStoreUnavailable, so that requests fail closed; a
//     done ctx is such a failure.
type TokenBlacklist interface {
	Blacklist(ctx context.Context, jti string, expiresAt time.Time, reason BlacklistReason) error
	IsBlacklisted(ctx context.Context, jti string) (bool, error)
	Cleanup(ctx context.Context, now time.Time) (removed int, err error)
	Stats(ctx context.Context) (Stats, error)
}

// Stats describes a blacklist: the reference's blacklist statistics.
type Stats struct {
	// Total is the number of blacklisted tokens.
	Total int
	// ByReason counts them by reason (entries made without one, by
	// simplejwt in a shared database, count under ReasonUnspecified).
	// Reasons with no entry are absent.
	ByReason map[BlacklistReason]int
	// Oldest and Newest are the earliest and latest blacklisting times;
	// zero when the blacklist is empty.
	Oldest, Newest time.Time
}

// RefreshRecord is a refresh token as a RefreshStore records it.
type RefreshRecord struct {
	// JTI is the token's jti.
	JTI string
	// Family is the id of the token's family: every refresh token rotated
	// from one login shares it.
	Family string
	// UserID is the token's user_id.
	UserID string
	// IssuedAt is when the token was minted. When the record creates its
	// family, it is the family's CreatedAt.
	IssuedAt time.Time
	// ExpiresAt is the token's exp.
	ExpiresAt time.Time
	// Token is the encoded token, for a store that shows it (sqlstore keeps
	// it without its signature in simplejwt's outstanding-token table);
	// stores may ignore it.
	Token string
}

// Family is a refresh-token family: the tokens descended by rotation from
// one login.
type Family struct {
	ID     string
	UserID string
	// CreatedAt is when its first token was issued.
	CreatedAt time.Time
	// ExpiresAt is the latest expiry of its tokens.
	ExpiresAt time.Time
	// RevokedAt is when it was revoked; zero while it is live.
	RevokedAt time.Time
	// Reason is why it was revoked (ReasonUnspecified while live).
	Reason BlacklistReason
}

// Revoked reports whether the family has been revoked.
func (f Family) Revoked() bool { return !f.RevokedAt.IsZero() }

// ConsumeResult is the outcome of RefreshStore.Consume.
type ConsumeResult uint8

// The outcomes of Consume.
const (
	// Unknown: the store has no such refresh token (never issued there, or
	// removed by Cleanup).
	Unknown ConsumeResult = iota
	// Consumed: this call spent the token; it may be rotated.
	Consumed
	// Reused: the token had already been spent, by an earlier call or a
	// concurrent one: a refresh token presented twice.
	Reused
	// Revoked: the token's family has been revoked.
	Revoked
)

var consumeNames = [...]string{"unknown", "consumed", "reused", "revoked"}

// String returns "unknown", "consumed", "reused" or "revoked".
func (r ConsumeResult) String() string {
	if int(r) < len(consumeNames) {
		return consumeNames[r]
	}
	return "ConsumeResult(?)"
}

// Consumption is what Consume found.
type Consumption struct {
	Result ConsumeResult
	// Family is the token's family (zero when Result is Unknown).
	Family Family
}

// ErrFamilyMismatch: Issue named a family that belongs to another user.
var ErrFamilyMismatch = errors.New("tokens: the family belongs to another user")

// RefreshStore records refresh tokens in families, consumes them once, and
// keeps each user's "valid after" stamp: the reference's RefreshTokenStore.
// Every method honours ctx; an implementation must be safe for concurrent
// use, and:
//
//   - Issue records a refresh token in a family for a user, creating the
//     family (CreatedAt = IssuedAt) when it is new and extending its
//     ExpiresAt otherwise. Issuing a jti already recorded changes nothing
//     and is not an error (get_or_create). A family of another user is
//     ErrFamilyMismatch.
//   - Consume spends a token atomically: of any number of concurrent calls
//     for one jti exactly one gets Consumed, every other Reused; a token of
//     a revoked family gets Revoked, an unrecorded one Unknown. None of
//     these is an error.
//   - Family returns a family and whether it exists.
//   - RevokeFamily revokes a family, so that Consume answers Revoked for
//     all its tokens; revoking it again keeps the first time and reason;
//     an unknown family is not an error.
//   - RevokeUser revokes every live family of the user created at or
//     before issuedBefore and returns how many it revoked; families created
//     later are kept (a login right after a logout-everywhere).
//   - SetValidAfter raises the user's "valid after" stamp to t (a stamp
//     never moves back: an earlier t is ignored); ValidAfter returns it,
//     the zero time when there is none. Times keep microsecond precision.
//   - Cleanup(now) removes refresh tokens that expired at or before now,
//     and families left without tokens, and returns how many token
//     records it removed.
//   - A failure of the store itself is an error wrapping
//     core.ErrStoreUnavailable; a done ctx is such a failure.
type RefreshStore interface {
	Issue(ctx context.Context, rec RefreshRecord) error
	Consume(ctx context.Context, jti string) (Consumption, error)
	Family(ctx context.Context, id string) (Family, bool, error)
	RevokeFamily(ctx context.Context, id string, reason BlacklistReason) error
	RevokeUser(ctx context.Context, userID string, issuedBefore time.Time, reason BlacklistReason) (int, error)
	SetValidAfter(ctx context.Context, userID string, t time.Time) error
	ValidAfter(ctx context.Context, userID string) (time.Time, error)
	Cleanup(ctx context.Context, now time.Time) (removed int, err error)
}

// TokenState is what a revocation check needs to know about a token.
type TokenState struct {
	// Blacklisted: the jti is blacklisted.
	Blacklisted bool
	// Family is the token's family, when FamilyFound.
	Family      Family
	FamilyFound bool
	// ValidAfter is the user's "valid after" stamp (zero: none).
	ValidAfter time.Time
}

// StateReader is implemented by a store that is both the TokenBlacklist
// and the RefreshStore of a manager (sqlstore's TokenStore) and can read a
// token's whole TokenState at once, in one query. jti, family or userID
// may be empty: the corresponding part of the state is then zero.
type StateReader interface {
	TokenState(ctx context.Context, jti, family, userID string) (TokenState, error)
}
