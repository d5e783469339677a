// Package adaptertest is the conformance suite every framework adapter of
// reinhardt-auth runs, in the manner of testing/fstest.TestFS: one
// function, Run, that an adapter's own test calls with a small harness
// serving a fixed set of routes in its framework's idiom. The suite then
// talks to that server over a real TCP connection and checks status codes,
// DRF bodies byte for byte, WWW-Authenticate challenges, guards, object
// permissions, body caps, malformed input and fail-closed behaviour, so
// that the net/http, Gin, Echo and Fiber adapters answer alike.
package adaptertest
