package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core/hashers"
)

// BaseUserManager is Django's BaseUserManager: how users of type U are
// created. password nil makes a user with an unusable password; extra
// holds other fields by their Django names ("email", "first_name",
// "last_name", "is_active", "is_staff", "is_superuser").
type BaseUserManager[U BaseUser] interface {
	CreateUser(ctx context.Context, username string, password *string, extra map[string]any) (U, error)
	CreateSuperuser(ctx context.Context, username string, password *string, extra map[string]any) (U, error)
}

// Errors of user creation.
var (
	// ErrEmptyUsername is Django's "The given username must be set".
	ErrEmptyUsername = errors.New("The given username must be set")
	// ErrDuplicateUsername: a user with that username exists, or (at
	// creation) one whose username differs from it only in case
	// (FoldUsername), as Django 4.2's UserCreationForm refuses it.
	ErrDuplicateUsername = errors.New("A user with that username already exists.")
	// ErrUnknownField: extra names a field the user type does not have.
	ErrUnknownField = errors.New("unknown user field")
)

// DefaultUserManager keeps DefaultUsers in memory: the reference's
// DefaultUserManager, for tests and prototypes. It is safe for concurrent
// use and implements UserStore, so a ModelBackend can authenticate against
// it; every method returns ctx's error once ctx is done. Users are
// returned as copies; change them through the manager.
type DefaultUserManager struct {
	// Hashers hashes passwords; nil means hashers.Default().
	Hashers *hashers.Registry
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu     sync.RWMutex
	nextID int64
	byID   map[int64]*DefaultUser
	byName map[string]int64
	byFold map[string]int // users per FoldUsername form
}

// NewDefaultUserManager returns an empty manager.
func NewDefaultUserManager() *DefaultUserManager {
	return &DefaultUserManager{byID: map[int64]*DefaultUser{}, byName: map[string]int64{}, byFold: map[string]int{}}
}

func (m *DefaultUserManager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// CreateUser creates an active, non-staff user. The username is NFKC
// normalized and the email's domain lower-cased, as Django does. A
// username that a user has, or that differs from one only in case
// (FoldUsername), is ErrDuplicateUsername.
func (m *DefaultUserManager) CreateUser(ctx context.Context, username string, password *string, extra map[string]any) (*DefaultUser, error) {
	return m.create(ctx, username, password, extra, false)
}

// CreateSuperuser creates an active staff superuser. extra may not set
// is_staff or is_superuser to false (Django's "Superuser must have
// is_staff=True.").
func (m *DefaultUserManager) CreateSuperuser(ctx context.Context, username string, password *string, extra map[string]any) (*DefaultUser, error) {
	return m.create(ctx, username, password, extra, true)
}

func (m *DefaultUserManager) create(ctx context.Context, username string, password *string, extra map[string]any, super bool) (*DefaultUser, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	u, err := PrepareUser(ctx, m.Hashers, username, password, extra, super, m.now())
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if m.byID == nil {
		m.byID, m.byName, m.byFold = map[int64]*DefaultUser{}, map[string]int64{}, map[string]int{}
	}
	fold := FoldUsername(u.Username)
	if _, taken := m.byName[u.Username]; taken || m.byFold[fold] > 0 {
		return nil, ErrDuplicateUsername
	}
	m.nextID++
	u.ID = m.nextID
	m.byID[u.ID] = u
	m.byName[u.Username] = u.ID
	m.byFold[fold]++
	return cloneUser(u), nil
}

// PrepareUser builds, without storing it, the user Django's
// UserManager._create_user makes: the username NFKC-normalized, an active
// user (staff and superuser when superuser is set, and then extra may not
// turn either flag off), the fields of extra applied, the email's domain
// lower-cased, and the password hashed with reg (nil: hashers.Default()),
// or Django's unusable password when password is nil. Every user store's
// CreateUser and CreateSuperuser start here.
func PrepareUser(ctx context.Context, reg *hashers.Registry, username string, password *string, extra map[string]any, superuser bool, joined time.Time) (*DefaultUser, error) {
	if username == "" {
		return nil, ErrEmptyUsername
	}
	if superuser {
		for _, f := range []string{"is_staff", "is_superuser"} {
			if v, ok := extra[f]; ok && v != true {
				return nil, fmt.Errorf("Superuser must have %s=True.", f)
			}
		}
	}
	u := &DefaultUser{
		Username:   NormalizeUsername(username),
		Active:     true,
		Staff:      superuser,
		Superuser:  superuser,
		DateJoined: joined,
	}
	if err := ApplyUserFields(u, extra); err != nil {
		return nil, err
	}
	u.Email = NormalizeEmail(u.Email)
	if password == nil {
		u.Password = hashers.MakeUnusablePassword()
		return u, nil
	}
	if reg == nil {
		reg = hashers.Default()
	}
	encoded, err := reg.MakePassword(ctx, *password)
	if err != nil {
		return nil, err
	}
	u.Password = encoded
	return u, nil
}

// ApplyUserFields sets the fields named in extra on u (Django field names;
// bools for the is_* flags, strings otherwise). An unknown name or a value
// of the wrong type is an error wrapping ErrUnknownField.
func ApplyUserFields(u *DefaultUser, extra map[string]any) error {
	for k, v := range extra {
		var ok bool
		switch k {
		case "email":
			u.Email, ok = v.(string)
		case "first_name":
			u.FirstName, ok = v.(string)
		case "last_name":
			u.LastName, ok = v.(string)
		case "is_active":
			u.Active, ok = v.(bool)
		case "is_staff":
			u.Staff, ok = v.(bool)
		case "is_superuser":
			u.Superuser, ok = v.(bool)
		default:
			return fmt.Errorf("%w %q", ErrUnknownField, k)
		}
		if !ok {
			return fmt.Errorf("%w %q: value of type %T", ErrUnknownField, k, v)
		}
	}
	return nil
}

func cloneUser(u *DefaultUser) *DefaultUser {
	c := *u
	c.UserPermissions = append([]string(nil), u.UserPermissions...)
	c.Groups = append([]Group(nil), u.Groups...)
	if u.LastLogin != nil {
		t := *u.LastLogin
		c.LastLogin = &t
	}
	return &c
}

// GetByID returns a copy of the user with id, or nil.
func (m *DefaultUserManager) GetByID(ctx context.Context, id int64) (*DefaultUser, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u, ok := m.byID[id]; ok {
		return cloneUser(u), nil
	}
	return nil, nil
}

// GetByUsername returns a copy of the user with username (exact match), or
// nil.
func (m *DefaultUserManager) GetByUsername(ctx context.Context, username string) (*DefaultUser, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if id, ok := m.byName[username]; ok {
		return cloneUser(m.byID[id]), nil
	}
	return nil, nil
}

// Update replaces the stored user with the same ID by a copy of u. A
// username another user has is ErrDuplicateUsername; one that differs
// from another's only in case is allowed, as in Django's UserChangeForm.
func (m *DefaultUserManager) Update(ctx context.Context, u *DefaultUser) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.byID[u.ID]
	if !ok {
		return fmt.Errorf("update user %d: %w", u.ID, ErrUserNotFound)
	}
	if old.Username != u.Username {
		if _, taken := m.byName[u.Username]; taken {
			return ErrDuplicateUsername
		}
		delete(m.byName, old.Username)
		m.byName[u.Username] = u.ID
		if f := FoldUsername(old.Username); m.byFold[f] > 1 {
			m.byFold[f]--
		} else {
			delete(m.byFold, f)
		}
		m.byFold[FoldUsername(u.Username)]++
	}
	m.byID[u.ID] = cloneUser(u)
	return nil
}

