// Package sessions is Django's session framework and session login for
// Go: the reference's sessions crate and SessionAuthentication.
//
// The layers, from the client in:
//
//   - [Manager] is the framework-agnostic middleware: [Manager.Load] reads
//     the session cookie (sessionid) at the start of a request and
//     [Manager.Commit] saves the session, if it needs saving, and sets the
//     cookie before the response's headers go out; [Manager.Handler] does
//     both for net/http. Its fields document their defaults: Secure,
//     HttpOnly, SameSite=Lax, an idle timeout of an hour and an absolute
//     one of two weeks. A key the store does not know is never adopted.
//     The session travels in the request's context ([FromContext]). Its
//     Adopt hook brings in, once, the session another library issued
//     (gorillaimport), whole or not at all.
//   - [Session] is request.session: Get, Set, Delete, ContainsKey, Keys,
//     Values, Items, Clear, MarkModified, IsModified, IsAccessed,
//     GetOrCreateKey, Flush, CycleKey and Save, with typed reads through
//     [GetAs], so no caller asserts an interface{}. Values are encoded by a
//     [Serializer]: [JSON] (the default), or MessagePack, CBOR and gob
//     from the subpackages msgpack, cbor and gob.
//   - [SessionBackend] keeps sessions as [Record]s — serialized data, an
//     absolute expiry and a version — and its doc comment is the contract:
//     not found, expired and tampered are not errors; an unreachable store
//     is (wrapping core.ErrStoreUnavailable) and the request fails closed;
//     a save whose version no longer matches fails with [ErrConflict], so
//     concurrent requests never lose an update silently and a request
//     still running at logout cannot bring the session back.
//     storetest.TestSessionBackend checks every sentence of it.
//   - Backends: memory.SessionBackend (stores/memory);
//     [CacheSessionBackend] over any [Cache] (memory.SessionCache, Redis);
//     [CookieSessionBackend], AES-256-GCM with key rotation and a
//     server-side generation per session so that logout ends every copy of
//     the cookie.
//   - [SessionAuthentication] is a core.Authenticator (method "session")
//     with Django's login(), logout(), update_session_auth_hash() and
//     get_user(): a new key at login, the user's id, backend and session
//     auth hash stored, so that a password change ends the user's other
//     sessions.
//
// Session keys are 32 characters of [a-z0-9] from crypto/rand (about 165
// bits), Django's form. Server-side backends store only [StorageKey] of a
// key, a SHA-256 hash, so a copy of the store holds no usable session.
//
// Optional parts live in subpackages, so that a program compiles only the
// libraries of the parts it imports; this package
// imports nothing outside the standard library and golang.org/x:
//
//   - compress: zstd, gzip and brotli compression of any backend;
//   - msgpack, cbor, gob: the other serializers;
//   - instrumented: events of every backend operation, logged or
//     exported to Prometheus by prommetrics (also the replication's
//     counters);
//   - replicated: a primary and a secondary backend (async, sync,
//     acknowledged);
//   - tenant: sessions of tenants isolated in one backend;
//   - registry: backends opened by name or URL;
//   - migrate: live sessions copied between backends;
//   - djangosession: Django's session_data format, read and written;
//   - gorillaimport: gorilla/sessions cookies imported as sessions;
//   - usersessions: a user's live sessions listed and ended one by one
//     (Session.Save tells the backend whose session it saves,
//     Record.UserID).
//
// Adapters wrap the Manager; for net/http:
//
//	m := sessions.NewManager(memory.NewSessionBackend())
//	auth := sessions.NewSessionAuthentication(secret, core.NewModelBackend(users))
//	engine := core.NewEngine(auth, &core.BasicAuthentication{Backend: backend})
//	http.ListenAndServe(":8000", m.Handler(httpauth.Middleware(engine)(mux)))
package sessions
