// Package throttle is DRF's request throttling: AnonRateThrottle,
// UserRateThrottle and ScopedRateThrottle with DRF's rate strings
// ("100/hour"), cache keys, 429 message and Retry-After, and a
// LoginThrottle that counts failed logins per client IP and per username.
//
// A Throttle is a core.Permission (and a core.Checker), so it guards a
// route in every adapter the way a permission does, one line per route:
//
//	anon, err := throttle.AnonRateThrottle("100/hour", store)
//	mux.Handle("GET /api/items", httpauth.Require(anon)(h))
//
// A refused request is rendered 429 with DRF's body
// {"detail": "Request was throttled. Expected available in N seconds."}
// and the header Retry-After: N (core.ThrottledError). A store that fails
// refuses the request (503), never lets it through.
//
// # Rates
//
// ParseRate reads DRF's "number/period": the period's first letter is s,
// m, h or d ("100/hour", "5/m", "10/minute"). A malformed rate is an error
// when the throttle is configured, never a silent "no limit"; so is a rate
// of 0 (refuse everything with a permission, not a throttle).
//
// # Algorithm
//
// Counters use GCRA (the generic cell rate algorithm), one timestamp per
// key: a rate of n per period allows a burst of n requests, and after that
// one request every period/n. DRF keeps a list of the request times of the
// last period (a sliding window log); GCRA allows the same n in a burst and
// the same long-run rate, with constant memory per key. Every Store applies
// the same arithmetic (Rate.Apply), so a store can be swapped without a
// change in behaviour.
//
// # Stores
//
// Store is the counter interface. stores/memory has an in-process store
// (bounded, with eviction), stores/sqlstore one on SQLite and PostgreSQL
// for several processes; stores/storetest.TestThrottleStore is the
// conformance suite every store passes.
//
// # Client address
//
// Throttles key anonymous requests by core.ClientIP with the configured
// trusted proxies: X-Forwarded-For is believed only from a trusted proxy,
// so a client that forges it from an untrusted address gains nothing.
// Without trusted proxies (the default) the peer address is the client.
package throttle
