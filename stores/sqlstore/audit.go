package sqlstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core/events"
)

// DefaultAuditRetention is how long AuditLog keeps an event unless told
// otherwise: 90 days, long enough to look back at an incident reported a
// month or two late, short enough that the table does not keep every
// login for ever (the addresses in it are personal data).
const DefaultAuditRetention = 90 * 24 * time.Hour

// AuditLog keeps security events (core/events) in the store's database,
// in the table reinhardt_audit_event (migration 0008), next to Django's
// auth_* tables: an events.Subscriber to add to a Dispatcher. Each event
// is one INSERT in the request's goroutine. A failed write is an error
// wrapping core.ErrStoreUnavailable, which the dispatcher logs and counts;
// the request goes on (an audit log that is down does not lock every
// user out).
//
// Rows older than Retention leave through Prune, which `authctl
// clearsessions` runs with the others' cleanups.
type AuditLog struct {
	// Retention is how long rows are kept: DefaultAuditRetention when 0;
	// a negative Retention keeps them for ever (Prune deletes nothing).
	Retention time.Duration

	s *Store
	q auditQueries
}

type auditQueries struct{ insert, prune string }

// NewAuditLog returns the audit log over s's database. The store must be
// migrated.
func NewAuditLog(s *Store) *AuditLog {
	q := auditQueries{
		insert: `INSERT INTO "reinhardt_audit_event" ("at", "kind", "user_id", "remote_addr", "request_id", "detail") VALUES (?, ?, ?, ?, ?, ?)`,
		prune:  `DELETE FROM "reinhardt_audit_event" WHERE "at" < ?`,
	}
	for _, p := range []*string{&q.insert, &q.prune} {
		*p = rebind(s.dialect, *p)
	}
	return &AuditLog{s: s, q: q}
}

// AuditLog returns NewAuditLog(s).
func (s *Store) AuditLog() *AuditLog { return NewAuditLog(s) }

// The widths of the audit table's text columns.
const (
	auditUserIDMax     = 255
	auditRemoteAddrMax = 64
	auditRequestIDMax  = 128
)

// HandleEvent implements events.Subscriber: it writes e as a row. The
// event's own fields are the detail column, as the JSON object
// encoding/json makes of the event (its Meta is in the other columns).
// Values too long for their columns are cut at a rune boundary.
func (a *AuditLog) HandleEvent(ctx context.Context, e events.Event) error {
	detail, err := json.Marshal(e)
	if err != nil {
		return err
	}
	m := e.EventMeta()
	st, err := a.s.prepared(ctx, a.s.db, a.q.insert)
	if err != nil {
		return a.s.fail(ctx, "audit: record", err)
	}
	if _, err := st.ExecContext(ctx, a.s.dbTime(m.At), string(e.Kind()), cut(m.UserID, auditUserIDMax),
		cut(m.RemoteAddr, auditRemoteAddrMax), cut(m.RequestID, auditRequestIDMax), string(detail)); err != nil {
		return a.s.fail(ctx, "audit: record", err)
	}
	return nil
}

// cut returns s, valid UTF-8, at most max bytes long.
func cut(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// Prune deletes the rows older than Retention before now and returns how
// many went; with a negative Retention it deletes nothing.
func (a *AuditLog) Prune(ctx context.Context, now time.Time) (int, error) {
	keep := a.Retention
	if keep == 0 {
		keep = DefaultAuditRetention
	}
	if keep < 0 {
		return 0, nil
	}
	res, err := a.s.db.ExecContext(ctx, a.q.prune, a.s.dbTime(now.Add(-keep)))
	if err != nil {
		return 0, a.s.fail(ctx, "audit: prune", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, a.s.fail(ctx, "audit: prune", err)
	}
	return int(n), nil
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID                            int64
	At                            time.Time
	Kind                          events.Kind
	UserID, RemoteAddr, RequestID string
	// Detail is the event's own fields, a JSON object.
	Detail string
}

// AuditFilter selects rows of the audit log; zero fields select all.
type AuditFilter struct {
	UserID string
	Kind   events.Kind
	// Since keeps the rows at or after it.
	Since time.Time
	// Limit caps the rows returned (newest first); 0 means 100.
	Limit int
}

// Entries returns the rows f selects, newest first.
func (a *AuditLog) Entries(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var where []string
	var args []any
	if f.UserID != "" {
		where, args = append(where, `"user_id" = ?`), append(args, f.UserID)
	}
	if f.Kind != "" {
		where, args = append(where, `"kind" = ?`), append(args, string(f.Kind))
	}
	if !f.Since.IsZero() {
		where, args = append(where, `"at" >= ?`), append(args, a.s.dbTime(f.Since))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT "id", "at", "kind", "user_id", "remote_addr", "request_id", "detail" FROM "reinhardt_audit_event"`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY "at" DESC, "id" DESC LIMIT ?`
	args = append(args, limit)
	rows, err := a.s.rdb.QueryContext(ctx, rebind(a.s.dialect, q), args...)
	if err != nil {
		return nil, a.s.fail(ctx, "audit: entries", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at nullTime
		var kind string
		if err := rows.Scan(&e.ID, &at, &kind, &e.UserID, &e.RemoteAddr, &e.RequestID, &e.Detail); err != nil {
			return nil, a.s.fail(ctx, "audit: entries", err)
		}
		e.At, e.Kind = at.Time, events.Kind(kind)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, a.s.fail(ctx, "audit: entries", err)
	}
	return out, nil
}

var _ events.Subscriber = (*AuditLog)(nil)
