package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchmath"
)

// A Spec says how to read one results file as a comparison: which key of
// the sub-benchmark names tells the compared things apart (the column),
// which of them is the baseline, and the targets to check. It names keys
// and values, never whole benchmark names, so that benchmarks added to a
// file later join its comparison.
type Spec struct {
	// Name names the comparison's block in the document and its chart
	// ("jwt": <!-- benchreport:begin jwt -->, jwt.svg).
	Name string
	// File is the results file's base name ("jwt.txt").
	File string
	// Title is the chart's title.
	Title string
	// Bench, when set, keeps only the benchmarks of that function
	// ("BenchmarkJWT"); empty keeps every benchmark that has Column. The
	// file's other benchmarks are summarized apart (Comparison.Others).
	Bench string
	// Column is the key whose values are compared ("mw" in
	// BenchmarkJWT/fw=gin/mw=usual). The other parts of a name make its
	// group (fw=gin): rows are compared within their group only. Empty
	// means the last key of the file's first benchmark that has one.
	Column string
	// Baseline lists the candidates for a group's baseline, the first a
	// group has wins; empty means the group's first row. The special
	// value Smallest picks the numerically smallest (n=1e3 of n=1e3,
	// n=1e6).
	Baseline []string
	// Units are the units shown, in this order, when the file has them;
	// empty shows every unit of the file.
	Units []string
	// Chart is the unit drawn; empty means the first unit shown.
	Chart string
	// Targets are the goals checked against the recorded results.
	Targets []Target
}

// Smallest and Largest, as a Baseline, Subject or Against value, stand for
// the numerically smallest and largest value of the column in a group
// ("1e3", "1000", "10k" and "1M" are numbers).
const (
	Smallest = "<smallest>"
	Largest  = "<largest>"
)

// A Target is a goal for the ratio of a subject to what it is measured
// against, in one unit, checked in every group that has both.
//
// The ratio checked is the subject's cost over the other's: its median
// over theirs for a unit where less is better (sec/op, B/op), theirs over
// its for a rate (req/s, any unit with a "/s" component). A Max of 1 is
// "no slower", 1/3. is "at least 3× faster", 1.25 "within 1.25×".
type Target struct {
	// Text says the goal in words ("cache hit ≥3× faster than usual").
	Text string
	// Where keeps the groups that have every one of these parts
	// (store=redis); empty keeps every group.
	Where []Part
	// Subject lists the column values checked; each one a group has is
	// checked.
	Subject []string
	// Against lists the candidates for what the subject is measured
	// against, the first a group has wins; empty means the group's
	// baseline.
	Against []string
	// Unit is the unit compared ("sec/op", "req/s", "allocs/op").
	Unit string
	// Max is the largest cost ratio that meets the goal; with Absolute,
	// the largest median of the subject itself.
	Max float64
	// Strict asks for a ratio below Max, not at it ("more req/s").
	Strict bool
	// Absolute checks the subject's median against Max and measures it
	// against nothing ("0 allocs/op").
	Absolute bool
}

// A Comparison is a Spec applied to a File.
type Comparison struct {
	Spec Spec
	// File is nil when the results file is missing.
	File *File
	// Groups are the groups in the order their first benchmark appears.
	Groups []*Group
	// Others are the file's benchmarks outside the comparison (a harness,
	// a reference line), summarized on their own.
	Others []*Row
	// Units are the units shown.
	Units []string
	// Checks are the targets' outcomes, in the order of the targets and
	// then of the groups.
	Checks []Check
	// generic is set for a results file that has no spec.
	generic bool
}

// A Group is the rows of a comparison that share every name part but the
// column.
type Group struct {
	// Parts are the name's parts other than the column.
	Parts []Part
	// Rows are in the order their benchmark first appears.
	Rows []*Row
	// Baseline is the row the others are divided by; nil when the group
	// has none of the spec's candidates.
	Baseline *Row
}

// Label is the group's parts joined by spaces ("fw=gin"), or "" for a
// group of names with no part besides the column.
func (g *Group) Label() string {
	s := make([]string, len(g.Parts))
	for i, p := range g.Parts {
		s[i] = p.String()
	}
	return strings.Join(s, " ")
}

