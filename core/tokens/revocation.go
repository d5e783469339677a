package tokens

import (
	"context"
	"errors"

	"github.com/reinhardt-go/auth/core/jwtauth"
)

// revocation is how a verified token stands.
type revocation uint8

const (
	notRevoked       revocation = iota
	revokedJTI                  // its jti is blacklisted
	revokedFamily               // its family is revoked
	unknownFamily               // it names a family the store does not have, or one of another user
	beforeValidAfter            // it was issued before its user's "valid after" stamp
)

// malformedFamily stands for a family_id claim that is not a non-empty
// string: no store has such a family.
const malformedFamily = "\x00"

// Revocation returns the jwtauth hook enforcing the manager's state on
// every verification, the verified-token cache's hits included. A token is
// refused when
//
//   - it carries a family_id and that family is revoked, unknown to the
//     store, or another user's;
//   - its jti is blacklisted;
//   - its user has a "valid after" stamp (LogoutAll) and the token is not
//     from after it. For a token with a family, "from" is the family's
//     creation, kept to the microsecond; for one without (minted by
//     simplejwt or jwtauth.GenerateToken), it is the iat claim, which has
//     whole seconds: such a token is refused when iat <= stamp, so one
//     minted in the same second as a logout everywhere never survives it
//     (one minted just after it, in that second, is refused too).
//
// For a store answering from memory the check costs a few map lookups and
// no allocation; the family of a token is read from its claims once and
// remembered by jti. A store failure makes verification fail closed.
func (m *TokenRotationManager) Revocation() jwtauth.Revocation { return hook{m} }

type hook struct{ m *TokenRotationManager }

// Revoked implements jwtauth.Revocation.
func (h hook) Revoked(ctx context.Context, c *jwtauth.Claims) (bool, error) {
	kind, err := h.m.check(ctx, c)
	if err != nil || kind == notRevoked {
		return false, err
	}
	if p, ok := ctx.Value(probeKey{}).(*probe); ok {
		p.claims, p.kind = c, kind
	}
	return true, nil
}

// probe, put in a context by the manager's own verifications, receives
// from the hook the claims of a token it refused and why, so that the
// manager can answer as simplejwt does (and revoke a reused token's
// family).
type probe struct {
	claims *jwtauth.Claims
	kind   revocation
}

type probeKey struct{}

// verify verifies token as a token of type want and returns its claims and
// how they stand: notRevoked, or why the manager refuses them. err is a
// verification failure (*jwtauth.TokenError) or a store failure. The
// manager checks the claims itself too, so that its rules hold even with
// a JWTAuth whose hook is not m.Revocation().
func (m *TokenRotationManager) verify(ctx context.Context, j *jwtauth.JWTAuth, token string, want jwtauth.TokenType) (*jwtauth.Claims, revocation, error) {
	p := &probe{}
	c, err := j.Verify(context.WithValue(ctx, probeKey{}, p), token, want)
	if err != nil {
		if p.claims != nil && errors.Is(err, jwtauth.ErrRevoked) {
			return p.claims, p.kind, nil
		}
		return nil, notRevoked, err
	}
	kind, err := m.check(ctx, c)
	if err != nil {
		return nil, notRevoked, err
	}
	return c, kind, nil
}

// check decides how verified claims stand.
func (m *TokenRotationManager) check(ctx context.Context, c *jwtauth.Claims) (revocation, error) {
	family, err := m.familyOf(c)
	if err != nil {
		return notRevoked, err
	}
	switch {
	case family == malformedFamily:
		return unknownFamily, nil
	case c.ID == "" && family == "" && c.UserID == "":
		return notRevoked, nil // nothing to look up (an untyped token of another issuer)
	}
	st, err := m.tokenState(ctx, c.ID, family, c.UserID)
	if err != nil {
		return notRevoked, err
	}
	return classify(c, family, &st), nil
}

// tokenState reads what check needs, stopping as soon as the answer is
// known (see classify).
func (m *TokenRotationManager) tokenState(ctx context.Context, jti, family, userID string) (TokenState, error) {
	if m.state != nil {
		return m.state.TokenState(ctx, jti, family, userID)
	}
	var st TokenState
	var err error
	if family != "" {
		if st.Family, st.FamilyFound, err = m.store.Family(ctx, family); err != nil || !st.FamilyFound || st.Family.Revoked() {
			return st, err
		}
	}
	if jti != "" {
		if st.Blacklisted, err = m.blacklist.IsBlacklisted(ctx, jti); err != nil || st.Blacklisted {
			return st, err
		}
	}
	if userID != "" {
		st.ValidAfter, err = m.store.ValidAfter(ctx, userID)
	}
	return st, err
}

