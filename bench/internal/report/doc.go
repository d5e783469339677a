// Package report turns the results files of bench/results/ into the
// comparisons of docs/benchmarks.md: tables of medians, each row divided by
// its group's baseline from the same file, with benchstat's p-values; the
// issues' targets checked against them; and one chart per comparison.
// cmd/benchreport is its command (`make bench-report`).
//
// A results file is in the Go benchmark format, read with
// golang.org/x/perf/benchfmt as benchstat reads it (units tidied: "ns/op"
// is "sec/op"). A Spec names the key of the sub-benchmark names that tells
// the compared things apart (the column: "lib" in
// BenchmarkSessions/store=redis/lib=scs) and the baseline among its values;
// the other parts of a name (store=redis) make its group, and rows are
// only ever divided by the baseline of their own group. Statistics are
// golang.org/x/perf/benchmath's with benchstat's defaults: the median with
// its 95% confidence interval, and the Mann-Whitney U test's p-value
// (a difference counts at p < 0.05).
//
// The same files give the same document and charts, byte for byte: no
// clock, no map order, no machine facts but the files' own.
package report
