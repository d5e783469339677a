package faultstore

import (
	"context"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/mfa/mfastore"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/usersessions"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/core/tokens"
)

// otherUser is the garbage of a user lookup: another user (the id and
// username changed) when u is a *core.DefaultUser, else none.
func otherUser(u core.BaseUser) core.BaseUser {
	d, ok := u.(*core.DefaultUser)
	if !ok || d == nil {
		return nil
	}
	c := *d
	c.ID += 1000
	c.Username += "-other"
	return &c
}

// Users wraps a core.UserStore ("Users.*").
type Users struct {
	core.UserStore
	S *Switch
}

// UserByID implements core.UserStore; garbage is another user.
func (w Users) UserByID(ctx context.Context, id string) (core.BaseUser, error) {
	return call(ctx, w.S, "Users.UserByID", func() (core.BaseUser, error) { return w.UserStore.UserByID(ctx, id) }, otherUser)
}

// UserByUsername implements core.UserStore; garbage is another user.
func (w Users) UserByUsername(ctx context.Context, username string) (core.BaseUser, error) {
	return call(ctx, w.S, "Users.UserByUsername", func() (core.BaseUser, error) { return w.UserStore.UserByUsername(ctx, username) }, otherUser)
}

// SetPasswordHash implements core.UserStore.
func (w Users) SetPasswordHash(ctx context.Context, id, encoded string) error {
	return call0(ctx, w.S, "Users.SetPasswordHash", func() error { return w.UserStore.SetPasswordHash(ctx, id, encoded) })
}

// SetLastLogin implements core.UserStore.
func (w Users) SetLastLogin(ctx context.Context, id string, t time.Time) error {
	return call0(ctx, w.S, "Users.SetLastLogin", func() error { return w.UserStore.SetLastLogin(ctx, id, t) })
}

// Sessions wraps a sessions.SessionBackend ("Sessions.*"). Garbage:
// Load finds an expired record of a newer version with data that is not
// a session; Save and Delete succeed without writing; Exists says yes.
type Sessions struct {
	sessions.SessionBackend
	S *Switch
}

// Load implements sessions.SessionBackend.
func (w Sessions) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	return call2(ctx, w.S, "Sessions.Load", func() (sessions.Record, bool, error) { return w.SessionBackend.Load(ctx, id) },
		func(r sessions.Record, _ bool) (sessions.Record, bool) {
			return sessions.Record{Data: []byte("\x00garbage{"), Expiry: time.Now().Add(-time.Hour), Version: r.Version + 1000}, true
		})
}

// Save implements sessions.SessionBackend.
func (w Sessions) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	return call0(ctx, w.S, "Sessions.Save", func() error { return w.SessionBackend.Save(ctx, id, rec) })
}

// Delete implements sessions.SessionBackend.
func (w Sessions) Delete(ctx context.Context, id sessions.SessionID) error {
	return call0(ctx, w.S, "Sessions.Delete", func() error { return w.SessionBackend.Delete(ctx, id) })
}

// Exists implements sessions.SessionBackend.
func (w Sessions) Exists(ctx context.Context, id sessions.SessionID) (bool, error) {
	return call(ctx, w.S, "Sessions.Exists", func() (bool, error) { return w.SessionBackend.Exists(ctx, id) }, yes)
}

// WrapSessions wraps b as Sessions, keeping its listing of a user's
// sessions (usersessions.Lister, as ListingSessions) when it has one: a
// Sessions alone would hide it, and with it the account page's sessions.
func WrapSessions(b sessions.SessionBackend, s *Switch) sessions.SessionBackend {
	w := Sessions{SessionBackend: b, S: s}
	if l, ok := b.(usersessions.Lister); ok {
		return ListingSessions{Sessions: w, Lister: l}
	}
	return w
}

// ListingSessions is Sessions over a backend that lists a user's sessions
// ("Sessions.UserSessions", "Sessions.EndUserSession"). Garbage: a listing
// of a session that does not exist; an end that says it ended one without
// calling the store.
type ListingSessions struct {
	Sessions
	Lister usersessions.Lister
}

