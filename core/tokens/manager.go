package tokens

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// FamilyClaim is the claim carrying a token's family id, in refresh and
// access tokens alike: simplejwt's TOKEN_FAMILY_CLAIM default.
const FamilyClaim = "family_id"

// TokenRotationManager ties jwtauth's simplejwt-style tokens to a
// TokenBlacklist and a RefreshStore: the reference's TokenRotationManager,
// with simplejwt's ROTATE_REFRESH_TOKENS and BLACKLIST_AFTER_ROTATION on and
// reuse detection.
//
//   - Every login (IssuePair) starts a family; each refresh token is
//     recorded and spent once (Refresh), and the pair replacing it stays in
//     the family. Tokens carry the family in the family_id claim.
//   - A spent (or blacklisted) refresh token presented again revokes its
//     whole family: every refresh and access token of that login stops
//     working, the thief's and the user's alike.
//   - LogoutAll ends every token of a user, through a "valid after" stamp
//     and by revoking the user's families.
//   - Revocation is the jwtauth hook that enforces all of this on every
//     verification, cache hits included.
//
// Wiring, in this order (the hook needs only the stores):
//
//	m := tokens.NewTokenRotationManager(blacklist, refreshStore)
//	j, err := jwtauth.New(secret, jwtauth.WithRevocation(m.Revocation()))
//	m.JWT = j
//	m.Users = backend // re-check the user on refresh
//
// Set the fields before first use and do not change them afterwards; the
// manager is then safe for concurrent use.
type TokenRotationManager struct {
	// JWT mints and verifies the tokens. Its revocation hook must include
	// m.Revocation(), or access tokens outlive their family.
	JWT *jwtauth.JWTAuth
	// Users re-checks on every refresh that the token's user exists and is
	// active (simplejwt's USER_AUTHENTICATION_RULE): a core.AuthBackend or
	// jwtauth.StoreUsers. nil skips the check.
	Users jwtauth.UserLookup
	// Events receives the token lifecycle's security events: LoggedIn
	// and LoginFailed (ObtainPairEndpoint), TokenFamilyRevoked (a family
	// revoked: refresh-token reuse, a blacklisted token) and
	// SessionsEnded (LogoutAll). nil: none.
	Events *events.Dispatcher

	blacklist TokenBlacklist
	store     RefreshStore
	state     StateReader // set when the two stores are one that reads a TokenState at once
	shared    bool        // blacklist and store are the same value
	memo      *familyMemo
}

// NewTokenRotationManager returns a manager over a blacklist and a refresh
// store (which may be one value implementing both, such as sqlstore's
// TokenStore). Set JWT, and Users, before use.
func NewTokenRotationManager(blacklist TokenBlacklist, store RefreshStore) *TokenRotationManager {
	m := &TokenRotationManager{blacklist: blacklist, store: store, memo: newFamilyMemo()}
	m.shared = same(blacklist, store)
	if sr, ok := store.(StateReader); ok && m.shared {
		m.state = sr
	}
	return m
}

// same reports whether a and b are the same comparable value.
func same(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.IsValid() && vb.IsValid() && va.Type() == vb.Type() && va.Comparable() && va.Equal(vb)
}

// TokenBlacklist returns the manager's blacklist.
func (m *TokenRotationManager) TokenBlacklist() TokenBlacklist { return m.blacklist }

// RefreshStore returns the manager's refresh store.
func (m *TokenRotationManager) RefreshStore() RefreshStore { return m.store }

func (m *TokenRotationManager) jwtAuth() (*jwtauth.JWTAuth, error) {
	if m.JWT == nil {
		return nil, errNoJWT
	}
	return m.JWT, nil
}

func (m *TokenRotationManager) now() time.Time {
	if m.JWT != nil {
		return m.JWT.Now()
	}
	return time.Now()
}

// micro drops the monotonic reading and everything below a microsecond,
// the precision the SQL stores keep.
func micro(t time.Time) time.Time { return t.Round(0).Truncate(time.Microsecond) }

// IssuePair mints a simplejwt token pair for u (user_id is u.GetID()) in a
// new family, records the refresh token, and returns the pair: what the
// obtain endpoint answers. u must be an authenticated user with an id;
// whether it may log in (active) is the caller's decision.
func (m *TokenRotationManager) IssuePair(ctx context.Context, u core.User) (*jwtauth.TokenPair, error) {
	j, err := m.jwtAuth()
	if err != nil {
		return nil, err
	}
	if isNil(u) || !u.IsAuthenticated() || u.GetID() == "" {
		return nil, errors.New("tokens: IssuePair needs an authenticated user with an id")
	}
	return m.mint(ctx, j, &jwtauth.Claims{UserID: u.GetID()}, nil, jwtauth.NewJTI())
}

