package jwtauth

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultCacheSize is the number of verified access tokens a JWTAuth
// remembers unless WithCacheSize says otherwise.
const DefaultCacheSize = 10000

// tokenCache remembers verified access tokens by the whole token string,
// so that a client repeating its token costs a hash, a map lookup and a
// string compare instead of a parse and a signature check. An entry counts
// only while its token has not expired and the key that verified it has
// not been retired; the revocation hook is consulted by the caller on
// every hit.
//
// It is sharded by hash, each shard bounded, with CLOCK eviction: an
// entry hit since the hand last passed gets a second chance; expired
// entries, entries of retired keys and tokens seen only once go first.
type tokenCache struct {
	seed   maphash.Seed
	mask   uint64
	shards []cacheShard
}

type cacheShard struct {
	mu   sync.RWMutex
	m    map[uint64]*cacheEntry
	ring []*cacheEntry // the CLOCK, at most max entries
	hand int
	max  int      // the shard's share of the cache's size
	_    [16]byte // keep shards on separate cache lines
}

type cacheEntry struct {
	token    string // a private copy, compared on every hit
	claims   *Claims
	key      *Key
	deadline int64 // unix nanoseconds: exp + leeway
	hash     uint64
	slot     int         // index in the shard's ring
	ref      atomic.Bool // hit since the hand last passed
}

func newTokenCache(size int) *tokenCache {
	n := 1
	for n < 64 && n*256 < size {
		n *= 2
	}
	c := &tokenCache{seed: maphash.MakeSeed(), mask: uint64(n - 1), shards: make([]cacheShard, n)}
	for i := range c.shards {
		// size/n each, and one more for the first size%n shards: size in
		// all, exactly.
		c.shards[i].max = size / n
		if i < size%n {
			c.shards[i].max++
		}
		c.shards[i].m = make(map[uint64]*cacheEntry, min(c.shards[i].max, 1024))
	}
	return c
}

func (c *tokenCache) hash(token string) uint64 { return maphash.String(c.seed, token) }

// get returns the live entry for token, or nil.
func (c *tokenCache) get(token string, h uint64, now int64) *cacheEntry {
	s := &c.shards[h&c.mask]
	s.mu.RLock()
	e := s.m[h]
	s.mu.RUnlock()
	if e == nil || e.token != token || !e.live(now) {
		return nil
	}
	if !e.ref.Load() {
		e.ref.Store(true)
	}
	return e
}

func (e *cacheEntry) live(now int64) bool { return now < e.deadline && !e.key.retired.Load() }

// put remembers a verified token; the token string is copied, as it may
// alias a buffer an adapter reuses.
func (c *tokenCache) put(token string, h uint64, claims *Claims, key *Key, deadline int64, now int64) {
	e := &cacheEntry{token: strings.Clone(token), claims: claims, key: key, deadline: deadline, hash: h}
	claims.raw = e.token
	s := &c.shards[h&c.mask]
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.m[h]; old != nil {
		e.slot = old.slot
	} else if len(s.ring) < s.max {
		e.slot = len(s.ring)
		s.ring = append(s.ring, nil)
	} else {
		e.slot = s.evictLocked(now)
	}
	s.ring[e.slot] = e
	s.m[h] = e
}

// evictLocked advances the hand to a victim, removes it and returns its
// slot. The hand passes at most two turns: entries hit concurrently may
// set their bit again behind it.
func (s *cacheShard) evictLocked(now int64) int {
	for range 2 * len(s.ring) {
		v := s.ring[s.hand]
		if !v.live(now) || !v.ref.Load() {
			break
		}
		v.ref.Store(false)
		s.hand = (s.hand + 1) % len(s.ring)
	}
	slot := s.hand
	delete(s.m, s.ring[slot].hash)
	s.hand = (s.hand + 1) % len(s.ring)
	return slot
}

// len is the number of entries (for tests).
func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
