package report_test

import (
	"fmt"
	"strings"

	"github.com/reinhardt-go/auth/bench/internal/report"
)

// Compare reads rows told apart by impl=, divides each by the baseline
// impl=raw, and checks a target.
func ExampleCompare() {
	results := `cpu: Example CPU
BenchmarkHash/impl=lib-2 	10	1010 ns/op
BenchmarkHash/impl=raw-2 	10	1000 ns/op
BenchmarkHash/impl=lib-2 	10	1015 ns/op
BenchmarkHash/impl=raw-2 	10	1000 ns/op
BenchmarkHash/impl=lib-2 	10	1012 ns/op
BenchmarkHash/impl=raw-2 	10	1010 ns/op
`
	f, err := report.Read(strings.NewReader(results), "hash.txt")
	if err != nil {
		panic(err)
	}
	c := report.Compare(report.Spec{
		Name: "hash", File: "hash.txt", Column: "impl", Baseline: []string{"raw"},
		Targets: []report.Target{{Text: "within 2% of raw", Subject: []string{"lib"}, Unit: "sec/op", Max: 1.02}},
	}, f)
	lib := c.Groups[0].Rows[0]
	fmt.Printf("%s: median %.0f ns, %.3f× the baseline %s\n", lib.Value, lib.Stats["sec/op"].Median*1e9, lib.Stats["sec/op"].Ratio, c.Groups[0].Baseline.Value)
	for _, ch := range c.Checks {
		fmt.Printf("%s: met %v (ratio %.3f)\n", ch.Target.Text, ch.Met, ch.Ratio)
	}
	// Output:
	// lib: median 1012 ns, 1.012× the baseline raw
	// within 2% of raw: met true (ratio 1.012)
}
