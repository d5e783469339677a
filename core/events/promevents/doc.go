// Package promevents counts the security events of core/events for
// Prometheus: a counter per event kind, and the failures of the
// dispatcher's subscribers.
//
//	reg := prometheus.NewRegistry()
//	d := events.New(auditLog)
//	err := promevents.Subscribe(reg, d)
//
// The metrics:
//
//   - reinhardt_security_events_total{kind="user_login_failed"}: the
//     events emitted, by kind (events.Kinds, every series starting at 0,
//     so that a rate over a kind never seen is 0, not absent). The label
//     values are the fixed kinds: no value from a request becomes a label.
//   - reinhardt_security_event_subscriber_failures_total: subscribers
//     that returned an error or panicked (events.Dispatcher.Failures): an
//     audit log that stopped writing shows here.
//
// It is the only events package that imports
// github.com/prometheus/client_golang: the events themselves cost nothing
// but the standard library.
package promevents
