package memory

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/tokens"
)

// RefreshStore is a tokens.RefreshStore in memory: the reference's
// InMemoryRefreshStore. It is safe for concurrent use: Consume holds the
// store's lock, so of concurrent consumers of one token exactly one
// succeeds; the reads the revocation check makes (Family, ValidAfter) take
// a read lock and do not allocate. Expired tokens and families are dropped
// by Cleanup and, at most every TokenSweepInterval, by Issue. Its zero
// value is ready to use. Times are kept to the microsecond, as in the SQL
// stores.
type RefreshStore struct {
	// Now is the clock for consumption and revocation times and sweeps;
	// nil means time.Now.
	Now func() time.Time

	mu         sync.RWMutex
	tokens     map[string]*refreshEntry
	families   map[string]*familyEntry
	byUser     map[string]map[*familyEntry]struct{}
	validAfter map[string]time.Time
	nextSweep  time.Time
}

type refreshEntry struct {
	family    *familyEntry
	expiresAt time.Time
	consumed  bool
}

type familyEntry struct {
	f      tokens.Family
	tokens int // recorded tokens of the family
}

// NewRefreshStore returns an empty store.
func NewRefreshStore() *RefreshStore {
	s := &RefreshStore{}
	s.init()
	return s
}

func (s *RefreshStore) init() {
	if s.tokens == nil {
		s.tokens = map[string]*refreshEntry{}
		s.families = map[string]*familyEntry{}
		s.byUser = map[string]map[*familyEntry]struct{}{}
		s.validAfter = map[string]time.Time{}
	}
}

func (s *RefreshStore) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// errEmptyRecord: Issue was given a record without jti, family or user.
var errEmptyRecord = errors.New("memory: a refresh record needs a jti, a family and a user id")

// Issue implements tokens.RefreshStore.
func (s *RefreshStore) Issue(ctx context.Context, rec tokens.RefreshRecord) error {
	if err := tokenCtxErr(ctx); err != nil {
		return err
	}
	if rec.JTI == "" || rec.Family == "" || rec.UserID == "" {
		return errEmptyRecord
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if !now.Before(s.nextSweep) {
		s.cleanupLocked(now.Add(-jwtauth.MaxLeeway))
		s.nextSweep = now.Add(TokenSweepInterval)
	}
	if _, ok := s.tokens[rec.JTI]; ok {
		return nil
	}
	exp := tokenMicro(rec.ExpiresAt)
	fe := s.families[rec.Family]
	switch {
	case fe == nil:
		fe = &familyEntry{f: tokens.Family{ID: rec.Family, UserID: rec.UserID, CreatedAt: tokenMicro(rec.IssuedAt), ExpiresAt: exp}}
		s.families[rec.Family] = fe
		users := s.byUser[rec.UserID]
		if users == nil {
			users = map[*familyEntry]struct{}{}
			s.byUser[rec.UserID] = users
		}
		users[fe] = struct{}{}
	case fe.f.UserID != rec.UserID:
		return tokens.ErrFamilyMismatch
	case exp.After(fe.f.ExpiresAt):
		fe.f.ExpiresAt = exp
	}
	fe.tokens++
	s.tokens[rec.JTI] = &refreshEntry{family: fe, expiresAt: exp}
	return nil
}

// Consume implements tokens.RefreshStore.
func (s *RefreshStore) Consume(ctx context.Context, jti string) (tokens.Consumption, error) {
	if err := tokenCtxErr(ctx); err != nil {
		return tokens.Consumption{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.tokens[jti]
	switch {
	case e == nil:
		return tokens.Consumption{Result: tokens.Unknown}, nil
	case e.consumed:
		return tokens.Consumption{Result: tokens.Reused, Family: e.family.f}, nil
	case e.family.f.Revoked():
		return tokens.Consumption{Result: tokens.Revoked, Family: e.family.f}, nil
	}
	e.consumed = true
	return tokens.Consumption{Result: tokens.Consumed, Family: e.family.f}, nil
}

// Family implements tokens.RefreshStore.
func (s *RefreshStore) Family(ctx context.Context, id string) (tokens.Family, bool, error) {
	if err := tokenCtxErr(ctx); err != nil {
		return tokens.Family{}, false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if fe := s.families[id]; fe != nil {
		return fe.f, true, nil
	}
	return tokens.Family{}, false, nil
}

// RevokeFamily implements tokens.RefreshStore.
func (s *RefreshStore) RevokeFamily(ctx context.Context, id string, reason tokens.BlacklistReason) error {
	if err := tokenCtxErr(ctx); err != nil {
		return err
	}
	now := tokenMicro(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	if fe := s.families[id]; fe != nil && !fe.f.Revoked() {
		fe.f.RevokedAt, fe.f.Reason = now, reason
	}
	return nil
}

// RevokeUser implements tokens.RefreshStore.
func (s *RefreshStore) RevokeUser(ctx context.Context, userID string, issuedBefore time.Time, reason tokens.BlacklistReason) (int, error) {
	if err := tokenCtxErr(ctx); err != nil {
		return 0, err
	}
	now := tokenMicro(s.now())
	before := tokenMicro(issuedBefore)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for fe := range s.byUser[userID] {
		if !fe.f.Revoked() && !fe.f.CreatedAt.After(before) {
			fe.f.RevokedAt, fe.f.Reason = now, reason
			n++
		}
	}
	return n, nil
}

// SetValidAfter implements tokens.RefreshStore.
func (s *RefreshStore) SetValidAfter(ctx context.Context, userID string, t time.Time) error {
	if err := tokenCtxErr(ctx); err != nil {
		return err
	}
	t = tokenMicro(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if t.After(s.validAfter[userID]) {
		s.validAfter[userID] = t
	}
	return nil
}

// ValidAfter implements tokens.RefreshStore.
func (s *RefreshStore) ValidAfter(ctx context.Context, userID string) (time.Time, error) {
	if err := tokenCtxErr(ctx); err != nil {
		return time.Time{}, err
	}
	s.mu.RLock()
	t := s.validAfter[userID]
	s.mu.RUnlock()
	return t, nil
}

// Cleanup implements tokens.RefreshStore.
func (s *RefreshStore) Cleanup(ctx context.Context, now time.Time) (int, error) {
	if err := tokenCtxErr(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cleanupLocked(now), nil
}

func (s *RefreshStore) cleanupLocked(now time.Time) int {
	n := 0
	for jti, e := range s.tokens {
		if !e.expiresAt.After(now) {
			delete(s.tokens, jti)
			e.family.tokens--
			n++
		}
	}
	for id, fe := range s.families {
		if fe.tokens == 0 && !fe.f.ExpiresAt.After(now) {
			delete(s.families, id)
			if users := s.byUser[fe.f.UserID]; users != nil {
				delete(users, fe)
				if len(users) == 0 {
					delete(s.byUser, fe.f.UserID)
				}
			}
		}
	}
	return n
}

var _ tokens.RefreshStore = (*RefreshStore)(nil)