// UserSessions implements usersessions.Lister.
func (w ListingSessions) UserSessions(ctx context.Context, userID string) ([]usersessions.Session, error) {
	return call(ctx, w.S, "Sessions.UserSessions", func() ([]usersessions.Session, error) { return w.Lister.UserSessions(ctx, userID) },
		func([]usersessions.Session) []usersessions.Session {
			return []usersessions.Session{{Handle: usersessions.Handle("faultstore"), Created: time.Now(), LastSeen: time.Now(), Expiry: time.Now().Add(time.Hour)}}
		})
}

// EndUserSession implements usersessions.Lister.
func (w ListingSessions) EndUserSession(ctx context.Context, userID, handle string) (bool, error) {
	return call(ctx, w.S, "Sessions.EndUserSession", func() (bool, error) { return w.Lister.EndUserSession(ctx, userID, handle) }, yes)
}

// TokenStore is a blacklist and a refresh store in one value, as the
// stores of the library provide them.
type TokenStore interface {
	tokens.TokenBlacklist
	tokens.RefreshStore
}

// Tokens wraps a TokenStore ("Blacklist.*", "Refresh.*"). Garbage: a
// token is never blacklisted, a consumed token's family belongs to
// another user, a family is another one's, no valid-after stamp, writes
// succeed without writing.
type Tokens struct {
	Store TokenStore
	S     *Switch
}

// Blacklist implements tokens.TokenBlacklist.
func (w Tokens) Blacklist(ctx context.Context, jti string, expiresAt time.Time, reason tokens.BlacklistReason) error {
	return call0(ctx, w.S, "Blacklist.Blacklist", func() error { return w.Store.Blacklist(ctx, jti, expiresAt, reason) })
}

// IsBlacklisted implements tokens.TokenBlacklist.
func (w Tokens) IsBlacklisted(ctx context.Context, jti string) (bool, error) {
	return call(ctx, w.S, "Blacklist.IsBlacklisted", func() (bool, error) { return w.Store.IsBlacklisted(ctx, jti) }, no)
}

// Cleanup implements tokens.TokenBlacklist and tokens.RefreshStore.
func (w Tokens) Cleanup(ctx context.Context, now time.Time) (int, error) {
	return call(ctx, w.S, "Blacklist.Cleanup", func() (int, error) { return w.Store.Cleanup(ctx, now) }, same[int])
}

// Stats implements tokens.TokenBlacklist.
func (w Tokens) Stats(ctx context.Context) (tokens.Stats, error) {
	return call(ctx, w.S, "Blacklist.Stats", func() (tokens.Stats, error) { return w.Store.Stats(ctx) }, func(tokens.Stats) tokens.Stats { return tokens.Stats{} })
}

// Issue implements tokens.RefreshStore.
func (w Tokens) Issue(ctx context.Context, rec tokens.RefreshRecord) error {
	return call0(ctx, w.S, "Refresh.Issue", func() error { return w.Store.Issue(ctx, rec) })
}

// Consume implements tokens.RefreshStore.
func (w Tokens) Consume(ctx context.Context, jti string) (tokens.Consumption, error) {
	return call(ctx, w.S, "Refresh.Consume", func() (tokens.Consumption, error) { return w.Store.Consume(ctx, jti) },
		func(c tokens.Consumption) tokens.Consumption {
			c.Family.UserID += "-other"
			c.Family.ID += "-other"
			return c
		})
}

// Family implements tokens.RefreshStore.
func (w Tokens) Family(ctx context.Context, id string) (tokens.Family, bool, error) {
	return call2(ctx, w.S, "Refresh.Family", func() (tokens.Family, bool, error) { return w.Store.Family(ctx, id) },
		func(f tokens.Family, _ bool) (tokens.Family, bool) {
			f.ID, f.UserID = id+"-other", f.UserID+"-other"
			return f, true
		})
}

// RevokeFamily implements tokens.RefreshStore.
func (w Tokens) RevokeFamily(ctx context.Context, id string, reason tokens.BlacklistReason) error {
	return call0(ctx, w.S, "Refresh.RevokeFamily", func() error { return w.Store.RevokeFamily(ctx, id, reason) })
}

// RevokeUser implements tokens.RefreshStore.
func (w Tokens) RevokeUser(ctx context.Context, userID string, issuedBefore time.Time, reason tokens.BlacklistReason) (int, error) {
	return call(ctx, w.S, "Refresh.RevokeUser", func() (int, error) { return w.Store.RevokeUser(ctx, userID, issuedBefore, reason) },
		func(int) int { return 0 })
}

