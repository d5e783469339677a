package report

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the generator's output")

// generate is what cmd/benchreport does, on testdata.
func generate(t *testing.T) (string, map[string][]byte) {
	t.Helper()
	r, err := Build("testdata/results", Specs(), "bench/results", "benchmarks")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("testdata/doc.md")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Splice(string(doc), r.Blocks())
	if err != nil {
		t.Fatal(err)
	}
	charts, err := r.Charts()
	if err != nil {
		t.Fatal(err)
	}
	return out, charts
}

// TestGolden checks the document and the charts made from testdata/results
// against testdata/golden (go test -update rewrites it).
func TestGolden(t *testing.T) {
	doc, charts := generate(t)
	files := map[string][]byte{"benchmarks.md": []byte(doc)}
	for name, svg := range charts {
		files[name+".svg"] = svg
	}
	if *update {
		if err := os.RemoveAll("testdata/golden"); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll("testdata/golden", 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join("testdata/golden", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	golden, err := filepath.Glob("testdata/golden/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(golden) != len(files) {
		t.Errorf("golden has %d files, the generator wrote %d: %v", len(golden), len(files), golden)
	}
	for name, got := range files {
		want, err := os.ReadFile(filepath.Join("testdata/golden", name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from testdata/golden/%s (go test -update rewrites it after a change that is meant)", name, name)
		}
	}
	// Charts: the missing files' comparisons have none, the others one.
	var names []string
	for name := range charts {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"extra", "hugebody", "jwt", "load", "login", "scale"}; !slices.Equal(names, want) {
		t.Errorf("charts for %v, want %v", names, want)
	}
}

// TestDeterministic generates twice in one process: map order and the
// like must not show.
func TestDeterministic(t *testing.T) {
	doc1, charts1 := generate(t)
	for range 3 {
		doc2, charts2 := generate(t)
		if doc1 != doc2 {
			t.Fatal("the document differs between two runs")
		}
		for name := range charts1 {
			if !bytes.Equal(charts1[name], charts2[name]) {
				t.Fatalf("chart %s differs between two runs", name)
			}
		}
	}
}

var blockRE = regexp.MustCompile(`(?s)(<!-- benchreport:begin (\S+) -->\n).*?(<!-- benchreport:end (\S+) -->)`)

// TestProseUntouched: with every block emptied, the output is the input.
func TestProseUntouched(t *testing.T) {
	doc, _ := generate(t)
	in, err := os.ReadFile("testdata/doc.md")
	if err != nil {
		t.Fatal(err)
	}
	empty := func(s string) string { return blockRE.ReplaceAllString(s, "$1$3") }
	if empty(doc) != empty(string(in)) {
		t.Error("text outside the blocks changed")
	}
	if strings.Contains(doc, "stale content") {
		t.Error("a block's old content survived")
	}
}

func TestMissingFiles(t *testing.T) {
	r, err := Build("testdata/results", Specs(), "bench/results", "benchmarks")
	if err != nil {
		t.Fatal(err)
	}
	blocks := r.Blocks()
	for _, name := range []string{"sessions", "oauth2", "argon2", "permissions"} {
		if !strings.HasPrefix(blocks[name], "No results: `bench/results/"+name) {
			t.Errorf("block %s: %q", name, blocks[name])
		}
	}
	if !strings.Contains(blocks["machine"], "Not recorded yet (no file): `bench/results/sessions.txt`") {
		t.Errorf("machine block does not list the missing files:\n%s", blocks["machine"])
	}
	if !strings.Contains(blocks["summary"], "no data: `bench/results/sessions.txt` not recorded") {
		t.Errorf("summary does not say the sessions targets have no data:\n%s", blocks["summary"])
	}
}

func TestRead(t *testing.T) {
	f, err := ReadFile("testdata/results/extra.txt")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range f.Benches {
		names = append(names, b.Name)
	}
	// The GOMAXPROCS suffix is dropped, the samples of a name joined.
	if want := []string{"BenchmarkThing/fast/impl=a", "BenchmarkThing/fast/impl=b", "BenchmarkHarness"}; !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
	a := f.Benches[0]
	if a.Base != "BenchmarkThing" || !slices.Equal(a.Parts, []Part{{"", "fast"}, {"impl", "a"}}) {
		t.Errorf("base %q, parts %v", a.Base, a.Parts)
	}
	// Units are tidied as benchstat tidies them: 100 ns/op is 1e-7 sec/op.
	if got := a.Samples["sec/op"]; len(got) != 2 || math.Abs(got[0]-100e-9) > 1e-18 || math.Abs(got[1]-110e-9) > 1e-18 {
		t.Errorf("sec/op samples %v", got)
	}
	if len(f.Errors) != 1 || !strings.Contains(f.Errors[0], "extra.txt:7") {
		t.Errorf("errors %q, want the malformed line 7", f.Errors)
	}
	if got := f.ConfigValues("cpu"); !slices.Equal(got, []string{"Example CPU"}) {
		t.Errorf("cpu %q", got)
	}
}

func read(t *testing.T, text string) *File {
	t.Helper()
	f, err := Read(strings.NewReader(text), "t.txt")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// lines makes n result lines of name, one per value, interleaving nothing.
func lines(name, unit string, values ...string) string {
	var b strings.Builder
	for _, v := range values {
		b.WriteString(name + "-2 \t1000\t" + v + " " + unit + "\n")
	}
	return b.String()
}

// TestPValues are benchstat's: five against five samples that do not
// overlap give p=0.008, the least a U test of that size can give, and a
// sample against itself p=1.
func TestPValues(t *testing.T) {
	f := read(t, lines("BenchmarkX/impl=a", "ns/op", "1", "2", "3", "4", "5")+
		lines("BenchmarkX/impl=b", "ns/op", "6", "7", "8", "9", "10")+
		lines("BenchmarkX/impl=c", "ns/op", "1", "2", "3", "4", "5"))
	c := Compare(Spec{Name: "x", Column: "impl", Baseline: []string{"a"}}, f)
	rows := c.Groups[0].Rows
	b, same := rows[1].Stats["sec/op"], rows[2].Stats["sec/op"]
	if !b.HasP || pval(b.P) != "0.008" {
		t.Errorf("p = %s, want 0.008", pval(b.P))
	}
	if b.Ratio != 8.0/3 || b.Median != 8e-9 || b.N != 5 {
		t.Errorf("ratio %v, median %v, n %d; want 8/3, 8ns, 5", b.Ratio, b.Median, b.N)
	}
	if same.P != 1 || same.Ratio != 1 {
		t.Errorf("against itself: p %v, ratio %v; want 1, 1", same.P, same.Ratio)
	}
	if st := rows[0].Stats["sec/op"]; st.HasP || st.Ratio != 0 {
		t.Errorf("the baseline has p %v, ratio %v", st.HasP, st.Ratio)
	}
}

func TestTargets(t *testing.T) {
	f := read(t, lines("BenchmarkL/fw=gin/app=lib", "req/s", "90", "90", "90")+
		lines("BenchmarkL/fw=gin/app=usual", "req/s", "100", "100", "100")+
		lines("BenchmarkL/fw=gin/app=none", "req/s", "100", "100", "100")+
		lines("BenchmarkL/fw=echo/app=lib", "req/s", "100", "100", "100")+
		lines("BenchmarkL/fw=echo/app=usual", "req/s", "100", "100", "100")+
		lines("BenchmarkS/store=m/n=1e3", "ns/op", "100", "100", "100")+
		lines("BenchmarkS/store=m/n=10k", "ns/op", "100", "100", "100")+
		lines("BenchmarkS/store=m/n=1e6", "ns/op", "180", "180", "180")+
		lines("BenchmarkA/impl=x", "allocs/op", "0", "0", "0")+
		lines("BenchmarkA/impl=y", "allocs/op", "2", "2", "2"))
	load := Compare(Spec{Name: "l", Bench: "BenchmarkL", Column: "app", Baseline: []string{"usual"}, Targets: []Target{
		{Text: "more req/s", Subject: []string{"lib"}, Unit: "req/s", Max: 1, Strict: true},
		{Text: "within 15%", Subject: []string{"lib"}, Against: []string{"noauth", "none"}, Unit: "req/s", Max: 1 / 0.85},
	}}, f)
	got := map[string]Check{}
	for _, ch := range load.Checks {
		got[ch.Target.Text+" "+ch.Group.Label()] = ch
	}
	if len(load.Checks) != 3 {
		t.Errorf("%d checks, want 3 (echo has no app=none)", len(load.Checks))
	}
	// A rate: the ratio is usual's over lib's, 100/90; missed by 11%.
	if ch := got["more req/s fw=gin"]; ch.Met || pctOf(ch.Missed) != "11%" || ratio(ch.Ratio) != "1.11" {
		t.Errorf("gin: met %v, missed %v, ratio %v", ch.Met, ch.Missed, ch.Ratio)
	}
	// Equal is not more, with Strict.
	if ch := got["more req/s fw=echo"]; ch.Met || ch.Ratio != 1 {
		t.Errorf("echo: met %v, ratio %v", ch.Met, ch.Ratio)
	}
	// The second candidate stands in for the first: 100/90 ≤ 1/0.85.
	if ch := got["within 15% fw=gin"]; !ch.Met || ch.Against != "none" {
		t.Errorf("within 15%%: met %v against %q", ch.Met, ch.Against)
	}
	scale := Compare(Spec{Name: "s", Bench: "BenchmarkS", Column: "n", Baseline: []string{Smallest}, Targets: []Target{
		{Text: "1.5x", Subject: []string{Largest}, Against: []string{Smallest}, Unit: "sec/op", Max: 1.5},
	}}, f)
	if g := scale.Groups[0]; g.Baseline == nil || g.Baseline.Value != "1e3" {
		t.Fatalf("baseline %+v, want n=1e3 (10k is larger)", g.Baseline)
	}
	if ch := scale.Checks; len(ch) != 1 || ch[0].Subject != "1e6" || ch[0].Met || pctOf(ch[0].Missed) != "20%" {
		t.Errorf("scale checks %+v, want 1e6 missed by 20%%", ch)
	}
	if got := pctOf(0.0022); got != "0.2%" {
		t.Errorf("a narrow miss reads %q, want 0.2%%", got)
	}
	allocs := Compare(Spec{Name: "a", Bench: "BenchmarkA", Column: "impl", Targets: []Target{
		{Text: "none", Subject: []string{"x", "y"}, Unit: "allocs/op", Max: 0, Absolute: true},
	}}, f)
	if ch := allocs.Checks; len(ch) != 2 || !ch[0].Met || ch[1].Met || ch[1].Missed != 2 {
		t.Errorf("absolute checks %+v, want x met, y missed by 2", ch)
	}
	if o := outcome(allocs.Checks[1]); o != "**missed** by 2: impl=y allocs/op = 2 (target ≤ 0)" {
		t.Errorf("outcome %q", o)
	}
}

func pctOf(x float64) string { return percent(x) }

func TestNumber(t *testing.T) {
	for s, want := range map[string]float64{"1000": 1e3, "1e3": 1e3, "10k": 1e4, "1M": 1e6, "2G": 2e9, "0.5": 0.5} {
		if n, ok := number(s); !ok || n != want {
			t.Errorf("number(%q) = %v, %v; want %v", s, n, ok, want)
		}
	}
	for _, s := range []string{"", "k", "redis", "NaN", "Inf"} {
		if _, ok := number(s); ok {
			t.Errorf("number(%q) is a number", s)
		}
	}
}

func TestSpliceErrors(t *testing.T) {
	blocks := map[string]string{"a": "A\n"}
	for _, c := range []struct{ doc, want string }{
		{"<!-- benchreport:begin a -->\n", `block "a" has no end marker`},
		{"<!-- benchreport:end a -->\n", `end of block "a", but the open block is ""`},
		{"<!-- benchreport:begin a -->\n<!-- benchreport:begin b -->\n", `block "b" begins inside block "a"`},
		{"<!-- benchreport:begin b -->\n<!-- benchreport:end b -->\n", `no block is generated under the name "b"`},
		{"no blocks\n", "no place for the blocks a"},
		{"<!-- benchreport:begin a b -->\n", "malformed marker"},
		{"<!-- benchreport:begin a -->\n<!-- benchreport:end a -->\n<!-- benchreport:begin a -->\n<!-- benchreport:end a -->\n", `block "a" a second time`},
	} {
		if _, err := Splice(c.doc, blocks); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Splice(%q): %v, want %q", c.doc, err, c.want)
		}
	}
	out, err := Splice("x\n  <!-- benchreport:begin a -->\nold\n<!-- benchreport:end a -->\ny", blocks)
	if want := "x\n  <!-- benchreport:begin a -->\nA\n<!-- benchreport:end a -->\ny"; err != nil || out != want {
		t.Errorf("Splice = %q, %v; want %q", out, err, want)
	}
}

func TestHigherIsBetter(t *testing.T) {
	for unit, want := range map[string]bool{
		"req/s": true, "B/s": true, "logins/s/core": true, "logins/cpu-s": true,
		"sec/op": false, "cpu-sec/op": false, "p99-sec": false, "B/op": false, "allocs/op": false, "peak-rss-bytes": false,
	} {
		if got := HigherIsBetter(unit); got != want {
			t.Errorf("HigherIsBetter(%q) = %v", unit, got)
		}
	}
}
