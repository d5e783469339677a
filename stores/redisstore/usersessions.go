package redisstore

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/usersessions"
)

// The index of a user's sessions (usersessions.Lister), two keys
// that share the hash tag {user id}, so one script reaches both on a
// Cluster:
//
//	P usess:{<user id>}:z   ZSET handle → session expiry (Unix ms)
//	P usess:{<user id>}:m   HASH "m:"+handle → the login (JSON: storage key,
//	                        created, user agent, IP); "s:"+handle → last seen (Unix ms)
//
// Both expire with the user's last session. The sessions themselves stay
// where the cache backend keeps them, in slots of their own: a session
// deleted (a logout) leaves its handle behind, which a listing drops when
// it finds the session gone; an expired one is pruned by score.

// userKeys returns the user's index keys.
func (b *SessionBackend) userKeys(userID string) []string {
	tag := b.cache.prefix + "usess:{" + hashTagOf(userID) + "}:"
	return []string{tag + "z", tag + "m"}
}

// userLogin is the JSON of a handle's "m:" field.
type userLogin struct {
	Key       string `json:"k"`
	Created   int64  `json:"c"`
	UserAgent string `json:"ua,omitempty"`
	IP        string `json:"ip,omitempty"`
}

// indexScript indexes a session. KEYS: the user's ZSET and HASH; ARGV[1]
// the handle, ARGV[2] its expiry (ms), ARGV[3] now (ms), ARGV[4] the
// login's JSON, ARGV[5] "1" for a new session (the login replaced).
// Expired handles are pruned, and both keys expire with the last
// session.
var indexScript = redis.NewScript(`
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
for _, h in ipairs(old) do
  redis.call('HDEL', KEYS[2], 'm:' .. h, 's:' .. h)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
if ARGV[5] == '1' then
  redis.call('HSET', KEYS[2], 'm:' .. ARGV[1], ARGV[4])
else
  redis.call('HSETNX', KEYS[2], 'm:' .. ARGV[1], ARGV[4])
end
redis.call('HSET', KEYS[2], 's:' .. ARGV[1], ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local ttl = tonumber(last[2]) - tonumber(ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
`)

// dropScript removes handles from the index. KEYS: the user's ZSET and
// HASH; ARGV: the handles.
var dropScript = redis.NewScript(`
for _, h in ipairs(ARGV) do
  redis.call('ZREM', KEYS[1], h)
  redis.call('HDEL', KEYS[2], 'm:' .. h, 's:' .. h)
end
return 1
`)

// Save implements sessions.SessionBackend: the cache backend's Save,
// then, for a record with a UserID, the session's entry in its user's
// index (see UserSessions). A failure of the second step is an error
// although the session was saved: the request fails closed.
func (b *SessionBackend) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	if err := b.CacheSessionBackend.Save(ctx, id, rec); err != nil {
		return err
	}
	now := b.now()
	if rec.UserID == "" || !rec.Expiry.After(now) {
		return nil
	}
	sk := sessions.StorageKey(ctx, id)
	ua := usersessions.ClipUserAgent(rec.UserAgent)
	login, err := json.Marshal(userLogin{Key: sk, Created: now.UnixMilli(), UserAgent: ua, IP: rec.IP})
	if err != nil {
		return err
	}
	isNew := "0"
	if rec.Version == 0 {
		isNew = "1"
	}
	err = indexScript.Run(ctx, b.cache.client, b.userKeys(rec.UserID),
		usersessions.Handle(sk), rec.Expiry.UnixMilli(), now.UnixMilli(), login, isNew).Err()
	if err != nil {
		return sessions.StoreError("redis sessions: index", err)
	}
	return nil
}