// UserByID implements UserStore.
func (m *DefaultUserManager) UserByID(ctx context.Context, id string) (BaseUser, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, nil
	}
	u, err := m.GetByID(ctx, n)
	if u == nil {
		return nil, err
	}
	return u, nil
}

// UserByUsername implements UserStore.
func (m *DefaultUserManager) UserByUsername(ctx context.Context, username string) (BaseUser, error) {
	u, err := m.GetByUsername(ctx, username)
	if u == nil {
		return nil, err
	}
	return u, nil
}

// UsersByEmail returns copies of the users whose email address is
// email's case-insensitively (FoldEmail: Django's email__iexact and
// _unicode_ci_compare), ordered by id, active or not and whatever their
// password; none for "". It is the lookup of a password-reset request
// (passwordreset.Users), which picks the users to mail among them.
func (m *DefaultUserManager) UsersByEmail(ctx context.Context, email string) ([]BaseUser, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if email == "" {
		return nil, nil
	}
	want := FoldEmail(email)
	m.mu.RLock()
	var found []*DefaultUser
	for _, u := range m.byID {
		if u.Email != "" && FoldEmail(u.Email) == want {
			found = append(found, cloneUser(u))
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(found, func(a, b *DefaultUser) int { return cmp.Compare(a.ID, b.ID) })
	out := make([]BaseUser, len(found))
	for i, u := range found {
		out[i] = u
	}
	return out, nil
}

// SetPasswordHash implements UserStore.
func (m *DefaultUserManager) SetPasswordHash(ctx context.Context, id, encoded string) error {
	return m.modify(ctx, id, func(u *DefaultUser) { u.Password = encoded })
}

// ReplacePasswordHash implements PasswordHashReplacer.
func (m *DefaultUserManager) ReplacePasswordHash(ctx context.Context, id, old, encoded string) (bool, error) {
	replaced := false
	err := m.modify(ctx, id, func(u *DefaultUser) {
		if u.Password == old {
			u.Password, replaced = encoded, true
		}
	})
	if errors.Is(err, ErrUserNotFound) {
		return false, nil
	}
	return replaced, err
}

// SetLastLogin implements UserStore.
func (m *DefaultUserManager) SetLastLogin(ctx context.Context, id string, t time.Time) error {
	return m.modify(ctx, id, func(u *DefaultUser) { u.LastLogin = &t })
}

func (m *DefaultUserManager) modify(ctx context.Context, id string, f func(*DefaultUser)) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	n, err := strconv.ParseInt(id, 10, 64)
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.byID[n]
	if err != nil || !ok {
		return fmt.Errorf("user %q: %w", id, ErrUserNotFound)
	}
	f(u)
	return nil
}

var (
	_ BaseUserManager[*DefaultUser] = (*DefaultUserManager)(nil)
	_ UserStore                     = (*DefaultUserManager)(nil)
)

// ctxErr is ctx's error as a store failure: a canceled request fails
// closed like an unreachable store.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory user store: %w: %w", ErrStoreUnavailable, err)
	}
	return nil
}