// SetValidAfter implements tokens.RefreshStore.
func (w Tokens) SetValidAfter(ctx context.Context, userID string, t time.Time) error {
	return call0(ctx, w.S, "Refresh.SetValidAfter", func() error { return w.Store.SetValidAfter(ctx, userID, t) })
}

// ValidAfter implements tokens.RefreshStore.
func (w Tokens) ValidAfter(ctx context.Context, userID string) (time.Time, error) {
	return call(ctx, w.S, "Refresh.ValidAfter", func() (time.Time, error) { return w.Store.ValidAfter(ctx, userID) },
		func(time.Time) time.Time { return time.Time{} })
}

// Throttle wraps a throttle.Store ("Throttle.*"). Garbage: always
// allowed, a refund that refunds nothing.
type Throttle struct {
	throttle.Store
	S *Switch
}

// Hit implements throttle.Store.
func (w Throttle) Hit(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) (throttle.Result, error) {
	return call(ctx, w.S, "Throttle.Hit", func() (throttle.Result, error) { return w.Store.Hit(ctx, key, rate, now) },
		func(throttle.Result) throttle.Result { return throttle.Result{Allowed: true} })
}

// Peek implements throttle.Store.
func (w Throttle) Peek(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) (throttle.Result, error) {
	return call(ctx, w.S, "Throttle.Peek", func() (throttle.Result, error) { return w.Store.Peek(ctx, key, rate, now) },
		func(throttle.Result) throttle.Result { return throttle.Result{Allowed: true} })
}

// Refund implements throttle.Store.
func (w Throttle) Refund(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) error {
	return call0(ctx, w.S, "Throttle.Refund", func() error { return w.Store.Refund(ctx, key, rate, now) })
}

// MFA wraps an mfastore.Store ("MFA.*"). Garbage: the enrollment of
// another user, every step and recovery code accepted, writes that write
// nothing.
type MFA struct {
	mfastore.Store
	S *Switch
}

// Get implements mfastore.Store.
func (w MFA) Get(ctx context.Context, userID string) (mfastore.Record, error) {
	return call(ctx, w.S, "MFA.Get", func() (mfastore.Record, error) { return w.Store.Get(ctx, userID) },
		func(r mfastore.Record) mfastore.Record {
			r.UserID += "-other"
			return r
		})
}

// Begin implements mfastore.Store.
func (w MFA) Begin(ctx context.Context, rec mfastore.Record) error {
	return call0(ctx, w.S, "MFA.Begin", func() error { return w.Store.Begin(ctx, rec) })
}

// Confirm implements mfastore.Store.
func (w MFA) Confirm(ctx context.Context, userID string, step int64, hashes []string) (bool, error) {
	return call(ctx, w.S, "MFA.Confirm", func() (bool, error) { return w.Store.Confirm(ctx, userID, step, hashes) }, yes)
}

// AdvanceStep implements mfastore.Store.
func (w MFA) AdvanceStep(ctx context.Context, userID string, step int64) (bool, error) {
	return call(ctx, w.S, "MFA.AdvanceStep", func() (bool, error) { return w.Store.AdvanceStep(ctx, userID, step) }, yes)
}

// SetRecoveryCodes implements mfastore.Store.
func (w MFA) SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	return call0(ctx, w.S, "MFA.SetRecoveryCodes", func() error { return w.Store.SetRecoveryCodes(ctx, userID, hashes) })
}

// ConsumeRecoveryCode implements mfastore.Store.
func (w MFA) ConsumeRecoveryCode(ctx context.Context, userID, hash string) (bool, error) {
	return call(ctx, w.S, "MFA.ConsumeRecoveryCode", func() (bool, error) { return w.Store.ConsumeRecoveryCode(ctx, userID, hash) }, yes)
}

// Delete implements mfastore.Store.
func (w MFA) Delete(ctx context.Context, userID string) error {
	return call0(ctx, w.S, "MFA.Delete", func() error { return w.Store.Delete(ctx, userID) })
}

// OAuth2 wraps an oauth2store.Store ("OAuth2.*"). Garbage: records of
// another key (a token or code of another hash and user, an application
// of another client id), success from writes that wrote nothing.
type OAuth2 struct {
	oauth2store.Store
	S *Switch
}

