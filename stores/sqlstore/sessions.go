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
	"github.com/reinhardt-go/auth/core/sessions/usersessions"
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
// clearsessions: one DELETE by the indexed expire_date), sessions.Lister,
// sessions.Importer and usersessions.Lister, and is safe for concurrent use.
//
// Rows: session_key is sessions.StorageKey (40 hex characters; with a
// namespace, which makes the key longer than the column, "~" and 39 hex
// characters of its SHA-256, the full key then kept in session_data),
// expire_date the record's expiry, and session_data the base64 of a
// 9-byte header — a format byte and the record's version — and the data.
// Nothing is added to Django's table: Django's own sessions may live in
// the same table, Django's clearsessions removes expired rows of both, and
// Django's migrations stay as they are. The index of logged-in sessions by
// user (usersessions.Lister, django-user-sessions' user column) is
// a table of our own, reinhardt_user_session (migration 0009): a save of
// a record with a UserID writes its row in the session's transaction,
// Delete removes it, and CleanupExpired removes the rows of expired
// sessions and of sessions another program deleted. Sessions Django
// writes are not indexed, so not listed. Django cannot resume the sessions of this backend (their
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
	// The index by user (reinhardt_user_session).
	ownerNew, ownerSeen, ownerDelete, ownerList, ownerFind string
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
	const cols = `("session_key", "namespace", "user_id", "handle", "created_at", "last_seen", "expire_date", "user_agent", "ip") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	q.ownerNew = `INSERT INTO "reinhardt_user_session" ` + cols + `
ON CONFLICT ("session_key") DO UPDATE SET "namespace" = excluded."namespace", "user_id" = excluded."user_id", "handle" = excluded."handle", "created_at" = excluded."created_at",
"last_seen" = excluded."last_seen", "expire_date" = excluded."expire_date", "user_agent" = excluded."user_agent", "ip" = excluded."ip"`
	q.ownerSeen = `INSERT INTO "reinhardt_user_session" ` + cols + `
ON CONFLICT ("session_key") DO UPDATE SET "last_seen" = excluded."last_seen", "expire_date" = excluded."expire_date"`
	q.ownerDelete = `DELETE FROM "reinhardt_user_session" WHERE "session_key" = ?`
	q.ownerList = `SELECT u."handle", u."created_at", u."last_seen", d."expire_date", u."user_agent", u."ip" FROM "reinhardt_user_session" u
JOIN "django_session" d ON d."session_key" = u."session_key" WHERE u."user_id" = ? AND u."namespace" = ? AND d."expire_date" > ?`
	q.ownerFind = `SELECT "session_key" FROM "reinhardt_user_session" WHERE "user_id" = ? AND "namespace" = ? AND "handle" = ?`
	if s.dialect == MySQL {
		q.ownerNew = `INSERT INTO "reinhardt_user_session" ` + cols + `
ON DUPLICATE KEY UPDATE "namespace" = VALUES("namespace"), "user_id" = VALUES("user_id"), "handle" = VALUES("handle"), "created_at" = VALUES("created_at"),
"last_seen" = VALUES("last_seen"), "expire_date" = VALUES("expire_date"), "user_agent" = VALUES("user_agent"), "ip" = VALUES("ip")`
		q.ownerSeen = `INSERT INTO "reinhardt_user_session" ` + cols + `
