package memory

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/usersessions"
)

// DefaultSessionCleanupInterval is how often a SessionBackend or
// SessionCache removes expired entries: the first write after each
// interval does it.
const DefaultSessionCleanupInterval = time.Minute

// SessionOption configures NewSessionBackend and NewSessionCache.
type SessionOption func(*sessionTable)

// WithSessionClock sets the clock entries expire by (tests); the default
// is time.Now.
func WithSessionClock(now func() time.Time) SessionOption {
	return func(t *sessionTable) { t.now = now }
}

// WithSessionCleanupInterval sets how often expired entries are removed:
// the first write (a save, a compare-and-set or a delete) once the
// interval has passed since the last removal removes them all, under the
// write lock. DefaultSessionCleanupInterval by default; zero or less
// never (expired entries are then invisible, and removed by
// CleanupExpired). No goroutine is involved, so a store needs no Close.
func WithSessionCleanupInterval(d time.Duration) SessionOption {
	return func(t *sessionTable) { t.interval = d }
}

// sessionTable is the versioned map with expiry both the backend and the
// cache are: one entry per key, compare-and-set on the version.
type sessionTable struct {
	now      func() time.Time
	interval time.Duration

	mu      sync.RWMutex
	entries map[string]sessionEntry
	// users indexes the entries that have an owner by user id (the
	// backend's UserSessions); the cache never sets an owner.
	users     map[string]map[string]struct{}
	nextSweep time.Time // when a write next removes the expired entries
}

type sessionEntry struct {
	data    []byte // never modified once stored: Load hands it out
	expiry  time.Time
	version uint64
	owner   *entryOwner // nil: nobody logged in
}

// entryOwner is what a backend entry records of its user.
type entryOwner struct {
	userID, userAgent, ip string
	created, lastSeen     time.Time
}

func newSessionTable(opts []SessionOption) *sessionTable {
	t := &sessionTable{now: time.Now, interval: DefaultSessionCleanupInterval, entries: map[string]sessionEntry{}, users: map[string]map[string]struct{}{}}
	for _, o := range opts {
		o(t)
	}
	if t.now == nil {
		t.now = time.Now
	}
	t.nextSweep = t.now().Add(t.interval)
	return t
}

func (t *sessionTable) cleanup() int {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.removeExpiredLocked(now)
}

func (t *sessionTable) removeExpiredLocked(now time.Time) int {
	n := 0
	for k, e := range t.entries {
		if !e.expiry.After(now) {
			t.remove(k, e)
			n++
		}
	}
	t.nextSweep = now.Add(t.interval)
	return n
}

// sweepIfDueLocked removes the expired entries when the cleanup interval
// has passed since the last removal; writers call it holding the lock.
func (t *sessionTable) sweepIfDueLocked(now time.Time) {
	if t.interval > 0 && !now.Before(t.nextSweep) {
		t.removeExpiredLocked(now)
	}
}

// remove deletes the entry e under key and its index entry; t.mu is held.
func (t *sessionTable) remove(key string, e sessionEntry) {
	delete(t.entries, key)
	if e.owner != nil {
		keys := t.users[e.owner.userID]
		delete(keys, key)
		if len(keys) == 0 {
			delete(t.users, e.owner.userID)
		}
	}
}

func (t *sessionTable) get(key string) (sessionEntry, bool) {
	now := t.now()
	t.mu.RLock()
	e, ok := t.entries[key]
	t.mu.RUnlock()
	if !ok || !e.expiry.After(now) {
		return sessionEntry{}, false
	}
	return e, true
}

// compareAndSet stores data under key until expiry if the live version
// is version (0: absent), as the next version, indexed under owner's
// UserID (with its UserAgent and IP) when it has one.
func (t *sessionTable) compareAndSet(key string, data []byte, expiry time.Time, version uint64, owner sessions.Record) bool {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweepIfDueLocked(now)
	var cur uint64
	old, ok := t.entries[key]
	if ok && old.expiry.After(now) {
		cur = old.version
	}
	if cur != version {
		return false
	}
	if ok {
		t.remove(key, old)
	}
	if !expiry.After(now) {
		return true
	}
	var kept []byte
	if len(data) > 0 {
		kept = make([]byte, len(data))
		copy(kept, data)
	}
	e := sessionEntry{data: kept, expiry: expiry, version: version + 1}
	if owner.UserID != "" {
		o := &entryOwner{userID: owner.UserID, userAgent: usersessions.ClipUserAgent(owner.UserAgent), ip: owner.IP, created: now, lastSeen: now}
		if prev := old.owner; version > 0 && prev != nil && prev.userID == owner.UserID {
			o.created, o.userAgent, o.ip = prev.created, prev.userAgent, prev.ip
		}
		e.owner = o
		if t.users[o.userID] == nil {
			t.users[o.userID] = map[string]struct{}{}
		}
		t.users[o.userID][key] = struct{}{}
	}
	t.entries[key] = e
	return true
}

