package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
)

// MaxSessionData is the largest Record.Data DatabaseSessionBackend
// stores: sessions.MaxDataSize with 64 KiB to spare for the headers of
// wrappers (compression's marker). A larger save fails with
// sessions.ErrTooLarge, and a larger stored value reads as absent.
const MaxSessionData = sessions.MaxDataSize + 64<<10

// The session_data of a row this backend writes is the standard base64 of
// a header and the record's data. The header starts with a format byte
// and the version, 9 bytes that are exactly the first 12 characters of
// the base64 text: a save compares them in SQL (substr(session_data, 1,
// 12)), so the version check and the write are one UPDATE.
const (
	// formatPlain: session_key is the storage key itself.
	formatPlain = 0xA1
	// formatHashed: the storage key does not fit session_key (a
	// namespace makes it longer than 40 characters), so session_key is
	// hashedMark followed by 39 hex characters of its SHA-256, and the
	// header goes on with the key's length (2 bytes) and the key.
	formatHashed = 0xA2
	hashedMark   = "~"
	versionChars = 12 // base64 of the format byte and the version
	columnLen    = 40 // django_session.session_key is varchar(40)
)

// maxSessionText bounds what a read decodes.
var maxSessionText = base64.StdEncoding.EncodedLen(9 + 2 + 1<<16 + MaxSessionData)

// DatabaseSessionBackend keeps sessions in Django's django_session table
// (migration 0004 makes it as Django 3.2 does, or adopts Django's), the
// reference's DatabaseSessionBackend, on SQLite, PostgreSQL and
// MariaDB/MySQL. It
// implements sessions.SessionBackend, sessions.Cleaner (Django's
// clearsessions: one DELETE by the indexed expire_date), sessions.Lister
// and sessions.Importer, and is safe for concurrent use.
//
// Rows: session_key is sessions.StorageKey (40 hex characters; with a
// namespace, which makes the key longer than the column, "~" and 39 hex
// characters of its SHA-256, the full key then kept in session_data),
// expire_date the record's expiry, and session_data the base64 of a
// 9-byte header — a format byte and the record's version — and the data.
// Nothing is added to Django's table, and no table of ours goes with it:
// Django's own sessions may live in the same table, Django's
// clearsessions removes expired rows of both, and Django's migrations stay
// as they are. Django cannot resume the sessions of this backend (their
// keys are hashes and their data is not Django's signed format), and this
// backend reads Django's rows as absent: that is by design, a session is
// carried over by logging in again. DjangoSessionBackend is the
// alternative that shares sessions with Django, at the cost of unhashed
// keys.
//
// A save is one statement: a new session is an INSERT … ON CONFLICT DO
// UPDATE that replaces only an expired row; any other save is an UPDATE …
// WHERE session_key = ? AND substr(session_data, 1, 12) = (the version's
// text) AND expire_date > now. No row changed means another writer saved
// first, or the session was deleted or has expired: sessions.ErrConflict,
// and nothing was written. The database's row lock decides between two
// writers, never a read made before the write.
//
// Every database error wraps core.ErrStoreUnavailable, so requests fail
// closed.
type DatabaseSessionBackend struct {
	// Now is the clock expiry is checked by; nil means time.Now.
	Now func() time.Time

	s *Store
	q sessionQueries
}

type sessionQueries struct {
	load, insert, update, deleteVersion, live, delete, all string
}

// NewSessionBackend returns the session backend over the store's
// database. The store must be migrated (Migrate makes django_session).
func NewSessionBackend(s *Store) *DatabaseSessionBackend {
	q := sessionQueries{
		load: `SELECT "session_data", "expire_date" FROM "django_session" WHERE "session_key" = ? AND "expire_date" > ?`,
		insert: `INSERT INTO "django_session" ("session_key", "session_data", "expire_date") VALUES (?, ?, ?)
ON CONFLICT ("session_key") DO UPDATE SET "session_data" = excluded."session_data", "expire_date" = excluded."expire_date"
WHERE "django_session"."expire_date" <= ?`,
		update:        `UPDATE "django_session" SET "session_data" = ?, "expire_date" = ? WHERE "session_key" = ? AND substr("session_data", 1, 12) = ? AND "expire_date" > ?`,
		deleteVersion: `DELETE FROM "django_session" WHERE "session_key" = ? AND substr("session_data", 1, 12) = ? AND "expire_date" > ?`,
		live:          `SELECT 1 FROM "django_session" WHERE "session_key" = ? AND "expire_date" > ?`,
		delete:        `DELETE FROM "django_session" WHERE "session_key" = ?`,
		all:           `SELECT "session_key", "session_data", "expire_date" FROM "django_session" WHERE "expire_date" > ?`,
	}
	if s.dialect == MySQL {
		q.insert = mysqlUpsertSession
		q.update = s.exactText(q.update, `substr("session_data", 1, 12)`)
		q.deleteVersion = s.exactText(q.deleteVersion, `substr("session_data", 1, 12)`)
	}
	for _, p := range []*string{&q.load, &q.insert, &q.update, &q.deleteVersion, &q.live, &q.delete, &q.all} {
		*p = rebind(s.dialect, *p)
	}
	return &DatabaseSessionBackend{s: s, q: q}
}

