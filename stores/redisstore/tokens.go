package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core/tokens"
)

// TokenStore is a tokens.TokenBlacklist, a tokens.RefreshStore and a
// tokens.StateReader in Redis: the blacklist, the refresh-token families
// and the users' "valid after" stamps of a tokens.TokenRotationManager
// shared by every instance of a service
// (tokens.NewTokenRotationManager(s, s)). The key layout is in the package
// doc; every key carries the hash tag {tokens}, so that each operation is
// one Lua script (or one MULTI) in one round trip, atomic, on a single
// server and on a Cluster alike.
//
// Consume names a token by its jti alone, and Stats, Cleanup and
// RevokeUser range over many tokens, so the store cannot be split by
// family or by user without giving up either atomicity or the single
// round trip: on a Cluster its keys live in one slot (one master and its
// replicas). A blacklist entry and a token record are a few dozen bytes,
// and each script touches a handful of keys.
//
// Blacklist entries stay until Cleanup removes them, as the contract
// says (Stats counts them); refresh tokens and families have a Redis
// expiry (PEXPIREAT) of their ExpiresAt plus the retention
// (WithRetention), so Redis drops them if Cleanup never runs; Cleanup
// removes them sooner and counts them. The "valid after" stamps have no
// expiry (one small hash field per user who logged out everywhere).
//
// Errors (Redis unreachable, a timeout, a done ctx) wrap
// core.ErrStoreUnavailable. It is safe for concurrent use and does not
// own the client.
type TokenStore struct {
	client    redis.UniversalClient
	base      string // prefix + "{tokens}:"
	now       func() time.Time
	retention time.Duration
}

// NewTokenStore returns a TokenStore over client with the options
// (WithPrefix, WithClock for revocation times, WithRetention).
func NewTokenStore(client redis.UniversalClient, opts ...Option) *TokenStore {
	c := newConfig(opts)
	return &TokenStore{client: client, base: c.prefix + "{tokens}:", now: c.now, retention: c.retention}
}

func (s *TokenStore) k(name string) string { return s.base + name }

// cleanupBatch is how many entries one Cleanup script removes; Cleanup
// runs it until fewer come back, so that no script blocks Redis for long.
const cleanupBatch = 500

// The blacklist: KEYS[1] bl:at (ZSET jti → blacklisted at, µs), KEYS[2]
// bl:exp (ZSET jti → expires at, µs), KEYS[3] bl:reason (HASH jti →
// reason), KEYS[4] bl:count (HASH reason → entries).
var blacklistScript = redis.NewScript(`
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
redis.call('HINCRBY', KEYS[4], ARGV[4], 1)
return 1
`)

var blacklistCleanupScript = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  local r = redis.call('HGET', KEYS[3], id)
  if r then
    redis.call('HDEL', KEYS[3], id)
    if redis.call('HINCRBY', KEYS[4], r, -1) <= 0 then redis.call('HDEL', KEYS[4], r) end
  end
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return #ids
`)

func (s *TokenStore) blKeys() []string {
	return []string{s.k("bl:at"), s.k("bl:exp"), s.k("bl:reason"), s.k("bl:count")}
}

// Blacklist implements tokens.TokenBlacklist: one script.
func (s *TokenStore) Blacklist(ctx context.Context, jti string, expiresAt time.Time, reason tokens.BlacklistReason) error {
	if err := checkCtx("tokens", "blacklist", ctx); err != nil {
		return err
	}
	err := blacklistScript.Run(ctx, s.client, s.blKeys(), jti, s.now().UnixMicro(), expiresAt.UnixMicro(), reason.String()).Err()
	if err != nil {
		return storeErr("tokens", "blacklist", ctx, err)
	}
	return nil
}

// IsBlacklisted implements tokens.TokenBlacklist: one ZSCORE.
func (s *TokenStore) IsBlacklisted(ctx context.Context, jti string) (bool, error) {
	if err := checkCtx("tokens", "is blacklisted", ctx); err != nil {
		return false, err
	}
	err := s.client.ZScore(ctx, s.k("bl:at"), jti).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, redis.Nil):
		return false, nil
	}
	return false, storeErr("tokens", "is blacklisted", ctx, err)
}

// Cleanup implements tokens.TokenBlacklist: one script per
// cleanupBatch entries.
func (s *TokenStore) blacklistCleanup(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		n, err := blacklistCleanupScript.Run(ctx, s.client, s.blKeys(), now.UnixMicro(), cleanupBatch).Int()
		if err != nil {
			return total, storeErr("tokens", "blacklist cleanup", ctx, err)
		}
		total += n
		if n < cleanupBatch {
			return total, nil
		}
	}
}

// Stats implements tokens.TokenBlacklist: one MULTI.
func (s *TokenStore) Stats(ctx context.Context) (tokens.Stats, error) {
	if err := checkCtx("tokens", "stats", ctx); err != nil {
		return tokens.Stats{}, err
	}
	pipe := s.client.TxPipeline()
	counts := pipe.HGetAll(ctx, s.k("bl:count"))
	oldest := pipe.ZRangeWithScores(ctx, s.k("bl:at"), 0, 0)
	newest := pipe.ZRangeWithScores(ctx, s.k("bl:at"), -1, -1)
	if _, err := pipe.Exec(ctx); err != nil {
		return tokens.Stats{}, storeErr("tokens", "stats", ctx, err)
	}
	st := tokens.Stats{ByReason: map[tokens.BlacklistReason]int{}}
	for name, v := range counts.Val() {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			continue
		}
		r, _ := tokens.ParseBlacklistReason(name)
		st.ByReason[r] += n
		st.Total += n
	}
	if o := oldest.Val(); len(o) == 1 {
		st.Oldest = fromMicros(int64(o[0].Score))
	}
	if n := newest.Val(); len(n) == 1 {
		st.Newest = fromMicros(int64(n[0].Score))
	}
	return st, nil
}

// extendLua is a Lua function that moves a key's expiry to at (Unix ms)
// unless it is already later; scripts that extend expiries start with it.
const extendLua = `
local function extend(k, at)
  local cur = redis.call('PEXPIRETIME', k)
  if cur < 0 or cur < at then redis.call('PEXPIREAT', k, at) end