func (t *sessionTable) delete(key string) {
	now := t.now()
	t.mu.Lock()
	t.sweepIfDueLocked(now)
	if e, ok := t.entries[key]; ok {
		t.remove(key, e)
	}
	t.mu.Unlock()
}

// SessionBackend is a sessions.SessionBackend in memory: the reference's
// InMemorySessionBackend. Sessions expire at their Record.Expiry (they are
// invisible from then on) and the first write after each
// DefaultSessionCleanupInterval removes them (WithSessionCleanupInterval):
// it runs no goroutine and needs no Close. Keys are stored as
// sessions.StorageKey, never as given. It is safe for concurrent use: Load
// takes a read lock and returns the stored data without copying it.
type SessionBackend struct{ t *sessionTable }

// NewSessionBackend returns an empty backend.
func NewSessionBackend(opts ...SessionOption) *SessionBackend {
	return &SessionBackend{t: newSessionTable(opts)}
}

// Close does nothing and returns nil: the backend holds no goroutine or
// connection. It is there for callers that close every store (io.Closer).
func (b *SessionBackend) Close() error { return nil }

// Load implements sessions.SessionBackend.
func (b *SessionBackend) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	if err := sessions.CheckContext(ctx, "memory sessions: load"); err != nil {
		return sessions.Record{}, false, err
	}
	e, ok := b.t.get(sessions.StorageKey(ctx, id))
	if !ok {
		return sessions.Record{}, false, nil
	}
	return sessions.Record{Data: e.data, Expiry: e.expiry, Version: e.version}, true, nil
}

// Save implements sessions.SessionBackend.
func (b *SessionBackend) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	return b.Import(ctx, sessions.StorageKey(ctx, id), rec)
}

// Import implements sessions.Importer: Save under a storage key.
func (b *SessionBackend) Import(ctx context.Context, key string, rec sessions.Record) error {
	if err := sessions.CheckContext(ctx, "memory sessions: save"); err != nil {
		return err
	}
	if !b.t.compareAndSet(key, rec.Data, rec.Expiry, rec.Version, rec) {
		return sessions.ConflictError("memory sessions: save")
	}
	return nil
}

// Delete implements sessions.SessionBackend.
func (b *SessionBackend) Delete(ctx context.Context, id sessions.SessionID) error {
	if err := sessions.CheckContext(ctx, "memory sessions: delete"); err != nil {
		return err
	}
	b.t.delete(sessions.StorageKey(ctx, id))
	return nil
}

// Exists implements sessions.SessionBackend.
func (b *SessionBackend) Exists(ctx context.Context, id sessions.SessionID) (bool, error) {
	if err := sessions.CheckContext(ctx, "memory sessions: exists"); err != nil {
		return false, err
	}
	_, ok := b.t.get(sessions.StorageKey(ctx, id))
	return ok, nil
}

// CleanupExpired implements sessions.Cleaner.
func (b *SessionBackend) CleanupExpired(ctx context.Context) (int, error) {
	if err := sessions.CheckContext(ctx, "memory sessions: cleanup"); err != nil {
		return 0, err
	}
	return b.t.cleanup(), nil
}

// Range implements sessions.Lister.
func (b *SessionBackend) Range(ctx context.Context, f func(string, sessions.Record) bool) error {
	if err := sessions.CheckContext(ctx, "memory sessions: range"); err != nil {
		return err
	}
	ns := sessions.Namespace(ctx)
	now := b.t.now()
	b.t.mu.RLock()
	defer b.t.mu.RUnlock()
	for k, e := range b.t.entries {
		if strings.HasPrefix(k, ns) && e.expiry.After(now) {
			if !f(k, sessions.Record{Data: e.data, Expiry: e.expiry, Version: e.version}) {
				return nil
			}
		}
	}
	return nil
}

