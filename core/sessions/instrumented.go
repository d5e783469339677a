package sessions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/reinhardt-go/auth/core"
)

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

// WithDeleteReason returns a context whose Delete calls count as reason
// for InstrumentedSessionBackend.
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

// sessionTag returns a short, non-reversible name of session id for logs:
// the first 12 hex characters of its storage key's hash (48 of the 160
// bits stored), so an operator can find the record in the store, and
// nobody can find the key.
func sessionTag(ctx context.Context, id SessionID) string {
	return shortStorageTag(StorageKey(ctx, id))
}

// shortStorageTag is sessionTag for a storage key.
func shortStorageTag(key string) string {
	if len(key) >= 40 {
		return key[len(key)-40 : len(key)-28]
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:6])
}

// SessionEvent is one operation of an InstrumentedSessionBackend. It
// never holds the session key or data.
type SessionEvent struct {
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
	Reason DeleteReason
	// Removed is the number of expired sessions a cleanup removed.
	Removed int
	// Duration is how long the operation took.
	Duration time.Duration
	// Err is the operation's error, nil on success.
	Err error

	ctx context.Context
	id  SessionID
	key string
}

// Session returns a short hash naming the session (the first 12 hex
// characters of its storage key's hash): safe to log, useless to an
// attacker. It is "" for a cleanup.
func (e SessionEvent) Session() string {
	switch {
	case e.key != "":
		return shortStorageTag(e.key)
	case e.ctx != nil && e.Op != "cleanup":
		return sessionTag(e.ctx, e.id)
	}
	return ""
}

// Outcome classifies the event: "ok", "not_found" (a load or exists that
// found nothing), "conflict" (ErrConflict), "too_large" (ErrTooLarge),
// "unavailable" (core.ErrStoreUnavailable), "unsupported"
// (errors.ErrUnsupported) or "error".
func (e SessionEvent) Outcome() string {
	switch {
	case e.Err == nil && (e.Found || (e.Op != "load" && e.Op != "exists")):
		return "ok"
	case e.Err == nil:
		return "not_found"
	case errors.Is(e.Err, ErrConflict):
		return "conflict"
	case errors.Is(e.Err, ErrTooLarge):
		return "too_large"
	case errors.Is(e.Err, core.ErrStoreUnavailable):
		return "unavailable"
	case errors.Is(e.Err, errors.ErrUnsupported):
		return "unsupported"
	}
	return "error"
}

// SessionAnalytics receives the events of an InstrumentedSessionBackend:
// the reference's analytics sinks. Record is called after each operation,
// on the caller's goroutine, and must be safe for concurrent use.
type SessionAnalytics interface {
	Record(ctx context.Context, e SessionEvent)
}

// SessionAnalyticsFunc is a function as a SessionAnalytics.
type SessionAnalyticsFunc func(ctx context.Context, e SessionEvent)

// Record calls f.
func (f SessionAnalyticsFunc) Record(ctx context.Context, e SessionEvent) { f(ctx, e) }

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

