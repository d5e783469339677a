package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
)

// OAuth2Store is an oauth2store.Store whose authorization codes and
// tokens live in Redis, for an OAuth2 provider run by many instances. The
// registered applications live where the Applications given to
// NewOAuth2Store keep them — a SQL store's, so that `authctl
// createapplication`, the admin and a Django project sharing the database
// see them, and a flushed Redis loses no registration — or, given nil, in
// Redis too (one string per client, without expiry).
//
// Every key carries the hash tag {oauth2}: a token request names a code
// or a token by its hash alone, and redeeming a code that was used before
// revokes the tokens issued for it, rotating a refresh token revokes its
// family's access tokens, in the same atomic step; so on a Cluster the
// provider's codes and tokens share one slot, and each operation is one
// Lua script (or one HMGET), one round trip. A code or a token is a
// Redis hash with a PEXPIREAT at its ExpiresAt plus the retention
// (WithRetention), so Redis drops it if CleanupExpired never runs; a used
// code's expiry is moved on by oauth2store.UsedCodeRetention when it is
// used, so that it stays that much longer, to recognise its reuse.
//
// Errors (Redis unreachable, a timeout, a done ctx) wrap
// core.ErrStoreUnavailable; the sentinel errors of oauth2store are
// answers. It is safe for concurrent use and does not own the client.
type OAuth2Store struct {
	client    redis.UniversalClient
	apps      oauth2store.Applications // nil: applications in Redis
	base      string                   // prefix + "{oauth2}:"
	now       func() time.Time
	retention time.Duration
}

// NewOAuth2Store returns an OAuth2Store over client with the options
// (WithPrefix, WithRetention, WithClock: the clock expiries are measured
// from). apps keeps the applications; nil keeps them in Redis.
func NewOAuth2Store(client redis.UniversalClient, apps oauth2store.Applications, opts ...Option) *OAuth2Store {
	c := newConfig(opts)
	return &OAuth2Store{client: client, apps: apps, base: c.prefix + "{oauth2}:", now: c.now, retention: c.retention}
}

func (s *OAuth2Store) k(name string) string { return s.base + name }

// expireAt is the Redis expiry (Unix ms, by the wall clock Redis keeps)
// of a record expiring at exp by the store's clock: exp plus the
// retention, measured from now.
func (s *OAuth2Store) expireAt(exp time.Time) int64 {
	return time.Now().Add(exp.Sub(s.now()) + s.retention).UnixMilli()
}

// CreateApplication implements oauth2store.Applications.
func (s *OAuth2Store) CreateApplication(ctx context.Context, app oauth2store.Application) error {
	if s.apps != nil {
		return s.apps.CreateApplication(ctx, app)
	}
	if err := checkCtx("oauth2", "create application", ctx); err != nil {
		return err
	}
	b, err := json.Marshal(app)
	if err != nil {
		return fmt.Errorf("redis oauth2: create application: %w", err)
	}
	ok, err := s.client.SetNX(ctx, s.k("app:"+app.ClientID), b, 0).Result()
	if err != nil {
		return storeErr("oauth2", "create application", ctx, err)
	}
	if !ok {
		return oauth2store.ErrDuplicateClientID
	}
	return nil
}

