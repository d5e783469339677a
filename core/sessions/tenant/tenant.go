package tenant

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/logtag"
)

// The placeholders of a tenant key pattern.
const (
	IDPlaceholder        = "{tenant_id}"
	SessionIDPlaceholder = "{session_id}"
)

// DefaultPattern is how Backend keys sessions, the
// reference's: {session_id} is the session's storage key hash (see
// StorageKey), never the key itself.
const DefaultPattern = "tenant:" + IDPlaceholder + ":session:" + SessionIDPlaceholder

// MaxIDLength bounds a tenant id.
const MaxIDLength = 128

type tenantKey struct{}

// NewContext returns a context whose sessions belong to tenant id: a
// Backend keeps them apart from every other tenant's. The
// application sets it per request (from the host name, a header, the
// route) before the session middleware loads the session.
func NewContext(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, tenantKey{}, id)
}

// FromContext returns the tenant of ctx and whether one was set.
func FromContext(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(tenantKey{}).(string)
	return id, ok
}

// Errors of Backend. They are *core.APIError, rendered with
// their status.
var (
	// ErrRequired: a strict backend was used without a tenant in
	// the context. Rendered 400; the request fails, it never falls back
	// to a shared namespace.
	ErrRequired = &core.APIError{Status: http.StatusBadRequest, Detail: "A tenant is required.", Code: "tenant_required"}
	// ErrInvalid: the tenant id is empty, longer than
	// MaxIDLength or has a character outside [A-Za-z0-9._@-].
	ErrInvalid = &core.APIError{Status: http.StatusBadRequest, Detail: "Invalid tenant.", Code: "invalid_tenant"}
	// ErrTooManySessions: the tenant already has its maximum of live
	// sessions; a new one is refused (403) until some end.
	ErrTooManySessions = &core.APIError{Status: http.StatusForbidden, Detail: "Too many sessions for this tenant.", Code: "too_many_sessions"}
)

// ValidID reports whether id can name a tenant: 1 to 128
// characters of [A-Za-z0-9._@-]. The characters of key patterns (":",
// braces) are excluded, so no tenant's keys look like another's.
func ValidID(id string) bool {
	if id == "" || len(id) > MaxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '@', c == '-':
		default:
			return false
		}
	}
	return true
}

// Session describes one live session of a tenant, by the storage
// key it has in the backend the tenants share, tenant part included (the
// session key is never stored, so it cannot be listed).
type Session struct {
	StorageKey string
	Expiry     time.Time
	Version    uint64
	Size       int
}

// Operations are the per-tenant operations of the
// reference's Operations: list, count and delete every live
// session of one tenant.
type Operations interface {
	ListSessions(ctx context.Context, tenantID string) ([]Session, error)
	CountSessions(ctx context.Context, tenantID string) (int, error)
	DeleteAllSessions(ctx context.Context, tenantID string) (int, error)
}

// StorageKeyDeleter is implemented by backends that delete a session by
// its storage key (as Lister yields it). Without it, DeleteAllSessions
// ends a session by importing it expired at its current version
// (Importer: a record saved already expired is one Load never returns).
type StorageKeyDeleter interface {
	DeleteStorageKey(ctx context.Context, key string) error
}

// Config configures New. The zero value is the
// reference's default, in strict mode.
type Config struct {
	// Pattern keys every session: it holds {tenant_id} once and ends with
	// {session_id}. Default DefaultPattern
	// ("tenant:{tenant_id}:session:{session_id}").
	Pattern string
	// MaxSessionsPerTenant caps the live sessions of each tenant; a new
	// session over the cap fails with ErrTooManySessions. 0: no cap.
	// Counting needs the backend's Lister.
	MaxSessionsPerTenant int
	// DefaultTenant is the tenant of contexts that name none. Empty (the
	// default) is strict isolation: such a context is an error
	// (ErrRequired), never a shared namespace.
	DefaultTenant string
}

