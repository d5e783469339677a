package sessions

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions/internal/codec"
)

// SessionID is a session key: the secret a client presents in its session
// cookie. Keys made by GenerateKey are 32 characters of [a-z0-9], Django's
// form. With CookieSessionBackend the client's value is the sealed cookie
// itself, and that is the SessionID the backend is given.
//
// A SessionID is a bearer credential: server-side backends never store it,
// only its StorageKey, and it is never logged.
type SessionID string

// keyChars is the alphabet of session keys, Django's
// VALID_KEY_CHARS (ascii_lowercase + digits).
const keyChars = "abcdefghijklmnopqrstuvwxyz0123456789"

// keyLength is the length of a session key: 32 characters from 36 symbols,
// about 165 bits from crypto/rand.
const keyLength = 32

// GenerateKey returns a new session key: 32 characters of [a-z0-9] drawn
// uniformly from crypto/rand (about 165 bits), as Django's
// get_random_string(32, VALID_KEY_CHARS).
func GenerateKey() SessionID {
	const n = len(keyChars)
	const limit = 256 - 256%n // reject bytes that would bias the choice
	var out [keyLength]byte
	var buf [48]byte
	i := 0
	for i < keyLength {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails (Go 1.24+)
		for _, b := range buf {
			if int(b) < limit && i < keyLength {
				out[i] = keyChars[int(b)%n]
				i++
			}
		}
	}
	return SessionID(out[:])
}