// classify decides, in this order: a family that is unknown, another
// user's or revoked (a SQL store also blacklists every token of a revoked
// family, for simplejwt; the family decides the answer either way), a
// blacklisted jti, the "valid after" stamp.
func classify(c *jwtauth.Claims, family string, st *TokenState) revocation {
	if family != "" {
		switch {
		case !st.FamilyFound || st.Family.UserID != c.UserID:
			return unknownFamily
		case st.Family.Revoked():
			return revokedFamily
		}
	}
	switch {
	case st.Blacklisted:
		return revokedJTI
	case st.ValidAfter.IsZero():
		return notRevoked
	case family != "":
		if !st.Family.CreatedAt.After(st.ValidAfter) {
			return beforeValidAfter
		}
	case c.IssuedAt == nil || !c.IssuedAt.After(st.ValidAfter):
		return beforeValidAfter
	}
	return notRevoked
}

// familyOf returns the family_id of verified claims ("" when they have
// none, malformedFamily when it is not a non-empty string), remembered by
// jti after the first time.
func (m *TokenRotationManager) familyOf(c *jwtauth.Claims) (string, error) {
	if c.ID != "" {
		if f, ok := m.memo.get(c.ID); ok {
			return f, nil
		}
	}
	f, err := familyClaim(c)
	if err != nil {
		return "", err
	}
	if c.ID != "" && c.ExpiresAt != nil {
		m.memo.put(c.ID, f, c.ExpiresAt.Add(jwtauth.MaxLeeway), m.now())
	}
	return f, nil
}

func familyClaim(c *jwtauth.Claims) (string, error) {
	claims := c.Extra
	if claims == nil {
		var err error
		if claims, err = c.Map(); err != nil {
			return "", err
		}
	}
	v, ok := claims[FamilyClaim]
	if !ok {
		return "", nil
	}
	if s, ok := v.(string); ok && s != "" && s != malformedFamily {
		return s, nil
	}
	return malformedFamily, nil
}

// refuse is the error for a token that stands as kind, after its side
// effect: a refresh token that is blacklisted (spent or logged out) is
// being presented again, so its family is revoked.
func (m *TokenRotationManager) refuse(ctx context.Context, c *jwtauth.Claims, kind revocation) error {
	if kind == revokedJTI && c.TokenType == jwtauth.RefreshToken {
		if err := m.revokeFamilyOf(ctx, c, Compromised); err != nil {
			return err
		}
	}
	return refusal(kind)
}

// revokeFamilyOf revokes the family of a refresh token being ended: the
// one its family_id claim names or, for a token without one (adopted), the
// one the store recorded it in, which Consume tells (the token is being
// ended, so spending it changes nothing).
func (m *TokenRotationManager) revokeFamilyOf(ctx context.Context, c *jwtauth.Claims, reason BlacklistReason) error {
	family, err := m.familyOf(c)
	if err != nil {
		return err
	}
	if family == "" && c.ID != "" {
		cons, err := m.store.Consume(ctx, c.ID)
		if err != nil {
			return err
		}
		family = cons.Family.ID
	}
	if family == "" || family == malformedFamily {
		return nil
	}
	if err := m.store.RevokeFamily(ctx, family, reason); err != nil {
		return err
	}
	m.familyRevoked(ctx, c.UserID, reason)
	return nil
}

// refusal is the *jwtauth.TokenError for a token that stands as kind.
func refusal(kind revocation) error {
	switch kind {
	case revokedJTI:
		return revokedErr(jwtauth.MsgBlacklisted, ErrBlacklisted)
	case revokedFamily:
		return revokedErr(MsgFamilyBlacklisted, ErrFamilyRevoked)
	case unknownFamily:
		return revokedErr(jwtauth.MsgInvalid, ErrUnknownFamily)
	default:
		return revokedErr(jwtauth.MsgBlacklisted, ErrBeforeValidAfter)
	}
}