// CreateApplication implements oauth2store.Store.
func (w OAuth2) CreateApplication(ctx context.Context, app oauth2store.Application) error {
	return call0(ctx, w.S, "OAuth2.CreateApplication", func() error { return w.Store.CreateApplication(ctx, app) })
}

// Application implements oauth2store.Store.
func (w OAuth2) Application(ctx context.Context, clientID string) (oauth2store.Application, bool, error) {
	return call2(ctx, w.S, "OAuth2.Application", func() (oauth2store.Application, bool, error) { return w.Store.Application(ctx, clientID) },
		func(a oauth2store.Application, found bool) (oauth2store.Application, bool) {
			a.ClientID += "-other"
			return a, found
		})
}

// DeleteApplication implements oauth2store.Store.
func (w OAuth2) DeleteApplication(ctx context.Context, clientID string) (bool, error) {
	return call(ctx, w.S, "OAuth2.DeleteApplication", func() (bool, error) { return w.Store.DeleteApplication(ctx, clientID) }, yes)
}

// SaveCode implements oauth2store.Store.
func (w OAuth2) SaveCode(ctx context.Context, c oauth2store.Code) error {
	return call0(ctx, w.S, "OAuth2.SaveCode", func() error { return w.Store.SaveCode(ctx, c) })
}

// ConsumeCode implements oauth2store.Store.
func (w OAuth2) ConsumeCode(ctx context.Context, hash string, now time.Time) (oauth2store.Code, oauth2store.CodeState, error) {
	return call2(ctx, w.S, "OAuth2.ConsumeCode", func() (oauth2store.Code, oauth2store.CodeState, error) { return w.Store.ConsumeCode(ctx, hash, now) },
		func(c oauth2store.Code, st oauth2store.CodeState) (oauth2store.Code, oauth2store.CodeState) {
			c.Hash, c.UserID = c.Hash+"-other", c.UserID+"-other"
			return c, st
		})
}

// SaveTokens implements oauth2store.Store.
func (w OAuth2) SaveTokens(ctx context.Context, toks ...oauth2store.Token) error {
	return call0(ctx, w.S, "OAuth2.SaveTokens", func() error { return w.Store.SaveTokens(ctx, toks...) })
}

// Token implements oauth2store.Store.
func (w OAuth2) Token(ctx context.Context, hash string, now time.Time) (oauth2store.Token, bool, error) {
	return call2(ctx, w.S, "OAuth2.Token", func() (oauth2store.Token, bool, error) { return w.Store.Token(ctx, hash, now) },
		func(t oauth2store.Token, found bool) (oauth2store.Token, bool) {
			t.Hash, t.UserID = t.Hash+"-other", t.UserID+"-other"
			return t, found
		})
}

// RotateRefreshToken implements oauth2store.Store.
func (w OAuth2) RotateRefreshToken(ctx context.Context, hash, clientID string, now time.Time, next ...oauth2store.Token) (oauth2store.Token, oauth2store.RotateState, error) {
	return call2(ctx, w.S, "OAuth2.RotateRefreshToken", func() (oauth2store.Token, oauth2store.RotateState, error) {
		return w.Store.RotateRefreshToken(ctx, hash, clientID, now, next...)
	}, func(t oauth2store.Token, st oauth2store.RotateState) (oauth2store.Token, oauth2store.RotateState) {
		t.Hash, t.UserID = t.Hash+"-other", t.UserID+"-other"
		return t, st
	})
}

// RevokeToken implements oauth2store.Store.
func (w OAuth2) RevokeToken(ctx context.Context, hash, clientID string) (bool, error) {
	return call(ctx, w.S, "OAuth2.RevokeToken", func() (bool, error) { return w.Store.RevokeToken(ctx, hash, clientID) }, yes)
}

// CleanupExpired implements oauth2store.Store.
func (w OAuth2) CleanupExpired(ctx context.Context, now time.Time) (int, error) {
	return call(ctx, w.S, "OAuth2.CleanupExpired", func() (int, error) { return w.Store.CleanupExpired(ctx, now) }, same[int])
}

var (
	_ core.UserStore          = Users{}
	_ sessions.SessionBackend = Sessions{}
	_ TokenStore              = Tokens{}
	_ throttle.Store          = Throttle{}
	_ mfastore.Store          = MFA{}
	_ oauth2store.Store       = OAuth2{}
)
