// Package prommetrics exports the session metrics to Prometheus: the
// events of an instrumented backend (core/sessions/instrumented) as the
// reference's session_* metrics, and the counters of a replicated backend
// (core/sessions/replicated):
//
//	reg := prometheus.NewRegistry()
//	analytics, err := prommetrics.NewAnalytics(reg)
//	backend := instrumented.New(inner, analytics)
//	err = prommetrics.RegisterReplication(reg, replicatedBackend, prometheus.Labels{"backend": "sessions"})
//
// It is the only session package that imports
// github.com/prometheus/client_golang (and through it protobuf): a program
// pays for them only when it imports this package.
package prommetrics
