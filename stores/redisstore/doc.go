// Package redisstore keeps sessions in Redis through go-redis's
// redis.UniversalClient, so one code path serves a single server, Sentinel
// (redis.NewFailoverClient) and Cluster (redis.NewClusterClient).
//
//   - [Cache] is a sessions.Cache: each entry is one string holding an
//     8-byte version and the value, with the entry's time to live as its
//     PX expiry, and CompareAndSet is a single Lua script, so the version
//     check, the value and the expiry are written in one atomic step (a
//     version of 0 means the key must not exist; a time to live of zero or
//     less deletes it). sessions.NewCacheSessionBackend(redisstore.NewCache(c))
//     is the reference's Redis session backend, and the same Cache serves
//     as the GenerationStore of sessions.CookieSessionBackend.
//   - [SessionBackend] is that cache backend with Range (SCAN with the
//     key prefix, never KEYS) and Import, for migrating sessions between
//     backends. It has no CleanupExpired: Redis expires keys itself.
//   - [Ping] asks a server, or every master of a Cluster, whether it
//     answers: a readiness.Checker through readiness.CheckerFunc.
//   - [Open] makes a client from a redis:// or rediss:// URL (one that
//     honours its callers' contexts, so a hanging Redis fails a call at
//     the caller's deadline), and
//     [SessionFactory] opens the backend by spec from a
//     registry.Registry ("redis://cache:6379/0?prefix=myapp:", or "redis"
//     with a client given by registry.WithDependency).
//
// Every key starts with a prefix, DefaultPrefix ("reinhardt:") unless
// WithPrefix says otherwise; a session is then
// "reinhardt:session:"+sessions.StorageKey(ctx, id), a hash, never the key
// the client holds. A Redis that cannot be reached fails every call with
// an error wrapping core.ErrStoreUnavailable, and the request fails
// closed. Two properties of Redis itself carry over: under a maxmemory
// policy that evicts keys with an expiry, a session may be evicted early
// (its user is logged out, never let in), and with replicas a write the
// primary acknowledged can be lost if it fails over before replicating
// (the session then goes back to its previous version).
//
//	client, err := redisstore.Open("redis://localhost:6379/0")
//	if err != nil { ... }
//	defer client.Close()
//	m := sessions.NewManager(redisstore.NewSessionBackend(client))
//
// Tests that need a server read its URL from REINHARDT_TEST_REDIS
// (scripts/services.sh start provides it); they skip without it, and fail
// when CI=true or REINHARDT_REQUIRE_SERVICES=1.
package redisstore