end
`

// issueScript: KEYS[1] rt:<jti>, KEYS[2] fam:<family>, KEYS[3]
// user:<user>, KEYS[4] rt:exp; ARGV jti, family, user, issued (µs),
// expires (µs), retention (µs). 1 done (or already there), 0 the family
// is another user's.
var issueScript = redis.NewScript(extendLua + `
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
local u = redis.call('HGET', KEYS[2], 'u')
if u and u ~= ARGV[3] then return 0 end
local exp = tonumber(ARGV[5])
local at = math.floor((exp + tonumber(ARGV[6])) / 1000)
if not u then
  redis.call('HSET', KEYS[2], 'u', ARGV[3], 'c', ARGV[4], 'e', ARGV[5], 'n', 0)
elseif tonumber(redis.call('HGET', KEYS[2], 'e')) < exp then
  redis.call('HSET', KEYS[2], 'e', ARGV[5])
end
redis.call('HINCRBY', KEYS[2], 'n', 1)
extend(KEYS[2], at)
redis.call('HSET', KEYS[1], 'f', ARGV[2], 's', 0)
redis.call('PEXPIREAT', KEYS[1], at)
redis.call('SADD', KEYS[3], ARGV[2])
extend(KEYS[3], at)
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
return 1
`)

// errEmptyRecord: Issue was given a record without jti, family or user.
var errEmptyRecord = errors.New("redis tokens: a refresh record needs a jti, a family and a user id")

// Issue implements tokens.RefreshStore: one script.
func (s *TokenStore) Issue(ctx context.Context, rec tokens.RefreshRecord) error {
	if err := checkCtx("tokens", "issue", ctx); err != nil {
		return err
	}
	if rec.JTI == "" || rec.Family == "" || rec.UserID == "" {
		return errEmptyRecord
	}
	keys := []string{s.k("rt:" + rec.JTI), s.k("fam:" + rec.Family), s.k("user:" + rec.UserID), s.k("rt:exp")}
	n, err := issueScript.Run(ctx, s.client, keys, rec.JTI, rec.Family, rec.UserID,
		rec.IssuedAt.UnixMicro(), rec.ExpiresAt.UnixMicro(), s.retention.Microseconds()).Int()
	if err != nil {
		return storeErr("tokens", "issue", ctx, err)
	}
	if n == 0 {
		return fmt.Errorf("redis tokens: issue into family %q: %w", rec.Family, tokens.ErrFamilyMismatch)
	}
	return nil
}

// familyFields are the fields of a family's hash, in the order the
// scripts return them: user, created (µs), expires (µs), revoked at (µs,
// absent while live), reason.
var familyFields = []string{"u", "c", "e", "r", "why"}

// consumeScript: KEYS[1] rt:<jti>; ARGV[1] the key base. It returns
// {result} or {result, family, user, created, expires, revoked, reason}.
var consumeScript = redis.NewScript(`
local f = redis.call('HGET', KEYS[1], 'f')
if not f then return {0} end
local fam = redis.call('HMGET', ARGV[1] .. 'fam:' .. f, 'u', 'c', 'e', 'r', 'why')
if not fam[1] then return {0} end
local res
if redis.call('HGET', KEYS[1], 's') == '1' then res = 2
elseif fam[4] then res = 3
else redis.call('HSET', KEYS[1], 's', 1); res = 1 end
return {res, f, fam[1], fam[2], fam[3], fam[4] or '', fam[5] or ''}
`)

// parseFamily reads a family from the strings a script or HMGET returned
// (user, created, expires, revoked, reason), nil or "" for absent ones.
func parseFamily(id string, v []any) (tokens.Family, bool) {
	if len(v) < 5 {
		return tokens.Family{}, false
	}
	str := func(i int) string { s, _ := v[i].(string); return s }
	num := func(i int) int64 { n, _ := strconv.ParseInt(str(i), 10, 64); return n }
	if str(0) == "" {
		return tokens.Family{}, false
	}
	f := tokens.Family{ID: id, UserID: str(0), CreatedAt: fromMicros(num(1)), ExpiresAt: fromMicros(num(2)), RevokedAt: fromMicros(num(3))}
	if f.Revoked() {
		f.Reason, _ = tokens.ParseBlacklistReason(str(4))
	}
	return f, true
}

// Consume implements tokens.RefreshStore: one script, so of concurrent
// calls for one jti exactly one finds it unspent.
func (s *TokenStore) Consume(ctx context.Context, jti string) (tokens.Consumption, error) {
	if err := checkCtx("tokens", "consume", ctx); err != nil {
		return tokens.Consumption{}, err
	}
	v, err := consumeScript.Run(ctx, s.client, []string{s.k("rt:" + jti)}, s.base).Slice()
	if err != nil {
		return tokens.Consumption{}, storeErr("tokens", "consume", ctx, err)
	}
	if len(v) != 7 {
		return tokens.Consumption{}, nil // Unknown
	}
	res, _ := v[0].(int64)
	id, _ := v[1].(string)
	f, ok := parseFamily(id, v[2:])
	if !ok || res < 1 || res > 3 {
		return tokens.Consumption{}, nil
	}
	return tokens.Consumption{Result: tokens.ConsumeResult(res), Family: f}, nil
}

// Family implements tokens.RefreshStore: one HMGET.
func (s *TokenStore) Family(ctx context.Context, id string) (tokens.Family, bool, error) {
	if err := checkCtx("tokens", "family", ctx); err != nil {
		return tokens.Family{}, false, err
	}
	v, err := s.client.HMGet(ctx, s.k("fam:"+id), familyFields...).Result()
	if err != nil {
		return tokens.Family{}, false, storeErr("tokens", "family", ctx, err)
	}
	f, ok := parseFamily(id, v)
	return f, ok, nil
}

// revokeFamilyScript: KEYS[1] fam:<id>; ARGV now (µs), reason.
var revokeFamilyScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'r') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'r', ARGV[1], 'why', ARGV[2])
return 1
`)

