// Package replicated is a session backend that writes every session to a
// primary and a secondary backend and reads the secondary when the
// primary is down: the reference's replicated backend.
//
//	r, err := replicated.New(redisBackend, sqlBackend, replicated.Async)
//	defer r.Close()
//
// [Async] queues writes to the secondary (bounded, with retries); [Sync]
// writes both before returning and tolerates a failing secondary;
// [Acknowledged] fails the write unless both took it. A session read from
// the secondary is read-only, so a primary that comes back never loses an
// update. [Backend.Stats] counts what happened; core/sessions/prommetrics
// exports the counters to Prometheus.
package replicated
