package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/djangosession"
)

// DefaultDjangoCookieAge is Django's default SESSION_COOKIE_AGE, two
// weeks: the default of DjangoSessionBackend.CookieAge.
const DefaultDjangoCookieAge = 1209600 * time.Second

// DjangoVersionKey is the entry of session_data in which
// DjangoSessionBackend keeps a session's version (see Save). Django keeps
// it as any other value of the session; Load removes it from the data it
// returns.
const DjangoVersionKey = "_session_version"

// createdKey is the entry in which core/sessions keeps a session's
// creation time (its reserved "_session_created"); a stored session
// without it opens as a new one. TestDjangoSessionRowsFromDjango opens a
// row Django wrote through a Manager, which fails if the two part.
const createdKey = "_session_created"

// Django's session keys (SessionBase._validate_session_key takes 8
// characters or more; django_session.session_key is varchar(40)).
const (
	minDjangoKey = 8
	maxDjangoKey = 40
)

// ErrDjangoNamespace is the error of a save through DjangoSessionBackend
// under a namespace (sessions.WithNamespace): Django's table has no room
// for one, and keeping tenants apart is not something to drop silently.
var ErrDjangoNamespace = errors.New("sqlstore: Django-format sessions have no namespaces (tenants): use DatabaseSessionBackend")

// DjangoSessionBackend keeps sessions in Django's django_session table in
// Django's own format, so that a Go service and a Django project sharing
// the database and the secret key share their sessions: a user logged in
// on one side is logged in on the other, and logging out on either side
// ends the session on both. It implements sessions.SessionBackend and
// sessions.Cleaner, and is safe for concurrent use.
//
// Rows are what Django's database backend (SESSION_ENGINE
// "django.contrib.sessions.backends.db") writes: session_key is the
// session key itself, 32 characters of [a-z0-9] (sessions.GenerateKey
// makes them as Django does); session_data is Django's signed, compressed
// JSON (djangosession.Codec: the codec's secret is Django's SECRET_KEY, its
// fallback keys Django's SECRET_KEY_FALLBACKS, read but never written; the
// format of Django before 3.1 is read too); expire_date is the expiry in
// UTC to the microsecond, as Django writes it. The sessions must use the
// JSON serializer (the Manager's default): a session is a JSON object, as
// Django's JSONSerializer keeps it. For a logged-in user to be logged in
// on both sides, SessionAuthentication must use Django's keys — it does
// (_auth_user_id as a string, _auth_user_hash, the session auth hash
// core.GetSessionAuthHash computes) — and name the backend as Django does:
// register the model backend as djangosession.BackendName and log in
// with that name.
//
// The trade-off: keys are not hashed. DatabaseSessionBackend, the
// default, stores only sessions.StorageKey, a SHA-256 of the key, so a copy
// of the table (a backup, a replica, a leaked dump) holds no usable
// session. Django looks its sessions up by the key the cookie carries, so
// a table shared with Django must hold the keys themselves: whoever reads
// django_session can then take over every live session, on both sides, as
// they already can in a Django project. Choose this backend only to share
// sessions with Django, and protect the database (and its backups) as the
// sessions' cookies.
//
// Versions: Django's rows have no version column, so the version (the
// optimistic concurrency of sessions.SessionBackend) is an entry of the
// session data, DjangoVersionKey, which Django carries along untouched; a
// row without it is version 1. A save reads the row, compares its version
// with the record's, and writes with an UPDATE conditional on the exact
// session_data it read: a save of another writer in between (Go or
// Django) makes it fail with sessions.ErrConflict, and a session Django
// deleted (logout) is never brought back. Django's own saves are
// last-writer-wins, as among Django's requests: a Django save between a Go
// request's load and its save is not seen as a conflict.
//
// Sessions Django wrote carry no creation time, which the Manager's
// absolute timeout needs: Load gives them expire_date minus CookieAge
// (Django's SESSION_COOKIE_AGE; the time of Django's last save, when the
// project keeps the default expiry), never later than now, so the
// Manager's two-week Lifetime ends them when Django would.
//
// Data that fails to decode (altered, signed with another key, another
// format) reads as not found, as Django starts an empty session then.
// Namespaces are refused (ErrDjangoNamespace); Range and Import, whose
// storage keys are hashes, are not offered. Every database error wraps
// core.ErrStoreUnavailable, so requests fail closed.
type DjangoSessionBackend struct {
	// Now is the clock expiry is checked by; nil means time.Now.
	Now func() time.Time
	// CookieAge is Django's SESSION_COOKIE_AGE, from which Load infers
	// the creation time of a session Django wrote. Zero means
	// DefaultDjangoCookieAge.
	CookieAge time.Duration

	s     *Store
	codec *djangosession.Codec
	q     djangoSessionQueries
}

type djangoSessionQueries struct {
	load, insert, update, deleteData, live, delete string
}

