// Package readiness answers a load balancer's or an orchestrator's
// question "may this instance take traffic?": a Probe asks every store the
// service depends on (a database, Redis) whether it answers, all at once,
// each within a bound (DefaultTimeout, one second), and its Serve is the
// endpoint behind GET /readyz.
//
// Readiness is not liveness. A process whose database is down is alive
// and must not be restarted, only taken out of the rotation until the
// database is back; a liveness endpoint (/healthz) therefore answers
// without asking the stores, and /readyz answers 503 naming the store that
// did not answer:
//
//	200 {"status":"ready","checks":{"database":"ok","redis":"ok"}}
//	503 {"status":"unavailable","checks":{"database":"ok","redis":"timeout"}}
//
// A check's state is "ok", "timeout" (it did not answer within the bound)
// or "unavailable" (it answered with an error). The error itself is
// logged (Probe.Logger), never sent: a driver's message may name a host,
// a user or a database.
//
// A store takes part by implementing Checker, one method, Ping;
// sqlstore.Store does, and CheckerFunc adapts a function, such as a
// go-redis client's PING (redisstore.Ping).
package readiness
