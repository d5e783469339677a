// Package bench holds benchmarks of reinhardt-go/auth against the
// libraries its users would otherwise pick. It is a module of its own, so
// that users of github.com/reinhardt-go/auth never download those
// libraries; it has no code to import, only benchmarks and a test that
// counts their round trips to the servers (see README.md). Besides the
// comparisons, BenchmarkScale measures the cost of authenticating a
// request as the stores grow from a thousand to a million users, and
// BenchmarkCacheBound the heap the library's in-process caches hold at
// their bounds.
package bench
