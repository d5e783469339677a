// Package redisstore keeps the state that every instance of a service
// must share in Redis, through go-redis's redis.UniversalClient, so one
// code path serves a single server, Sentinel (redis.NewFailoverClient)
// and Cluster (redis.NewClusterClient, or Open with a cluster URL):
// sessions, the token blacklist, refresh-token families and "valid
// after" stamps, OAuth2 codes and tokens, throttle counters, TOTP steps
// and the cookie backend's session generations.
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
//   - [TokenStore] is the tokens.TokenBlacklist, tokens.RefreshStore and
//     tokens.StateReader of a tokens.TokenRotationManager.
//   - [OAuth2Store] is an oauth2store.Store for the codes and tokens, over
//     a store of the applications (or with them in Redis too).
//   - [MFAStore] is an mfastore.Store that decides the single-use steps
//     (TOTP steps, recovery codes) in Redis over the durable store of the
//     enrollments, which must not live in Redis alone (see its doc).
//   - [ThrottleStore] is a throttle.Store (GCRA in one script).
//   - [Ping] asks a server, or every master of a Cluster, whether it
//     answers: a readiness.Checker through readiness.CheckerFunc.
//   - [Open] makes a client from a redis:// or rediss:// URL, or a Cluster
//     client from go-redis's cluster URL (addr= parameters), one that
//     honours its callers' contexts (a hanging Redis fails a call at the
//     caller's deadline), and
//     [SessionFactory] opens the session backend by spec from a
//     registry.Registry ("redis://cache:6379/0?prefix=myapp:", or "redis"
//     with a client given by registry.WithDependency).
//
// # One round trip, one slot
//
// Every operation is one command, one Lua script (redis.NewScript:
// EVALSHA, falling back to EVAL once per script and server) or one MULTI,
// so one round trip (the exceptions: saving a logged-in session is the
// cache's script and then its user's index script, and listing a user's
// sessions reads the index and checks each session), and every key one script or MULTI touches shares a
// hash tag, so the scripts run on a Cluster unchanged (the benchmarks
// report roundtrips/op). Expiries are written with the data (PX,
// PEXPIREAT) in the same script. Times are kept in microseconds since
// 1970, exact in Lua's numbers.
//
// # Keys
//
// P is the prefix (DefaultPrefix, "reinhardt:", unless WithPrefix).
//
//	P session:<sha256 of the session key>         string: version + record, PX
//	P<cookie prefix><id>                            string: cookie-session generation, PX
//	P throttle:<key> (or throttle:sha256:<hex>)     string: GCRA time (µs), PX
//	P{tokens}:bl:at                                 ZSET jti → blacklisted at (µs)
//	P{tokens}:bl:exp                                ZSET jti → token expiry (µs), for Cleanup
//	P{tokens}:bl:reason, P{tokens}:bl:count         HASH jti → reason; reason → entries
//	P{tokens}:rt:<jti>                              HASH family, spent; PEXPIREAT expiry + retention
//	P{tokens}:rt:exp                                ZSET jti → expiry (µs), for Cleanup
//	P{tokens}:fam:<family>                          HASH user, created, expires, revoked at, reason, tokens
//	P{tokens}:user:<user id>                        SET of the user's families
//	P{tokens}:va                                    HASH user id → valid after (µs)
//	P{oauth2}:app:<client id>                       string: the application as JSON (only without an Applications store)
//	P{oauth2}:code:<hash>                           HASH the code as JSON, expiry, client, used, reused; PEXPIREAT (moved on by UsedCodeRetention once used)
//	P{oauth2}:tok:<hash>                            HASH the token as JSON, expiry, kind, client, family, code, spent, revoked; PEXPIREAT
//	P{oauth2}:fam:<family>, P{oauth2}:codetok:<hash> SET of token hashes (a family's; a code's)
//	P{oauth2}:client:<client id>                    SET of "c:"/"t:" + hash, for DeleteApplication
//	P{oauth2}:exp                                   ZSET "c:"/"t:" + hash → expiry (µs; a used code's plus UsedCodeRetention), for CleanupExpired
//	P mfa:{<user id>}:step                          HASH last accepted step, marker; PX retention (an empty id, or one with a brace or %: "%" and its hex)
//	P mfa:{<user id>}:used                          SET of recovery-code hashes presented; PX retention
//	P usess:{<user id>}:z                           ZSET session handle → session expiry (ms), a user's sessions; PEXPIRE the last one's
//	P usess:{<user id>}:m                           HASH "m:"+handle → the login (JSON), "s:"+handle → last seen; PEXPIRE the same
//
// (The spaces after P are for reading only: the prefix is followed
// directly by the rest.) Sessions, throttle keys and MFA keys spread over
// a Cluster's slots by key or by user. The token and OAuth2 stores each
// live in one slot, {tokens} and {oauth2}, because their single-use
// steps name a token by its jti or hash alone and act on what that token
// belongs to (its family, its code, its user) in the same atomic step;
// see TokenStore and OAuth2Store.
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
// (the session then goes back to its previous version). For the other
// stores, a lost or evicted key mostly fails closed too (an unknown
// refresh token, code or OAuth2 token is refused), but the blacklist has
// no expiry and must not be evicted: run Redis with maxmemory-policy
// noeviction or a volatile-* policy (never allkeys-*), and with AOF when
// a restart must not forget logouts.
//
//	client, err := redisstore.Open("redis://localhost:6379/0")
//	if err != nil { ... }
//	defer client.Close()
//	m := sessions.NewManager(redisstore.NewSessionBackend(client))
//
// Tests that need a server read its URL from REINHARDT_TEST_REDIS, and
// those that run on a Cluster too its nodes from
// REINHARDT_TEST_REDIS_CLUSTER (scripts/services.sh start provides both);
// they skip without them, and fail when CI=true or
// REINHARDT_REQUIRE_SERVICES=1. Sentinel is tested on servers the tests
// start themselves (a primary, a replica and a Sentinel from
// redis-server): every store suite runs through redis.NewFailoverClient,
// and after SENTINEL FAILOVER the client writes to the promoted replica.
package redisstore
