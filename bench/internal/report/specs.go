package report

// Specs are the comparisons of docs/benchmarks.md, one per results file of
// bench/results/, with the targets of the issues that asked for them. A
// results file without a spec is still reported, with its column guessed
// (see Spec.Column).
func Specs() []Spec {
	jwtSubjects := []string{"reinhardt-first-seen", "reinhardt-cache-hit"}
	return []Spec{
		{
			Name: "jwt", File: "jwt.txt", Title: "JWT-protected route (HS256), time per request",
			Bench: "BenchmarkJWT", Column: "mw", Baseline: []string{"usual"},
			Units: []string{"sec/op", "B/op", "allocs/op"},
			Targets: []Target{
				{Text: "a cached token at least 3× faster than the usual middleware", Subject: []string{"reinhardt-cache-hit"}, Unit: "sec/op", Max: 1.0 / 3},
				{Text: "a first-seen token no slower than the usual middleware", Subject: []string{"reinhardt-first-seen"}, Unit: "sec/op", Max: 1},
				{Text: "never more allocations than the usual middleware", Subject: jwtSubjects, Unit: "allocs/op", Max: 1},
			},
		},
		{
			Name: "sessions", File: "sessions.txt", Title: "Session load, modify and save, time per request",
			Bench: "BenchmarkSessions", Column: "lib", Baseline: []string{"floor", "scs", "gorilla"},
			Units: []string{"sec/op", "cpu-sec/op", "B/op", "allocs/op"},
			Targets: []Target{
				{Text: "within 1.25× of the floor on Redis", Where: []Part{{"store", "redis"}}, Subject: []string{"reinhardt"}, Against: []string{"floor"}, Unit: "sec/op", Max: 1.25},
				{Text: "(CPU time) within 1.25× of the floor on Redis", Where: []Part{{"store", "redis"}}, Subject: []string{"reinhardt"}, Against: []string{"floor"}, Unit: "cpu-sec/op", Max: 1.25},
				{Text: "(CPU time, restated) within 1.25× of the floor with a versioned write on Redis", Where: []Part{{"store", "redis"}}, Subject: []string{"reinhardt"}, Against: []string{"floor-cas"}, Unit: "cpu-sec/op", Max: 1.25},
				{Text: "within 1.25× of the floor on PostgreSQL", Where: []Part{{"store", "postgres"}}, Subject: []string{"reinhardt"}, Against: []string{"floor"}, Unit: "sec/op", Max: 1.25},
				{Text: "(CPU time) within 1.25× of the floor on PostgreSQL", Where: []Part{{"store", "postgres"}}, Subject: []string{"reinhardt"}, Against: []string{"floor"}, Unit: "cpu-sec/op", Max: 1.25},
				{Text: "no slower than scs", Subject: []string{"reinhardt"}, Against: []string{"scs"}, Unit: "sec/op", Max: 1},
				{Text: "(CPU time) no slower than scs", Subject: []string{"reinhardt"}, Against: []string{"scs"}, Unit: "cpu-sec/op", Max: 1},
				{Text: "no slower than scs on pgxpool", Subject: []string{"reinhardt"}, Against: []string{"scs-pgxpool"}, Unit: "sec/op", Max: 1},
				{Text: "(CPU time) no slower than scs on pgxpool", Subject: []string{"reinhardt"}, Against: []string{"scs-pgxpool"}, Unit: "cpu-sec/op", Max: 1},
				{Text: "in memory at least 3× faster than scs", Where: []Part{{"store", "memory"}}, Subject: []string{"reinhardt"}, Against: []string{"scs"}, Unit: "sec/op", Max: 1.0 / 3},
				{Text: "(CPU time) in memory at least 3× faster than scs", Where: []Part{{"store", "memory"}}, Subject: []string{"reinhardt"}, Against: []string{"scs"}, Unit: "cpu-sec/op", Max: 1.0 / 3},
				{Text: "in a cookie at least 3× faster than gorilla", Where: []Part{{"store", "cookie"}}, Subject: []string{"reinhardt"}, Against: []string{"gorilla"}, Unit: "sec/op", Max: 1.0 / 3},
				{Text: "(CPU time) in a cookie at least 3× faster than gorilla", Where: []Part{{"store", "cookie"}}, Subject: []string{"reinhardt"}, Against: []string{"gorilla"}, Unit: "cpu-sec/op", Max: 1.0 / 3},
				{Text: "fewer allocations than scs", Subject: []string{"reinhardt"}, Against: []string{"scs"}, Unit: "allocs/op", Max: 1, Strict: true},
			},
		},
		{
			Name: "oauth2", File: "oauth2.txt", Title: "OAuth2 token issuance and introspection, time per request",
			Bench: "BenchmarkOAuth2", Column: "lib", Baseline: []string{"fosite"},
			Units: []string{"sec/op", "cpu-sec/op", "B/op", "allocs/op"},
			Targets: []Target{
				{Text: "faster than fosite", Subject: []string{"reinhardt"}, Against: []string{"fosite"}, Unit: "sec/op", Max: 1, Strict: true},
				{Text: "faster than go-oauth2", Subject: []string{"reinhardt"}, Against: []string{"go-oauth2"}, Unit: "sec/op", Max: 1, Strict: true},
				{Text: "fewer allocations than fosite", Subject: []string{"reinhardt"}, Against: []string{"fosite"}, Unit: "allocs/op", Max: 1, Strict: true},
				{Text: "fewer allocations than go-oauth2", Subject: []string{"reinhardt"}, Against: []string{"go-oauth2"}, Unit: "allocs/op", Max: 1, Strict: true},
			},
		},
		{
			Name: "argon2", File: "argon2.txt", Title: "Argon2id hash (t=2, m=19 MiB, p=1), time per hash",
			Bench: "BenchmarkArgon2", Column: "impl", Baseline: []string{"raw"},
			Units: []string{"sec/op", "cpu-sec/op", "B/op", "allocs/op"}, Chart: "cpu-sec/op",
			Targets: []Target{
				{Text: "Hash within 2% of a bare argon2.IDKey in CPU time", Subject: []string{"reinhardt", "reinhardt-limited"}, Unit: "cpu-sec/op", Max: 1.02},
				{Text: "Hash within 2% of a bare argon2.IDKey in wall time", Subject: []string{"reinhardt", "reinhardt-limited"}, Unit: "sec/op", Max: 1.02},
			},
		},
		{
			Name: "permissions", File: "permissions.txt", Title: "Permission checks, time per check",
			Bench: "BenchmarkPermissions", Column: "impl", Baseline: []string{"inline"},
			Units: []string{"sec/op", "B/op", "allocs/op"},
			Targets: []Target{
				{Text: "no allocation per check", Subject: []string{"reinhardt"}, Unit: "allocs/op", Max: 0, Absolute: true},
			},
		},
		{
			Name: "load", File: "loadtest.txt", Title: "Load test over TCP, requests per second",
			Bench: "BenchmarkLoad", Column: "app", Baseline: []string{"usual"},
			Units: []string{"req/s", "p50-sec", "p99-sec", "sec/op", "server-cpu-sec/op"}, Chart: "req/s",
			Targets: []Target{
				{Text: "more requests per second than the usual middleware", Subject: []string{"reinhardt", "reinhardt-lib"}, Against: []string{"usual"}, Unit: "req/s", Max: 1, Strict: true},
				{Text: "a lower p99 latency than the usual middleware", Subject: []string{"reinhardt", "reinhardt-lib"}, Against: []string{"usual"}, Unit: "p99-sec", Max: 1, Strict: true},
				{Text: "at most 15% fewer requests per second than no authentication", Subject: []string{"reinhardt", "reinhardt-lib"}, Against: []string{"noauth", "none"}, Unit: "req/s", Max: 1 / 0.85},
				{Text: "(server CPU) less CPU per request than the usual middleware", Subject: []string{"reinhardt", "reinhardt-lib"}, Against: []string{"usual"}, Unit: "server-cpu-sec/op", Max: 1, Strict: true},
				{Text: "(server CPU) at most 15% more CPU per request than no authentication", Subject: []string{"reinhardt", "reinhardt-lib"}, Against: []string{"noauth", "none"}, Unit: "server-cpu-sec/op", Max: 1.15},
			},
		},
		{
			Name: "scale", File: "scale.txt", Title: "Stores at scale, time per operation",
			Bench: "BenchmarkScale", Column: "n", Baseline: []string{Smallest}, Chart: "sec/op",
			Targets: []Target{
				{Text: "the largest n within 1.5× of the smallest (n=1e6 against n=1e3)", Subject: []string{Largest}, Against: []string{Smallest}, Unit: "sec/op", Max: 1.5},
				{Text: "(CPU time) the largest n within 1.5× of the smallest (n=1e6 against n=1e3)", Subject: []string{Largest}, Against: []string{Smallest}, Unit: "cpu-sec/op", Max: 1.5},
			},
		},
		{
			// BenchmarkHugeBody/fw=F/case=C: the attack suite's 1 MB
			// password and a 2 MB body, each beside the shortest password
			// the contract refuses (5,000 bytes), from the last byte sent
			// to the answer and in the server's CPU.
			Name: "hugebody", File: "hugebody.txt", Title: "A 1 MB password, time to the answer",
			Bench: "BenchmarkHugeBody", Column: "case", Baseline: []string{"baseline"},
			Units: []string{"sec/op", "server-cpu-sec/op"}, Chart: "server-cpu-sec/op",
			Targets: []Target{
				{Text: "(server CPU) answered in under 10 ms", Subject: hugeBodyCases, Unit: "server-cpu-sec/op", Max: 0.010, Strict: true, Absolute: true},
				{Text: "answered under 10 ms after its last byte", Subject: hugeBodyCases, Unit: "sec/op", Max: 0.010, Strict: true, Absolute: true},
			},
		},
		{
			// BenchmarkLogin/framework=F/throttle=T/phase=…: the figures
			// themselves (logins per second and per CPU-second, the burst's
			// latencies, the memory peak against the limiter's ceiling),
			// each framework beside the first.
			Name: "login", File: "login.txt", Title: "Argon2id logins, per second",
			Bench: "BenchmarkLogin", Column: "framework", Chart: "logins/s",
		},
	}
}

// hugeBodyCases are the cases of BenchmarkHugeBody held to the 10 ms
// target: every one but the baseline.
var hugeBodyCases = []string{"token-json", "token-json-escaped", "token-form", "token-form-escaped",
	"login-json", "login-form", "register-json", "token-2MB"}