// NewDjangoSessionBackend returns the Django-format session backend over
// the store's database, its session data signed and read by codec (made
// with Django's SECRET_KEY and, as fallbacks, SECRET_KEY_FALLBACKS). The
// store must be migrated (Migrate makes django_session, or adopts
// Django's).
func NewDjangoSessionBackend(s *Store, codec *djangosession.Codec) (*DjangoSessionBackend, error) {
	if s == nil || codec == nil {
		return nil, errors.New("sqlstore: NewDjangoSessionBackend needs a store and a djangosession.Codec")
	}
	q := djangoSessionQueries{
		load: `SELECT "session_data", "expire_date" FROM "django_session" WHERE "session_key" = ? AND "expire_date" > ?`,
		insert: `INSERT INTO "django_session" ("session_key", "session_data", "expire_date") VALUES (?, ?, ?)
ON CONFLICT ("session_key") DO UPDATE SET "session_data" = excluded."session_data", "expire_date" = excluded."expire_date"
WHERE "django_session"."expire_date" <= ?`,
		update:     `UPDATE "django_session" SET "session_data" = ?, "expire_date" = ? WHERE "session_key" = ? AND "session_data" = ? AND "expire_date" > ?`,
		deleteData: `DELETE FROM "django_session" WHERE "session_key" = ? AND "session_data" = ? AND "expire_date" > ?`,
		live:       `SELECT 1 FROM "django_session" WHERE "session_key" = ? AND "expire_date" > ?`,
		delete:     `DELETE FROM "django_session" WHERE "session_key" = ?`,
	}
	if s.dialect == MySQL {
		q.insert = mysqlUpsertSession
		q.update = s.exactText(q.update, `"session_data"`)
		q.deleteData = s.exactText(q.deleteData, `"session_data"`)
	}
	for _, p := range []*string{&q.load, &q.insert, &q.update, &q.deleteData, &q.live, &q.delete} {
		*p = rebind(s.dialect, *p)
	}
	return &DjangoSessionBackend{s: s, codec: codec, q: q}, nil
}

func (b *DjangoSessionBackend) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *DjangoSessionBackend) cookieAge() time.Duration {
	if b.CookieAge > 0 {
		return b.CookieAge
	}
	return DefaultDjangoCookieAge
}

// djangoKey reports whether id can be a key of Django's table, looked up
// without a namespace: 8 to 40 characters of [a-z0-9] (Django makes 32).
func djangoKey(ctx context.Context, id sessions.SessionID) bool {
	if sessions.Namespace(ctx) != "" || len(id) < minDjangoKey || len(id) > maxDjangoKey {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// decodeRow turns a row's session_data into the session's JSON object
// (without DjangoVersionKey, with createdKey) and its version;
// ok=false for data that does not decode.
func (b *DjangoSessionBackend) decodeRow(text string, exp time.Time) (data []byte, version uint64, ok bool) {
	m, version, ok := b.decodeMembers(text)
	if !ok {
		return nil, 0, false
	}
	if _, has := m[createdKey]; !has {
		created := exp.Add(-b.cookieAge())
		if now := b.now(); created.After(now) {
			created = now
		}
		m[createdKey] = json.RawMessage(strconv.FormatInt(created.Unix(), 10))
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil, 0, false
	}
	return data, version, true
}

// decodeMembers decodes session_data into its members, DjangoVersionKey
// taken out and returned as the version (1 when absent or not a positive
// integer).
func (b *DjangoSessionBackend) decodeMembers(text string) (map[string]json.RawMessage, uint64, bool) {
	raw, err := b.codec.Decode(text)
	if err != nil {
		return nil, 0, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, 0, false
	}
	version := uint64(1)
	if v, has := m[DjangoVersionKey]; has {
		if n, err := strconv.ParseUint(string(v), 10, 64); err == nil && n > 0 {
			version = n
		}
		delete(m, DjangoVersionKey)
	}
	return m, version, true
}

// Load implements sessions.SessionBackend.
func (b *DjangoSessionBackend) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return sessions.Record{}, false, b.s.fail(ctx, "django sessions: load", err)
	}
	if !djangoKey(ctx, id) {
		return sessions.Record{}, false, nil
	}
	text, exp, found, err := b.row(ctx, b.s.rdb, id)
	if err != nil {
		return sessions.Record{}, false, b.s.fail(ctx, "django sessions: load", err)
	}
	if !found {
		return sessions.Record{}, false, nil
	}
	data, version, ok := b.decodeRow(text, exp)
	if !ok {
		return sessions.Record{}, false, nil
	}
	return sessions.Record{Data: data, Expiry: exp, Version: version}, true, nil
}

// row reads the live row of id.
func (b *DjangoSessionBackend) row(ctx context.Context, db *sql.DB, id sessions.SessionID) (text string, exp time.Time, found bool, err error) {
	st, err := b.s.prepared(ctx, db, b.q.load)
	if err != nil {
		return "", time.Time{}, false, err
	}
	var e nullTime
	err = st.QueryRowContext(ctx, string(id), b.s.dbTime(b.now())).Scan(&text, &e)
	if err == sql.ErrNoRows {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, err
	}
	return text, e.Time, e.Valid, nil
}