// UserSessions implements usersessions.Lister: the user's live
// sessions within sessions.Namespace(ctx), from the user's index, each
// checked against its session (a pipeline of EXISTS); the handles of
// sessions found gone or expired are dropped from the index.
func (b *SessionBackend) UserSessions(ctx context.Context, userID string) ([]usersessions.Session, error) {
	const op = "redis sessions: user sessions"
	if err := sessions.CheckContext(ctx, op); err != nil {
		return nil, err
	}
	keys := b.userKeys(userID)
	now := b.now()
	zs, err := b.cache.client.ZRangeWithScores(ctx, keys[0], 0, -1).Result()
	if err != nil {
		return nil, sessions.StoreError(op, err)
	}
	if len(zs) == 0 {
		return nil, nil
	}
	fields := make([]string, 0, 2*len(zs))
	for _, z := range zs {
		h, _ := z.Member.(string)
		fields = append(fields, "m:"+h, "s:"+h)
	}
	vals, err := b.cache.client.HMGet(ctx, keys[1], fields...).Result()
	if err != nil {
		return nil, sessions.StoreError(op, err)
	}
	ns := sessions.Namespace(ctx)
	type found struct {
		s   usersessions.Session
		key string
	}
	var cands []found
	var drop []any
	for i, z := range zs {
		h, _ := z.Member.(string)
		m, _ := vals[2*i].(string)
		seen, _ := vals[2*i+1].(string)
		var l userLogin
		if z.Score <= float64(now.UnixMilli()) || json.Unmarshal([]byte(m), &l) != nil || usersessions.Handle(l.Key) != h {
			drop = append(drop, h)
			continue
		}
		if !usersessions.InNamespace(l.Key, ns) {
			continue
		}
		ms, _ := strconv.ParseInt(seen, 10, 64)
		cands = append(cands, found{key: l.Key, s: usersessions.Session{Handle: h, Created: time.UnixMilli(l.Created),
			LastSeen: time.UnixMilli(ms), Expiry: time.UnixMilli(int64(z.Score)), UserAgent: l.UserAgent, IP: l.IP}})
	}
	var out []usersessions.Session
	if len(cands) > 0 {
		pipe := b.cache.client.Pipeline()
		exists := make([]*redis.IntCmd, len(cands))
		for i, c := range cands {
			exists[i] = pipe.Exists(ctx, b.cache.prefix+b.Prefix+c.key)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, sessions.StoreError(op, err)
		}
		for i, c := range cands {
			if exists[i].Val() == 1 {
				out = append(out, c.s)
			} else {
				drop = append(drop, c.s.Handle)
			}
		}
	}
	if len(drop) > 0 {
		if err := dropScript.Run(ctx, b.cache.client, keys, drop...).Err(); err != nil {
			return nil, sessions.StoreError(op, err)
		}
	}
	return out, nil
}

// EndUserSession implements usersessions.Lister: it deletes the
// session of userID named by handle (found in the user's index, within
// sessions.Namespace(ctx)) and drops it from the index; it reports
// whether the session was live.
func (b *SessionBackend) EndUserSession(ctx context.Context, userID, handle string) (bool, error) {
	const op = "redis sessions: end user session"
	if err := sessions.CheckContext(ctx, op); err != nil {
		return false, err
	}
	keys := b.userKeys(userID)
	m, err := b.cache.client.HGet(ctx, keys[1], "m:"+handle).Result()
	if err == redis.Nil {
		return false, nil
	}
	if err != nil {
		return false, sessions.StoreError(op, err)
	}
	var l userLogin
	if json.Unmarshal([]byte(m), &l) != nil || usersessions.Handle(l.Key) != handle || !usersessions.InNamespace(l.Key, sessions.Namespace(ctx)) {
		return false, nil
	}
	n, err := b.cache.client.Del(ctx, b.cache.prefix+b.Prefix+l.Key).Result()
	if err != nil {
		return false, sessions.StoreError(op, err)
	}
	if err := dropScript.Run(ctx, b.cache.client, keys, handle).Err(); err != nil {
		return false, sessions.StoreError(op, err)
	}
	return n == 1, nil
}

var _ usersessions.Lister = (*SessionBackend)(nil)
