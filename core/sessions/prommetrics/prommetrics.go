package prommetrics

import (
	"context"
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/instrumented"
	"github.com/reinhardt-go/auth/core/sessions/replicated"
)

// Analytics exports the events as the reference's metrics:
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
type Analytics struct {
	created  prometheus.Counter
	accessed prometheus.Counter
	latency  *prometheus.HistogramVec
	size     prometheus.Histogram
	deleted  *prometheus.CounterVec
	expired  prometheus.Counter
	errs     *prometheus.CounterVec
}

// NewAnalytics makes the metrics and registers them on reg (a
// registry of the caller's: never the global one unless passed). Use one
// Analytics for every instrumented backend that shares reg.
func NewAnalytics(reg prometheus.Registerer) (*Analytics, error) {
	if reg == nil {
		return nil, errors.New("prommetrics: NewAnalytics needs a prometheus.Registerer")
	}
	p := &Analytics{
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
	for _, r := range []sessions.DeleteReason{sessions.DeleteExplicit, sessions.DeleteExpired, sessions.DeleteFlushed} {
		p.deleted.WithLabelValues(string(r))
	}
	for _, c := range []prometheus.Collector{p.created, p.accessed, p.latency, p.size, p.deleted, p.expired, p.errs} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("sessions: registering the session metrics: %w", err)
		}
	}
	return p, nil
}

// Record implements Analytics.
func (p *Analytics) Record(_ context.Context, e instrumented.Event) {
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
			reason = sessions.DeleteExplicit
		}
		p.deleted.WithLabelValues(string(reason)).Inc()
		if reason == sessions.DeleteExpired {
			p.expired.Inc()
		}
	case "cleanup":
		if e.Removed > 0 {
			p.deleted.WithLabelValues(string(sessions.DeleteExpired)).Add(float64(e.Removed))
			p.expired.Add(float64(e.Removed))
		}
	}
}

var _ instrumented.Analytics = (*Analytics)(nil)

// RegisterReplication registers the counters of a replicated backend
// (its Stats) on reg: session_replication_replicated_total,
// session_replication_retries_total, session_replication_resyncs_total,
// session_replication_failures_total, session_replication_dropped_total
// and the gauge session_replication_pending. labels (say {"backend":
// "sessions"}) tell several replicated backends apart on one registry.
func RegisterReplication(reg prometheus.Registerer, r *replicated.Backend, labels prometheus.Labels) error {
	if reg == nil || r == nil {
		return errors.New("prommetrics: RegisterReplication needs a prometheus.Registerer and a backend")
	}
	counter := func(name, help string, v func(replicated.Stats) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels}, func() float64 { return float64(v(r.Stats())) })
	}
	cs := []prometheus.Collector{
		counter("session_replication_replicated_total", "Session writes replicated to the secondary.", func(s replicated.Stats) int64 { return s.Replicated }),
		counter("session_replication_retries_total", "Retried session writes to the secondary.", func(s replicated.Stats) int64 { return s.Retries }),
		counter("session_replication_resyncs_total", "Sessions copied again from the primary to a secondary that had another version.", func(s replicated.Stats) int64 { return s.Resyncs }),
		counter("session_replication_failures_total", "Session writes to the secondary lost after their retries.", func(s replicated.Stats) int64 { return s.Failures }),
		counter("session_replication_dropped_total", "Asynchronous session writes dropped: queue full or closed.", func(s replicated.Stats) int64 { return s.Dropped }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "session_replication_pending", Help: "Asynchronous session writes queued or running.", ConstLabels: labels},
			func() float64 { return float64(r.Stats().Pending) }),
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
