package sessions

import (
	"context"
	"encoding/binary"
	"time"
)

// Cache is the small key-value store CacheSessionBackend (and the cookie
// backend's generations) keep their entries in: memory.SessionCache here,
// Redis in stores/redisstore. Every entry has a version, so that writes can
// be conditional. The contract:
//
//   - Get returns the value and version of key, found=true; a key that is
//     absent or has expired is (nil, 0, false, nil), not an error.
//   - CompareAndSet stores value under key with the given time to live
//     if the key's current version is version — 0 meaning the key must not
//     exist (an expired key does not) — and gives it version+1; it returns
//     false, with a nil error, and writes nothing when the version does not
//     match. The comparison, the write and the expiry are one atomic step:
//     two writers of one version never both succeed, and no reader sees a
//     value without its expiry. A ttl <= 0 leaves nothing Get returns.
//   - Delete removes key; a missing key is not an error.
//   - Errors mean the cache failed and wrap core.ErrStoreUnavailable
//     (a done ctx included).
//   - Get may share the returned value with the cache: callers do not
//     modify it. CompareAndSet does not keep value past the call without
//     copying it.
//
// In Redis this is a hash {v: version, d: value} per key and one Lua script
// for CompareAndSet (HGET v; compare; HSET v, d; PEXPIRE; or DEL for a
// ttl <= 0), or WATCH/GET/MULTI/SET PX/EXEC with the version in the value.
type Cache interface {
	Get(ctx context.Context, key string) (value []byte, version uint64, found bool, err error)
	CompareAndSet(ctx context.Context, key string, value []byte, ttl time.Duration, version uint64) (bool, error)
	Delete(ctx context.Context, key string) error
}

// defaultCachePrefix is what CacheSessionBackend puts in front of storage
// keys: Django's cache backend's KEY_PREFIX for sessions.
const defaultCachePrefix = "session:"

// CacheSessionBackend keeps sessions in a Cache, the reference's
// CacheSessionBackend: each session is one entry under Prefix +
// StorageKey(ctx, id), holding the expiry (8 bytes, Unix milliseconds)
// and the data, with the cache's version as the record's and the cache's
// time to live set to the session's expiry. It is safe for concurrent use.
type CacheSessionBackend struct {
	// Cache holds the entries. Required.
	Cache Cache
	// Prefix goes in front of every storage key. Default
	// "session:", set by NewCacheSessionBackend.
	Prefix string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewCacheSessionBackend returns a backend over c with the default prefix.
func NewCacheSessionBackend(c Cache) *CacheSessionBackend {
	return &CacheSessionBackend{Cache: c, Prefix: defaultCachePrefix}
}

func (b *CacheSessionBackend) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *CacheSessionBackend) key(ctx context.Context, id SessionID) string {
	return prefixedStorageKey(ctx, b.Prefix, id)
}

// Load implements SessionBackend.
func (b *CacheSessionBackend) Load(ctx context.Context, id SessionID) (Record, bool, error) {
	v, ver, found, err := b.Cache.Get(ctx, b.key(ctx, id))
	if err != nil || !found || len(v) < 8 {
		return Record{}, false, err
	}
	exp := time.UnixMilli(int64(binary.BigEndian.Uint64(v)))
	if !exp.After(b.now()) {
		return Record{}, false, nil
	}
	return Record{Data: v[8:], Expiry: exp, Version: ver}, true, nil
}

// Save implements SessionBackend.
func (b *CacheSessionBackend) Save(ctx context.Context, id SessionID, rec Record) error {
	v := make([]byte, 8+len(rec.Data))
	binary.BigEndian.PutUint64(v, uint64(rec.Expiry.UnixMilli()))
	copy(v[8:], rec.Data)
	ok, err := b.Cache.CompareAndSet(ctx, b.key(ctx, id), v, rec.Expiry.Sub(b.now()), rec.Version)
	if err != nil {
		return err
	}
	if !ok {
		return ConflictError("cache sessions: save")
	}
	return nil
}

// Delete implements SessionBackend.
func (b *CacheSessionBackend) Delete(ctx context.Context, id SessionID) error {
	return b.Cache.Delete(ctx, b.key(ctx, id))
}

// Exists implements SessionBackend.
func (b *CacheSessionBackend) Exists(ctx context.Context, id SessionID) (bool, error) {
	_, found, err := b.Load(ctx, id)
	return found, err
}

var _ SessionBackend = (*CacheSessionBackend)(nil)
