package oauth2

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
)

// MemoryStore is a Store in memory, for tests and single-process use: one
// mutex over maps of applications, codes and tokens, with the tokens
// indexed by family and by code so that a rotation or a revocation costs
// the size of the family, not of the store. Everything is lost when the
// process ends. Expired tokens stay until CleanupExpired; expired codes
// (used ones once oauth2store.UsedCodeRetention has passed too) are also
// evicted as codes are saved (see SaveCode), so that codes issued and
// never redeemed do not pile up.
type MemoryStore struct {
	mu       sync.Mutex
	apps     map[string]Application
	codes    map[string]*memCode
	sweepAt  int // SaveCode evicts expired codes when len(codes) reaches it
	tokens   map[string]*memToken
	byFamily map[string]map[string]struct{} // family id → token hashes
	byCode   map[string]map[string]struct{} // code hash → token hashes
}

type memCode struct {
	c      StoredCode
	used   bool // ConsumeCode answered CodeValid
	reused bool // ConsumeCode answered CodeReused: no tokens for it any more
}

// goneAt is when the code stops being known: its expiry, or for a used
// code its expiry plus oauth2store.UsedCodeRetention (to recognise reuse).
func (c *memCode) goneAt() time.Time {
	if c.used {
		return c.c.ExpiresAt.Add(oauth2store.UsedCodeRetention)
	}
	return c.c.ExpiresAt
}

type memToken struct {
	t       StoredToken
	revoked bool
	spent   bool
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{apps: map[string]Application{}, codes: map[string]*memCode{}, tokens: map[string]*memToken{},
		byFamily: map[string]map[string]struct{}{}, byCode: map[string]map[string]struct{}{}}
}

func index(m map[string]map[string]struct{}, key, hash string) {
	if key == "" {
		return
	}
	set := m[key]
	if set == nil {
		set = map[string]struct{}{}
		m[key] = set
	}
	set[hash] = struct{}{}
}

func unindex(m map[string]map[string]struct{}, key, hash string) {
	if set := m[key]; set != nil {
		delete(set, hash)
		if len(set) == 0 {
			delete(m, key)
		}
	}
}

// addLocked stores t with its indexes; callers hold s.mu.
func (s *MemoryStore) addLocked(t StoredToken) {
	s.tokens[t.Hash] = &memToken{t: cloneToken(t)}
	index(s.byFamily, t.FamilyID, t.Hash)
	index(s.byCode, t.CodeHash, t.Hash)
}

// deleteLocked removes the token with that hash; callers hold s.mu.
func (s *MemoryStore) deleteLocked(hash string) {
	if t, ok := s.tokens[hash]; ok {
		unindex(s.byFamily, t.t.FamilyID, hash)
		unindex(s.byCode, t.t.CodeHash, hash)
		delete(s.tokens, hash)
	}
}

func storeCtx(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("oauth2: %w: %w", core.ErrStoreUnavailable, err)
	}
	return nil
}

// cloneApp copies a's slices into one new array (one allocation), each
// capped at its length so that appending to one never writes into the
// next; a nil slice stays nil.
func cloneApp(a Application) Application {
	all := make([]string, 0, len(a.RedirectURIs)+len(a.GrantTypes)+len(a.Scopes))
	part := func(s []string) []string {
		if s == nil {
			return nil
		}
		start := len(all)
		all = append(all, s...)
		return all[start:len(all):len(all)]
	}
	a.RedirectURIs = part(a.RedirectURIs)
	a.GrantTypes = part(a.GrantTypes)
	a.Scopes = part(a.Scopes)
	return a
}

func cloneToken(t StoredToken) StoredToken {
	t.Scopes = slices.Clone(t.Scopes)
	return t
}

func cloneCode(c StoredCode) StoredCode {
	c.Scopes = slices.Clone(c.Scopes)
	return c
}

