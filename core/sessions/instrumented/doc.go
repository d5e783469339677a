// Package instrumented is a session backend wrapper that reports every
// operation — loads, saves, deletes with their reason, cleanups — to
// [Analytics] without changing it: the reference's instrumented backend.
//
//	backend := instrumented.New(inner, instrumented.LoggerAnalytics{Logger: logger})
//
// Events carry sizes, outcomes and durations, and name a session only by a
// short hash of its storage key, never by key or data. [LoggerAnalytics]
// logs them; core/sessions/prommetrics exports them as Prometheus metrics;
// [AnalyticsFunc] adapts any function. Delete reasons come from the
// context (sessions.WithDeleteReason), which the Manager and
// Session.Flush set.
//
// This package imports nothing outside the standard library; the
// Prometheus exporter lives in core/sessions/prommetrics so that only
// programs that want Prometheus compile it.
package instrumented