// IsKey reports whether id has the form of a key GenerateKey makes.
func (id SessionID) IsKey() bool {
	if len(id) != keyLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// StorageKey returns the key under which a server-side backend keeps the
// session id: the namespace of ctx (see WithNamespace; "" by default)
// followed by the first 20 bytes of SHA-256(id) in lower-case hex, 40
// characters, so that it fits Django's django_session.session_key column.
//
// This is where session keys are hashed, and the only place: every
// server-side backend (memory, cache, database, file, Redis) stores and
// looks up StorageKey(ctx, id), never id. A copy of the store (a backup, a
// read replica, a leaked dump) therefore holds no usable session key:
// keys carry about 165 random bits, so the hash cannot be reversed, and no
// secret is needed (rotating the site secret does not end sessions, and
// any backend can migrate another's records by storage key).
func StorageKey(ctx context.Context, id SessionID) string {
	return prefixedStorageKey(ctx, "", id)
}

// prefixedStorageKey is prefix + StorageKey(ctx, id), in one allocation
// (a concatenation with string(h[:]) makes two).
func prefixedStorageKey(ctx context.Context, prefix string, id SessionID) string {
	sum := sha256.Sum256([]byte(id))
	var h [40]byte
	hex.Encode(h[:], sum[:20])
	ns := Namespace(ctx)
	var b strings.Builder
	b.Grow(len(prefix) + len(ns) + len(h))
	b.WriteString(prefix)
	b.WriteString(ns)
	b.Write(h[:])
	return b.String()
}

type namespaceKey struct{}

// WithNamespace returns a context under which backends keep sessions apart
// from those of other namespaces: StorageKey prefixes ns to every storage
// key, and CookieSessionBackend binds its cookies to ns. The tenant
// wrapper sets it ("tenant:{tenant_id}:session:"); a request with no
// namespace uses "".
func WithNamespace(ctx context.Context, ns string) context.Context {
	return context.WithValue(ctx, namespaceKey{}, ns)
}

// Namespace returns the namespace of ctx, "" when none was set.
func Namespace(ctx context.Context) string {
	ns, _ := ctx.Value(namespaceKey{}).(string)
	return ns
}

// Record is a stored session as a backend sees it.
type Record struct {
	// Data is the serialized session (a Serializer's output; wrappers may
	// transform it). Data returned by Load may be shared with the backend:
	// the caller must not modify it. A backend must not keep the Data
	// given to Save past the call without copying it.
	Data []byte
	// Expiry is the absolute time after which the backend no longer
	// returns the record. Backends keep it to the millisecond at least.
	Expiry time.Time
	// Version is what optimistic concurrency compares: 0 for a session
	// never saved, else the version Load returned. A successful Save of a
	// record with Version v leaves the stored record at version v+1.
	Version uint64
	// UserID is the session's logged-in user ("" when nobody is), and
	// UserAgent and IP the client of its login ("" on every save after
	// the login's), which Session.Save sets: a backend that lists
	// sessions by user (core/sessions/usersessions) indexes the session
	// by them, the others ignore them. Load leaves them empty. Wrappers
	// that rebuild a record do not carry them over, and list nothing.
	UserID, UserAgent, IP string
}

// SessionBackend keeps sessions. Every method honours ctx and is safe for
// concurrent use. The contract, which storetest.TestSessionBackend checks
// sentence by sentence:
//
//   - Load returns the record last saved under id, with found=true.
//   - A session that does not exist, has expired (its Expiry is not after
//     now) or whose id has been tampered with is (Record{}, false, nil):
//     not an error. No id, however malformed or long, is an error.
//   - An error means the store failed (unreachable, timed out, ctx done) and
//     wraps core.ErrStoreUnavailable; the request then fails closed: it
//     is never authenticated by a session the backend could not read.
//   - Save stores rec under id if the stored version is rec.Version, and
//     the stored record then has version rec.Version+1. Version 0 means a
//     new session: Save fails if id exists. Any other mismatch — another
//     writer saved first, or the session was deleted (a logout while a
//     slow request was still running) or has expired — fails with an
//     error wrapping ErrConflict, and nothing is written: a save never
//     silently overwrites a newer record or brings a deleted one back.
//   - Save of a record whose Expiry is not after now stores nothing that
//     Load returns.
//   - A record too large for the backend fails with an error wrapping
//     ErrTooLarge; every server-side backend takes at least MaxDataSize.
//   - Delete removes the session; deleting one that does not exist is not
//     an error. The Session never reuses a deleted id (new keys are
//     random), so a backend need not remember it.
//   - Exists reports whether Load would find the session.
//
// Server-side backends store and look up StorageKey(ctx, id), never id
// itself. A backend whose client holds the record itself
// (CookieSessionBackend) also implements ClientSideBackend; callers save
// through SaveRecord, which handles both kinds.
type SessionBackend interface {
	Load(ctx context.Context, id SessionID) (rec Record, found bool, err error)
	Save(ctx context.Context, id SessionID, rec Record) error
	Delete(ctx context.Context, id SessionID) error
	Exists(ctx context.Context, id SessionID) (bool, error)
}

// ClientSideBackend is a SessionBackend that keeps the session's data in
// the value the client holds (CookieSessionBackend): every save gives the
// client a new value, which becomes the session's id.
//
// SaveClient saves rec under id exactly as SessionBackend.Save does (the
// same version rules) and returns the id the client must present from
// then on. The plain Save of such a backend refuses with
// errors.ErrUnsupported, since its result would never reach the client.
//
// Wrappers (compression, instrumentation) implement SaveClient by
// transforming rec and calling SaveRecord on the backend they wrap, so they
// work over both kinds.
type ClientSideBackend interface {
	SessionBackend
	SaveClient(ctx context.Context, id SessionID, rec Record) (SessionID, error)
}

// SaveRecord saves rec under id through b and returns the id the client
// must hold from then on: id itself for a server-side backend, the new
// value for a ClientSideBackend. The Session, the Manager and every wrapper
// save through it.
func SaveRecord(ctx context.Context, b SessionBackend, id SessionID, rec Record) (SessionID, error) {
	if c, ok := b.(ClientSideBackend); ok {
		return c.SaveClient(ctx, id, rec)
	}
	if err := b.Save(ctx, id, rec); err != nil {
		return "", err
	}
	return id, nil
}

// ErrConflict is the error of a Save whose version no longer matches the
// stored record: another request saved the session first, or it was
// deleted (logged out) or expired meanwhile. Nothing was written. It is a
// *core.APIError, so an adapter renders it as 409 Conflict with DRF's
// body; errors.Is matches it through any wrapping.
var ErrConflict = &core.APIError{
	Status: http.StatusConflict,
	Detail: "The session was changed or ended by another request.",
	Code:   "session_conflict",
}

// ErrTooLarge is the error of a session too large to keep: over
// MaxDataSize serialized, or over what the backend can hold (4096 bytes of
// cookie for CookieSessionBackend).
var ErrTooLarge = codec.ErrTooLarge

// MaxDataSize caps a serialized session: 1 MiB. Save refuses larger
// sessions with ErrTooLarge, and every decoder (serializers, decompression)
// refuses larger input before decoding, so stored data can never make the
// process allocate without bound.
const MaxDataSize = codec.MaxDataSize

// DataLimiter is implemented by backends that hold less than MaxDataSize
// per session (CookieSessionBackend): MaxData is the largest Record.Data
// they accept.
type DataLimiter interface {
	MaxData() int
}

// Cleaner is implemented by backends that must be told to remove expired
// sessions (the memory, database and file backends; caches expire entries
// themselves). CleanupExpired removes every session whose expiry has
// passed and returns how many it removed: Django's clearsessions, and what
// `authctl clearsessions` calls.
type Cleaner interface {
	CleanupExpired(ctx context.Context) (int, error)
}

// Lister is implemented by server-side backends that can enumerate what
// they hold, by storage key: migrations between backends, tenant listings.
// Range calls f for every live record whose storage key starts with
// Namespace(ctx), in no particular order, until f returns false. f must
// not call the backend.
type Lister interface {
	Range(ctx context.Context, f func(storageKey string, rec Record) bool) error
}

// Importer is implemented by server-side backends that can store a record
// under a storage key another backend produced (the target of a
// migration). Import follows Save's rules for rec.Version and expiry.
type Importer interface {
	Import(ctx context.Context, storageKey string, rec Record) error
}

// StoreError returns err as a store failure: an error wrapping
// core.ErrStoreUnavailable and err, with what (the backend and operation)
// in front. Backends use it for every system error, and for a done ctx.
func StoreError(what string, err error) error {
	return fmt.Errorf("%s: %w: %w", what, core.ErrStoreUnavailable, err)
}

// CheckContext returns StoreError(what, ctx.Err()) when ctx is done, nil
// otherwise: backends that do no I/O (memory) call it first, so a canceled
// request fails closed as it would against a remote store.
func CheckContext(ctx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return StoreError(what, err)
	}
	return nil
}