// mint signs a pair from base (user_id, username, sub, nbf) with extra and
// the family claim, records the refresh token and remembers both tokens'
// family.
func (m *TokenRotationManager) mint(ctx context.Context, j *jwtauth.JWTAuth, base *jwtauth.Claims, extra map[string]any, family string) (*jwtauth.TokenPair, error) {
	issued := micro(j.Now())
	b := *base
	b.Extra = maps.Clone(extra)
	if b.Extra == nil {
		b.Extra = make(map[string]any, 1)
	}
	b.Extra[FamilyClaim] = family
	pair, err := j.NewPairClaims(&b)
	if err != nil {
		return nil, err
	}
	rc, ac := pair.RefreshClaims, pair.AccessClaims
	err = m.store.Issue(ctx, RefreshRecord{
		JTI:       rc.ID,
		Family:    family,
		UserID:    rc.UserID,
		IssuedAt:  issued,
		ExpiresAt: rc.ExpiresAt.Time,
		Token:     pair.Refresh,
	})
	if err != nil {
		return nil, err
	}
	now := j.Now()
	m.memo.put(rc.ID, family, rc.ExpiresAt.Add(jwtauth.MaxLeeway), now)
	m.memo.put(ac.ID, family, ac.ExpiresAt.Add(jwtauth.MaxLeeway), now)
	return pair, nil
}