// Backend keeps each tenant's sessions apart in Inner: the
// reference's Backend. The tenant comes from the context
// (NewContext), and every session is stored under the pattern with the
// tenant's id — "tenant:{tenant_id}:session:{session_id}" by default,
// through WithNamespace and StorageKey — so a session id of tenant A
// never loads, saves, or deletes anything in tenant B, and a cookie
// session sealed for A (CookieSessionBackend binds the namespace) does not
// open in B. Without a tenant, a strict backend (no DefaultTenant) fails
// with ErrRequired.
//
// With MaxSessionsPerTenant, creating a session (a save of version 0)
// first counts the tenant's live sessions and refuses the new one at the
// cap. Creations of one tenant are counted one at a time within the
// process; several processes sharing a store may together overshoot the
// cap by the number of creations they race. Note that login cycles the
// session key, saving the new session before deleting the old one, so a
// tenant at its cap cannot log in from an anonymous session it already
// holds: leave room for it.
//
// It implements Operations (Lister needed; deleting also
// needs StorageKeyDeleter or Importer) and forwards Cleaner (every
// tenant), Lister and Importer (the context's tenant), SaveClient and
// DataLimiter. It is safe for concurrent use.
type Backend struct {
	inner          sessions.SessionBackend
	prefix, middle string // pattern = prefix + {tenant_id} + middle + {session_id}
	max            int
	defaultTenant  string
	seed           maphash.Seed
	locks          [32]sync.Mutex
}

// New returns inner partitioned by tenant as cfg says.
func New(inner sessions.SessionBackend, cfg Config) (*Backend, error) {
	if inner == nil {
		return nil, errors.New("sessions: the tenant backend needs a backend")
	}
	pattern := cfg.Pattern
	if pattern == "" {
		pattern = DefaultPattern
	}
	if strings.Count(pattern, IDPlaceholder) != 1 || strings.Count(pattern, SessionIDPlaceholder) != 1 ||
		!strings.HasSuffix(pattern, SessionIDPlaceholder) {
		return nil, fmt.Errorf("sessions: tenant pattern %q must hold %s once and end with %s", pattern, IDPlaceholder, SessionIDPlaceholder)
	}
	body := strings.TrimSuffix(pattern, SessionIDPlaceholder)
	prefix, middle, _ := strings.Cut(body, IDPlaceholder)
	if strings.ContainsAny(prefix+middle, "{}") {
		return nil, fmt.Errorf("sessions: tenant pattern %q has an unknown placeholder", pattern)
	}
	if cfg.MaxSessionsPerTenant < 0 {
		return nil, errors.New("sessions: MaxSessionsPerTenant is negative")
	}
	if cfg.DefaultTenant != "" && !ValidID(cfg.DefaultTenant) {
		return nil, fmt.Errorf("sessions: invalid default tenant %q", cfg.DefaultTenant)
	}
	return &Backend{
		inner: inner, prefix: prefix, middle: middle,
		max: cfg.MaxSessionsPerTenant, defaultTenant: cfg.DefaultTenant,
		seed: maphash.MakeSeed(),
	}, nil
}

// Unwrap returns the backend the tenants share.
func (t *Backend) Unwrap() sessions.SessionBackend { return t.inner }

// Namespace returns the namespace of tenant id's sessions: the pattern up
// to {session_id}, with the tenant's id.
func (t *Backend) Namespace(tenantID string) string {
	return t.prefix + tenantID + t.middle
}

// tenant returns the tenant of ctx.
func (t *Backend) tenant(ctx context.Context) (string, error) {
	id, ok := FromContext(ctx)
	if !ok || id == "" {
		if t.defaultTenant == "" {
			return "", ErrRequired
		}
		return t.defaultTenant, nil
	}
	if !ValidID(id) {
		return "", ErrInvalid
	}
	return id, nil
}

// scoped returns ctx in the namespace of tenant id, under any namespace
// ctx already had.
func (t *Backend) scoped(ctx context.Context, id string) context.Context {
	return sessions.WithNamespace(ctx, sessions.Namespace(ctx)+t.Namespace(id))
}

func (t *Backend) ctxOf(ctx context.Context) (context.Context, string, error) {
	id, err := t.tenant(ctx)
	if err != nil {
		return nil, "", err
	}
	return t.scoped(ctx, id), id, nil
}

// Load implements SessionBackend in the context's tenant. A context
// without a valid tenant is an error (the request fails closed).
func (t *Backend) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	tctx, _, err := t.ctxOf(ctx)
	if err != nil {
		return sessions.Record{}, false, err
	}
	return t.inner.Load(tctx, id)
}

