package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core/hashers"
)

// CompositeAuthBackend tries its backends in order until one returns a
// user: Django's AUTHENTICATION_BACKENDS. A backend error stops the search
// and is returned, so a failing store never lets a later backend decide.
// It is safe for concurrent use, including AddBackend.
type CompositeAuthBackend struct {
	mu       sync.RWMutex
	backends []AuthBackend
}

// NewCompositeAuthBackend returns a composite of backends, tried in order.
func NewCompositeAuthBackend(backends ...AuthBackend) *CompositeAuthBackend {
	return &CompositeAuthBackend{backends: backends}
}

// AddBackend appends b; it is tried after the others.
func (c *CompositeAuthBackend) AddBackend(b AuthBackend) {
	c.mu.Lock()
	c.backends = append(c.backends, b)
	c.mu.Unlock()
}

func (c *CompositeAuthBackend) list() []AuthBackend {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.backends
}

// Authenticate returns the first user a backend accepts.
func (c *CompositeAuthBackend) Authenticate(ctx context.Context, username, password string) (User, error) {
	for _, b := range c.list() {
		u, err := b.Authenticate(ctx, username, password)
		if err != nil || u != nil {
			return u, err
		}
	}
	return nil, nil
}

// GetUser returns the first user a backend knows by id.
func (c *CompositeAuthBackend) GetUser(ctx context.Context, id string) (User, error) {
	for _, b := range c.list() {
		u, err := b.GetUser(ctx, id)
		if err != nil || u != nil {
			return u, err
		}
	}
	return nil, nil
}

// ModelBackend is Django's ModelBackend over a UserStore: the username is
// looked up exactly, the password checked with the user's hashers, a hash
// made with a weaker hasher or weaker parameters is upgraded and saved, and
// inactive users are refused. An unknown username costs one password hash,
// so it takes as long as a wrong password (Django #20760).
//
// A stored hash that cannot be verified (malformed, of an unsupported
// form, or with parameters over the hashers' limits) counts as a wrong
// password: it costs the same work, and a warning naming the user id (never
// the hash) goes to Logger.
type ModelBackend struct {
	Store UserStore
	// Hashers checks passwords of users that do not choose their own
	// (HasherChooser); nil means hashers.Default().
	Hashers *hashers.Registry
	// Logger receives the warning about unverifiable hashes; nil means
	// slog.Default().
	Logger *slog.Logger
}

// NewModelBackend returns a ModelBackend over store with the default
// hashers.
func NewModelBackend(store UserStore) *ModelBackend { return &ModelBackend{Store: store} }

// Authenticate implements AuthBackend.
func (b *ModelBackend) Authenticate(ctx context.Context, username, password string) (User, error) {
	u, err := LookUpUsername(ctx, b.Store, username)
	if err != nil {
		return nil, err
	}
	if isNil(u) {
		if err := registryFor(nil, b.Hashers).SimulateCheck(ctx, password); err != nil {
			return nil, err
		}
		return nil, nil
	}
	reg := registryFor(u, b.Hashers)
	ok, err := reg.CheckPassword(ctx, password, u.PasswordHash(), func(ctx context.Context, pw string) error {
		encoded, err := reg.MakePassword(ctx, pw)
		if err != nil {
			return err
		}
		if err := b.Store.SetPasswordHash(ctx, u.GetID(), encoded); err != nil {
			return err
		}
		u.SetPasswordHash(encoded)
		return nil
	})
	if errors.Is(err, hashers.ErrUnverifiable) {
		logger := b.Logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.WarnContext(ctx, "auth: stored password hash cannot be verified; the login is refused", "user_id", u.GetID(), "error", err)
		return nil, nil
	}
	if err != nil || !ok || !u.IsActive() {
		return nil, err
	}
	return u, nil
}

// GetUser implements AuthBackend; inactive users are not returned, as in
// Django's ModelBackend.get_user.
func (b *ModelBackend) GetUser(ctx context.Context, id string) (User, error) {
	u, err := LookUpID(ctx, b.Store, id)
	if err != nil || isNil(u) || !u.IsActive() {
		return nil, err
	}
	return u, nil
}

// LookUpID returns s.UserByID(ctx, id), checked: a store that answers
// with a user of another id (a bug, a corrupted row, a cache keyed
// wrongly) fails as an unreachable store does, with an error wrapping
// ErrStoreUnavailable, so that no request is authenticated as someone
// else. Every lookup by id that authenticates goes through it.
func LookUpID(ctx context.Context, s UserStore, id string) (BaseUser, error) {
	u, err := s.UserByID(ctx, id)
	if err != nil || isNil(u) {
		return nil, err
	}
	if u.GetID() != id {
		return nil, fmt.Errorf("core: the user store answered the lookup of one id with another user: %w", ErrStoreUnavailable)
	}
	return u, nil
}

// LookUpUsername returns s.UserByUsername(ctx, username), checked as
// LookUpID checks: a user whose username is not exactly username fails
// with an error wrapping ErrStoreUnavailable.
func LookUpUsername(ctx context.Context, s UserStore, username string) (BaseUser, error) {
	u, err := s.UserByUsername(ctx, username)
	if err != nil || isNil(u) {
		return nil, err
	}
	if u.GetUsername() != username {
		return nil, fmt.Errorf("core: the user store answered the lookup of one username with another user: %w", ErrStoreUnavailable)
	}
	return u, nil
}

// isNil reports whether v is nil or an interface holding a nil pointer (a
// store that returns a typed nil for "not found"), so that such a store
// cannot make authentication panic.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

// RecordLogin sets the user's last_login to now and persists it: what
// Django's user_logged_in signal does. Login endpoints call it; per-request
// authentication (Basic, tokens) does not, as in Django and DRF.
func (b *ModelBackend) RecordLogin(ctx context.Context, u BaseUser, now time.Time) error {
	if err := b.Store.SetLastLogin(ctx, u.GetID(), now); err != nil {
		return err
	}
	u.SetLastLogin(now)
	return nil
}
