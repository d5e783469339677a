package mfa

import (
	"context"
	"crypto/subtle"
	"fmt"
	"sync"

	"github.com/reinhardt-go/auth/core"
)

// MemoryStore is a Store in memory, for tests and single-process use: one
// mutex over a map of records. Everything is lost when the process ends.
type MemoryStore struct {
	mu   sync.Mutex
	recs map[string]*memoryRecord
}

type memoryRecord struct {
	rec    Record
	hashes []string
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{recs: map[string]*memoryRecord{}} }

func storeCtx(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mfa: %w: %w", core.ErrStoreUnavailable, err)
	}
	return nil
}

// Get implements Store.
func (s *MemoryStore) Get(ctx context.Context, userID string) (Record, error) {
	if err := storeCtx(ctx); err != nil {
		return Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[userID]
	if !ok {
		return Record{}, ErrNotEnrolled
	}
	rec := r.rec
	rec.RecoveryCodes = len(r.hashes)
	return rec, nil
}

// Begin implements Store.
func (s *MemoryStore) Begin(ctx context.Context, rec Record) error {
	if err := storeCtx(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.recs[rec.UserID]; ok && r.rec.Confirmed {
		return ErrAlreadyEnrolled
	}
	rec.Confirmed, rec.LastStep, rec.RecoveryCodes = false, 0, 0
	s.recs[rec.UserID] = &memoryRecord{rec: rec}
	return nil
}

// Confirm implements Store.
func (s *MemoryStore) Confirm(ctx context.Context, userID string, step int64, hashes []string) (bool, error) {
	if err := storeCtx(ctx); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[userID]
	if !ok {
		return false, ErrNotEnrolled
	}
	if r.rec.Confirmed || r.rec.LastStep >= step {
		return false, nil
	}
	r.rec.Confirmed, r.rec.LastStep = true, step
	r.hashes = append([]string(nil), hashes...)
	return true, nil
}

// AdvanceStep implements Store.
func (s *MemoryStore) AdvanceStep(ctx context.Context, userID string, step int64) (bool, error) {
	if err := storeCtx(ctx); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[userID]
	if !ok || !r.rec.Confirmed || r.rec.LastStep >= step {
		return false, nil
	}
	r.rec.LastStep = step
	return true, nil
}

// SetRecoveryCodes implements Store.
func (s *MemoryStore) SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	if err := storeCtx(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[userID]
	if !ok || !r.rec.Confirmed {
		return ErrNotEnrolled
	}
	r.hashes = append([]string(nil), hashes...)
	return nil
}

// ConsumeRecoveryCode implements Store; every stored hash is compared,
// in constant time.
func (s *MemoryStore) ConsumeRecoveryCode(ctx context.Context, userID, hash string) (bool, error) {
	if err := storeCtx(ctx); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[userID]
	if !ok || !r.rec.Confirmed {
		return false, nil
	}
	found := -1
	for i, h := range r.hashes {
		if subtle.ConstantTimeCompare([]byte(h), []byte(hash)) == 1 {
			found = i
		}
	}
	if found < 0 {
		return false, nil
	}
	r.hashes = append(r.hashes[:found], r.hashes[found+1:]...)
	return true, nil
}

// Delete implements Store.
func (s *MemoryStore) Delete(ctx context.Context, userID string) error {
	if err := storeCtx(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.recs, userID)
	return nil
}