// Len returns the number of entries, expired ones not yet removed
// included.
func (b *SessionBackend) Len() int {
	b.t.mu.RLock()
	defer b.t.mu.RUnlock()
	return len(b.t.entries)
}

// UserSessions implements usersessions.Lister: the live sessions
// of userID within sessions.Namespace(ctx), from the backend's index by
// user.
func (b *SessionBackend) UserSessions(ctx context.Context, userID string) ([]usersessions.Session, error) {
	if err := sessions.CheckContext(ctx, "memory sessions: user sessions"); err != nil {
		return nil, err
	}
	ns := sessions.Namespace(ctx)
	now := b.t.now()
	b.t.mu.RLock()
	defer b.t.mu.RUnlock()
	var out []usersessions.Session
	for k := range b.t.users[userID] {
		e := b.t.entries[k]
		if !usersessions.InNamespace(k, ns) || !e.expiry.After(now) || e.owner == nil {
			continue
		}
		o := e.owner
		out = append(out, usersessions.Session{Handle: usersessions.Handle(k), Created: o.created, LastSeen: o.lastSeen,
			Expiry: e.expiry, UserAgent: o.userAgent, IP: o.ip})
	}
	return out, nil
}

// EndUserSession implements usersessions.Lister: it deletes the
// live session of userID whose handle is handle.
func (b *SessionBackend) EndUserSession(ctx context.Context, userID, handle string) (bool, error) {
	if err := sessions.CheckContext(ctx, "memory sessions: end user session"); err != nil {
		return false, err
	}
	ns := sessions.Namespace(ctx)
	now := b.t.now()
	b.t.mu.Lock()
	defer b.t.mu.Unlock()
	for k := range b.t.users[userID] {
		if e := b.t.entries[k]; usersessions.InNamespace(k, ns) && usersessions.Handle(k) == handle {
			b.t.remove(k, e)
			return e.expiry.After(now), nil
		}
	}
	return false, nil
}

// SessionCache is a sessions.Cache in memory, for sessions.CacheSessionBackend
// and as the GenerationStore of sessions.CookieSessionBackend. Entries
// expire at their time to live and the first write after each cleanup
// interval removes them (WithSessionCleanupInterval); it runs no goroutine
// and needs no Close. It is safe for concurrent use.
type SessionCache struct{ t *sessionTable }

// NewSessionCache returns an empty cache.
func NewSessionCache(opts ...SessionOption) *SessionCache {
	return &SessionCache{t: newSessionTable(opts)}
}

// NewGenerationStore returns a SessionCache to serve as the
// sessions.GenerationStore of a cookie backend.
func NewGenerationStore(opts ...SessionOption) *SessionCache { return NewSessionCache(opts...) }

// Close does nothing and returns nil, as SessionBackend.Close.
func (c *SessionCache) Close() error { return nil }

// Get implements sessions.Cache.
func (c *SessionCache) Get(ctx context.Context, key string) ([]byte, uint64, bool, error) {
	if err := sessions.CheckContext(ctx, "memory cache: get"); err != nil {
		return nil, 0, false, err
	}
	e, ok := c.t.get(key)
	return e.data, e.version, ok, nil
}

// CompareAndSet implements sessions.Cache.
func (c *SessionCache) CompareAndSet(ctx context.Context, key string, value []byte, ttl time.Duration, version uint64) (bool, error) {
	if err := sessions.CheckContext(ctx, "memory cache: set"); err != nil {
		return false, err
	}
	return c.t.compareAndSet(key, value, c.t.now().Add(ttl), version, sessions.Record{}), nil
}

// Delete implements sessions.Cache.
func (c *SessionCache) Delete(ctx context.Context, key string) error {
	if err := sessions.CheckContext(ctx, "memory cache: delete"); err != nil {
		return err
	}
	c.t.delete(key)
	return nil
}

// Len returns the number of entries, expired ones not yet removed
// included.
func (c *SessionCache) Len() int {
	c.t.mu.RLock()
	defer c.t.mu.RUnlock()
	return len(c.t.entries)
}

var (
	_ sessions.SessionBackend = (*SessionBackend)(nil)
	_ sessions.Cleaner        = (*SessionBackend)(nil)
	_ sessions.Lister         = (*SessionBackend)(nil)
	_ sessions.Importer       = (*SessionBackend)(nil)
	_ sessions.Cache          = (*SessionCache)(nil)
	_ usersessions.Lister     = (*SessionBackend)(nil)
)