// Application implements oauth2store.Applications.
func (s *OAuth2Store) Application(ctx context.Context, clientID string) (oauth2store.Application, bool, error) {
	if s.apps != nil {
		return s.apps.Application(ctx, clientID)
	}
	if err := checkCtx("oauth2", "application", ctx); err != nil {
		return oauth2store.Application{}, false, err
	}
	b, err := s.client.Get(ctx, s.k("app:"+clientID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return oauth2store.Application{}, false, nil
	}
	if err != nil {
		return oauth2store.Application{}, false, storeErr("oauth2", "application", ctx, err)
	}
	var app oauth2store.Application
	if err := json.Unmarshal(b, &app); err != nil {
		return oauth2store.Application{}, false, storeErr("oauth2", "application", ctx, err)
	}
	return app, true, nil
}

// purgeClientScript: KEYS[1] client:<id>, KEYS[2] exp, KEYS[3] app:<id>
// (deleted too when ARGV[2] is 1); ARGV[1] the key base. It deletes the
// client's codes and tokens and returns whether the application key
// existed.
var purgeClientScript = redis.NewScript(`
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local kind, h = string.sub(m, 1, 1), string.sub(m, 3)
  if kind == 'c' then redis.call('DEL', ARGV[1] .. 'code:' .. h) else redis.call('DEL', ARGV[1] .. 'tok:' .. h) end
  redis.call('ZREM', KEYS[2], m)
end
redis.call('DEL', KEYS[1])
if ARGV[2] == '1' then return redis.call('DEL', KEYS[3]) end
return 0
`)

// DeleteApplication implements oauth2store.Applications: the
// application (in its store), then its codes and tokens (one script).
func (s *OAuth2Store) DeleteApplication(ctx context.Context, clientID string) (bool, error) {
	var existed bool
	if s.apps != nil {
		ok, err := s.apps.DeleteApplication(ctx, clientID)
		if err != nil {
			return false, err
		}
		existed = ok
	} else if err := checkCtx("oauth2", "delete application", ctx); err != nil {
		return false, err
	}
	inRedis := "0"
	if s.apps == nil {
		inRedis = "1"
	}
	n, err := purgeClientScript.Run(ctx, s.client, []string{s.k("client:" + clientID), s.k("exp"), s.k("app:" + clientID)}, s.base, inRedis).Int()
	if err != nil {
		return false, storeErr("oauth2", "delete application", ctx, err)
	}
	return existed || n == 1, nil
}

// The hash of a code: d (the Code as JSON), e (ExpiresAt, µs), c (client),
// u (1 once used), r (1 once reused). Of a token: d (the Token as JSON),
// e, c, k (kind), f (family), ch (code hash), s (1 once spent by a
// rotation), x (1 once revoked). The sets fam:<family> and codetok:<code>
// hold token hashes; client:<id> holds "c:"+hash and "t:"+hash; the ZSET
// exp holds the same members scored by ExpiresAt (µs; for a used code
// ExpiresAt plus oauth2store.UsedCodeRetention), for CleanupExpired.

// indexLua adds a record to the indexes: the Lua function index(base,
// member, hash, client, family, code, exp, at) with extend's expiries.
const indexLua = extendLua + `
local function index(base, m, h, client, fam, ch, exp, at)
  redis.call('ZADD', base .. 'exp', exp, m)
  local ck = base .. 'client:' .. client
  redis.call('SADD', ck, m)
  extend(ck, at)
  if fam ~= '' then
    local fk = base .. 'fam:' .. fam
    redis.call('SADD', fk, h)
    extend(fk, at)
  end
  if ch ~= '' then
    local k = base .. 'codetok:' .. ch
    redis.call('SADD', k, h)
    extend(k, at)
  end
end
local function revoke(base, set, kind)
  for _, h in ipairs(redis.call('SMEMBERS', set)) do
    local tk = base .. 'tok:' .. h
    if redis.call('EXISTS', tk) == 1 and (kind == '' or redis.call('HGET', tk, 'k') == kind) then
      redis.call('HSET', tk, 'x', 1)
    end
  end
end
`

// saveCodeScript: KEYS[1] code:<hash>; ARGV base, hash, JSON, expires
// (µs), client, expiry (ms).
var saveCodeScript = redis.NewScript(indexLua + `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'd', ARGV[3], 'e', ARGV[4], 'c', ARGV[5])
redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[6]))
index(ARGV[1], 'c:' .. ARGV[2], ARGV[2], ARGV[5], '', '', ARGV[4], tonumber(ARGV[6]))
return 1
`)

// SaveCode implements oauth2store.Codes: one script.
func (s *OAuth2Store) SaveCode(ctx context.Context, c oauth2store.Code) error {
	if err := checkCtx("oauth2", "save code", ctx); err != nil {
		return err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("redis oauth2: save code: %w", err)
	}
	n, err := saveCodeScript.Run(ctx, s.client, []string{s.k("code:" + c.Hash)}, s.base, c.Hash, b,
		c.ExpiresAt.UnixMicro(), c.ClientID, s.expireAt(c.ExpiresAt)).Int()
	if err != nil {
		return storeErr("oauth2", "save code", ctx, err)
	}
	if n == 0 {
		return oauth2store.ErrDuplicateHash
	}
	return nil
}

// consumeCodeScript: KEYS[1] code:<hash>; ARGV base, hash, now (µs),
// oauth2store.UsedCodeRetention (µs), the same (ms). {0} unknown, {1,
// JSON} valid (now used), {2, JSON} reused (the code's tokens revoked, the
// code marked). Using a code moves its key's expiry, its score in exp
// (CleanupExpired's index) and its client set's expiry on by the
// retention, so that a reuse after its expiry is still recognised; a used
// code is reused until ExpiresAt plus the retention.
var consumeCodeScript = redis.NewScript(indexLua + `
local v = redis.call('HMGET', KEYS[1], 'd', 'e', 'u', 'c')
if not v[1] then return {0} end
local e, now = tonumber(v[2]), tonumber(ARGV[3])
if v[3] ~= '1' then
  if e <= now then return {0} end
  redis.call('HSET', KEYS[1], 'u', 1)
  local at = redis.call('PEXPIRETIME', KEYS[1])
  if at > 0 then
    at = at + tonumber(ARGV[5])
    redis.call('PEXPIREAT', KEYS[1], at)
    if v[4] then extend(ARGV[1] .. 'client:' .. v[4], at) end
  end
  redis.call('ZADD', ARGV[1] .. 'exp', e + tonumber(ARGV[4]), 'c:' .. ARGV[2])
  return {1, v[1]}
end
if e + tonumber(ARGV[4]) <= now then return {0} end
redis.call('HSET', KEYS[1], 'r', 1)
revoke(ARGV[1], ARGV[1] .. 'codetok:' .. ARGV[2], '')
return {2, v[1]}
`)

// ConsumeCode implements oauth2store.Codes: one script, so of concurrent
// calls with one hash exactly one finds the code unused.
func (s *OAuth2Store) ConsumeCode(ctx context.Context, hash string, now time.Time) (oauth2store.Code, oauth2store.CodeState, error) {
	if err := checkCtx("oauth2", "consume code", ctx); err != nil {
		return oauth2store.Code{}, oauth2store.CodeUnknown, err
	}
	v, err := consumeCodeScript.Run(ctx, s.client, []string{s.k("code:" + hash)}, s.base, hash, now.UnixMicro(),
		oauth2store.UsedCodeRetention.Microseconds(), oauth2store.UsedCodeRetention.Milliseconds()).Slice()
	if err != nil {
		return oauth2store.Code{}, oauth2store.CodeUnknown, storeErr("oauth2", "consume code", ctx, err)
	}
	st, data := scriptAnswer(v)
	if st != 1 && st != 2 {
		return oauth2store.Code{}, oauth2store.CodeUnknown, nil
	}
	var c oauth2store.Code
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		// The code was spent by this call but cannot be read: fail closed.
		return oauth2store.Code{}, oauth2store.CodeUnknown, storeErr("oauth2", "consume code", ctx, err)
	}
	if st == 1 {
		return c, oauth2store.CodeValid, nil
	}
	return c, oauth2store.CodeReused, nil
}

