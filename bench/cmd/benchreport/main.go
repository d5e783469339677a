package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reinhardt-go/auth/bench/internal/report"
)

func main() {
	results := flag.String("results", "results", "the directory of the results files (*.txt)")
	doc := flag.String("doc", "../docs/benchmarks.md", "the document whose generated blocks are rewritten")
	charts := flag.String("charts", "../docs/benchmarks", "the directory the charts are written to")
	label := flag.String("label", "bench/results", "how the document names the results directory")
	flag.Parse()
	if err := run(*results, *doc, *charts, *label); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

// run writes the charts and the document's generated blocks. Nothing is
// written when the document's markers are wrong.
func run(results, doc, charts, label string) error {
	link, err := filepath.Rel(filepath.Dir(doc), charts)
	if err != nil {
		return err
	}
	r, err := report.Build(results, report.Specs(), label, filepath.ToSlash(link))
	if err != nil {
		return err
	}
	old, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	text, err := report.Splice(string(old), r.Blocks())
	if err != nil {
		return fmt.Errorf("%s: %w", doc, err)
	}
	svgs, err := r.Charts()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(charts, 0o755); err != nil {
		return err
	}
	for _, c := range r.Comparisons {
		path := filepath.Join(charts, c.Spec.Name+".svg")
		svg, ok := svgs[c.Spec.Name]
		if !ok {
			// No results (any more): no chart, rather than a stale one.
			if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
				return err
			}
			continue
		}
		if err := os.WriteFile(path, svg, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(doc, []byte(text), 0o644)
}
