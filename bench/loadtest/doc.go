// Command loadtest drives the example servers of reinhardt-go/auth over
// real TCP connections and writes what it measures in Go benchmark format,
// so that benchstat and the benchmark report read it.
//
// It has three modes (-mode), each behind a make target at the repository
// root:
//
//   - load (make loadtest): wrk against GET /api/me with one Bearer
//     access token, one framework after another (Gin, Echo, Fiber,
//     net/http), on four servers per framework: the showcase example
//     (app=reinhardt), a minimal app with this library's middleware and
//     an in-memory user (app=reinhardt-lib), a minimal app with the
//     framework's usual JWT middleware (app=usual: appleboy/gin-jwt/v2,
//     labstack/echo-jwt/v4, gofiber/contrib/jwt, golang-jwt/jwt/v5 in a
//     plain net/http handler) and a minimal app with no authentication
//     (app=none), the last three answering the showcase's body byte for
//     byte. Every server verifies the same token with the same HS256
//     key. Rounds are interleaved and the order of the apps rotates per
//     round. Lines: BenchmarkLoad/framework=F/app=A.
//   - login (make loadtest, after load): on each framework's showcase,
//     started with the default -login-rate and again with the login
//     throttle off, Argon2id logins per second and per CPU-second, then
//     500 concurrent logins at once (refused 429 by the throttle, or 503
//     by the hash limiter), with /healthz and GET /api/me probed during
//     the burst, and the process's peak RSS and heap. Lines:
//     BenchmarkLogin….
//   - soak (make soak): mixed traffic against the showcase for -time,
//     printing goroutines, heap in use and open file descriptors (from
//     the showcase's /metrics) at the start and at the end.
//
// wrk and the servers share the machine's CPUs; nothing is pinned, and
// wrk runs with one thread (-t1), so that it takes one core at most.
//
// The comparison servers are this program itself, run with -serve
// FRAMEWORK/APP; the showcase servers are the examples built with go
// build from the repository (-repo).
package main
