package examples_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestCrossFrameworkTranscript builds the four example programs, runs each
// as a process on the embedded SQLite default, sends every one the same
// scripted session (script) and requires every status to be the
// contract's and the four transcripts — statuses, bodies with the per-run
// values normalized, the headers of recordedHeaders and the shape of every
// cookie set — to be identical.
func TestCrossFrameworkTranscript(t *testing.T) {
	bins := buildServers(t)
	transcripts := make([][]record, len(frameworks))
	t.Run("servers", func(t *testing.T) {
		for i, fw := range frameworks {
			t.Run(fw, func(t *testing.T) {
				t.Parallel()
				r := newRun(t, startServer(t, fw, bins[fw]))
				for n, s := range script {
					rec := r.do(s)
					if rec.status != s.want {
						t.Errorf("step %d, %s: %s %s: got %d, want %d\n%s", n+1, s.name, s.method, s.path, rec.status, s.want, indent(rec.String()))
					}
					transcripts[i] = append(transcripts[i], rec)
				}
			})
		}
	})
	for i, tr := range transcripts {
		if len(tr) != len(script) {
			t.Fatalf("%s did not answer the whole script", frameworks[i])
		}
	}
	if diff := compareTranscripts(frameworks, transcripts); diff != "" {
		t.Errorf("the frameworks answer the script differently (%d requests; the reference is %s):\n%s", len(script), frameworks[0], diff)
	}
}

// compareTranscripts describes every step on which a transcript differs
// from the first one (the reference, shown whole), with the lines that
// differ, or returns "".
func compareTranscripts(names []string, transcripts [][]record) string {
	var b strings.Builder
	for i, s := range script {
		want := transcripts[0][i].String()
		header := false
		for j := 1; j < len(transcripts); j++ {
			got := transcripts[j][i].String()
			if got == want {
				continue
			}
			if !header {
				header = true
				fmt.Fprintf(&b, "--- step %d, %s: %s %s\n%s:\n%s", i+1, s.name, s.method, s.path, names[0], indent(want))
			}
			fmt.Fprintf(&b, "%s, the lines that differ (- %s, + %s):\n%s", names[j], names[0], names[j], indent(lineDiff(want, got)))
		}
	}
	return b.String()
}

// lineDiff lists the lines of a not in b ("- ") and of b not in a ("+ "),
// in order, by a longest common subsequence of lines.
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// lcs[i][j] is the length of the LCS of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, "- "+x[i])
			i++
		default:
			out = append(out, "+ "+y[j])
			j++
		}
	}
	return strings.Join(out, "\n")
}

// indent indents s for the failure message, cut at a few thousand bytes.
func indent(s string) string {
	const limit = 4000
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ") + "\n"
}
