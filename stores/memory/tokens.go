package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/tokens"
)

// TokenSweepInterval is how often, at most, the token stores drop expired
// entries by themselves, on a write (lazy expiry: no goroutine). Entries are
// kept jwtauth.MaxLeeway past their expiry, so that a token a verifier
// still accepts within its leeway stays refused.
const TokenSweepInterval = time.Minute

// Blacklist is a tokens.TokenBlacklist in memory: the reference's
// InMemoryBlacklist. It is safe for concurrent use; IsBlacklisted, the
// check every request makes, takes a read lock and does not allocate.
// Expired entries are dropped by Cleanup and, at most every
// TokenSweepInterval, by Blacklist itself. Its zero value is ready to use.
type Blacklist struct {
	// Now is the clock for blacklisting times and sweeps; nil means
	// time.Now.
	Now func() time.Time

	mu        sync.RWMutex
	entries   map[string]blacklistEntry
	nextSweep time.Time
}

type blacklistEntry struct {
	expiresAt     time.Time
	blacklistedAt time.Time
	reason        tokens.BlacklistReason
}

// NewBlacklist returns an empty blacklist.
func NewBlacklist() *Blacklist { return &Blacklist{entries: map[string]blacklistEntry{}} }

func (b *Blacklist) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// tokenCtxErr is the error of a store call whose context is done.
func tokenCtxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: %w: %w", core.ErrStoreUnavailable, err)
	}
	return nil
}

// tokenMicro keeps microseconds, as the SQL stores do.
func tokenMicro(t time.Time) time.Time { return t.Round(0).Truncate(time.Microsecond) }

// Blacklist implements tokens.TokenBlacklist: the first entry for a jti
// is kept.
func (b *Blacklist) Blacklist(ctx context.Context, jti string, expiresAt time.Time, reason tokens.BlacklistReason) error {
	if err := tokenCtxErr(ctx); err != nil {
		return err
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.entries == nil {
		b.entries = map[string]blacklistEntry{}
	}
	if !now.Before(b.nextSweep) {
		b.cleanupLocked(now.Add(-jwtauth.MaxLeeway))
		b.nextSweep = now.Add(TokenSweepInterval)
	}
	if _, ok := b.entries[jti]; ok {
		return nil
	}
	b.entries[jti] = blacklistEntry{expiresAt: tokenMicro(expiresAt), blacklistedAt: tokenMicro(now), reason: reason}
	return nil
}

// IsBlacklisted implements tokens.TokenBlacklist.
func (b *Blacklist) IsBlacklisted(ctx context.Context, jti string) (bool, error) {
	if err := tokenCtxErr(ctx); err != nil {
		return false, err
	}
	b.mu.RLock()
	_, ok := b.entries[jti]
	b.mu.RUnlock()
	return ok, nil
}

// Cleanup implements tokens.TokenBlacklist.
func (b *Blacklist) Cleanup(ctx context.Context, now time.Time) (int, error) {
	if err := tokenCtxErr(ctx); err != nil {
		return 0, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cleanupLocked(now), nil
}

func (b *Blacklist) cleanupLocked(now time.Time) int {
	n := 0
	for jti, e := range b.entries {
		if !e.expiresAt.After(now) {
			delete(b.entries, jti)
			n++
		}
	}
	return n
}

// Stats implements tokens.TokenBlacklist.
func (b *Blacklist) Stats(ctx context.Context) (tokens.Stats, error) {
	if err := tokenCtxErr(ctx); err != nil {
		return tokens.Stats{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	st := tokens.Stats{Total: len(b.entries), ByReason: map[tokens.BlacklistReason]int{}}
	for _, e := range b.entries {
		st.ByReason[e.reason]++
		if st.Oldest.IsZero() || e.blacklistedAt.Before(st.Oldest) {
			st.Oldest = e.blacklistedAt
		}
		if e.blacklistedAt.After(st.Newest) {
			st.Newest = e.blacklistedAt
		}
	}
	return st, nil
}

var _ tokens.TokenBlacklist = (*Blacklist)(nil)