// Refresh rotates a refresh token: it verifies it (signature, expiry,
// type), refuses it when it is blacklisted, its family revoked or it was
// issued before its user's "valid after" stamp, re-checks the user
// (Users), spends it atomically, and returns a new pair in the same family
// (the old token is blacklisted with reason Rotated). Of concurrent
// refreshes with one token exactly one succeeds.
//
// A refresh token that was already spent revokes its whole family and is
// refused with simplejwt's "Token is blacklisted" (a *jwtauth.TokenError
// whose cause matches ErrReused or ErrBlacklisted): a stolen token and the
// legitimate one cannot both live on. A token of a revoked family gets
// "Token family is blacklisted" (ErrFamilyRevoked); a gone or inactive
// user ErrNoActiveAccountForToken. A refresh token without a family (minted
// by simplejwt with the same key, or before the manager was used) is
// adopted into a new family on its first refresh.
//
// A store failure is an error wrapping core.ErrStoreUnavailable. When it
// happens after the token was spent, the client's retry counts as reuse:
// rotation fails closed.
func (m *TokenRotationManager) Refresh(ctx context.Context, refreshToken string) (*jwtauth.TokenPair, error) {
	j, err := m.jwtAuth()
	if err != nil {
		return nil, err
	}
	c, kind, err := m.verify(ctx, j, refreshToken, jwtauth.RefreshToken)
	if err != nil {
		return nil, err
	}
	if kind != notRevoked {
		return nil, m.refuse(ctx, c, kind)
	}
	if err := m.checkUser(ctx, c.UserID); err != nil {
		return nil, err
	}
	family, err := m.familyOf(c)
	if err != nil {
		return nil, err
	}
	if family == "" {
		// A token from before families: adopt it. Of racing adopters the
		// first record wins; Consume then names the family.
		issued := m.now()
		if c.IssuedAt != nil {
			issued = c.IssuedAt.Time
		}
		err := m.store.Issue(ctx, RefreshRecord{JTI: c.ID, Family: jwtauth.NewJTI(), UserID: c.UserID,
			IssuedAt: micro(issued), ExpiresAt: c.ExpiresAt.Time, Token: refreshToken})
		if err != nil {
			return nil, err
		}
	}
	cons, err := m.store.Consume(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	switch cons.Result {
	case Consumed:
	case Reused:
		if err := m.store.RevokeFamily(ctx, cons.Family.ID, Compromised); err != nil {
			return nil, err
		}
		m.familyRevoked(ctx, c.UserID, Compromised)
		return nil, revokedErr(jwtauth.MsgBlacklisted, ErrReused)
	case Revoked:
		return nil, revokedErr(MsgFamilyBlacklisted, ErrFamilyRevoked)
	default:
		return nil, &jwtauth.TokenError{Message: jwtauth.MsgInvalid, Err: ErrUnknownToken}
	}
	base, extra, err := rotatedClaims(c)
	if err != nil {
		return nil, err
	}
	pair, err := m.mint(ctx, j, base, extra, cons.Family.ID)
	if err != nil {
		return nil, err
	}
	if err := m.blacklist.Blacklist(ctx, c.ID, c.ExpiresAt.Time, Rotated); err != nil {
		return nil, err
	}
	return pair, nil
}

// modelledClaims are the claims jwtauth.Claims has fields for, plus the
// family claim the manager sets itself.
var modelledClaims = [...]string{"token_type", "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "user_id", "username", FamilyClaim}

// rotatedClaims is what the new pair of a rotation keeps of the old
// refresh token: simplejwt rotates by changing jti, exp and iat of the
// same payload, so every other claim carries over.
func rotatedClaims(c *jwtauth.Claims) (*jwtauth.Claims, map[string]any, error) {
	all, err := c.Map()
	if err != nil {
		return nil, nil, err
	}
	for _, k := range modelledClaims {
		delete(all, k)
	}
	base := &jwtauth.Claims{UserID: c.UserID, Username: c.Username}
	base.Subject = c.Subject
	base.NotBefore = c.NotBefore
	return base, all, nil
}

// checkUser applies simplejwt's USER_AUTHENTICATION_RULE to the user of a
// refresh token.
func (m *TokenRotationManager) checkUser(ctx context.Context, id string) error {
	if m.Users == nil {
		return nil
	}
	u, err := m.Users.GetUser(ctx, id)
	if err != nil {
		return err
	}
	if isNil(u) || !u.IsActive() {
		return ErrNoActiveAccountForToken
	}
	return nil
}

// Blacklist blacklists a refresh token with reason Logout, as simplejwt's
// blacklist endpoint, and revokes its family, so that the access tokens
// of that login stop working too (simplejwt leaves them valid until they
// expire). It is idempotent: a token already blacklisted, or of a revoked
// family, is not an error. A token that does not verify is its
// *jwtauth.TokenError.
func (m *TokenRotationManager) Blacklist(ctx context.Context, refreshToken string) error {
	return m.Revoke(ctx, refreshToken, Logout)
}

// Revoke is Blacklist with another reason (Compromised, ManualRevoke).
func (m *TokenRotationManager) Revoke(ctx context.Context, refreshToken string, reason BlacklistReason) error {
	_, err := m.revoke(ctx, refreshToken, reason)
	return err
}

// revoke blacklists a refresh token and revokes its family; prior is how
// the token stood before (notRevoked when it was live).
func (m *TokenRotationManager) revoke(ctx context.Context, refreshToken string, reason BlacklistReason) (prior revocation, err error) {
	j, err := m.jwtAuth()
	if err != nil {
		return 0, err
	}
	c, prior, err := m.verify(ctx, j, refreshToken, jwtauth.RefreshToken)
	if err != nil {
		return 0, err
	}
	if err := m.blacklist.Blacklist(ctx, c.ID, c.ExpiresAt.Time, reason); err != nil {
		return prior, err
	}
	famReason := reason
	if prior == revokedJTI {
		famReason = Compromised // a spent or logged-out token presented again
	}
	if err := m.revokeFamilyOf(ctx, c, famReason); err != nil {
		return prior, err
	}
	return prior, nil
}

// LogoutAll ends every token of the user: the user's "valid after" stamp
// becomes now, and every family the user has is revoked (reason Logout).
// Tokens minted afterwards (a new login) are not affected. Password changes
// call it too. It emits an events.SessionsEnded to Events, whose Cause is
// events.CauseFrom(ctx).
func (m *TokenRotationManager) LogoutAll(ctx context.Context, userID string) error {
	if userID == "" {
		return errors.New("tokens: LogoutAll needs a user id")
	}
	now := micro(m.now())
	if err := m.store.SetValidAfter(ctx, userID, now); err != nil {
		return err
	}
	if _, err := m.store.RevokeUser(ctx, userID, now, Logout); err != nil {
		return err
	}
	e := &events.SessionsEnded{Cause: events.CauseFrom(ctx)}
	e.UserID = userID
	m.Events.Emit(ctx, e)
	return nil
}

// familyRevoked emits the events.TokenFamilyRevoked of a family of
// userID's revoked for reason.
func (m *TokenRotationManager) familyRevoked(ctx context.Context, userID string, reason BlacklistReason) {
	e := &events.TokenFamilyRevoked{Reason: reason.String()}
	e.UserID = userID
	m.Events.Emit(ctx, e)
}

// Cleanup removes expired entries from both stores (those that expired
// more than jwtauth.MaxLeeway ago, so that a token still accepted within
// a verifier's leeway stays refused), and returns how many token records
// went: what simplejwt's flushexpiredtokens does. Run it periodically.
func (m *TokenRotationManager) Cleanup(ctx context.Context) (int, error) {
	now := m.now()
	cut := now.Add(-jwtauth.MaxLeeway)
	n, err := m.blacklist.Cleanup(ctx, cut)
	if err != nil {
		return n, err
	}
	if !m.shared {
		k, err := m.store.Cleanup(ctx, cut)
		n += k
		if err != nil {
			return n, err
		}
	}
	m.memo.sweep(now)
	return n, nil
}

// isNil reports whether v is nil or an interface holding a nil pointer.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}