// Exists implements SessionBackend.
func (t *Backend) Exists(ctx context.Context, id sessions.SessionID) (bool, error) {
	tctx, _, err := t.ctxOf(ctx)
	if err != nil {
		return false, err
	}
	return t.inner.Exists(tctx, id)
}

// Save implements SessionBackend.
func (t *Backend) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	_, err := t.save(ctx, rec.Version, func(tctx context.Context) (sessions.SessionID, error) {
		return id, t.inner.Save(tctx, id, rec)
	})
	return err
}

// SaveClient implements ClientSideBackend over either kind of backend.
func (t *Backend) SaveClient(ctx context.Context, id sessions.SessionID, rec sessions.Record) (sessions.SessionID, error) {
	return t.save(ctx, rec.Version, func(tctx context.Context) (sessions.SessionID, error) {
		return sessions.SaveRecord(tctx, t.inner, id, rec)
	})
}

// save runs a write in the context's tenant, checking the cap first when
// it creates a session.
func (t *Backend) save(ctx context.Context, version uint64, write func(context.Context) (sessions.SessionID, error)) (sessions.SessionID, error) {
	tctx, tenant, err := t.ctxOf(ctx)
	if err != nil {
		return "", err
	}
	if version != 0 || t.max == 0 {
		return write(tctx)
	}
	mu := &t.locks[maphash.String(t.seed, tenant)%uint64(len(t.locks))]
	mu.Lock()
	defer mu.Unlock()
	n, err := t.count(tctx)
	if err != nil {
		return "", err
	}
	if n >= t.max {
		return "", ErrTooManySessions
	}
	return write(tctx)
}

// Delete implements SessionBackend.
func (t *Backend) Delete(ctx context.Context, id sessions.SessionID) error {
	tctx, _, err := t.ctxOf(ctx)
	if err != nil {
		return err
	}
	return t.inner.Delete(tctx, id)
}

// lister returns the backend's Lister.
func (t *Backend) lister() (sessions.Lister, error) {
	l, ok := t.inner.(sessions.Lister)
	if !ok {
		return nil, fmt.Errorf("tenant sessions: %T has no Range: %w", t.inner, errors.ErrUnsupported)
	}
	return l, nil
}

// rangeTenant calls f for each live session in tctx's namespace. Keys
// that start with the namespace but are not exactly the namespace and a
// storage hash belong to no session of this tenant, and are skipped.
func (t *Backend) rangeTenant(tctx context.Context, f func(string, sessions.Record) bool) error {
	l, err := t.lister()
	if err != nil {
		return err
	}
	ns := sessions.Namespace(tctx)
	want := len(ns) + 40
	return l.Range(tctx, func(key string, rec sessions.Record) bool {
		if len(key) != want || !strings.HasPrefix(key, ns) {
			return true
		}
		return f(key, rec)
	})
}

func (t *Backend) count(tctx context.Context) (int, error) {
	n := 0
	err := t.rangeTenant(tctx, func(string, sessions.Record) bool { n++; return true })
	return n, err
}

// Range implements Lister: the live sessions of the context's tenant,
// keyed as the caller sees them — the context's namespace and the storage
// hash, without the tenant's part of the key — so that through the
// wrapper a tenant looks like a backend of its own: StorageKey(ctx, id)
// names a session in Range and Import as it does outside, and Migrate
// moves sessions between a tenant and any other backend.
func (t *Backend) Range(ctx context.Context, f func(string, sessions.Record) bool) error {
	tctx, _, err := t.ctxOf(ctx)
	if err != nil {
		return err
	}
	outer, cut := sessions.Namespace(ctx), len(sessions.Namespace(tctx))
	return t.rangeTenant(tctx, func(key string, rec sessions.Record) bool {
		return f(outer+key[cut:], rec)
	})
}

// Import implements Importer in the context's tenant: key is a storage
// key as Range yields them (StorageKey(ctx, id) of the caller's context),
// stored under the tenant's pattern; a new session respects the cap.
func (t *Backend) Import(ctx context.Context, key string, rec sessions.Record) error {
	im, ok := t.inner.(sessions.Importer)
	if !ok {
		return fmt.Errorf("tenant sessions: %T has no Import: %w", t.inner, errors.ErrUnsupported)
	}
	tctx, _, err := t.ctxOf(ctx)
	if err != nil {
		return err
	}
	outer := sessions.Namespace(ctx)
	if len(key) != len(outer)+40 || !strings.HasPrefix(key, outer) {
		return fmt.Errorf("tenant sessions: import: %q is not a storage key of this namespace: %w", logtag.Key(key), core.ErrInvalidInput)
	}
	inner := sessions.Namespace(tctx) + key[len(outer):]
	_, err = t.save(ctx, rec.Version, func(tctx context.Context) (sessions.SessionID, error) {
		return "", im.Import(tctx, inner, rec)
	})
	return err
}

