// Package adaptertest is the conformance suite every framework adapter of
// reinhardt-auth runs, in the manner of testing/fstest.TestFS: one
// function, Run, that an adapter's own test calls with a small harness
// serving a fixed set of routes in its framework's idiom. The suite then
// talks to that server over a real TCP connection and checks status codes,
// DRF bodies byte for byte, WWW-Authenticate challenges, guards, object
// permissions, HEAD and DRF's 405, body caps, malformed input and
// fail-closed behaviour; the session middleware and accessor (cookie
// attributes, saving only what changed, login through the core's endpoint
// with a new key, logout, a password change, a session store that is
// down); DRF's CSRF enforcement for session-authenticated requests only,
// with Django's reasons, Origin compared as scheme://host[:port]; remote
// users (a header from a trusted proxy), CSRF-checked as sessions are and
// refused when the header comes twice or names two users; the 503 with
// Retry-After of exhausted password hashing slots; and simplejwt's obtain
// endpoint and Bearer tokens, so that the net/http, Gin, Echo and Fiber
// adapters answer alike.
//
// RunAttacks is the attack suite, run the same way: forged, tampered,
// mistimed, oversized and mistyped JWTs and key confusion; session
// fixation, replay, the logout race, idle and absolute timeouts on the
// fixture's clock and the attributes of every cookie; cross-site
// requests; spoofed remote-user headers; a repeated Authorization header
// and a Content-Length beside Transfer-Encoding sent as raw bytes;
// malformed Basic credentials; 1 MB passwords, answered without hashing;
// and Unicode look-alike usernames. Each attack is a named subtest.
package adaptertest