// Exists implements sessions.SessionBackend.
func (b *DjangoSessionBackend) Exists(ctx context.Context, id sessions.SessionID) (bool, error) {
	_, found, err := b.Load(ctx, id)
	return found, err
}

// Save implements sessions.SessionBackend. rec.Data must be a JSON object
// (the sessions.JSON serializer's output); it is stored with its version
// in DjangoVersionKey.
func (b *DjangoSessionBackend) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	const op = "django sessions: save"
	if err := ctx.Err(); err != nil {
		return b.s.fail(ctx, op, err)
	}
	if sessions.Namespace(ctx) != "" {
		return ErrDjangoNamespace
	}
	if !djangoKey(ctx, id) {
		return fmt.Errorf("sqlstore: %s: a session key of Django's table is 8 to 40 characters of [a-z0-9]", op)
	}
	if len(rec.Data) > sessions.MaxDataSize {
		return fmt.Errorf("sqlstore: %s: a %d-byte session is over the %d-byte limit: %w", op, len(rec.Data), sessions.MaxDataSize, sessions.ErrTooLarge)
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(rec.Data, &m) != nil || m == nil {
		return fmt.Errorf("sqlstore: %s: the session is not a JSON object (Django-format sessions need the Manager's JSON serializer)", op)
	}
	delete(m, DjangoVersionKey)
	now := b.now()
	dbNow := b.s.dbTime(now)
	key := string(id)
	var (
		query string
		args  []any
	)
	switch {
	case !rec.Expiry.After(now) && rec.Version == 0:
		// Nothing to store; a live session under the key is a conflict.
		return b.s.conflictIfLive(ctx, op, b.q.live, key, dbNow)
	case rec.Version == 0:
		text, err := b.encode(m, 1)
		if err != nil {
			return err
		}
		query, args = b.q.insert, []any{key, text, b.s.dbTime(rec.Expiry), dbNow}
		if b.s.dialect == MySQL {
			args = append(args, dbNow) // mysqlUpsertSession reads it twice
		}
	default:
		// The row as it is now: its version must be the record's, and the
		// write below happens only if nobody wrote it since.
		cur, _, found, err := b.row(ctx, b.s.db, id)
		if err != nil {
			return b.s.fail(ctx, op, err)
		}
		if !found {
			return sessions.ConflictError("sqlstore: " + op)
		}
		if _, v, ok := b.decodeMembers(cur); !ok || v != rec.Version {
			return sessions.ConflictError("sqlstore: " + op)
		}
		if !rec.Expiry.After(now) {
			// Saved already expired: the session ends.
			query, args = b.q.deleteData, []any{key, cur, dbNow}
			break
		}
		text, err := b.encode(m, rec.Version+1)
		if err != nil {
			return err
		}
		query, args = b.q.update, []any{text, b.s.dbTime(rec.Expiry), key, cur, dbNow}
	}
	st, err := b.s.prepared(ctx, b.s.db, query)
	if err != nil {
		return b.s.fail(ctx, op, err)
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return b.s.fail(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return b.s.fail(ctx, op, err)
	}
	if n != 1 && (b.s.dialect != MySQL || n != 2) { // 2: MariaDB/MySQL replaced an expired row
		return sessions.ConflictError("sqlstore: " + op)
	}
	return nil
}

// encode is the session_data of the members m at version v.
func (b *DjangoSessionBackend) encode(m map[string]json.RawMessage, v uint64) (string, error) {
	m[DjangoVersionKey] = json.RawMessage(strconv.FormatUint(v, 10))
	data, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("sqlstore: django sessions: save: %w", err)
	}
	text, err := b.codec.Encode(data)
	if err != nil {
		return "", fmt.Errorf("sqlstore: django sessions: save: %w", err)
	}
	return text, nil
}

// Delete implements sessions.SessionBackend.
func (b *DjangoSessionBackend) Delete(ctx context.Context, id sessions.SessionID) error {
	if err := ctx.Err(); err != nil {
		return b.s.fail(ctx, "django sessions: delete", err)
	}
	if !djangoKey(ctx, id) {
		return nil
	}
	st, err := b.s.prepared(ctx, b.s.db, b.q.delete)
	if err == nil {
		_, err = st.ExecContext(ctx, string(id))
	}
	if err != nil {
		return b.s.fail(ctx, "django sessions: delete", err)
	}
	return nil
}

// CleanupExpired implements sessions.Cleaner: Django's clearsessions, as
// DatabaseSessionBackend.CleanupExpired (the same table, the same rows).
func (b *DjangoSessionBackend) CleanupExpired(ctx context.Context) (int, error) {
	return b.s.cleanupSessions(ctx, b.now())
}

var (
	_ sessions.SessionBackend = (*DjangoSessionBackend)(nil)
	_ sessions.Cleaner        = (*DjangoSessionBackend)(nil)
)
