// Package memory implements the library's store interfaces in memory: for
// tests, prototypes and single-instance deployments. Everything is lost
// when the process ends, and nothing is shared between processes.
//
// Token lifecycle (core/tokens): [Blacklist] is the reference's
// InMemoryBlacklist and [RefreshStore] its InMemoryRefreshStore:
//
//	m := tokens.NewTokenRotationManager(memory.NewBlacklist(), memory.NewRefreshStore())
//
// Throttling (core/throttle): [ThrottleStore] keeps the throttles'
// counters, bounded in size with eviction.
//
// Every store is safe for concurrent use, honours its context (a done
// context is an error wrapping core.ErrStoreUnavailable) and passes the
// conformance suites of stores/storetest.
package memory
