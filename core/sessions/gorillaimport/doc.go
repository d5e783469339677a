// Package gorillaimport moves the logged-in sessions of a service that
// used github.com/gorilla/sessions' CookieStore to this library's
// sessions, so that switching libraries logs nobody out.
//
// An [Importer]'s Adopt method is the Manager's Adopt hook: set it and
// every adapter's session middleware (Gin, Echo, Fiber, net/http — they
// all call Manager.Load) imports. For a request without a valid
// sessionid but with the gorilla cookie, the Importer authenticates the
// cookie with github.com/gorilla/securecookie and the old store's key
// pairs (a hash key and an optional AES block key each, rotated pairs
// tried in order, exactly as NewCookieStore(keyPairs...) takes them),
// checks its signed timestamp against MaxAge, decodes its values (gob by
// default, JSON on request), and puts them into a new session through
// Config.Map; the Manager saves that session under a new sessionid and
// the response expires the old cookie.
//
// What is refused is refused whole, never half-imported, and the old
// cookie is then left alone: a cookie that fails authentication with
// every key pair, is older than MaxAge or is malformed; an authentic one
// with a key that is not a string, a value of a type not registered with
// gob, or a value the Manager's serializer cannot store; one Map skips.
// Leaving it alone means a wrong key in the configuration logs nobody
// out: fix the configuration and deploy again. Each cookie is imported
// once: Config.Seen remembers the SHA-256 of the cookies imported for
// MaxAge, so a copy replayed after its owner logged out here does not log
// them in again.
//
// Gorilla sessions hold no login of this library's; [LoginUser] maps the
// application's own login key (its "user_id") to
// SessionAuthentication.Login, so that the imported session is logged in
// with Django's keys and session auth hash:
//
//	imp, err := gorillaimport.New(gorillaimport.Config{
//		CookieName: "session-name",
//		KeyPairs:   [][]byte{oldHashKey, oldBlockKey},
//		Seen:       memory.NewSessionCache(), // a shared cache (Redis) across replicas
//		Map:        gorillaimport.LoginUser(sessionAuth, "user_id", ""),
//	})
//	manager.Adopt = imp.Adopt
//
// [Importer.Stats] counts the imports and refusals, for watching the
// migration; once the old cookies' MaxAge has passed, remove the Importer.
package gorillaimport
