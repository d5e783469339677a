//go:build !unix

package bench_test

// cpuTime cannot tell the process's CPU time here: the cpu-ns/op metric
// is left out.
func cpuTime() int64 { return -1 }
