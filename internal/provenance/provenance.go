package provenance

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// ManifestName is the manifest's file name at the repository root.
const ManifestName = "DATA-SOURCES.md"

// Entry is one row of the manifest.
type Entry struct {
	Pattern string // which files: a path from the root, with wildcards
	Source  string // where the files come from
	Licence string // under which licence
	Line    int    // the row's line in the manifest, for messages
}

// ParseManifest reads the manifest's table rows. A row whose first cell is
// a backquoted pattern is an entry; other lines (prose, the header row, the
// separator row) are ignored. A row with an empty source or licence, or
// with a malformed pattern, is an error.
func ParseManifest(r io.Reader) ([]Entry, error) {
	var entries []Entry
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 3 {
			return nil, fmt.Errorf("%s:%d: want 3 cells (pattern, source, licence), have %d", ManifestName, n, len(cells))
		}
		e := Entry{
			Pattern: strings.Trim(strings.TrimSpace(cells[0]), "`"),
			Source:  strings.TrimSpace(cells[1]),
			Licence: strings.TrimSpace(cells[2]),
			Line:    n,
		}
		if e.Source == "" || e.Licence == "" {
			return nil, fmt.Errorf("%s:%d: %s: the source and the licence must both be given", ManifestName, n, e.Pattern)
		}
		if err := checkPattern(e.Pattern); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", ManifestName, n, err)
		}
		entries = append(entries, e)
	}
	return entries, sc.Err()
}

func checkPattern(p string) error {
	if p == "" || path.Clean(p) != p || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "../") {
		return fmt.Errorf("pattern %q: want a clean path from the repository root", p)
	}
	for _, seg := range strings.Split(p, "/") {
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("pattern %q: %w", p, err)
		}
	}
	return nil
}

// Match reports whether name, a slash-separated path from the root, is
// covered by pattern: segment by segment with path.Match, where a "**"
// segment matches any number of segments.
func Match(pattern, name string) bool {
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegments(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// skipDir reports the directories the walk leaves out: hidden ones (.git,
// .bin) and those the go command ignores (_name), as well as var/, where
// the showcase keeps its local databases.
func skipDir(p string) bool {
	base := path.Base(p)
	return p != "." && (strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") || p == "var")
}

// DataFiles lists, sorted, every data file of the tree: the files under a
// directory named testdata and the files the tree's Go sources embed (Go
// files under testdata belong to no package and are not read for
// directives).
func DataFiles(fsys fs.FS) ([]string, error) {
	files := map[string]bool{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skipDir(p) {
				return fs.SkipDir
			}
			return nil
		}
		if slices.Contains(strings.Split(path.Dir(p), "/"), "testdata") {
			files[p] = true // and its embeds, if a Go file, are the go command's to ignore
			return nil
		}
		if strings.HasSuffix(p, ".go") {
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			embedded, err := EmbeddedFiles(fsys, p, src)
			if err != nil {
				return err
			}
			for _, f := range embedded {
				files[f] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	list := make([]string, 0, len(files))
	for f := range files {
		list = append(list, f)
	}
	slices.Sort(list)
	return list, nil
}

// EmbeddedFiles returns the files the //go:embed directives of the Go
// source src (at goFile in fsys) embed, as the go command resolves them:
// each pattern is relative to the source's directory, a directory is
// embedded with everything under it except names starting with "." or "_"
// (unless the pattern has the "all:" prefix). A pattern that matches
// nothing is an error, as it is for the go command.
func EmbeddedFiles(fsys fs.FS, goFile string, src []byte) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), goFile, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, group := range f.Comments {
		for _, c := range group.List {
			args, ok := strings.CutPrefix(c.Text, "//go:embed")
			if !ok || (args != "" && args[0] != ' ' && args[0] != '\t') {
				continue
			}
			patterns, err := splitEmbedArgs(args)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", goFile, err)
			}
			for _, p := range patterns {
				matched, err := resolveEmbed(fsys, path.Dir(goFile), p)
				if err != nil {
					return nil, fmt.Errorf("%s: //go:embed %s: %w", goFile, p, err)
				}
				files = append(files, matched...)
			}
		}
	}
	return files, nil
}

// splitEmbedArgs splits a directive's arguments: space-separated patterns,
// each possibly a Go string literal ("…" or `…`) when it holds spaces.
func splitEmbedArgs(s string) ([]string, error) {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		switch s[0] {
		case '"', '`':
			i := 1
			for i < len(s) && s[i] != s[0] {
				if s[0] == '"' && s[i] == '\\' {
					i++ // an escaped character
				}
				i++
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated quoted pattern %s", s)
			}
			p, err := strconv.Unquote(s[:i+1])
			if err != nil {
				return nil, fmt.Errorf("bad quoted pattern %s: %w", s[:i+1], err)
			}
			out = append(out, p)
			s = s[i+1:]
		default:
			i := strings.IndexAny(s, " \t")
			if i < 0 {
				i = len(s)
			}
			out = append(out, s[:i])
			s = s[i:]
		}
	}
	return out, nil
}

func resolveEmbed(fsys fs.FS, dir, pattern string) ([]string, error) {
	pattern, all := strings.CutPrefix(pattern, "all:")
	matches, err := fs.Glob(fsys, path.Join(dir, pattern))
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("no matching files found")
	}
	var files []string
	for _, m := range matches {
		err := fs.WalkDir(fsys, m, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			base := path.Base(p)
			if p != m && !all && (strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_")) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// Report is what [Check] finds wrong.
type Report struct {
	Unrecorded []string // data files no entry covers
	Stale      []Entry  // entries that cover no data file
}

// OK reports whether the manifest records every data file and nothing else.
func (r Report) OK() bool { return len(r.Unrecorded) == 0 && len(r.Stale) == 0 }

// String lists the problems, one a line.
func (r Report) String() string {
	var b strings.Builder
	for _, f := range r.Unrecorded {
		fmt.Fprintf(&b, "%s: no source and licence recorded in %s\n", f, ManifestName)
	}
	for _, e := range r.Stale {
		fmt.Fprintf(&b, "%s:%d: %s covers no data file\n", ManifestName, e.Line, e.Pattern)
	}
	return b.String()
}

// Check compares the data files of fsys with the manifest's entries.
func Check(fsys fs.FS, entries []Entry) (Report, error) {
	files, err := DataFiles(fsys)
	if err != nil {
		return Report{}, err
	}
	var r Report
	used := make([]bool, len(entries))
	for _, f := range files {
		covered := false
		for i, e := range entries {
			if Match(e.Pattern, f) {
				covered, used[i] = true, true
			}
		}
		if !covered {
			r.Unrecorded = append(r.Unrecorded, f)
		}
	}
	for i, e := range entries {
		if !used[i] {
			r.Stale = append(r.Stale, e)
		}
	}
	return r, nil
}
