package redisstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core/sessions"
)

// DefaultPrefix goes in front of every key this package writes, so that
// one Redis database can serve other programs too.
const DefaultPrefix = "reinhardt:"

// MaxValueSize is the largest value Cache.CompareAndSet stores:
// sessions.MaxDataSize with 64 KiB to spare for the headers of the layers
// above (the cache backend's expiry, compression's marker). A larger value
// fails with sessions.ErrTooLarge before anything is sent, and Get treats
// a larger stored value as absent.
const MaxValueSize = sessions.MaxDataSize + 64<<10

// versionSize is the length of the version every value starts with.
const versionSize = 8

// ErrInvalidURL is the error of Open for a URL it does not understand.
// The message never repeats the URL's password.
var ErrInvalidURL = errors.New("redisstore: invalid Redis URL")

// Option configures NewCache and NewSessionBackend.
type Option func(*config)

type config struct {
	prefix    string
	now       func() time.Time
	retention time.Duration
}

// WithPrefix sets the prefix of every key: DefaultPrefix ("reinhardt:")
// by default. Give each application sharing a Redis database its own. An
// empty prefix is allowed.
func WithPrefix(p string) Option { return func(c *config) { c.prefix = p } }

// WithClock sets the clock the session backend checks expiry by (tests);
// the default is time.Now. Redis expires keys by its own clock.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// DefaultRetention is how long the token, OAuth2 and MFA stores keep a
// record past its expiry before Redis drops it (WithRetention): long
// enough for a verifier's leeway and for reuse of a spent refresh token
// or code to be recognised shortly after it expires.
const DefaultRetention = 24 * time.Hour

// WithRetention sets how long records with an expiry (refresh tokens and
// their families, OAuth2 codes and tokens, TOTP steps) stay in Redis past
// it; DefaultRetention when unset or not positive. Until then Cleanup
// (CleanupExpired) removes them and counts them; after it Redis has.
func WithRetention(d time.Duration) Option { return func(c *config) { c.retention = d } }

func newConfig(opts []Option) config {
	c := config{prefix: DefaultPrefix, now: time.Now, retention: DefaultRetention}
	for _, o := range opts {
		o(&c)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.retention <= 0 {
		c.retention = DefaultRetention
	}
	return c
}

// Cache is a sessions.Cache in Redis, for sessions.CacheSessionBackend and
// as the sessions.GenerationStore of sessions.CookieSessionBackend.
//
// Each entry is one Redis string under Prefix+key: the entry's version (8
// bytes, big-endian) followed by the value, with the entry's time to live
// as the key's PX expiry. CompareAndSet is one Lua script (GETRANGE of the
// version, compare, SET … PX or DEL), so the comparison, the value, the
// version and the expiry are written in one atomic step and no reader
// ever sees a value without its expiry. Every key a call touches is the
// one key it is given, so the script runs on Redis Cluster too.
//
// Errors (Redis unreachable, a timeout, a done ctx, a key of another type)
// wrap core.ErrStoreUnavailable. A Cache is safe for concurrent use; it
// does not own the client (close the client yourself).
type Cache struct {
	client redis.UniversalClient
	prefix string
}

// NewCache returns a Cache over client with the options (WithPrefix).
func NewCache(client redis.UniversalClient, opts ...Option) *Cache {
	c := newConfig(opts)
	return &Cache{client: client, prefix: c.prefix}
}

// Client returns the client the cache talks through.
func (c *Cache) Client() redis.UniversalClient { return c.client }

// Prefix returns the prefix of the cache's keys.
func (c *Cache) Prefix() string { return c.prefix }

// casScript is CompareAndSet. KEYS[1] the key; ARGV[1] the expected
// version (8 bytes, zero for "must not exist"); ARGV[2] the new value,
// version included; ARGV[3] the time to live in milliseconds, 0 meaning
// delete. Only the version is read (GETRANGE), never the whole value.
var casScript = redis.NewScript(`
local cur = redis.call('GETRANGE', KEYS[1], 0, 7)
if cur == '' then cur = '\0\0\0\0\0\0\0\0' end
if cur ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[3])
if ttl <= 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
end
return 1
`)

// Get implements sessions.Cache. A stored value that is not in the
// cache's format (shorter than its version, or over MaxValueSize) is
// absent.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, uint64, bool, error) {
	if err := sessions.CheckContext(ctx, "redis cache: get"); err != nil {
		return nil, 0, false, err
	}
	s, err := c.client.Get(ctx, c.prefix+key).Result()
	if err == redis.Nil {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, sessions.StoreError("redis cache: get", err)
	}
	v, data, ok := decodeValue(s)
	if !ok {
		return nil, 0, false, nil
	}
	return data, v, true, nil
}

// decodeValue splits a stored string into its version and a copy of its
// value.
func decodeValue(s string) (uint64, []byte, bool) {
	if len(s) < versionSize || len(s) > versionSize+MaxValueSize {
		return 0, nil, false
	}
	var v uint64
	for i := range versionSize {
		v = v<<8 | uint64(s[i])
	}
	return v, []byte(s[versionSize:]), true
}

