package report

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchunit"
)

// A Report is every comparison built from one results directory.
type Report struct {
	// Comparisons follow the specs' order, then the results files that
	// have no spec, by name.
	Comparisons []*Comparison
	// ResultsDir is the directory's path as the document names it
	// ("bench/results").
	ResultsDir string
	// ChartsDir is the charts' directory relative to the document
	// ("benchmarks").
	ChartsDir string
}

// Build reads every *.txt file of dir and applies specs to them; a spec
// whose file is missing gives a comparison with no File. resultsLabel and
// chartsLink are how the document names the results directory and links
// the charts' directory.
func Build(dir string, specs []Spec, resultsLabel, chartsLink string) (*Report, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	r := &Report{ResultsDir: resultsLabel, ChartsDir: chartsLink}
	used := map[string]bool{}
	for _, s := range specs {
		f, err := ReadFile(filepath.Join(dir, s.File))
		if errors.Is(err, fs.ErrNotExist) {
			f, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
		used[s.File] = true
		r.Comparisons = append(r.Comparisons, Compare(s, f))
	}
	for _, n := range names {
		base := filepath.Base(n)
		if used[base] {
			continue
		}
		f, err := ReadFile(n)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(base, ".txt")
		c := Compare(Spec{Name: name, File: base, Title: name}, f)
		c.generic = true
		r.Comparisons = append(r.Comparisons, c)
	}
	return r, nil
}

// Blocks returns the generated blocks of the document by name: "machine",
// "summary", one per spec (its Spec.Name), and "other", which holds every
// results file without a spec, each under a heading of its name, so that a
// new file needs no change to the document.
func (r *Report) Blocks() map[string]string {
	blocks := map[string]string{
		"machine": r.machine(),
		"summary": r.summary(),
	}
	var other strings.Builder
	for _, c := range r.Comparisons {
		if !c.generic {
			blocks[c.Spec.Name] = r.comparison(c)
			continue
		}
		fmt.Fprintf(&other, "### %s\n\n%s\n", c.Spec.Name, r.comparison(c))
	}
	if other.Len() == 0 {
		other.WriteString("None.\n")
	}
	blocks["other"] = strings.TrimSuffix(other.String(), "\n")
	return blocks
}

func (r *Report) path(c *Comparison) string {
	return "`" + r.ResultsDir + "/" + c.Spec.File + "`"
}

// machine is the table of where and when each file was recorded.
func (r *Report) machine() string {
	var b strings.Builder
	b.WriteString("| results | cpu | goos/goarch | nproc | Go | recorded (UTC) | load average (1, 5, 15 min) |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	var missing []string
	for _, c := range r.Comparisons {
		if c.File == nil {
			missing = append(missing, r.path(c))
			continue
		}
		f := c.File
		get := func(key string) string {
			v := f.ConfigValues(key)
			if len(v) == 0 {
				return "not recorded"
			}
			return strings.Join(v, "; ")
		}
		osarch := get("goos") + "/" + get("goarch")
		if len(f.ConfigValues("goos")) == 0 && len(f.ConfigValues("goarch")) == 0 {
			osarch = "not recorded"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", r.path(c), cell(get("cpu")), osarch,
			get("nproc"), get("go"), get("date"), get("loadavg"))
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\nNot recorded yet (no file): %s.\n", strings.Join(missing, ", "))
	}
	return b.String()
}

// summary is every target's outcome in one table.
func (r *Report) summary() string {
	var b strings.Builder
	b.WriteString("| comparison | target | where | result |\n|---|---|---|---|\n")
	for _, c := range r.Comparisons {
		for _, t := range c.Spec.Targets {
			checks := c.checksOf(t)
			if len(checks) == 0 {
				why := "no data: " + r.path(c) + " has no such rows"
				if c.File == nil {
					why = "no data: " + r.path(c) + " not recorded"
				}
				fmt.Fprintf(&b, "| %s | %s | | %s |\n", c.Spec.Name, cell(t.Text), why)
				continue
			}
			for _, ch := range checks {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.Spec.Name, cell(t.Text), cell(where(ch)), outcome(ch))
			}
		}
	}
	return b.String()
}

func (c *Comparison) checksOf(t Target) []Check {
	var out []Check
	for _, ch := range c.Checks {
		if ch.Target.Text == t.Text {
			out = append(out, ch)
		}
	}
	return out
}

// where is the group a check was made in, "" when it is the only one.
func where(ch Check) string {
	return ch.Group.Label()
}

// outcome is "met: reinhardt ÷ usual sec/op = 0.22 (target ≤ 0.333),
// p=0.008" or "**missed** by 20%: …". The division is the target's cost
// ratio: the subject over what it is measured against, the other way
// round for a rate.
func outcome(ch Check) string {
	t := ch.Target
	op := "≤"
	if t.Strict {
		op = "<"
	}
	if t.Absolute {
		got := fmt.Sprintf("%s=%s %s = %s (target %s %s)", ch.Column, ch.Subject, t.Unit,
			scaled(ch.Ratio, benchunit.ClassOf(t.Unit)), op, scaled(t.Max, benchunit.ClassOf(t.Unit)))
		if ch.Met {
			return "met: " + got
		}
		return fmt.Sprintf("**missed** by %s: %s", scaled(ch.Missed, benchunit.ClassOf(t.Unit)), got)
	}
	num, den := ch.Column+"="+ch.Subject, ch.Column+"="+ch.Against
	if HigherIsBetter(t.Unit) {
		num, den = den, num
	}
	got := fmt.Sprintf("%s ÷ %s %s = %s (target %s %s), p=%s", num, den, t.Unit, ratio(ch.Ratio), op, ratio(t.Max), pval(ch.P))
	if ch.P >= alpha {
		got += ", not significant"
	}
	if ch.Met {
		return "met: " + got
	}
	return fmt.Sprintf("**missed** by %s: %s", percent(ch.Missed), got)
}

// percent formats a fraction as a percentage, with one decimal below 10%
// ("0.2%", "6.3%", "21%"), so that a narrow miss does not read "0%".
func percent(x float64) string {
	if x < 0.1 {
		return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(x*100, 'f', 0, 64) + "%"
}

// ratio formats a ratio with three significant digits (no exponent).
func ratio(x float64) string {
	if x >= 1000 {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

// alpha is benchstat's default significance level: a difference counts
// at p < alpha.
const alpha = 0.05

func pval(p float64) string {
	return strconv.FormatFloat(p, 'f', 3, 64)
}

// comparison is one comparison's table, chart link and targets.
func (r *Report) comparison(c *Comparison) string {
	var b strings.Builder
	if c.File == nil {
		fmt.Fprintf(&b, "No results: %s is not there yet.\n", r.path(c))
		return b.String()
	}
	if len(c.Groups) == 0 && len(c.Others) == 0 {
		fmt.Fprintf(&b, "No results: %s has no benchmark lines.\n", r.path(c))
		return b.String()
	}
	ns := sampleCounts(c)
	fmt.Fprintf(&b, "From %s, %s per row: medians; ÷ is the ratio to the group's baseline, p the U test's p-value against it.\n\n", r.path(c), ns)
	if len(c.Units) > wideUnits {
		r.longTable(&b, c)
	} else {
		r.wideTable(&b, c)
	}
	if len(c.Others) > 0 {
		b.WriteString("\nAlso in the file:\n\n")
		for _, row := range c.Others {
			var vals []string
			n := 0
			for _, u := range c.Units {
				if st := row.Stats[u]; st.N > 0 {
					vals = append(vals, scaled(st.Median, benchunit.ClassOf(u))+" "+u)
					n = max(n, st.N)
				}
			}
			fmt.Fprintf(&b, "- `%s`: %s (medians of %d)\n", row.Value, strings.Join(vals, ", "), n)
		}
	}
	if chartUnit(c) != "" && len(c.Groups) > 0 {
		fmt.Fprintf(&b, "\n![%s: median %s of each row, labelled with its ratio to its group's baseline](%s/%s.svg)\n", cell(c.Spec.Title), chartUnit(c), r.ChartsDir, c.Spec.Name)
	}
	if len(c.Spec.Targets) > 0 {
		b.WriteString("\n| target | where | result |\n|---|---|---|\n")
		for _, t := range c.Spec.Targets {
			checks := c.checksOf(t)
			if len(checks) == 0 {
				fmt.Fprintf(&b, "| %s | | no data: no such rows |\n", cell(t.Text))
			}
			for _, ch := range checks {
				fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(t.Text), cell(where(ch)), outcome(ch))
			}
		}
	}
	if len(c.File.Errors) > 0 {
		b.WriteString("\nLines the reader could not parse:\n\n")
		for _, e := range c.File.Errors {
			fmt.Fprintf(&b, "- %s\n", cell(e))
		}
	}
	return b.String()
}

// sampleCounts says how many samples the rows have ("5 samples", "5 to
// 10 samples").
func sampleCounts(c *Comparison) string {
	lo, hi := 0, 0
	for _, g := range c.Groups {
		for _, row := range g.Rows {
			for _, u := range c.Units {
				if n := row.Stats[u].N; n > 0 {
					if lo == 0 || n < lo {
						lo = n
					}
					hi = max(hi, n)
				}
			}
		}
	}
	if lo == hi && lo == 1 {
		return "1 sample"
	}
	if lo == hi {
		return fmt.Sprintf("%d samples", lo)
	}
	return fmt.Sprintf("%d to %d samples", lo, hi)
}

// groupKeys are the keys of every group's parts, in the order first seen.
func groupKeys(c *Comparison) []string {
	var keys []string
	for _, g := range c.Groups {
		for _, p := range g.Parts {
			if !slices.Contains(keys, p.Key) {
				keys = append(keys, p.Key)
			}
		}
	}
	return keys
}

func keyName(k string) string {
	if k == "" {
		return "name"
	}
	return k
}

// chartUnit is the unit a comparison's chart draws: the spec's when the
// file has it, else the first unit shown.
func chartUnit(c *Comparison) string {
	if c.Spec.Chart != "" && slices.Contains(c.Units, c.Spec.Chart) {
		return c.Spec.Chart
	}
	if len(c.Units) > 0 {
		return c.Units[0]
	}
	return ""
}

// cell escapes what would break a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// scaled formats v in unit as benchstat does ("3.482µ", "2.657Ki"), but
// a small whole number as it is ("22", not "22.00").
func scaled(v float64, cls benchunit.Class) string {
	if v == math.Trunc(v) && math.Abs(v) < 10000 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return benchunit.Scale(v, cls)
}

// wideUnits is the most units a comparison's table shows side by side;
// with more (files whose rows have different units, such as the login
// runs'), each row's units are listed one per line instead.
const wideUnits = 4

// wideTable is one line per row, three columns per unit.
func (r *Report) wideTable(b *strings.Builder, c *Comparison) {
	keys := groupKeys(c)
	// Header.
	var head, align []string
	for _, k := range keys {
		head = append(head, keyName(k))
		align = append(align, "---")
	}
	head = append(head, c.Spec.Column)
	align = append(align, "---")
	for _, u := range c.Units {
		head = append(head, u, "÷", "p")
		align = append(align, "---:", "---:", "---:")
	}
	head = append(head, "samples")
	align = append(align, "---:")
	b.WriteString("| " + strings.Join(head, " | ") + " |\n")
	b.WriteString("|" + strings.Join(align, "|") + "|\n")
	for _, g := range c.Groups {
		for _, row := range g.Rows {
			var cells []string
			for _, k := range keys {
				cells = append(cells, cell(partValue(g, k)))
			}
			name := cell(row.Value)
			if row == g.Baseline {
				name = "**" + name + "** (baseline)"
			}
			cells = append(cells, name)
			n := 0
			for _, u := range c.Units {
				st := row.Stats[u]
				n = max(n, st.N)
				if st.N == 0 {
					cells = append(cells, "", "", "")
					continue
				}
				rt, p := ratioCells(g, row, st)
				cells = append(cells, scaled(st.Median, benchunit.ClassOf(u)), rt, p)
			}
			cells = append(cells, strconv.Itoa(n))
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		}
	}
}

// longTable is one line per row and unit it has.
func (r *Report) longTable(b *strings.Builder, c *Comparison) {
	keys := groupKeys(c)
	var head []string
	for _, k := range keys {
		head = append(head, keyName(k))
	}
	head = append(head, c.Spec.Column, "unit", "median", "÷", "p", "samples")
	b.WriteString("| " + strings.Join(head, " | ") + " |\n")
	b.WriteString("|" + strings.Repeat("---|", len(keys)+2) + "---:|---:|---:|---:|\n")
	for _, g := range c.Groups {
		for _, row := range g.Rows {
			name := cell(row.Value)
			if row == g.Baseline {
				name = "**" + name + "** (baseline)"
			}
			for _, u := range c.Units {
				st := row.Stats[u]
				if st.N == 0 {
					continue
				}
				var cells []string
				for _, k := range keys {
					cells = append(cells, cell(partValue(g, k)))
				}
				rt, p := ratioCells(g, row, st)
				cells = append(cells, name, u, scaled(st.Median, benchunit.ClassOf(u)), rt, p, strconv.Itoa(st.N))
				b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
			}
		}
	}
}

// partValue is the value of key among the group's parts, "" when absent.
func partValue(g *Group, key string) string {
	for _, p := range g.Parts {
		if p.Key == key {
			return p.Value
		}
	}
	return ""
}

// ratioCells are a stat's ÷ and p cells: "1" and "" for the baseline.
func ratioCells(g *Group, row *Row, st Stat) (rt, p string) {
	switch {
	case row == g.Baseline:
		rt = "1"
	case st.Ratio != 0:
		rt = ratio(st.Ratio)
	}
	if st.HasP {
		p = pval(st.P)
	}
	return rt, p
}
