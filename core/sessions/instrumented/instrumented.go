package instrumented

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/logtag"
)

// sessionTag returns a short, non-reversible name of session id for logs
// (logtag.Key of its storage key).
func sessionTag(ctx context.Context, id sessions.SessionID) string {
	return logtag.Key(sessions.StorageKey(ctx, id))
}

// Event is one operation of an Backend. It
// never holds the session key or data.
type Event struct {
	// Op is the operation: "load", "exists", "save", "import", "delete"
	// or "cleanup".
	Op string
	// Found: a load or exists found the session.
	Found bool
	// Created: a save or import stored a new session (version 0).
	Created bool
	// Size is the data's size in bytes: saved, imported or loaded.
	Size int
	// Reason is why a session was deleted (delete).
	Reason sessions.DeleteReason
	// Removed is the number of expired sessions a cleanup removed.
	Removed int
	// Duration is how long the operation took.
	Duration time.Duration
	// Err is the operation's error, nil on success.
	Err error

	ctx context.Context
	id  sessions.SessionID
	key string
}

// Session returns a short hash naming the session (the first 12 hex
// characters of its storage key's hash): safe to log, useless to an
// attacker. It is "" for a cleanup.
func (e Event) Session() string {
	switch {
	case e.key != "":
		return logtag.Key(e.key)
	case e.ctx != nil && e.Op != "cleanup":
		return sessionTag(e.ctx, e.id)
	}
	return ""
}

// Outcome classifies the event: "ok", "not_found" (a load or exists that
// found nothing), "conflict" (ErrConflict), "too_large" (ErrTooLarge),
// "unavailable" (core.ErrStoreUnavailable), "unsupported"
// (errors.ErrUnsupported) or "error".
func (e Event) Outcome() string {
	switch {
	case e.Err == nil && (e.Found || (e.Op != "load" && e.Op != "exists")):
		return "ok"
	case e.Err == nil:
		return "not_found"
	case errors.Is(e.Err, sessions.ErrConflict):
		return "conflict"
	case errors.Is(e.Err, sessions.ErrTooLarge):
		return "too_large"
	case errors.Is(e.Err, core.ErrStoreUnavailable):
		return "unavailable"
	case errors.Is(e.Err, errors.ErrUnsupported):
		return "unsupported"
	}
	return "error"
}

// Analytics receives the events of an Backend:
// the reference's analytics sinks. Record is called after each operation,
// on the caller's goroutine, and must be safe for concurrent use.
type Analytics interface {
	Record(ctx context.Context, e Event)
}

// AnalyticsFunc is a function as a Analytics.
type AnalyticsFunc func(ctx context.Context, e Event)

// Record calls f.
func (f AnalyticsFunc) Record(ctx context.Context, e Event) { f(ctx, e) }

// LoggerAnalytics logs every event with log/slog: the reference's
// LoggerAnalytics. The attributes are the operation, the session's short
// hash (never its key), the outcome, the size, the duration and, as they
// apply, found, created, reason and removed. Successes and misses are
// logged at Level (default Debug), conflicts at Info, failures at Warn.
type LoggerAnalytics struct {
	// Logger receives the records; nil means slog.Default().
	Logger *slog.Logger
	// Level of successful operations; nil means slog.LevelDebug.
	Level slog.Leveler
}

// Record implements Analytics.
func (l LoggerAnalytics) Record(ctx context.Context, e Event) {
	logger := l.Logger
	if logger == nil {
		logger = slog.Default()
	}
	outcome := e.Outcome()
	level := slog.LevelDebug
	if l.Level != nil {
		level = l.Level.Level()
	}
	switch outcome {
	case "ok", "not_found":
	case "conflict":
		level = slog.LevelInfo
	default:
		level = slog.LevelWarn
	}
	if !logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs, slog.String("op", e.Op))
	if s := e.Session(); s != "" {
		attrs = append(attrs, slog.String("session", s))
	}
	attrs = append(attrs, slog.String("outcome", outcome), slog.Duration("duration", e.Duration))
	switch e.Op {
	case "save", "import", "load":
		attrs = append(attrs, slog.Int("size", e.Size))
	}
	if e.Created {
		attrs = append(attrs, slog.Bool("created", true))
	}
	if e.Op == "delete" {
		attrs = append(attrs, slog.String("reason", string(e.Reason)))
	}
	if e.Op == "cleanup" {
		attrs = append(attrs, slog.Int("removed", e.Removed))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	logger.LogAttrs(ctx, level, "sessions: "+e.Op, attrs...)
}

// Backend reports every operation of Inner to its
// Analytics — LoggerAnalytics, prommetrics.Analytics, or the caller's own —
// without changing it: the reference's Backend. Events
// carry sizes, outcomes and durations, and name sessions only by a short
// hash of their storage key, never by key or data.
//
// Deletions count as DeleteExplicit unless the context says otherwise
// (WithDeleteReason); cleanups count their sessions as expired.
//
// It works over every backend, the cookie backend included (it forwards
// SaveClient), and forwards Cleaner, Lister, Importer and DataLimiter
// (errors.ErrUnsupported when Inner lacks one).
type Backend struct {
	// Inner does the work. Required.
	Inner sessions.SessionBackend
	// Analytics receive the events, in order.
	Analytics []Analytics
}