// Sessions returns NewSessionBackend(s).
func (s *Store) Sessions() *DatabaseSessionBackend { return NewSessionBackend(s) }

func (b *DatabaseSessionBackend) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// column returns the session_key of a storage key, and whether the key
// is kept in session_data (formatHashed).
func column(storageKey string) (string, bool) {
	if len(storageKey) > 0 && len(storageKey) <= columnLen && !strings.HasPrefix(storageKey, hashedMark) && printableASCII(storageKey) {
		return storageKey, false
	}
	sum := sha256.Sum256([]byte(storageKey))
	return hashedMark + hex.EncodeToString(sum[:])[:columnLen-len(hashedMark)], true
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// versionText is the first 12 characters of session_data for a row of
// version v.
func versionText(hashed bool, v uint64) string {
	var h [9]byte
	h[0] = formatPlain
	if hashed {
		h[0] = formatHashed
	}
	binary.BigEndian.PutUint64(h[1:], v)
	return base64.StdEncoding.EncodeToString(h[:])
}

// encodeSession is session_data for a record of version v.
func encodeSession(storageKey string, hashed bool, v uint64, data []byte) string {
	return string(appendSession(nil, storageKey, hashed, v, data))
}

// appendSession appends session_data for a record of version v to dst.
// The plain header is 9 bytes, a whole number of base64 groups, so its 12
// characters and the data's are encoded apart, with no copy of the data.
func appendSession(dst []byte, storageKey string, hashed bool, v uint64, data []byte) []byte {
	if !hashed {
		var h [9]byte
		h[0] = formatPlain
		binary.BigEndian.PutUint64(h[1:], v)
		dst = slices.Grow(dst, versionChars+base64.StdEncoding.EncodedLen(len(data)))
		dst = base64.StdEncoding.AppendEncode(dst, h[:])
		return base64.StdEncoding.AppendEncode(dst, data)
	}
	raw := make([]byte, 0, 9+2+len(storageKey)+len(data))
	raw = append(raw, formatHashed)
	raw = binary.BigEndian.AppendUint64(raw, v)
	raw = binary.BigEndian.AppendUint16(raw, uint16(len(storageKey)))
	raw = append(raw, storageKey...)
	raw = append(raw, data...)
	return base64.StdEncoding.AppendEncode(dst, raw)
}

// sessionText is the session_data argument of a save: on a pgx pool that
// prepares its statements the bytes themselves (pgx sends them as the
// statement's text parameter), else a string, which every driver and
// every pgx mode stores as text (SQLite would keep bytes as a BLOB, and
// pgx's exec and simple-protocol modes would send them as bytea).
func (b *DatabaseSessionBackend) sessionText(storageKey string, hashed bool, v uint64, data []byte) any {
	if b.s.pool != nil && b.s.poolPrepares {
		return appendSession(nil, storageKey, hashed, v, data)
	}
	return encodeSession(storageKey, hashed, v, data)
}

// timeArg is a time argument of the backend's statements: dbTime, or on
// the pgx pool a pgtype.Timestamptz (see timestamptz).
func (b *DatabaseSessionBackend) timeArg(t time.Time) any {
	if b.s.pool != nil {
		return timestamptz(t)
	}
	return b.s.dbTime(t)
}

// decodeSession reads session_data: the storage key it holds ("" for
// formatPlain), the version and the data; ok=false for anything this
// backend did not write (Django's own sessions included).
func decodeSession(text string) (key string, version uint64, data []byte, ok bool) {
	if len(text) < versionChars || len(text) > maxSessionText {
		return "", 0, nil, false
	}
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return "", 0, nil, false
	}
	return decodeSessionRaw(raw)
}

// decodeSessionBytes is decodeSession of session_data as pgx gives it,
// without a string of it.
func decodeSessionBytes(text []byte) (key string, version uint64, data []byte, ok bool) {
	if len(text) < versionChars || len(text) > maxSessionText {
		return "", 0, nil, false
	}
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
	n, err := base64.StdEncoding.Decode(raw, text)
	if err != nil {
		return "", 0, nil, false
	}
	return decodeSessionRaw(raw[:n])
}