// CreateApplication implements Store.
func (s *MemoryStore) CreateApplication(ctx context.Context, app Application) error {
	if err := storeCtx(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[app.ClientID]; ok {
		return oauth2store.ErrDuplicateClientID
	}
	s.apps[app.ClientID] = cloneApp(app)
	return nil
}

// Application implements Store.
func (s *MemoryStore) Application(ctx context.Context, clientID string) (Application, bool, error) {
	if err := storeCtx(ctx); err != nil {
		return Application{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[clientID]
	if !ok {
		return Application{}, false, nil
	}
	return cloneApp(a), true, nil
}

// DeleteApplication implements Store.
func (s *MemoryStore) DeleteApplication(ctx context.Context, clientID string) (bool, error) {
	if err := storeCtx(ctx); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[clientID]; !ok {
		return false, nil
	}
	delete(s.apps, clientID)
	for h, c := range s.codes {
		if c.c.ClientID == clientID {
			delete(s.codes, h)
		}
	}
	for h, t := range s.tokens {
		if t.t.ClientID == clientID {
			s.deleteLocked(h)
		}
	}
	return true, nil
}

// minCodeSweep is the number of codes below which SaveCode does not
// sweep.
const minCodeSweep = 1024

// SaveCode implements Store. When the store holds as many codes as
// after its last sweep doubled (at least minCodeSweep), it first evicts
// the codes that expired by the time c was issued: those whose ExpiresAt
// (for a used code, ExpiresAt plus oauth2store.UsedCodeRetention) is not
// after c.ExpiresAt less oauth2store.MaxCodeLifetime (c lives at most
// that long, so it was issued no earlier). The store needs no clock,
// and each SaveCode costs O(1) amortized.
func (s *MemoryStore) SaveCode(ctx context.Context, c StoredCode) error {
	if err := storeCtx(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.codes[c.Hash]; ok {
		return oauth2store.ErrDuplicateHash
	}
	if len(s.codes) >= max(s.sweepAt, minCodeSweep) {
		issued := c.ExpiresAt.Add(-oauth2store.MaxCodeLifetime)
		for h, old := range s.codes {
			if !old.goneAt().After(issued) {
				delete(s.codes, h)
			}
		}
		s.sweepAt = 2 * len(s.codes)
	}
	s.codes[c.Hash] = &memCode{c: cloneCode(c)}
	return nil
}

// ConsumeCode implements Store.
func (s *MemoryStore) ConsumeCode(ctx context.Context, hash string, now time.Time) (StoredCode, oauth2store.CodeState, error) {
	if err := storeCtx(ctx); err != nil {
		return StoredCode{}, oauth2store.CodeUnknown, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[hash]
	if !ok || !c.goneAt().After(now) {
		return StoredCode{}, oauth2store.CodeUnknown, nil
	}
	if c.used {
		c.reused = true
		for h := range s.byCode[hash] {
			s.tokens[h].revoked = true
		}
		return cloneCode(c.c), oauth2store.CodeReused, nil
	}
	c.used = true
	return cloneCode(c.c), oauth2store.CodeValid, nil
}

// SaveTokens implements Store.
func (s *MemoryStore) SaveTokens(ctx context.Context, tokens ...StoredToken) error {
	if err := storeCtx(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range tokens {
		if _, ok := s.tokens[t.Hash]; ok {
			return oauth2store.ErrDuplicateHash
		}
		for _, u := range tokens[:i] {
			if u.Hash == t.Hash {
				return oauth2store.ErrDuplicateHash
			}
		}
	}
	for _, t := range tokens {
		if c, ok := s.codes[t.CodeHash]; ok && t.CodeHash != "" && c.reused {
			return oauth2store.ErrCodeReused // revoked before it existed: store none
		}
	}
	for _, t := range tokens {
		s.addLocked(t)
	}
	return nil
}

// Token implements Store.
func (s *MemoryStore) Token(ctx context.Context, hash string, now time.Time) (StoredToken, bool, error) {
	if err := storeCtx(ctx); err != nil {
		return StoredToken{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[hash]
	if !ok || t.revoked || t.spent || !t.t.ExpiresAt.After(now) {
		return StoredToken{}, false, nil
	}
	return cloneToken(t.t), true, nil
}

// RotateRefreshToken implements Store.
func (s *MemoryStore) RotateRefreshToken(ctx context.Context, hash, clientID string, now time.Time, next ...StoredToken) (StoredToken, oauth2store.RotateState, error) {
	if err := storeCtx(ctx); err != nil {
		return StoredToken{}, oauth2store.RotateUnknown, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[hash]
	if !ok || t.t.Kind != oauth2store.KindRefresh || t.t.ClientID != clientID || !t.t.ExpiresAt.After(now) {
		return StoredToken{}, oauth2store.RotateUnknown, nil
	}
	if t.spent {
		s.revokeFamilyLocked(t.t.FamilyID)
		return cloneToken(t.t), oauth2store.RotateReused, nil
	}
	if t.revoked {
		return StoredToken{}, oauth2store.RotateUnknown, nil
	}
	for _, n := range next {
		if _, dup := s.tokens[n.Hash]; dup {
			return StoredToken{}, oauth2store.RotateUnknown, oauth2store.ErrDuplicateHash
		}
	}
	t.spent = true
	if t.t.FamilyID != "" {
		for h := range s.byFamily[t.t.FamilyID] {
			if u := s.tokens[h]; u.t.Kind == oauth2store.KindAccess {
				u.revoked = true
			}
		}
	}
	for _, n := range next {
		s.addLocked(n)
	}
	return cloneToken(t.t), oauth2store.RotateOK, nil
}

func (s *MemoryStore) revokeFamilyLocked(family string) {
	if family == "" {
		return
	}
	for h := range s.byFamily[family] {
		s.tokens[h].revoked = true
	}
}

// RevokeToken implements Store.
func (s *MemoryStore) RevokeToken(ctx context.Context, hash, clientID string) (bool, error) {
	if err := storeCtx(ctx); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[hash]
	if !ok || t.t.ClientID != clientID || t.revoked || t.spent {
		return false, nil
	}
	t.revoked = true
	if t.t.Kind == oauth2store.KindRefresh {
		s.revokeFamilyLocked(t.t.FamilyID)
	}
	return true, nil
}

// CleanupExpired implements Store.
func (s *MemoryStore) CleanupExpired(ctx context.Context, now time.Time) (int, error) {
	if err := storeCtx(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for h, c := range s.codes {
		if !c.goneAt().After(now) {
			delete(s.codes, h)
			n++
		}
	}
	for h, t := range s.tokens {
		if !t.t.ExpiresAt.After(now) {
			s.deleteLocked(h)
			n++
		}
	}
	return n, nil
}