// Record implements SessionAnalytics.
func (l LoggerAnalytics) Record(ctx context.Context, e SessionEvent) {
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

// PrometheusAnalytics exports the events as the reference's metrics:
//
//   - session_created_total: sessions created (saved or imported new);
//   - session_accessed_total: loads that found a session;
//   - session_access_latency_seconds{operation}: latency histogram of
//     load, exists, save, import, delete and cleanup;
//   - session_size_bytes: histogram of the data size of saved sessions;
//   - session_deleted_total{reason}: deletions by reason (explicit,
//     expired, flushed), expired cleanups included;
//   - session_expired_total: sessions removed because they had expired;
//   - session_errors_total{operation,outcome}: failed operations
//     (conflict, too_large, unavailable, unsupported, error).
//
// Every label takes a fixed set of values.
type PrometheusAnalytics struct {
	created  prometheus.Counter
	accessed prometheus.Counter
	latency  *prometheus.HistogramVec
	size     prometheus.Histogram
	deleted  *prometheus.CounterVec
	expired  prometheus.Counter
	errs     *prometheus.CounterVec
}

// NewPrometheusAnalytics makes the metrics and registers them on reg (a
// registry of the caller's: never the global one unless passed). Use one
// PrometheusAnalytics for every instrumented backend that shares reg.
func NewPrometheusAnalytics(reg prometheus.Registerer) (*PrometheusAnalytics, error) {
	if reg == nil {
		return nil, errors.New("sessions: NewPrometheusAnalytics needs a prometheus.Registerer")
	}
	p := &PrometheusAnalytics{
		created: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "session_created_total", Help: "Total sessions created."}),
		accessed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "session_accessed_total", Help: "Total session accesses (loads that found a session)."}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "session_access_latency_seconds", Help: "Latency of session backend operations.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 9), // 100 µs to 6.6 s
		}, []string{"operation"}),
		size: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "session_size_bytes", Help: "Size of the data of saved sessions.",
			Buckets: prometheus.ExponentialBuckets(64, 4, 9), // 64 B to 4 MiB
		}),
		deleted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "session_deleted_total", Help: "Sessions deleted, by reason (explicit, expired, flushed)."}, []string{"reason"}),
		expired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "session_expired_total", Help: "Total sessions removed because they had expired."}),
		errs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "session_errors_total", Help: "Failed session backend operations, by operation and outcome."}, []string{"operation", "outcome"}),
	}
	for _, r := range []DeleteReason{DeleteExplicit, DeleteExpired, DeleteFlushed} {
		p.deleted.WithLabelValues(string(r))
	}
	for _, c := range []prometheus.Collector{p.created, p.accessed, p.latency, p.size, p.deleted, p.expired, p.errs} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("sessions: registering the session metrics: %w", err)
		}
	}
	return p, nil
}

// Record implements SessionAnalytics.
func (p *PrometheusAnalytics) Record(_ context.Context, e SessionEvent) {
	op := e.Op
	switch op {
	case "load", "exists", "save", "import", "delete", "cleanup":
	default:
		op = "other"
	}
	p.latency.WithLabelValues(op).Observe(e.Duration.Seconds())
	if e.Err != nil {
		p.errs.WithLabelValues(op, e.Outcome()).Inc()
		return
	}
	switch op {
	case "load":
		if e.Found {
			p.accessed.Inc()
		}
	case "save", "import":
		p.size.Observe(float64(e.Size))
		if e.Created {
			p.created.Inc()
		}
	case "delete":
		reason := e.Reason
		if reason == "" {
			reason = DeleteExplicit
		}
		p.deleted.WithLabelValues(string(reason)).Inc()
		if reason == DeleteExpired {
			p.expired.Inc()
		}
	case "cleanup":
		if e.Removed > 0 {
			p.deleted.WithLabelValues(string(DeleteExpired)).Add(float64(e.Removed))
			p.expired.Add(float64(e.Removed))
		}
	}
}

// InstrumentedSessionBackend reports every operation of Inner to its
// Analytics — LoggerAnalytics, PrometheusAnalytics, or the caller's own —
// without changing it: the reference's InstrumentedSessionBackend. Events
// carry sizes, outcomes and durations, and name sessions only by a short
// hash of their storage key, never by key or data.
//
// Deletions count as DeleteExplicit unless the context says otherwise
// (WithDeleteReason); cleanups count their sessions as expired.
//
// It works over every backend, the cookie backend included (it forwards
// SaveClient), and forwards Cleaner, Lister, Importer and DataLimiter
// (errors.ErrUnsupported when Inner lacks one).
type InstrumentedSessionBackend struct {
	// Inner does the work. Required.
	Inner SessionBackend
	// Analytics receive the events, in order.
	Analytics []SessionAnalytics
}

// NewInstrumentedSessionBackend returns inner reporting to analytics.
func NewInstrumentedSessionBackend(inner SessionBackend, analytics ...SessionAnalytics) *InstrumentedSessionBackend {
	return &InstrumentedSessionBackend{Inner: inner, Analytics: analytics}
}

// Unwrap returns Inner.
func (b *InstrumentedSessionBackend) Unwrap() SessionBackend { return b.Inner }

func (b *InstrumentedSessionBackend) emit(ctx context.Context, e SessionEvent, start time.Time) {
	e.Duration = time.Since(start)
	e.ctx = ctx
	for _, a := range b.Analytics {
		a.Record(ctx, e)
	}
}

// Load implements SessionBackend.
func (b *InstrumentedSessionBackend) Load(ctx context.Context, id SessionID) (Record, bool, error) {
	start := time.Now()
	rec, found, err := b.Inner.Load(ctx, id)
	b.emit(ctx, SessionEvent{Op: "load", id: id, Found: found, Size: len(rec.Data), Err: err}, start)
	return rec, found, err
}

