package memory

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core/throttle"
)

// DefaultThrottleMaxKeys is the default bound on the keys a ThrottleStore
// holds: 1,048,576, about 100 MB at the measured 94 bytes a key (see
// ThrottleStore).
const DefaultThrottleMaxKeys = 1 << 20

// throttleShards is the number of independently locked parts of a
// ThrottleStore.
const throttleShards = 64

// evictSample is how many entries a full shard looks at to make room.
const evictSample = 32

// ThrottleStore is an in-process throttle.Store: GCRA with one int64
// timestamp per key in sharded maps, no goroutines. It holds at most
// MaxKeys keys (each shard MaxKeys/64): to add a key to a full shard it
// looks at up to 32 entries, removes those whose state has run out (a key
// whose timestamp is in the past is the same as no key), and if none has,
// removes the one of them nearest to running out — an approximate
// oldest-first eviction that loses the least state. An evicted key starts
// again with a full burst, so size MaxKeys above the number of clients
// expected in one period. A key costs about 100
// bytes with a key of ~25 bytes (94 measured for 1,000,000 keys; at most
// 160 asserted by TestThrottleStoreMillionKeys).
//
// It counts for one process only; several processes behind a balancer
// need a shared store (sqlstore).
type ThrottleStore struct {
	seed     maphash.Seed
	perShard int
	shards   [throttleShards]throttleShard
}

// throttleShard maps a key to its slot in tats, so that an update of a
// held key writes the slot without assigning to the map (which would copy
// the key: an allocation).
type throttleShard struct {
	mu   sync.Mutex
	m    map[string]int32
	tats []int64
	free []int32 // slots of removed keys
}

func (sh *throttleShard) remove(k string, slot int32) {
	delete(sh.m, k)
	sh.free = append(sh.free, slot)
}

// NewThrottleStore returns an empty store holding at most maxKeys keys;
// maxKeys <= 0 means DefaultThrottleMaxKeys.
func NewThrottleStore(maxKeys int) *ThrottleStore {
	if maxKeys <= 0 {
		maxKeys = DefaultThrottleMaxKeys
	}
	s := &ThrottleStore{seed: maphash.MakeSeed(), perShard: max(maxKeys/throttleShards, 1)}
	for i := range s.shards {
		s.shards[i].m = make(map[string]int32)
	}
	return s
}

// Len is the number of keys held.
func (s *ThrottleStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

func (s *ThrottleStore) shard(key []byte) *throttleShard {
	return &s.shards[maphash.Bytes(s.seed, key)%throttleShards]
}

// Hit implements throttle.Store.
func (s *ThrottleStore) Hit(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) (throttle.Result, error) {
	if err := tokenCtxErr(ctx); err != nil {
		return throttle.Result{}, err
	}
	sh := s.shard(key)
	n := now.UnixNano()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	slot, held := sh.m[string(key)]
	var tat int64
	if held {
		tat = sh.tats[slot]
	}
	next, ok, wait := rate.Apply(tat, n)
	if !ok {
		return throttle.Result{Wait: wait}, nil
	}
	if held {
		sh.tats[slot] = next
		return throttle.Result{Allowed: true}, nil
	}
	if len(sh.m) >= s.perShard {
		sh.evict(n)
	}
	if k := len(sh.free); k > 0 {
		slot = sh.free[k-1]
		sh.free = sh.free[:k-1]
		sh.tats[slot] = next
	} else {
		slot = int32(len(sh.tats))
		sh.tats = append(sh.tats, next)
	}
	sh.m[string(key)] = slot
	return throttle.Result{Allowed: true}, nil
}

// Peek implements throttle.Store.
func (s *ThrottleStore) Peek(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) (throttle.Result, error) {
	if err := tokenCtxErr(ctx); err != nil {
		return throttle.Result{}, err
	}
	sh := s.shard(key)
	var tat int64
	sh.mu.Lock()
	if slot, held := sh.m[string(key)]; held {
		tat = sh.tats[slot]
	}
	sh.mu.Unlock()
	_, ok, wait := rate.Apply(tat, now.UnixNano())
	return throttle.Result{Allowed: ok, Wait: wait}, nil
}

// Refund implements throttle.Store.
func (s *ThrottleStore) Refund(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) error {
	if err := tokenCtxErr(ctx); err != nil {
		return err
	}
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if slot, held := sh.m[string(key)]; held {
		if next, ok := rate.Refund(sh.tats[slot], now.UnixNano()); ok {
			sh.tats[slot] = next
		}
	}
	return nil
}

// evict makes room for one key: it removes the run-out entries among up
// to evictSample, or else the one nearest to running out.
func (sh *throttleShard) evict(now int64) {
	seen, removed, found := 0, false, false
	var victim string
	var victimSlot int32
	for k, slot := range sh.m {
		if tat := sh.tats[slot]; tat <= now {
			sh.remove(k, slot)
			removed = true
		} else if !found || tat < sh.tats[victimSlot] {
			victim, victimSlot, found = k, slot, true
		}
		if seen++; seen >= evictSample {
			break
		}
	}
	if !removed && found {
		sh.remove(victim, victimSlot)
	}
}

var _ throttle.Store = (*ThrottleStore)(nil)
