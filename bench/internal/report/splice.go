package report

import (
	"fmt"
	"slices"
	"strings"
)

// The markers around a generated block of the document:
//
//	<!-- benchreport:begin NAME -->
//	… generated …
//	<!-- benchreport:end NAME -->
const (
	beginMarker = "<!-- benchreport:begin "
	endMarker   = "<!-- benchreport:end "
	markerClose = " -->"
)

// Splice replaces the content of every generated block of doc with
// blocks[NAME], leaving every line outside the blocks as it is. It fails
// when a marker is malformed, unpaired or nested, when doc has a block
// that blocks has not (a stale name) and when blocks has one that doc has
// not (the document must say where each goes), naming them.
func Splice(doc string, blocks map[string]string) (string, error) {
	var out strings.Builder
	seen := map[string]bool{}
	lines := strings.SplitAfter(doc, "\n")
	open := ""
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, beginMarker):
			name, err := markerName(trimmed, beginMarker)
			if err != nil {
				return "", fmt.Errorf("line %d: %w", i+1, err)
			}
			if open != "" {
				return "", fmt.Errorf("line %d: block %q begins inside block %q", i+1, name, open)
			}
			if seen[name] {
				return "", fmt.Errorf("line %d: block %q a second time", i+1, name)
			}
			content, ok := blocks[name]
			if !ok {
				return "", fmt.Errorf("line %d: no block is generated under the name %q", i+1, name)
			}
			seen[name], open = true, name
			out.WriteString(line)
			if !strings.HasSuffix(line, "\n") {
				out.WriteString("\n")
			}
			out.WriteString(content)
			if content != "" && !strings.HasSuffix(content, "\n") {
				out.WriteString("\n")
			}
		case strings.HasPrefix(trimmed, endMarker):
			name, err := markerName(trimmed, endMarker)
			if err != nil {
				return "", fmt.Errorf("line %d: %w", i+1, err)
			}
			if name != open {
				return "", fmt.Errorf("line %d: end of block %q, but the open block is %q", i+1, name, open)
			}
			open = ""
			out.WriteString(line)
		case open == "":
			out.WriteString(line)
		}
	}
	if open != "" {
		return "", fmt.Errorf("block %q has no end marker", open)
	}
	var missing []string
	for name := range blocks {
		if !seen[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return "", fmt.Errorf("the document has no place for the blocks %s: add <!-- benchreport:begin NAME --> and <!-- benchreport:end NAME --> lines", strings.Join(missing, ", "))
	}
	return out.String(), nil
}

func markerName(line, prefix string) (string, error) {
	rest, ok := strings.CutSuffix(strings.TrimPrefix(line, prefix), markerClose)
	name := strings.TrimSpace(rest)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return "", fmt.Errorf("malformed marker %q: want %sNAME%s", line, prefix, markerClose)
	}
	return name, nil
}