// decodeSessionRaw is decodeSession after the base64.
func decodeSessionRaw(raw []byte) (key string, version uint64, data []byte, ok bool) {
	if len(raw) < 9 {
		return "", 0, nil, false
	}
	version, rest := binary.BigEndian.Uint64(raw[1:9]), raw[9:]
	switch raw[0] {
	case formatPlain:
	case formatHashed:
		if len(rest) < 2 {
			return "", 0, nil, false
		}
		n := int(binary.BigEndian.Uint16(rest))
		if len(rest) < 2+n {
			return "", 0, nil, false
		}
		key, rest = string(rest[2:2+n]), rest[2+n:]
	default:
		return "", 0, nil, false
	}
	if len(rest) > MaxSessionData {
		return "", 0, nil, false
	}
	return key, version, rest, true
}

// Load implements sessions.SessionBackend.
func (b *DatabaseSessionBackend) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	rec, found, err := b.load(ctx, sessions.StorageKey(ctx, id))
	if err != nil {
		return sessions.Record{}, false, b.s.fail(ctx, "sessions: load", err)
	}
	return rec, found, nil
}

func (b *DatabaseSessionBackend) load(ctx context.Context, storageKey string) (sessions.Record, bool, error) {
	col, hashed := column(storageKey)
	var (
		text string
		exp  nullTime
	)
	if b.s.pool != nil {
		return b.loadPgx(ctx, storageKey, col, hashed)
	}
	st, err := b.s.prepared(ctx, b.s.rdb, b.q.load)
	if err != nil {
		return sessions.Record{}, false, err
	}
	err = st.QueryRowContext(ctx, col, b.s.dbTime(b.now())).Scan(&text, &exp)
	if err == sql.ErrNoRows {
		return sessions.Record{}, false, nil
	}
	if err != nil {
		return sessions.Record{}, false, err
	}
	key, version, data, ok := decodeSession(text)
	if !ok || (hashed && key != storageKey) || (!hashed && key != "") || !exp.Valid {
		return sessions.Record{}, false, nil
	}
	return sessions.Record{Data: data, Expiry: exp.Time, Version: version}, true, nil
}

// exec runs query, one of the backend's own, with args and returns the
// number of rows it changed: through pgx directly when the Store has a
// pgx pool (PostgreSQL opened by Open), else as a prepared statement of
// database/sql.
func (b *DatabaseSessionBackend) exec(ctx context.Context, query string, args ...any) (int64, error) {
	if p := b.s.pool; p != nil {
		tag, err := p.Exec(ctx, query, args...)
		if err != nil {
			return 0, err
		}
		return tag.RowsAffected(), nil
	}
	st, err := b.s.prepared(ctx, b.s.db, query)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Exists implements sessions.SessionBackend.
func (b *DatabaseSessionBackend) Exists(ctx context.Context, id sessions.SessionID) (bool, error) {
	_, found, err := b.Load(ctx, id)
	return found, err
}

// Save implements sessions.SessionBackend.
func (b *DatabaseSessionBackend) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	return b.save(ctx, "sessions: save", sessions.StorageKey(ctx, id), rec)
}

// Import implements sessions.Importer: Save under a storage key another
// backend produced.
func (b *DatabaseSessionBackend) Import(ctx context.Context, storageKey string, rec sessions.Record) error {
	return b.save(ctx, "sessions: import", storageKey, rec)
}