// Exists implements SessionBackend.
func (b *InstrumentedSessionBackend) Exists(ctx context.Context, id SessionID) (bool, error) {
	start := time.Now()
	found, err := b.Inner.Exists(ctx, id)
	b.emit(ctx, SessionEvent{Op: "exists", id: id, Found: found, Err: err}, start)
	return found, err
}

// Save implements SessionBackend.
func (b *InstrumentedSessionBackend) Save(ctx context.Context, id SessionID, rec Record) error {
	start := time.Now()
	err := b.Inner.Save(ctx, id, rec)
	b.emit(ctx, SessionEvent{Op: "save", id: id, Created: rec.Version == 0 && err == nil, Size: len(rec.Data), Err: err}, start)
	return err
}

// SaveClient implements ClientSideBackend over either kind of Inner.
func (b *InstrumentedSessionBackend) SaveClient(ctx context.Context, id SessionID, rec Record) (SessionID, error) {
	start := time.Now()
	nid, err := SaveRecord(ctx, b.Inner, id, rec)
	b.emit(ctx, SessionEvent{Op: "save", id: id, Created: rec.Version == 0 && err == nil, Size: len(rec.Data), Err: err}, start)
	return nid, err
}

// Delete implements SessionBackend.
func (b *InstrumentedSessionBackend) Delete(ctx context.Context, id SessionID) error {
	start := time.Now()
	err := b.Inner.Delete(ctx, id)
	b.emit(ctx, SessionEvent{Op: "delete", id: id, Reason: DeleteReasonFrom(ctx), Err: err}, start)
	return err
}

// CleanupExpired implements Cleaner when Inner does.
func (b *InstrumentedSessionBackend) CleanupExpired(ctx context.Context) (int, error) {
	c, ok := b.Inner.(Cleaner)
	if !ok {
		return 0, fmt.Errorf("instrumented sessions: %T has no CleanupExpired: %w", b.Inner, errors.ErrUnsupported)
	}
	start := time.Now()
	n, err := c.CleanupExpired(ctx)
	b.emit(ctx, SessionEvent{Op: "cleanup", Removed: n, Reason: DeleteExpired, Err: err}, start)
	return n, err
}

// Range implements Lister when Inner does.
func (b *InstrumentedSessionBackend) Range(ctx context.Context, f func(string, Record) bool) error {
	l, ok := b.Inner.(Lister)
	if !ok {
		return fmt.Errorf("instrumented sessions: %T has no Range: %w", b.Inner, errors.ErrUnsupported)
	}
	return l.Range(ctx, f)
}

// Import implements Importer when Inner does.
func (b *InstrumentedSessionBackend) Import(ctx context.Context, key string, rec Record) error {
	im, ok := b.Inner.(Importer)
	if !ok {
		return fmt.Errorf("instrumented sessions: %T has no Import: %w", b.Inner, errors.ErrUnsupported)
	}
	start := time.Now()
	err := im.Import(ctx, key, rec)
	if !rec.Expiry.After(start) {
		// Importing a record already expired ends the stored one: a
		// deletion by storage key (TenantSessionBackend.DeleteAllSessions).
		b.emit(ctx, SessionEvent{Op: "delete", key: key, Reason: DeleteReasonFrom(ctx), Err: err}, start)
		return err
	}
	b.emit(ctx, SessionEvent{Op: "import", key: key, Created: rec.Version == 0 && err == nil, Size: len(rec.Data), Err: err}, start)
	return err
}

// MaxData implements DataLimiter: Inner's limit, or MaxDataSize.
func (b *InstrumentedSessionBackend) MaxData() int {
	if l, ok := b.Inner.(DataLimiter); ok {
		return l.MaxData()
	}
	return MaxDataSize
}

var (
	_ ClientSideBackend = (*InstrumentedSessionBackend)(nil)
	_ Cleaner           = (*InstrumentedSessionBackend)(nil)
	_ Lister            = (*InstrumentedSessionBackend)(nil)
	_ Importer          = (*InstrumentedSessionBackend)(nil)
	_ DataLimiter       = (*InstrumentedSessionBackend)(nil)
	_ SessionAnalytics  = LoggerAnalytics{}
	_ SessionAnalytics  = (*PrometheusAnalytics)(nil)
)