// scriptAnswer splits a script's {state, JSON} reply.
func scriptAnswer(v []any) (int64, string) {
	if len(v) == 0 {
		return 0, ""
	}
	st, _ := v[0].(int64)
	var data string
	if len(v) > 1 {
		data, _ = v[1].(string)
	}
	return st, data
}

// storeTokensLua holds the Lua functions check(base, from, keyFrom) and
// put(base, from, keyFrom) over the tokens given in ARGV from index from
// on, eight values each (hash, JSON, expires µs, kind, client, family,
// code hash, expiry ms), with their keys in KEYS from keyFrom on. check
// returns 0 when they may be stored, -1 when a hash is stored already, -2
// when a token's code was reused; put stores them.
const storeTokensLua = indexLua + `
local function check(base, from, keyFrom)
  local n = (#ARGV - from + 1) / 8
  for i = 0, n - 1 do
    local a = from + i * 8
    if redis.call('EXISTS', KEYS[keyFrom + i]) == 1 then return -1 end
    if ARGV[a + 6] ~= '' and redis.call('HGET', base .. 'code:' .. ARGV[a + 6], 'r') == '1' then return -2 end
  end
  return 0
end
local function put(base, from, keyFrom)
  local n = (#ARGV - from + 1) / 8
  for i = 0, n - 1 do
    local a = from + i * 8
    local k = KEYS[keyFrom + i]
    local at = tonumber(ARGV[a + 7])
    redis.call('HSET', k, 'd', ARGV[a + 1], 'e', ARGV[a + 2], 'k', ARGV[a + 3], 'c', ARGV[a + 4], 'f', ARGV[a + 5], 'ch', ARGV[a + 6])
    redis.call('PEXPIREAT', k, at)
    index(base, 't:' .. ARGV[a], ARGV[a], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 2], at)
  end
end
`

