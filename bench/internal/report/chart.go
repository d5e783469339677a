package report

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"

	"golang.org/x/perf/benchunit"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Colours of the bars: the baselines grey, the rows compared with them
// blue.
var (
	baselineColor = color.RGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xff}
	rowColor      = color.RGBA{R: 0x33, G: 0x66, B: 0xcc, A: 0xff}
)

// Charts draws one SVG chart per comparison that has rows: a horizontal
// bar per row, its length the row's median in the chart's unit (see
// Spec.Chart), labelled with its ratio to its group's baseline, the rows
// in the tables' order from the top. The map's keys are the comparisons'
// names. The same report gives the same bytes.
func (r *Report) Charts() (map[string][]byte, error) {
	charts := map[string][]byte{}
	for _, c := range r.Comparisons {
		unit := chartUnit(c)
		if c.File == nil || unit == "" || len(c.Groups) == 0 {
			continue
		}
		svg, err := chart(c, unit)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", c.Spec.Name, err)
		}
		charts[c.Spec.Name] = svg
	}
	return charts, nil
}

// chart draws one panel per group, one above the other, each on its own
// scale: the groups of a comparison may differ by orders of magnitude (a
// session in memory and in PostgreSQL, a generated and a hashed secret).
func chart(c *Comparison, unit string) ([]byte, error) {
	svg, err := drawChart(c, unit, func(w, h vg.Length) vg.CanvasWriterTo { return vgsvg.NewWith(vgsvg.UseWH(w, h)) })
	if err != nil {
		return nil, err
	}
	return withFallbackFonts(svg), nil
}

// drawChart draws the chart on the canvas newCanvas makes.
func drawChart(c *Comparison, unit string, newCanvas func(w, h vg.Length) vg.CanvasWriterTo) ([]byte, error) {
	var panels []*plot.Plot
	most := 0
	for i, g := range c.Groups {
		p, n, err := panel(g, unit)
		if err != nil {
			return nil, err
		}
		if p == nil {
			continue
		}
		title := g.Label()
		if i == 0 || title == "" {
			title = strings.TrimSpace(c.Spec.Title + "\n" + title)
		}
		p.Title.Text = title
		panels = append(panels, p)
		most = max(most, n)
	}
	if len(panels) == 0 {
		return nil, fmt.Errorf("no row has %s", unit)
	}
	tileHeight := vg.Length(most)*vg.Points(16) + vg.Points(64)
	cv := newCanvas(8*vg.Inch, vg.Length(len(panels))*tileHeight+vg.Points(16))
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadY: vg.Points(8), PadLeft: vg.Points(4), PadRight: vg.Points(4)}
	all := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		all[i] = []*plot.Plot{p}
	}
	for i, row := range plot.Align(all, tiles, draw.New(cv)) {
		all[i][0].Draw(row[0])
	}
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// panel is one group's bars, and how many; nil when no row has unit.
func panel(g *Group, unit string) (*plot.Plot, int, error) {
	type bar struct {
		name, label string
		value       float64
		baseline    bool
	}
	var bars []bar
	most := 0.0
	for _, row := range g.Rows {
		st := row.Stats[unit]
		if st.N == 0 {
			continue
		}
		label := "baseline"
		switch {
		case row != g.Baseline && st.Ratio != 0:
			label = "×" + ratio(st.Ratio)
		case row != g.Baseline:
			label = ""
		}
		bars = append(bars, bar{name: row.Value, label: label, value: st.Median, baseline: row == g.Baseline})
		most = max(most, st.Median)
	}
	if len(bars) == 0 {
		return nil, 0, nil
	}
	scale := benchunit.CommonScale([]float64{most}, benchunit.ClassOf(unit))
	n := len(bars)
	base := make(plotter.Values, n)
	rows := make(plotter.Values, n)
	names := make([]string, n)
	var at plotter.XYs
	var labels []string
	// NominalY puts the first name at the bottom: reverse, so that the
	// panel reads from the top as the table does.
	for i, b := range bars {
		y := n - 1 - i
		v := b.value / scale.Factor
		if b.baseline {
			base[y] = v
		} else {
			rows[y] = v
		}
		names[y] = b.name
		at = append(at, plotter.XY{X: v, Y: float64(y)})
		labels = append(labels, b.label)
	}
	p := plot.New()
	p.X.Label.Text = fmt.Sprintf("median %s%s (%s)", scale.Prefix, unit, benchstatUnitNote(unit))
	p.NominalY(names...)
	for _, s := range []struct {
		v   plotter.Values
		col color.Color
	}{{base, baselineColor}, {rows, rowColor}} {
		bc, err := plotter.NewBarChart(s.v, vg.Points(10))
		if err != nil {
			return nil, 0, err
		}
		bc.Horizontal = true
		bc.Color = s.col
		bc.LineStyle.Width = 0
		p.Add(bc)
	}
	lab, err := plotter.NewLabels(plotter.XYLabels{XYs: at, Labels: labels})
	if err != nil {
		return nil, 0, err
	}
	lab.Offset = vg.Point{X: vg.Points(4), Y: -vg.Points(3)}
	p.Add(lab)
	// From zero, with room on the right for the longest bar's label.
	p.X.Min = 0
	p.X.Max = most / scale.Factor * 1.2
	return p, n, nil
}

// benchstatUnitNote says which way is better for the chart's axis.
func benchstatUnitNote(unit string) string {
	if HigherIsBetter(unit) {
		return "longer is better"
	}
	return "shorter is better"
}

// withFallbackFonts lets a viewer without the Liberation fonts the chart
// names (gonum/plot's own) use a font of the same metrics.
func withFallbackFonts(svg []byte) []byte {
	svg = bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"), []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Serif;"), []byte("font-family:'Liberation Serif','Times New Roman',Times,serif;"))
}