// RevokeFamily implements tokens.RefreshStore: one script.
func (s *TokenStore) RevokeFamily(ctx context.Context, id string, reason tokens.BlacklistReason) error {
	if err := checkCtx("tokens", "revoke family", ctx); err != nil {
		return err
	}
	if err := revokeFamilyScript.Run(ctx, s.client, []string{s.k("fam:" + id)}, s.now().UnixMicro(), reason.String()).Err(); err != nil {
		return storeErr("tokens", "revoke family", ctx, err)
	}
	return nil
}

// revokeUserScript: KEYS[1] user:<id>; ARGV the key base, issued before
// (µs), now (µs), reason. Families that expired meanwhile leave the set.
var revokeUserScript = redis.NewScript(`
local n = 0
for _, f in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local fk = ARGV[1] .. 'fam:' .. f
  local c = redis.call('HGET', fk, 'c')
  if not c then
    redis.call('SREM', KEYS[1], f)
  elseif tonumber(c) <= tonumber(ARGV[2]) and redis.call('HEXISTS', fk, 'r') == 0 then
    redis.call('HSET', fk, 'r', ARGV[3], 'why', ARGV[4])
    n = n + 1
  end
end
return n
`)

// RevokeUser implements tokens.RefreshStore: one script.
func (s *TokenStore) RevokeUser(ctx context.Context, userID string, issuedBefore time.Time, reason tokens.BlacklistReason) (int, error) {
	if err := checkCtx("tokens", "revoke user", ctx); err != nil {
		return 0, err
	}
	n, err := revokeUserScript.Run(ctx, s.client, []string{s.k("user:" + userID)}, s.base,
		issuedBefore.UnixMicro(), s.now().UnixMicro(), reason.String()).Int()
	if err != nil {
		return 0, storeErr("tokens", "revoke user", ctx, err)
	}
	return n, nil
}