// ConflictError returns an error wrapping ErrConflict that names what
// conflicted.
func ConflictError(what string) error {
	return fmt.Errorf("%s: %w", what, ErrConflict)
}

// DeleteReason is why a session was deleted, the reason label of
// session_deleted_total.
type DeleteReason string

// The reasons of the reference's session_deleted_total.
const (
	// DeleteExplicit: a Delete for any other reason (the default).
	DeleteExplicit DeleteReason = "explicit"
	// DeleteExpired: the session had expired (CleanupExpired, or a
	// session past its lifetime).
	DeleteExpired DeleteReason = "expired"
	// DeleteFlushed: Session.Flush (logout).
	DeleteFlushed DeleteReason = "flushed"
)

type deleteReasonKey struct{}

// WithDeleteReason returns a context whose Delete calls count as reason for
// an instrumented backend (core/sessions/instrumented).
func WithDeleteReason(ctx context.Context, reason DeleteReason) context.Context {
	return context.WithValue(ctx, deleteReasonKey{}, reason)
}

// DeleteReasonFrom returns the reason WithDeleteReason put in ctx,
// DeleteExplicit when none. Reasons other than the three constants count
// as DeleteExplicit, so the metric's label values stay bounded.
func DeleteReasonFrom(ctx context.Context) DeleteReason {
	switch r, _ := ctx.Value(deleteReasonKey{}).(DeleteReason); r {
	case DeleteExpired, DeleteFlushed:
		return r
	}
	return DeleteExplicit
}