// A Row is one benchmark of a comparison and its statistics per unit.
type Row struct {
	Bench *Bench
	// Value is the row's column value (the whole name for Others).
	Value string
	Stats map[string]Stat
}

// A Stat summarizes one unit of a row as benchstat does: the median with
// its 95% confidence interval, and against the group's baseline the ratio
// of the medians and the p-value of the Mann-Whitney U test.
type Stat struct {
	Median, Lo, Hi float64
	N              int
	// Ratio is the row's median over the baseline's; 0 when there is no
	// baseline, it is the baseline, or the baseline's median is 0.
	Ratio float64
	// P is the U test's p-value against the baseline; valid when HasP.
	P    float64
	HasP bool
}

// A Check is one target's outcome in one group.
type Check struct {
	Target Target
	Group  *Group
	// Column is the comparison's column key; Subject and Against are its
	// values compared (Against is "" for an absolute target).
	Column, Subject, Against string
	// Ratio is the cost ratio (or the subject's median, when absolute).
	Ratio float64
	// P is the U test's p-value of the two samples (valid when HasP).
	P    float64
	HasP bool
	Met  bool
	// Missed is by how much a missed target is missed: the ratio over
	// Max, less one (0.2 is "by 20%"); for an absolute target the median
	// less Max.
	Missed float64
}

var thresholds = benchmath.DefaultThresholds

// confidence is benchstat's default confidence level.
const confidence = 0.95

// Compare applies spec to file (nil when the file is missing).
func Compare(spec Spec, file *File) *Comparison {
	c := &Comparison{Spec: spec, File: file}
	if file == nil {
		return c
	}
	if spec.Column == "" {
		spec.Column = guessColumn(file, spec.Bench)
		c.Spec.Column = spec.Column
	}
	c.Units = shownUnits(spec, file)
	inComparison := func(b *Bench) bool {
		_, ok := b.Get(spec.Column)
		return ok && spec.Column != "" && (spec.Bench == "" || b.Base == spec.Bench)
	}
	// The function's name is part of the group only when the comparison
	// spans more than one.
	var bases []string
	for _, b := range file.Benches {
		if inComparison(b) && !slices.Contains(bases, b.Base) {
			bases = append(bases, b.Base)
		}
	}
	byKey := map[string]*Group{}
	for _, b := range file.Benches {
		if !inComparison(b) {
			c.Others = append(c.Others, &Row{Bench: b, Value: b.Name})
			continue
		}
		value, _ := b.Get(spec.Column)
		var parts []Part
		if len(bases) > 1 {
			parts = append(parts, Part{Value: b.Base})
		}
		for _, p := range b.Parts {
			if p.Key != spec.Column {
				parts = append(parts, p)
			}
		}
		key := fmt.Sprintf("%q", parts)
		g := byKey[key]
		if g == nil {
			g = &Group{Parts: parts}
			byKey[key] = g
			c.Groups = append(c.Groups, g)
		}
		g.Rows = append(g.Rows, &Row{Bench: b, Value: value})
	}
	for _, g := range c.Groups {
		g.Baseline = g.pick(spec.Baseline)
		if g.Baseline == nil && len(spec.Baseline) == 0 {
			g.Baseline = g.Rows[0]
		}
		for _, r := range g.Rows {
			r.Stats = map[string]Stat{}
			for _, u := range c.Units {
				r.Stats[u] = stat(r.Bench.Samples[u], g.Baseline, r, u)
			}
		}
	}
	for _, r := range c.Others {
		r.Stats = map[string]Stat{}
		for _, u := range c.Units {
			r.Stats[u] = stat(r.Bench.Samples[u], nil, r, u)
		}
	}
	for _, t := range spec.Targets {
		for _, g := range c.Groups {
			if !g.has(t.Where) {
				continue
			}
			for _, s := range t.Subject {
				subj := g.pick([]string{s})
				if subj == nil {
					continue
				}
				if ch, ok := check(t, g, subj); ok {
					ch.Column = spec.Column
					c.Checks = append(c.Checks, ch)
				}
			}
		}
	}
	return c
}

// guessColumn is the last key of the first benchmark that has a key.
func guessColumn(file *File, bench string) string {
	for _, b := range file.Benches {
		if bench != "" && b.Base != bench {
			continue
		}
		for i := len(b.Parts) - 1; i >= 0; i-- {
			if b.Parts[i].Key != "" {
				return b.Parts[i].Key
			}
		}
	}
	return ""
}

