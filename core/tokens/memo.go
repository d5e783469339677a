package tokens

import (
	"hash/maphash"
	"sync"
	"time"
)

// familyMemo remembers the family of tokens by jti, so that the revocation
// hook, consulted on every request (cache hits included), does not decode
// a token's payload again to read its family_id claim. A token's family
// never changes, so an entry is never stale; entries are dropped once their
// token has expired, or at random when a shard is full (the family is then
// read from the claims again).
type familyMemo struct {
	seed   maphash.Seed
	shards [memoShards]memoShard
}

// FamilyMemoSize is the most tokens whose family a TokenRotationManager
// remembers (by jti, for its revocation hook): a fixed bound, shared by
// memoShards shards. An entry holds the jti and the family id of a token
// the manager's JWTAuth verified (about 125 bytes of heap for the library's own
// tokens; see bench/'s BenchmarkCacheBound); past the bound, expired
// entries go first, then entries at random, and a forgotten family is read
// from the token's claims again.
const FamilyMemoSize = memoShards * memoPerShard

const (
	memoShards   = 16
	memoPerShard = 4096 // FamilyMemoSize = 65536 tokens in all
)

type memoShard struct {
	mu sync.RWMutex
	m  map[string]memoEntry
	_  [40]byte // keep shards on separate cache lines
}

type memoEntry struct {
	family   string
	deadline int64 // unix nanoseconds: the token's exp plus the largest leeway
}

func newFamilyMemo() *familyMemo {
	f := &familyMemo{seed: maphash.MakeSeed()}
	for i := range f.shards {
		f.shards[i].m = make(map[string]memoEntry)
	}
	return f
}

func (f *familyMemo) shard(jti string) *memoShard {
	return &f.shards[maphash.String(f.seed, jti)%memoShards]
}

// get returns the family remembered for jti.
func (f *familyMemo) get(jti string) (string, bool) {
	s := f.shard(jti)
	s.mu.RLock()
	e, ok := s.m[jti]
	s.mu.RUnlock()
	return e.family, ok
}

// put remembers jti's family until deadline.
func (f *familyMemo) put(jti, family string, deadline time.Time, now time.Time) {
	s := f.shard(jti)
	n := now.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[jti]; !ok && len(s.m) >= memoPerShard {
		s.evictLocked(n)
	}
	s.m[jti] = memoEntry{family: family, deadline: deadline.UnixNano()}
}

// evictLocked keeps the live entries, at most three quarters of the
// shard (the first in map order, which is random), in a new map. A new
// map rather than deletions: a Go map keeps the room of its deleted
// entries, so deleting evicted entries let the shard's heap grow with
// every round of evictions (TestFamilyMemoHeapBounded).
func (s *memoShard) evictLocked(now int64) {
	kept := make(map[string]memoEntry, memoPerShard)
	for k, e := range s.m {
		if len(kept) >= memoPerShard*3/4 {
			break
		}
		if e.deadline > now {
			kept[k] = e
		}
	}
	s.m = kept
}

// sweep drops every expired entry.
func (f *familyMemo) sweep(now time.Time) {
	n := now.UnixNano()
	for i := range f.shards {
		s := &f.shards[i]
		s.mu.Lock()
		for k, e := range s.m {
			if e.deadline <= n {
				delete(s.m, k)
			}
		}
		s.mu.Unlock()
	}
}

// len is the number of entries (for tests).
func (f *familyMemo) len() int {
	n := 0
	for i := range f.shards {
		s := &f.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