// CompareAndSet implements sessions.Cache.
func (c *Cache) CompareAndSet(ctx context.Context, key string, value []byte, ttl time.Duration, version uint64) (bool, error) {
	if err := sessions.CheckContext(ctx, "redis cache: set"); err != nil {
		return false, err
	}
	if len(value) > MaxValueSize {
		return false, fmt.Errorf("redis cache: a %d-byte value is over the %d-byte limit: %w", len(value), MaxValueSize, sessions.ErrTooLarge)
	}
	// One buffer for the expected version and the value to store (the
	// new version and the value), sent as two arguments.
	var ms int64
	size := versionSize
	if ttl > 0 {
		ms = int64((ttl + time.Millisecond - 1) / time.Millisecond) // round up: Load checks the exact expiry
		size += versionSize + len(value)
	}
	buf := make([]byte, size)
	binary.BigEndian.PutUint64(buf, version)
	expect, stored := buf[:versionSize], buf[versionSize:]
	if ttl > 0 {
		binary.BigEndian.PutUint64(stored, version+1)
		copy(stored[versionSize:], value)
	}
	n, err := casScript.Run(ctx, c.client, []string{c.prefix + key}, expect, stored, ms).Int()
	if err != nil {
		return false, sessions.StoreError("redis cache: set", err)
	}
	return n == 1, nil
}

// Delete implements sessions.Cache.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if err := sessions.CheckContext(ctx, "redis cache: delete"); err != nil {
		return err
	}
	if err := c.client.Del(ctx, c.prefix+key).Err(); err != nil {
		return sessions.StoreError("redis cache: delete", err)
	}
	return nil
}

// scanBatch is the COUNT of each SCAN and the size of each pipeline of
// GETs that follows it.
const scanBatch = 256

// Scan calls f, one call at a time, for every entry whose key (without the
// cache's prefix) starts with keyPrefix, with its value and version, until
// f returns false. It walks the keyspace with SCAN MATCH (on every master
// of a Redis Cluster, every live shard of a Ring) and reads the values with
// pipelined GETs, so it never blocks Redis; entries written or deleted
// meanwhile may or may not be seen, and an entry is never given twice. f
// must not call the cache.
func (c *Cache) Scan(ctx context.Context, keyPrefix string, f func(key string, value []byte, version uint64) bool) error {
	if err := sessions.CheckContext(ctx, "redis cache: scan"); err != nil {
		return err
	}
	full := c.prefix + keyPrefix
	pattern := globEscape(full) + "*"
	var (
		mu      sync.Mutex
		stopped bool
		seen    = map[string]bool{} // SCAN may return a key twice
	)
	scanNode := func(ctx context.Context, node redis.Cmdable) error {
		var cursor uint64
		for {
			keys, next, err := node.Scan(ctx, cursor, pattern, scanBatch).Result()
			if err != nil {
				return err
			}
			if len(keys) > 0 {
				cmds := make([]*redis.StringCmd, len(keys))
				pipe := c.client.Pipeline()
				for i, k := range keys {
					cmds[i] = pipe.Get(ctx, k)
				}
				if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
					return err
				}
				mu.Lock()
				for i, k := range keys {
					if stopped {
						break
					}
					s, err := cmds[i].Result()
					if err == redis.Nil || seen[k] || !strings.HasPrefix(k, full) {
						continue // deleted or expired since the SCAN
					}
					if err != nil {
						mu.Unlock()
						return err
					}
					v, data, ok := decodeValue(s)
					if !ok {
						continue
					}
					seen[k] = true
					if !f(k[len(c.prefix):], data, v) {
						stopped = true
					}
				}
				done := stopped
				mu.Unlock()
				if done {
					return nil
				}
			}
			if next == 0 {
				return nil
			}
			cursor = next
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	var err error
	switch cl := c.client.(type) {
	case *redis.ClusterClient:
		err = cl.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error { return scanNode(ctx, node) })
	case *redis.Ring:
		err = cl.ForEachShard(ctx, func(ctx context.Context, node *redis.Client) error { return scanNode(ctx, node) })
	default:
		err = scanNode(ctx, c.client)
	}
	if err != nil {
		return sessions.StoreError("redis cache: scan", err)
	}
	return nil
}

// globEscape escapes the characters SCAN's MATCH pattern interprets.
func globEscape(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Open returns a client for the Redis named by rawURL:
// "redis://[user:password@]host:port/db", "rediss://…" (TLS) or
// "unix:///path/to/socket?db=N", with the options go-redis's ParseURL
// understands as query parameters (dial_timeout, read_timeout,
// pool_size, …). A URL with "addr" parameters is go-redis's cluster URL,
// "redis://host:p1?addr=host:p2&addr=host:p3" (redis.ParseClusterURL),
// and gives a *redis.ClusterClient over those nodes. It does not connect:
// the first command does. Sentinel clients are made with
// redis.NewFailoverClient (or redis.NewUniversalClient) and given to the
// stores in the same way. The caller closes the client.
//
// The client honours its callers' contexts (go-redis's
// ContextTimeoutEnabled): a call gives up when the request's deadline
// passes, also against a Redis that accepted the connection and hangs,
// where go-redis's default would wait read_timeout (5 seconds) per
// attempt, retried three times. A client made by hand should set it too.
func Open(rawURL string) (redis.UniversalClient, error) {
	if u, err := url.Parse(rawURL); err == nil && u.Query().Has("addr") {
		opts, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrInvalidURL, redact(err.Error(), rawURL))
		}
		opts.ContextTimeoutEnabled = true
		return redis.NewClusterClient(opts), nil
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidURL, redact(err.Error(), rawURL))
	}
	opts.ContextTimeoutEnabled = true
	return redis.NewClient(opts), nil
}

// redact removes the URL's password from msg.
func redact(msg, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		if strings.Contains(rawURL, "@") {
			return "the URL does not parse"
		}
		return msg
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		msg = strings.ReplaceAll(msg, rawURL, u.Redacted())
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	return msg
}

var _ sessions.Cache = (*Cache)(nil)
