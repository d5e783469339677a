// Command benchreport writes docs/benchmarks.md's generated tables and the
// charts of docs/benchmarks/ from the results files of bench/results/
// (`make bench-report` at the repository root runs it from bench/):
//
//	go run ./cmd/benchreport [-results results] [-doc ../docs/benchmarks.md] [-charts ../docs/benchmarks]
//
// Every *.txt file of the results directory is read in the Go benchmark
// format (golang.org/x/perf/benchfmt, as benchstat reads it) and compared
// as its spec in internal/report says: rows told apart by one key of the
// sub-benchmark names, each divided by its group's baseline from the same
// file, with benchstat's medians and Mann-Whitney U p-values
// (golang.org/x/perf/benchmath), and the issues' targets checked. Only the
// lines between <!-- benchreport:begin NAME --> and <!-- benchreport:end
// NAME --> are rewritten; the prose around them is left as it is. A
// results file that is missing is said to be so in its block. The same
// results give the same output, byte for byte.
package main