func (b *DatabaseSessionBackend) save(ctx context.Context, op, storageKey string, rec sessions.Record) error {
	if err := ctx.Err(); err != nil {
		return b.s.fail(ctx, op, err)
	}
	if len(rec.Data) > MaxSessionData {
		return fmt.Errorf("sqlstore: %s: a %d-byte session is over the %d-byte limit: %w", op, len(rec.Data), MaxSessionData, sessions.ErrTooLarge)
	}
	if len(storageKey) >= 1<<16 {
		return fmt.Errorf("sqlstore: %s: a storage key of %d bytes: %w", op, len(storageKey), sessions.ErrTooLarge)
	}
	col, hashed := column(storageKey)
	now := b.now()
	dbNow := b.timeArg(now)
	var (
		query string
		args  []any
	)
	switch {
	case !rec.Expiry.After(now) && rec.Version == 0:
		// Nothing to store; a live session under the key is a conflict.
		return b.s.conflictIfLive(ctx, op, b.q.live, col, dbNow)
	case !rec.Expiry.After(now):
		// Saved already expired: the session ends, if it is still the
		// version the caller read.
		query, args = b.q.deleteVersion, []any{col, versionText(hashed, rec.Version), dbNow}
	case rec.Version == 0:
		query, args = b.q.insert, []any{col, b.sessionText(storageKey, hashed, 1, rec.Data), b.timeArg(rec.Expiry), dbNow}
		if b.s.dialect == MySQL {
			args = append(args, dbNow) // mysqlUpsertSession reads it twice
		}
	default:
		query, args = b.q.update, []any{b.sessionText(storageKey, hashed, rec.Version+1, rec.Data), b.timeArg(rec.Expiry), col, versionText(hashed, rec.Version), dbNow}
	}
	n, err := b.exec(ctx, query, args...)
	if err != nil {
		return b.s.fail(ctx, op, err)
	}
	if n != 1 && (b.s.dialect != MySQL || n != 2) { // 2: MariaDB/MySQL replaced an expired row
		return sessions.ConflictError("sqlstore: " + op)
	}
	return nil
}

// Delete implements sessions.SessionBackend.
func (b *DatabaseSessionBackend) Delete(ctx context.Context, id sessions.SessionID) error {
	col, _ := column(sessions.StorageKey(ctx, id))
	if _, err := b.exec(ctx, b.q.delete, col); err != nil {
		return b.s.fail(ctx, "sessions: delete", err)
	}
	return nil
}

// CleanupExpired implements sessions.Cleaner: Django's clearsessions, one
// DELETE by the indexed expire_date. It removes expired rows Django wrote
// too, as clearsessions does.
func (b *DatabaseSessionBackend) CleanupExpired(ctx context.Context) (int, error) {
	return b.s.cleanupSessions(ctx, b.now())
}

// cleanupSessions deletes every row of django_session that expired by
// now, whoever wrote it, and returns how many.
func (s *Store) cleanupSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, rebind(s.dialect, `DELETE FROM "django_session" WHERE "expire_date" <= ?`), s.dbTime(now))
	if err != nil {
		return 0, s.fail(ctx, "sessions: cleanup", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.fail(ctx, "sessions: cleanup", err)
	}
	return int(n), nil
}

// Range implements sessions.Lister: it calls f for every live session of
// this backend whose storage key starts with sessions.Namespace(ctx),
// skipping Django's own rows. It reads the whole table (a namespace is
// not in session_key once hashed), in one query whose rows stay open while
// f runs: f must not call the backend.
func (b *DatabaseSessionBackend) Range(ctx context.Context, f func(storageKey string, rec sessions.Record) bool) error {
	ns := sessions.Namespace(ctx)
	rows, err := b.s.rdb.QueryContext(ctx, b.q.all, b.s.dbTime(b.now()))
	if err != nil {
		return b.s.fail(ctx, "sessions: range", err)
	}
	defer rows.Close()
	for rows.Next() {
		var col, text string
		var exp nullTime
		if err := rows.Scan(&col, &text, &exp); err != nil {
			return b.s.fail(ctx, "sessions: range", err)
		}
		hashed := strings.HasPrefix(col, hashedMark)
		if !hashed && !strings.HasPrefix(col, ns) {
			continue
		}
		key, version, data, ok := decodeSession(text)
		if !ok || !exp.Valid {
			continue
		}
		if hashed {
			if c, h := column(key); !h || c != col {
				continue
			}
		} else {
			if key != "" {
				continue
			}
			key = col
		}
		if !strings.HasPrefix(key, ns) {
			continue
		}
		if !f(key, sessions.Record{Data: data, Expiry: exp.Time, Version: version}) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return b.s.fail(ctx, "sessions: range", err)
	}
	return nil
}

var (
	_ sessions.SessionBackend = (*DatabaseSessionBackend)(nil)
	_ sessions.Cleaner        = (*DatabaseSessionBackend)(nil)
	_ sessions.Lister         = (*DatabaseSessionBackend)(nil)
	_ sessions.Importer       = (*DatabaseSessionBackend)(nil)
)

// conflictIfLive runs live (a query of one row for a live session under
// key at now) and answers sessions.ConflictError when it finds one, nil
// when it does not: the save of an expired new session, which stores
// nothing.
func (s *Store) conflictIfLive(ctx context.Context, op, live string, key any, now any) error {
	st, err := s.prepared(ctx, s.db, live)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	var one int
	err = st.QueryRowContext(ctx, key, now).Scan(&one)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return s.fail(ctx, op, err)
	}
	return sessions.ConflictError("sqlstore: " + op)
}