// New returns inner reporting to analytics.
func New(inner sessions.SessionBackend, analytics ...Analytics) *Backend {
	return &Backend{Inner: inner, Analytics: analytics}
}

// Unwrap returns Inner.
func (b *Backend) Unwrap() sessions.SessionBackend { return b.Inner }

func (b *Backend) emit(ctx context.Context, e Event, start time.Time) {
	e.Duration = time.Since(start)
	e.ctx = ctx
	for _, a := range b.Analytics {
		a.Record(ctx, e)
	}
}

// Load implements SessionBackend.
func (b *Backend) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	start := time.Now()
	rec, found, err := b.Inner.Load(ctx, id)
	b.emit(ctx, Event{Op: "load", id: id, Found: found, Size: len(rec.Data), Err: err}, start)
	return rec, found, err
}

// Exists implements SessionBackend.
func (b *Backend) Exists(ctx context.Context, id sessions.SessionID) (bool, error) {
	start := time.Now()
	found, err := b.Inner.Exists(ctx, id)
	b.emit(ctx, Event{Op: "exists", id: id, Found: found, Err: err}, start)
	return found, err
}

// Save implements SessionBackend.
func (b *Backend) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	start := time.Now()
	err := b.Inner.Save(ctx, id, rec)
	b.emit(ctx, Event{Op: "save", id: id, Created: rec.Version == 0 && err == nil, Size: len(rec.Data), Err: err}, start)
	return err
}

// SaveClient implements ClientSideBackend over either kind of Inner.
func (b *Backend) SaveClient(ctx context.Context, id sessions.SessionID, rec sessions.Record) (sessions.SessionID, error) {
	start := time.Now()
	nid, err := sessions.SaveRecord(ctx, b.Inner, id, rec)
	b.emit(ctx, Event{Op: "save", id: id, Created: rec.Version == 0 && err == nil, Size: len(rec.Data), Err: err}, start)
	return nid, err
}

// Delete implements SessionBackend.
func (b *Backend) Delete(ctx context.Context, id sessions.SessionID) error {
	start := time.Now()
	err := b.Inner.Delete(ctx, id)
	b.emit(ctx, Event{Op: "delete", id: id, Reason: sessions.DeleteReasonFrom(ctx), Err: err}, start)
	return err
}

// CleanupExpired implements Cleaner when Inner does.
func (b *Backend) CleanupExpired(ctx context.Context) (int, error) {
	c, ok := b.Inner.(sessions.Cleaner)
	if !ok {
		return 0, fmt.Errorf("instrumented sessions: %T has no CleanupExpired: %w", b.Inner, errors.ErrUnsupported)
	}
	start := time.Now()
	n, err := c.CleanupExpired(ctx)
	b.emit(ctx, Event{Op: "cleanup", Removed: n, Reason: sessions.DeleteExpired, Err: err}, start)
	return n, err
}

// Range implements Lister when Inner does.
func (b *Backend) Range(ctx context.Context, f func(string, sessions.Record) bool) error {
	l, ok := b.Inner.(sessions.Lister)
	if !ok {
		return fmt.Errorf("instrumented sessions: %T has no Range: %w", b.Inner, errors.ErrUnsupported)
	}
	return l.Range(ctx, f)
}

// Import implements Importer when Inner does.
func (b *Backend) Import(ctx context.Context, key string, rec sessions.Record) error {
	im, ok := b.Inner.(sessions.Importer)
	if !ok {
		return fmt.Errorf("instrumented sessions: %T has no Import: %w", b.Inner, errors.ErrUnsupported)
	}
	start := time.Now()
	err := im.Import(ctx, key, rec)
	if !rec.Expiry.After(start) {
		// Importing a record already expired ends the stored one: a
		// deletion by storage key (tenant.Backend.DeleteAllSessions).
		b.emit(ctx, Event{Op: "delete", key: key, Reason: sessions.DeleteReasonFrom(ctx), Err: err}, start)
		return err
	}
	b.emit(ctx, Event{Op: "import", key: key, Created: rec.Version == 0 && err == nil, Size: len(rec.Data), Err: err}, start)
	return err
}

// MaxData implements DataLimiter: Inner's limit, or MaxDataSize.
func (b *Backend) MaxData() int {
	if l, ok := b.Inner.(sessions.DataLimiter); ok {
		return l.MaxData()
	}
	return sessions.MaxDataSize
}

var (
	_ sessions.ClientSideBackend = (*Backend)(nil)
	_ sessions.Cleaner           = (*Backend)(nil)
	_ sessions.Lister            = (*Backend)(nil)
	_ sessions.Importer          = (*Backend)(nil)
	_ sessions.DataLimiter       = (*Backend)(nil)
	_ Analytics                  = LoggerAnalytics{}
)