// CleanupExpired implements Cleaner for every tenant at once (expired
// sessions belong to nobody).
func (t *Backend) CleanupExpired(ctx context.Context) (int, error) {
	c, ok := t.inner.(sessions.Cleaner)
	if !ok {
		return 0, fmt.Errorf("tenant sessions: %T has no CleanupExpired: %w", t.inner, errors.ErrUnsupported)
	}
	return c.CleanupExpired(ctx)
}

// MaxData implements DataLimiter.
func (t *Backend) MaxData() int {
	if l, ok := t.inner.(sessions.DataLimiter); ok {
		return l.MaxData()
	}
	return sessions.MaxDataSize
}

// forTenant returns ctx in tenant id's namespace, validating id.
func (t *Backend) forTenant(ctx context.Context, id string) (context.Context, error) {
	if !ValidID(id) {
		return nil, ErrInvalid
	}
	return t.scoped(ctx, id), nil
}

// ListSessions implements Operations: the tenant's live
// sessions, in no particular order.
func (t *Backend) ListSessions(ctx context.Context, tenantID string) ([]Session, error) {
	tctx, err := t.forTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out []Session
	err = t.rangeTenant(tctx, func(key string, rec sessions.Record) bool {
		out = append(out, Session{StorageKey: key, Expiry: rec.Expiry, Version: rec.Version, Size: len(rec.Data)})
		return true
	})
	return out, err
}

// CountSessions implements Operations.
func (t *Backend) CountSessions(ctx context.Context, tenantID string) (int, error) {
	tctx, err := t.forTenant(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	return t.count(tctx)
}

// DeleteAllSessions implements Operations: it ends every
// live session of the tenant and returns how many it ended. A session
// saved while it runs (a version it did not list) is listed and ended in
// a further round, up to three rounds.
func (t *Backend) DeleteAllSessions(ctx context.Context, tenantID string) (int, error) {
	tctx, err := t.forTenant(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	total := 0
	for range 3 {
		var keys []string
		var versions []uint64
		if err := t.rangeTenant(tctx, func(key string, rec sessions.Record) bool {
			keys = append(keys, key)
			versions = append(versions, rec.Version)
			return true
		}); err != nil {
			return total, err
		}
		if len(keys) == 0 {
			return total, nil
		}
		conflicts := 0
		for i, key := range keys {
			err := deleteStorageKey(tctx, t.inner, key, versions[i])
			switch {
			case err == nil:
				total++
			case errors.Is(err, sessions.ErrConflict):
				conflicts++
			default:
				return total, err
			}
		}
		if conflicts == 0 {
			return total, nil
		}
	}
	return total, fmt.Errorf("tenant sessions: sessions of tenant %q kept changing while they were deleted: %w", tenantID, sessions.ErrConflict)
}

// deleteStorageKey ends the session stored under key at version: through
// StorageKeyDeleter, or by importing it expired (ErrConflict when its
// version moved on).
func deleteStorageKey(ctx context.Context, b sessions.SessionBackend, key string, version uint64) error {
	if d, ok := b.(StorageKeyDeleter); ok {
		return d.DeleteStorageKey(ctx, key)
	}
	im, ok := b.(sessions.Importer)
	if !ok {
		return fmt.Errorf("sessions: %T can neither delete by storage key nor import: %w", b, errors.ErrUnsupported)
	}
	return im.Import(ctx, key, sessions.Record{Expiry: time.Unix(0, 0), Version: version})
}

var (
	_ sessions.ClientSideBackend = (*Backend)(nil)
	_ Operations                 = (*Backend)(nil)
	_ sessions.Cleaner           = (*Backend)(nil)
	_ sessions.Lister            = (*Backend)(nil)
	_ sessions.Importer          = (*Backend)(nil)
	_ sessions.DataLimiter       = (*Backend)(nil)
)