var saveTokensScript = redis.NewScript(storeTokensLua + `
local n = check(ARGV[1], 2, 1)
if n == 0 then put(ARGV[1], 2, 1) end
return n
`)

// tokenArgs appends the keys and the script arguments of toks.
func (s *OAuth2Store) tokenArgs(keys []string, args []any, toks []oauth2store.Token) ([]string, []any, error) {
	for _, t := range toks {
		b, err := json.Marshal(t)
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, s.k("tok:"+t.Hash))
		args = append(args, t.Hash, b, t.ExpiresAt.UnixMicro(), t.Kind, t.ClientID, t.FamilyID, t.CodeHash, s.expireAt(t.ExpiresAt))
	}
	return keys, args, nil
}

// tokensErr is the error of check's answer n.
func tokensErr(n int64) error {
	switch n {
	case -1:
		return oauth2store.ErrDuplicateHash
	case -2:
		return oauth2store.ErrCodeReused
	}
	return nil
}

// SaveTokens implements oauth2store.Tokens: one script, all or none,
// atomic with respect to ConsumeCode (a reuse is either seen, and nothing
// stored, or it revokes what was stored).
func (s *OAuth2Store) SaveTokens(ctx context.Context, toks ...oauth2store.Token) error {
	if err := checkCtx("oauth2", "save tokens", ctx); err != nil {
		return err
	}
	if len(toks) == 0 {
		return nil
	}
	keys, args, err := s.tokenArgs(nil, []any{s.base}, toks)
	if err != nil {
		return fmt.Errorf("redis oauth2: save tokens: %w", err)
	}
	n, err := saveTokensScript.Run(ctx, s.client, keys, args...).Int64()
	if err != nil {
		return storeErr("oauth2", "save tokens", ctx, err)
	}
	return tokensErr(n)
}

// Token implements oauth2store.Tokens: one HMGET.
func (s *OAuth2Store) Token(ctx context.Context, hash string, now time.Time) (oauth2store.Token, bool, error) {
	if err := checkCtx("oauth2", "token", ctx); err != nil {
		return oauth2store.Token{}, false, err
	}
	v, err := s.client.HMGet(ctx, s.k("tok:"+hash), "d", "e", "s", "x").Result()
	if err != nil {
		return oauth2store.Token{}, false, storeErr("oauth2", "token", ctx, err)
	}
	data, _ := v[0].(string)
	exp, _ := v[1].(string)
	spent, _ := v[2].(string)
	revoked, _ := v[3].(string)
	e, perr := strconv.ParseInt(exp, 10, 64)
	if data == "" || perr != nil || spent == "1" || revoked == "1" || e <= now.UnixMicro() {
		return oauth2store.Token{}, false, nil
	}
	var t oauth2store.Token
	if err := json.Unmarshal([]byte(data), &t); err != nil {
		return oauth2store.Token{}, false, storeErr("oauth2", "token", ctx, err)
	}
	return t, true, nil
}

// rotateScript: KEYS[1] tok:<hash>, KEYS[2…] the next tokens' keys; ARGV
// base, client, now (µs), then the next tokens as store takes them.
// {0} unknown, {1, JSON} rotated, {2, JSON} reused (family revoked),
// {-1} a next hash is stored.
var rotateScript = redis.NewScript(storeTokensLua + `
local v = redis.call('HMGET', KEYS[1], 'd', 'e', 'k', 'c', 'f', 's', 'x')
if not v[1] or v[3] ~= 'refresh' or v[4] ~= ARGV[2] or tonumber(v[2]) <= tonumber(ARGV[3]) or v[7] == '1' then return {0} end
local fam = ARGV[1] .. 'fam:' .. v[5]
if v[6] == '1' then
  if v[5] ~= '' then revoke(ARGV[1], fam, '') else redis.call('HSET', KEYS[1], 'x', 1) end
  return {2, v[1]}
end
local n = check(ARGV[1], 4, 2)
if n ~= 0 then return {n} end
redis.call('HSET', KEYS[1], 's', 1)
if v[5] ~= '' then revoke(ARGV[1], fam, 'access') end
put(ARGV[1], 4, 2)
return {1, v[1]}
`)

