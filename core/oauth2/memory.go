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
// mutex over maps of applications, codes and tokens. Everything is lost
// when the process ends. Expired rows stay until CleanupExpired.
type MemoryStore struct {
	mu     sync.Mutex
	apps   map[string]Application
	codes  map[string]*memCode
	tokens map[string]*memToken
}

type memCode struct {
	c      StoredCode
	used   bool // ConsumeCode answered CodeValid
	reused bool // ConsumeCode answered CodeReused: no tokens for it any more
}

type memToken struct {
	t       StoredToken
	revoked bool
	spent   bool
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{apps: map[string]Application{}, codes: map[string]*memCode{}, tokens: map[string]*memToken{}}
}

func storeCtx(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("oauth2: %w: %w", core.ErrStoreUnavailable, err)
	}
	return nil
}

func cloneApp(a Application) Application {
	a.RedirectURIs = slices.Clone(a.RedirectURIs)
	a.GrantTypes = slices.Clone(a.GrantTypes)
	a.Scopes = slices.Clone(a.Scopes)
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
			delete(s.tokens, h)
		}
	}
	return true, nil
}

// SaveCode implements Store.
func (s *MemoryStore) SaveCode(ctx context.Context, c StoredCode) error {
	if err := storeCtx(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.codes[c.Hash]; ok {
		return oauth2store.ErrDuplicateHash
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
	if !ok || !c.c.ExpiresAt.After(now) {
		return StoredCode{}, oauth2store.CodeUnknown, nil
	}
	if c.used {
		c.reused = true
		for _, t := range s.tokens {
			if t.t.CodeHash == hash {
				t.revoked = true
			}
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
			return nil // revoked before it existed: store none
		}
	}
	for _, t := range tokens {
		s.tokens[t.Hash] = &memToken{t: cloneToken(t)}
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
	for _, u := range s.tokens {
		if u.t.Kind == oauth2store.KindAccess && u.t.FamilyID != "" && u.t.FamilyID == t.t.FamilyID {
			u.revoked = true
		}
	}
	for _, n := range next {
		s.tokens[n.Hash] = &memToken{t: cloneToken(n)}
	}
	return cloneToken(t.t), oauth2store.RotateOK, nil
}

func (s *MemoryStore) revokeFamilyLocked(family string) {
	if family == "" {
		return
	}
	for _, u := range s.tokens {
		if u.t.FamilyID == family {
			u.revoked = true
		}
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
		if !c.c.ExpiresAt.After(now) {
			delete(s.codes, h)
			n++
		}
	}
	for h, t := range s.tokens {
		if !t.t.ExpiresAt.After(now) {
			delete(s.tokens, h)
			n++
		}
	}
	return n, nil
}
