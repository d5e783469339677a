package redisstore

import (
	"context"
	"encoding/binary"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core/sessions"
)

// SessionBackend is the Redis session backend: a
// sessions.CacheSessionBackend over a Cache (so Load, Save, Delete and
// Exists behave as the cache backend's, Load and Save with fewer
// allocations, and a session is the Redis key
// Prefix+"session:"+sessions.StorageKey, expiring with the session),
// with what a cache alone cannot do: Range (sessions.Lister, by SCAN) and
// Import (sessions.Importer), for migrations between backends and tenant
// listings.
//
// It does not implement sessions.Cleaner: Redis removes expired keys
// itself. A down Redis fails every call with an error wrapping
// core.ErrStoreUnavailable, so requests fail closed. It is safe for
// concurrent use.
type SessionBackend struct {
	*sessions.CacheSessionBackend
	cache *Cache
	owned redis.UniversalClient // closed by Close: made by SessionFactory
}

// NewSessionBackend returns the session backend over client, with the
// options (WithPrefix, WithClock). It is
// sessions.NewCacheSessionBackend(NewCache(client, opts...)) with Range
// and Import.
func NewSessionBackend(client redis.UniversalClient, opts ...Option) *SessionBackend {
	c := newConfig(opts)
	cache := &Cache{client: client, prefix: c.prefix}
	b := sessions.NewCacheSessionBackend(cache)
	b.Now = c.now
	return &SessionBackend{CacheSessionBackend: b, cache: cache}
}

// Cache returns the cache the sessions are kept in: it may also serve as
// the GenerationStore of a cookie backend (whose keys have a prefix of
// their own).
func (b *SessionBackend) Cache() *Cache { return b.cache }

// Close closes the client if SessionFactory made it from a URL; a client
// given to NewSessionBackend is the caller's, and Close leaves it open.
func (b *SessionBackend) Close() error {
	if b.owned != nil {
		return b.owned.Close()
	}
	return nil
}

func (b *SessionBackend) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// Load implements sessions.SessionBackend: CacheSessionBackend's Load,
// with the Redis key made in one piece.
func (b *SessionBackend) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	if b.CacheSessionBackend.Cache != sessions.Cache(b.cache) {
		// The cache was replaced: go through it.
		return b.CacheSessionBackend.Load(ctx, id)
	}
	if err := sessions.CheckContext(ctx, "redis cache: get"); err != nil {
		return sessions.Record{}, false, err
	}
	v, ver, found, err := b.cache.get(ctx, b.redisKey(ctx, id))
	if err != nil || !found || len(v) < expiryHeader {
		return sessions.Record{}, false, err
	}
	exp := time.UnixMilli(int64(binary.BigEndian.Uint64(v)))
	if !exp.After(b.now()) {
		return sessions.Record{}, false, nil
	}
	return sessions.Record{Data: v[expiryHeader:], Expiry: exp, Version: ver}, true, nil
}

// Save implements sessions.SessionBackend: CacheSessionBackend's Save,
// with the Redis key made in one piece and the stored value (version,
// expiry, data) in one buffer.
func (b *SessionBackend) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	if b.CacheSessionBackend.Cache != sessions.Cache(b.cache) {
		return b.CacheSessionBackend.Save(ctx, id, rec)
	}
	if err := b.cache.checkSet(ctx, expiryHeader+len(rec.Data)); err != nil {
		return err
	}
	ttl := rec.Expiry.Sub(b.now())
	var stored []byte
	if ttl > 0 {
		stored = make([]byte, versionSize+expiryHeader+len(rec.Data))
		binary.BigEndian.PutUint64(stored, rec.Version+1)
		binary.BigEndian.PutUint64(stored[versionSize:], uint64(rec.Expiry.UnixMilli()))
		copy(stored[versionSize+expiryHeader:], rec.Data)
	}
	ok, err := b.cache.compareAndSet(ctx, b.redisKey(ctx, id), stored, ttl, rec.Version)
	if err != nil {
		return err
	}
	if !ok {
		return sessions.ConflictError("cache sessions: save")
	}
	return nil
}

// redisKey is the Redis key of session id: the cache's prefix, the
// backend's and the storage key.
func (b *SessionBackend) redisKey(ctx context.Context, id sessions.SessionID) string {
	return b.cache.prefix + b.Prefix + sessions.StorageKey(ctx, id)
}

// expiryHeader is what sessions.CacheSessionBackend puts in front of a
// session's data in its cache entry: the expiry in Unix milliseconds, 8
// bytes big-endian (documented on CacheSessionBackend).
const expiryHeader = 8

// Range implements sessions.Lister: it calls f for every live session
// whose storage key starts with sessions.Namespace(ctx), by SCAN (see
// Cache.Scan), one call at a time. f must not call the backend.
func (b *SessionBackend) Range(ctx context.Context, f func(storageKey string, rec sessions.Record) bool) error {
	now := b.now()
	return b.cache.Scan(ctx, b.Prefix+sessions.Namespace(ctx), func(key string, v []byte, version uint64) bool {
		if len(v) < expiryHeader {
			return true
		}
		exp := time.UnixMilli(int64(binary.BigEndian.Uint64(v)))
		if !exp.After(now) {
			return true
		}
		return f(strings.TrimPrefix(key, b.Prefix), sessions.Record{Data: v[expiryHeader:], Expiry: exp, Version: version})
	})
}

// Import implements sessions.Importer: Save under a storage key another
// backend produced, with Save's rules for rec.Version and expiry.
func (b *SessionBackend) Import(ctx context.Context, storageKey string, rec sessions.Record) error {
	v := make([]byte, expiryHeader+len(rec.Data))
	binary.BigEndian.PutUint64(v, uint64(rec.Expiry.UnixMilli()))
	copy(v[expiryHeader:], rec.Data)
	ok, err := b.cache.CompareAndSet(ctx, b.Prefix+storageKey, v, rec.Expiry.Sub(b.now()), rec.Version)
	if err != nil {
		return err
	}
	if !ok {
		return sessions.ConflictError("redis sessions: import")
	}
	return nil
}

var (
	_ sessions.SessionBackend = (*SessionBackend)(nil)
	_ sessions.Lister         = (*SessionBackend)(nil)
	_ sessions.Importer       = (*SessionBackend)(nil)
)
