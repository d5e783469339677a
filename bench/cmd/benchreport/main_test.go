package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

const testdata = "../../internal/report/testdata"

// TestRun writes what the report package's golden files hold, removes the
// chart of a comparison that has no results any more, and writes nothing
// when the document's markers are wrong.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "docs", "benchmarks.md")
	charts := filepath.Join(dir, "docs", "benchmarks")
	if err := os.MkdirAll(charts, 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile(filepath.Join(testdata, "doc.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(doc, in, 0o644); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(charts, "sessions.svg") // testdata has no sessions.txt
	if err := os.WriteFile(stale, []byte("<svg/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(filepath.Join(testdata, "results"), doc, charts, "bench/results"); err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{
		doc:                               "benchmarks.md",
		filepath.Join(charts, "jwt.svg"):  "jwt.svg",
		filepath.Join(charts, "load.svg"): "load.svg",
	} {
		g, err := os.ReadFile(got)
		if err != nil {
			t.Fatal(err)
		}
		w, err := os.ReadFile(filepath.Join(testdata, "golden", want))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(g, w) {
			t.Errorf("%s differs from the golden %s", got, want)
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale chart is still there: %v", err)
	}

	// A document without the markers: an error, and no chart written.
	if err := os.WriteFile(doc, []byte("# no markers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(charts); err != nil {
		t.Fatal(err)
	}
	if err := run(filepath.Join(testdata, "results"), doc, charts, "bench/results"); err == nil {
		t.Fatal("no error for a document without markers")
	}
	if _, err := os.Stat(charts); !os.IsNotExist(err) {
		t.Errorf("charts written for a document that failed: %v", err)
	}
	if b, _ := os.ReadFile(doc); string(b) != "# no markers\n" {
		t.Errorf("the document was changed: %q", b)
	}
}