ON DUPLICATE KEY UPDATE "last_seen" = VALUES("last_seen"), "expire_date" = VALUES("expire_date")`
		q.insert = mysqlUpsertSession
		q.update = s.exactText(q.update, `substr("session_data", 1, 12)`)
		q.deleteVersion = s.exactText(q.deleteVersion, `substr("session_data", 1, 12)`)
	}
	for _, p := range []*string{&q.load, &q.insert, &q.update, &q.deleteVersion, &q.live, &q.delete, &q.all,
		&q.ownerNew, &q.ownerSeen, &q.ownerDelete, &q.ownerList, &q.ownerFind} {
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
	if rec.UserID != "" && rec.Expiry.After(now) {
		return b.saveOwned(ctx, op, storageKey, col, hashed, rec, now)
	}
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
	return b.saved(op, n)
}

// saved is the answer of a save statement that changed n rows: nil for
// the one row it wrote, sessions.ErrConflict when it wrote none.
func (b *DatabaseSessionBackend) saved(op string, n int64) error {
	if n != 1 && (b.s.dialect != MySQL || n != 2) { // 2: MariaDB/MySQL replaced an expired row
		return sessions.ConflictError("sqlstore: " + op)
	}
	return nil
}

// saveOwned saves a live session of a user (rec.UserID) and its index row
// in one transaction of the database/sql pool: a new session is the
// insert, any other save the versioned update, as save does.
func (b *DatabaseSessionBackend) saveOwned(ctx context.Context, op, storageKey, col string, hashed bool, rec sessions.Record, now time.Time) error {
	dbNow := b.s.dbTime(now)
	query, args := b.q.update, []any{encodeSession(storageKey, hashed, rec.Version+1, rec.Data), b.s.dbTime(rec.Expiry), col, versionText(hashed, rec.Version), dbNow}
	if rec.Version == 0 {
		query, args = b.q.insert, []any{col, encodeSession(storageKey, hashed, 1, rec.Data), b.s.dbTime(rec.Expiry), dbNow}
		if b.s.dialect == MySQL {
			args = append(args, dbNow) // mysqlUpsertSession reads it twice
		}
	}
	st, err := b.s.prepared(ctx, b.s.db, query)
	if err != nil {
		return b.s.fail(ctx, op, err)
	}
	var conflict error
	err = b.s.runTx(ctx, op, func() (*sql.Tx, error) { return b.s.db.BeginTx(ctx, nil) }, func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if conflict = b.saved(op, n); conflict != nil {
			return conflict
		}
		return b.index(ctx, tx, storageKey, col, rec, now)
	})
	if conflict != nil {
		return conflict
	}
	return err
}

// index writes the reinhardt_user_session row of a user's session saved
// under storageKey (column col): a new session (version 0) replaces the
// row, with the login's client; a later save moves last_seen and
// expire_date only.
func (b *DatabaseSessionBackend) index(ctx context.Context, tx *sql.Tx, storageKey, col string, rec sessions.Record, now time.Time) error {
	ua, ip := usersessions.ClipUserAgent(rec.UserAgent), rec.IP
	if len(ip) > 45 {
		ip = ""
	}
	if !b.s.storable(ua, ip) {
		ua, ip = "", ""
	}
	q := b.q.ownerSeen
	if rec.Version == 0 {
		q = b.q.ownerNew
	}
	dbNow := b.s.dbTime(now)
	_, err := tx.ExecContext(ctx, q, col, namespaceHash(storageKey[:max(len(storageKey)-columnLen, 0)]), rec.UserID, usersessions.Handle(storageKey),
		dbNow, dbNow, b.s.dbTime(rec.Expiry), ua, ip)
	return err
}

// namespaceHash is the namespace column of the sessions of namespace ns
// (what precedes the 40 characters of a storage key's hash): its SHA-256
// in hex, so that any namespace fits the column.
func namespaceHash(ns string) string {
	sum := sha256.Sum256([]byte(ns))
	return hex.EncodeToString(sum[:])
}

// UserSessions implements usersessions.Lister: the live sessions
// of userID within sessions.Namespace(ctx) that this backend wrote,
// from reinhardt_user_session joined with django_session (a row whose
// session was deleted or has expired is not listed). Sessions Django
// wrote in the table are not indexed, so never listed.
func (b *DatabaseSessionBackend) UserSessions(ctx context.Context, userID string) ([]usersessions.Session, error) {
	const op = "sessions: user sessions"
	if !b.s.storable(userID) {
		return nil, nil
	}
	st, err := b.s.prepared(ctx, b.s.rdb, b.q.ownerList)
	if err != nil {
		return nil, b.s.fail(ctx, op, err)
	}
	rows, err := st.QueryContext(ctx, userID, namespaceHash(sessions.Namespace(ctx)), b.s.dbTime(b.now()))
	if err != nil {
		return nil, b.s.fail(ctx, op, err)
	}
	defer rows.Close()
	var out []usersessions.Session
	for rows.Next() {
		var u usersessions.Session
		var created, seen, exp nullTime
		if err := rows.Scan(&u.Handle, &created, &seen, &exp, &u.UserAgent, &u.IP); err != nil {
			return nil, b.s.fail(ctx, op, err)
		}
		u.Created, u.LastSeen, u.Expiry = created.Time, seen.Time, exp.Time
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, b.s.fail(ctx, op, err)
	}
	return out, nil
}

// EndUserSession implements usersessions.Lister: it deletes the
// live session of userID named by handle, and its index row.
func (b *DatabaseSessionBackend) EndUserSession(ctx context.Context, userID, handle string) (bool, error) {
	const op = "sessions: end user session"
	if err := ctx.Err(); err != nil {
		return false, b.s.fail(ctx, op, err)
	}
	if !b.s.storable(userID, handle) {
		return false, nil
	}
	var ended bool
	err := b.s.runTx(ctx, op, func() (*sql.Tx, error) { return b.s.db.BeginTx(ctx, nil) }, func(tx *sql.Tx) error {
		var col string
		err := tx.QueryRowContext(ctx, b.q.ownerFind, userID, namespaceHash(sessions.Namespace(ctx)), handle).Scan(&col)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, rebind(b.s.dialect, `DELETE FROM "django_session" WHERE "session_key" = ? AND "expire_date" > ?`), col, b.s.dbTime(b.now()))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		ended = n == 1
		_, err = tx.ExecContext(ctx, b.q.ownerDelete, col)
		return err
	})
	if err != nil {
		return false, err
	}
	return ended, nil
}

// Delete implements sessions.SessionBackend; the session's index row
// goes with it.
func (b *DatabaseSessionBackend) Delete(ctx context.Context, id sessions.SessionID) error {
	col, _ := column(sessions.StorageKey(ctx, id))
	_, err := b.exec(ctx, b.q.delete, col)
	if err == nil {
		// After the session: a failure here leaves a row that joins no
		// session, which is never listed and clearsessions removes.
		_, err = b.exec(ctx, b.q.ownerDelete, col)
	}
	if err != nil {
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
	// The index rows of expired sessions, and of sessions deleted by
	// another program (Django).
	if _, err := s.db.ExecContext(ctx, rebind(s.dialect, `DELETE FROM "reinhardt_user_session" WHERE "expire_date" <= ?
OR NOT EXISTS (SELECT 1 FROM "django_session" d WHERE d."session_key" = "reinhardt_user_session"."session_key")`), s.dbTime(now)); err != nil {
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
	_ usersessions.Lister     = (*DatabaseSessionBackend)(nil)
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