// RotateRefreshToken implements oauth2store.Tokens: one script.
func (s *OAuth2Store) RotateRefreshToken(ctx context.Context, hash, clientID string, now time.Time, next ...oauth2store.Token) (oauth2store.Token, oauth2store.RotateState, error) {
	if err := checkCtx("oauth2", "rotate", ctx); err != nil {
		return oauth2store.Token{}, oauth2store.RotateUnknown, err
	}
	keys, args, err := s.tokenArgs([]string{s.k("tok:" + hash)}, []any{s.base, clientID, now.UnixMicro()}, next)
	if err != nil {
		return oauth2store.Token{}, oauth2store.RotateUnknown, fmt.Errorf("redis oauth2: rotate: %w", err)
	}
	v, err := rotateScript.Run(ctx, s.client, keys, args...).Slice()
	if err != nil {
		return oauth2store.Token{}, oauth2store.RotateUnknown, storeErr("oauth2", "rotate", ctx, err)
	}
	st, data := scriptAnswer(v)
	switch st {
	case 1, 2:
	case -1:
		return oauth2store.Token{}, oauth2store.RotateUnknown, oauth2store.ErrDuplicateHash
	case -2:
		return oauth2store.Token{}, oauth2store.RotateUnknown, oauth2store.ErrCodeReused
	default:
		return oauth2store.Token{}, oauth2store.RotateUnknown, nil
	}
	var t oauth2store.Token
	if err := json.Unmarshal([]byte(data), &t); err != nil {
		return oauth2store.Token{}, oauth2store.RotateUnknown, storeErr("oauth2", "rotate", ctx, err)
	}
	if st == 1 {
		return t, oauth2store.RotateOK, nil
	}
	return t, oauth2store.RotateReused, nil
}

// revokeTokenScript: KEYS[1] tok:<hash>; ARGV base, client. 1 revoked.
var revokeTokenScript = redis.NewScript(indexLua + `
local v = redis.call('HMGET', KEYS[1], 'k', 'c', 'f', 's', 'x')
if not v[1] or v[2] ~= ARGV[2] or v[4] == '1' or v[5] == '1' then return 0 end
redis.call('HSET', KEYS[1], 'x', 1)
if v[1] == 'refresh' and v[3] ~= '' then revoke(ARGV[1], ARGV[1] .. 'fam:' .. v[3], '') end
return 1
`)

// RevokeToken implements oauth2store.Tokens: one script.
func (s *OAuth2Store) RevokeToken(ctx context.Context, hash, clientID string) (bool, error) {
	if err := checkCtx("oauth2", "revoke", ctx); err != nil {
		return false, err
	}
	n, err := revokeTokenScript.Run(ctx, s.client, []string{s.k("tok:" + hash)}, s.base, clientID).Int()
	if err != nil {
		return false, storeErr("oauth2", "revoke", ctx, err)
	}
	return n == 1, nil
}

// oauth2CleanupScript: KEYS[1] exp; ARGV now (µs), batch, base.
var oauth2CleanupScript = redis.NewScript(`
local ms = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, m in ipairs(ms) do
  local k
  if string.sub(m, 1, 1) == 'c' then k = ARGV[3] .. 'code:' .. string.sub(m, 3) else k = ARGV[3] .. 'tok:' .. string.sub(m, 3) end
  local c = redis.call('HGET', k, 'c')
  if c then redis.call('SREM', ARGV[3] .. 'client:' .. c, m) end
  redis.call('DEL', k)
  redis.call('ZREM', KEYS[1], m)
end
return #ms
`)

// CleanupExpired implements oauth2store.Store: one script per
// cleanupBatch records. ExpiresAt "not after now" is a score at or below
// now; a used code's score is its ExpiresAt plus
// oauth2store.UsedCodeRetention (ConsumeCode moves it).
func (s *OAuth2Store) CleanupExpired(ctx context.Context, now time.Time) (int, error) {
	if err := checkCtx("oauth2", "cleanup", ctx); err != nil {
		return 0, err
	}
	total := 0
	for {
		n, err := oauth2CleanupScript.Run(ctx, s.client, []string{s.k("exp")}, now.UnixMicro(), cleanupBatch, s.base).Int()
		if err != nil {
			return total, storeErr("oauth2", "cleanup", ctx, err)
		}
		total += n
		if n < cleanupBatch {
			return total, nil
		}
	}
}

var _ oauth2store.Store = (*OAuth2Store)(nil)