func shownUnits(spec Spec, file *File) []string {
	if len(spec.Units) == 0 {
		return file.Units
	}
	var units []string
	for _, u := range spec.Units {
		if slices.Contains(file.Units, u) {
			units = append(units, u)
		}
	}
	return units
}

// has reports whether g has every part of where.
func (g *Group) has(where []Part) bool {
	for _, w := range where {
		if !slices.Contains(g.Parts, w) {
			return false
		}
	}
	return true
}

// pick returns the row of the first candidate the group has.
func (g *Group) pick(candidates []string) *Row {
	for _, c := range candidates {
		switch c {
		case Smallest, Largest:
			var best *Row
			var bestN float64
			for _, r := range g.Rows {
				n, ok := number(r.Value)
				if ok && (best == nil || (c == Smallest && n < bestN) || (c == Largest && n > bestN)) {
					best, bestN = r, n
				}
			}
			if best != nil {
				return best
			}
		default:
			for _, r := range g.Rows {
				if r.Value == c {
					return r
				}
			}
		}
	}
	return nil
}

// number reads "1000", "1e3", "10k", "1M" and "1G" as numbers.
func number(s string) (float64, bool) {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1e3, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "M"):
		mult, s = 1e6, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1e9, strings.TrimSuffix(s, "G")
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	return n * mult, true
}

func stat(values []float64, base, r *Row, unit string) Stat {
	if len(values) == 0 {
		return Stat{}
	}
	sample := benchmath.NewSample(values, &thresholds)
	sum := benchmath.AssumeNothing.Summary(sample, confidence)
	st := Stat{Median: sum.Center, Lo: sum.Lo, Hi: sum.Hi, N: len(values)}
	if base == nil || base == r {
		return st
	}
	bv := base.Bench.Samples[unit]
	if len(bv) == 0 {
		return st
	}
	bs := benchmath.NewSample(bv, &thresholds)
	bm := benchmath.AssumeNothing.Summary(bs, confidence).Center
	if bm != 0 {
		st.Ratio = st.Median / bm
	}
	st.P, st.HasP = benchmath.AssumeNothing.Compare(bs, sample).P, true
	return st
}

// HigherIsBetter reports whether more of unit is better: a rate, a unit
// with a per-second component ("req/s", "B/s", "logins/s/core",
// "logins/cpu-s").
func HigherIsBetter(unit string) bool {
	for _, c := range strings.Split(unit, "/")[1:] {
		if c == "s" || strings.HasSuffix(c, "-s") {
			return true
		}
	}
	return false
}

func check(t Target, g *Group, subj *Row) (Check, bool) {
	sv := subj.Bench.Samples[t.Unit]
	if len(sv) == 0 {
		return Check{}, false
	}
	ch := Check{Target: t, Group: g, Subject: subj.Value}
	ss := benchmath.NewSample(sv, &thresholds)
	sm := benchmath.AssumeNothing.Summary(ss, confidence).Center
	if t.Absolute {
		ch.Ratio = sm
		ch.Met = sm <= t.Max && !(t.Strict && sm == t.Max)
		if !ch.Met {
			ch.Missed = sm - t.Max
		}
		return ch, true
	}
	against := g.Baseline
	if len(t.Against) > 0 {
		against = g.pick(t.Against)
	}
	if against == nil || against == subj || len(against.Bench.Samples[t.Unit]) == 0 {
		return Check{}, false
	}
	ch.Against = against.Value
	as := benchmath.NewSample(against.Bench.Samples[t.Unit], &thresholds)
	am := benchmath.AssumeNothing.Summary(as, confidence).Center
	num, den := sm, am
	if HigherIsBetter(t.Unit) {
		num, den = am, sm
	}
	if den == 0 {
		return Check{}, false
	}
	ch.Ratio = num / den
	ch.P, ch.HasP = benchmath.AssumeNothing.Compare(as, ss).P, true
	ch.Met = ch.Ratio < t.Max || (!t.Strict && ch.Ratio == t.Max)
	if !ch.Met {
		ch.Missed = ch.Ratio/t.Max - 1
	}
	return ch, true
}