// setValidAfterScript: KEYS[1] va (HASH user → µs); ARGV user, stamp.
var setValidAfterScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur or tonumber(cur) < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`)

// SetValidAfter implements tokens.RefreshStore: one script.
func (s *TokenStore) SetValidAfter(ctx context.Context, userID string, t time.Time) error {
	if err := checkCtx("tokens", "set valid after", ctx); err != nil {
		return err
	}
	if err := setValidAfterScript.Run(ctx, s.client, []string{s.k("va")}, userID, t.UnixMicro()).Err(); err != nil {
		return storeErr("tokens", "set valid after", ctx, err)
	}
	return nil
}

// ValidAfter implements tokens.RefreshStore: one HGET.
func (s *TokenStore) ValidAfter(ctx context.Context, userID string) (time.Time, error) {
	if err := checkCtx("tokens", "valid after", ctx); err != nil {
		return time.Time{}, err
	}
	us, err := s.client.HGet(ctx, s.k("va"), userID).Int64()
	switch {
	case errors.Is(err, redis.Nil):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, storeErr("tokens", "valid after", ctx, err)
	}
	return fromMicros(us), nil
}

// refreshCleanupScript: KEYS[1] rt:exp; ARGV now (µs), batch, key base.
// A family whose last token goes goes with it.
var refreshCleanupScript = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  local k = ARGV[3] .. 'rt:' .. id
  local f = redis.call('HGET', k, 'f')
  redis.call('DEL', k)
  redis.call('ZREM', KEYS[1], id)
  if f then
    local fk = ARGV[3] .. 'fam:' .. f
    if redis.call('EXISTS', fk) == 1 and redis.call('HINCRBY', fk, 'n', -1) <= 0 then
      local u = redis.call('HGET', fk, 'u')
      redis.call('DEL', fk)
      if u then redis.call('SREM', ARGV[3] .. 'user:' .. u, f) end
    end
  end
end
return #ids
`)

// Cleanup implements tokens.TokenBlacklist and tokens.RefreshStore at
// once: the manager hands one store both roles, so Cleanup removes
// expired blacklist entries and expired refresh tokens (with the families
// they leave empty) and returns how many of both it removed. Each is one
// script per cleanupBatch entries.
func (s *TokenStore) Cleanup(ctx context.Context, now time.Time) (int, error) {
	if err := checkCtx("tokens", "cleanup", ctx); err != nil {
		return 0, err
	}
	n, err := s.blacklistCleanup(ctx, now)
	if err != nil {
		return n, err
	}
	for {
		m, err := refreshCleanupScript.Run(ctx, s.client, []string{s.k("rt:exp")}, now.UnixMicro(), cleanupBatch, s.base).Int()
		if err != nil {
			return n, storeErr("tokens", "cleanup", ctx, err)
		}
		n += m
		if m < cleanupBatch {
			return n, nil
		}
	}
}

// tokenStateScript: KEYS[1] bl:at, KEYS[2] va; ARGV key base, jti,
// family, user. It returns {blacklisted, user, created, expires, revoked,
// reason, valid after}.
var tokenStateScript = redis.NewScript(`
local bl = 0
if ARGV[2] ~= '' and redis.call('ZSCORE', KEYS[1], ARGV[2]) then bl = 1 end
local fam = {false, false, false, false, false}
if ARGV[3] ~= '' then fam = redis.call('HMGET', ARGV[1] .. 'fam:' .. ARGV[3], 'u', 'c', 'e', 'r', 'why') end
local va = false
if ARGV[4] ~= '' then va = redis.call('HGET', KEYS[2], ARGV[4]) end
return {bl, fam[1] or '', fam[2] or '', fam[3] or '', fam[4] or '', fam[5] or '', va or ''}
`)

// TokenState implements tokens.StateReader: the blacklist entry, the
// family and the stamp in one script, one round trip per revocation
// check.
func (s *TokenStore) TokenState(ctx context.Context, jti, family, userID string) (tokens.TokenState, error) {
	if err := checkCtx("tokens", "token state", ctx); err != nil {
		return tokens.TokenState{}, err
	}
	v, err := tokenStateScript.Run(ctx, s.client, []string{s.k("bl:at"), s.k("va")}, s.base, jti, family, userID).Slice()
	if err != nil {
		return tokens.TokenState{}, storeErr("tokens", "token state", ctx, err)
	}
	if len(v) != 7 {
		return tokens.TokenState{}, storeErr("tokens", "token state", ctx, errors.New("unexpected script reply"))
	}
	var st tokens.TokenState
	bl, _ := v[0].(int64)
	st.Blacklisted = bl == 1
	if family != "" {
		st.Family, st.FamilyFound = parseFamily(family, v[1:6])
	}
	if s, _ := v[6].(string); s != "" {
		us, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			st.ValidAfter = fromMicros(us)
		}
	}
	return st, nil
}

var (
	_ tokens.TokenBlacklist = (*TokenStore)(nil)
	_ tokens.RefreshStore   = (*TokenStore)(nil)
	_ tokens.StateReader    = (*TokenStore)(nil)
)
