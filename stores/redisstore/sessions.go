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
// Exists are the cache backend's, and a session is the Redis key
// Prefix+"session:"+sessions.StorageKey, expiring with the session),
// with what a cache alone cannot do: Range (sessions.Lister, by SCAN) and
// Import (sessions.Importer), for migrations between backends and tenant
// listings, and a user's sessions (usersessions.Lister: a sorted
// set per user beside the sessions, see UserSessions).
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
