package provenance

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestRepositoryDataFilesHaveSources is the check itself: every data file
// of this repository has a row in DATA-SOURCES.md, and every row covers a
// data file.
func TestRepositoryDataFilesHaveSources(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.Open(filepath.Join(root, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	defer manifest.Close()
	entries, err := ParseManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(root)
	files, err := DataFiles(fsys)
	if err != nil {
		t.Fatal(err)
	}
	// The walk must find what is known to be there, or the check below
	// would pass on nothing.
	for _, want := range []string{
		"core/validators/common-passwords.txt.gz",
		"stores/sqlstore/migrations/sqlite/0001_django_auth.sql",
		"stores/sqlstore/testdata/django32.sqlite3",
	} {
		if !slices.Contains(files, want) {
			t.Errorf("DataFiles did not find %s", want)
		}
	}
	report, err := Check(fsys, entries)
	if err != nil {
		t.Fatal(err)
	}
	if !report.OK() {
		t.Errorf("record the source and licence of each data file in %s (or remove stale rows):\n%s", ManifestName, report)
	}
}

// A tree with every kind of data file, for the tests of the check.
func sampleTree() fstest.MapFS {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"go.mod":                       file("module example.com/m\n"),
		"a/a.go":                       file("package a\n\nimport \"embed\"\n\n//go:embed words.txt \"with space.txt\" static\nvar files embed.FS\n\n//go:embed all:hidden\nvar hidden embed.FS\n"),
		"a/words.txt":                  file("x"),
		"a/with space.txt":             file("x"),
		"a/static/style.css":           file("x"),
		"a/static/.keep":               file(""),
		"a/static/_draft.css":          file("x"),
		"a/hidden/.env":                file("x"),
		"a/other.txt":                  file("not embedded"),
		"a/b.go":                       file("package a\n\n// A comment that mentions //go:embed other.txt is no directive.\nvar B = 1\n"),
		"a/testdata/golden.json":       file("{}"),
		"a/testdata/gen.go":            file("//go:build ignore\n\npackage main\n\n//go:embed nothing-here\nvar x string\n"),
		"a/testdata/fuzz/FuzzX/0a1b2c": file("go test fuzz v1\n"),
		"b/testdata/deep/dir/blob.bin": file("x"),
		".git/testdata/ignored":        file("x"),
		"_old/testdata/ignored":        file("x"),
		"var/testdata/ignored":         file("x"),
	}
}

func TestDataFiles(t *testing.T) {
	got, err := DataFiles(sampleTree())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a/hidden/.env", // all: keeps hidden files
		"a/static/style.css",
		"a/testdata/fuzz/FuzzX/0a1b2c",
		"a/testdata/gen.go",
		"a/testdata/golden.json",
		"a/with space.txt",
		"a/words.txt",
		"b/testdata/deep/dir/blob.bin",
	}
	if !slices.Equal(got, want) {
		t.Errorf("DataFiles = %q\nwant %q", got, want)
	}
}

// The test of the test: a data file without a row, and a row without a
// data file, each make the check fail and are named in its report.
func TestCheckReportsUnrecordedAndStale(t *testing.T) {
	manifest := strings.Join([]string{
		"# Data sources",
		"",
		"| file | source | licence |",
		"|---|---|---|",
		"| `a/words.txt` | written for the tests | BSD-3-Clause |",
		"| `a/with space.txt` | written for the tests | BSD-3-Clause |",
		"| `a/static/*` | written for the tests | BSD-3-Clause |",
		"| `a/testdata/*` | written for the tests | BSD-3-Clause |",
		"| `**/testdata/fuzz/**` | go test -fuzz | BSD-3-Clause |",
		"| `b/**` | made by hand | CC0-1.0 |",
		"| `c/gone.txt` | removed long ago | MIT |",
	}, "\n")
	entries, err := ParseManifest(strings.NewReader(manifest))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 7 || entries[0].Pattern != "a/words.txt" || entries[0].Line != 5 || entries[5].Licence != "CC0-1.0" {
		t.Fatalf("ParseManifest = %+v", entries)
	}
	r, err := Check(sampleTree(), entries)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() {
		t.Fatal("Check passed with a data file and a row missing their counterparts")
	}
	if !slices.Equal(r.Unrecorded, []string{"a/hidden/.env"}) {
		t.Errorf("Unrecorded = %q, want [a/hidden/.env]", r.Unrecorded)
	}
	if len(r.Stale) != 1 || r.Stale[0].Pattern != "c/gone.txt" {
		t.Errorf("Stale = %+v, want the row of c/gone.txt", r.Stale)
	}
	text := r.String()
	for _, want := range []string{"a/hidden/.env: no source and licence recorded", "DATA-SOURCES.md:11: c/gone.txt covers no data file"} {
		if !strings.Contains(text, want) {
			t.Errorf("report %q lacks %q", text, want)
		}
	}

	// Recording the file and dropping the stale row makes it pass.
	entries = append(entries[:6], Entry{Pattern: "a/hidden/.env", Source: "s", Licence: "l"})
	if r, err := Check(sampleTree(), entries); err != nil || !r.OK() {
		t.Errorf("Check = %v, %v; want OK", r, err)
	}
}

func TestParseManifestRefusesIncompleteRows(t *testing.T) {
	for _, row := range []string{
		"| `a/b.txt` | somewhere |  |",
		"| `a/b.txt` |  | MIT |",
		"| `a/b.txt` | somewhere |",
		"| `/a/b.txt` | somewhere | MIT |",
		"| `a/../b.txt` | somewhere | MIT |",
		"| `a/[b.txt` | somewhere | MIT |",
	} {
		if entries, err := ParseManifest(strings.NewReader(row)); err == nil {
			t.Errorf("ParseManifest(%q) = %+v, want an error", row, entries)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, name string
		want          bool
	}{
		{"a/b.txt", "a/b.txt", true},
		{"a/b.txt", "a/b.txtx", false},
		{"a/*.txt", "a/b.txt", true},
		{"a/*.txt", "a/c/b.txt", false},
		{"a/**", "a/c/b.txt", true},
		{"a/**", "b/c.txt", false},
		{"**/testdata/fuzz/**", "core/sessions/testdata/fuzz/FuzzX/1", true},
		{"**/testdata/fuzz/**", "testdata/fuzz/FuzzX/1", true},
		{"**/testdata/fuzz/**", "core/testdata/fuzzy/1", false},
		{"s/migrations/*/*.sql", "s/migrations/sqlite/0001_x.sql", true},
		{"s/migrations/*/*.sql", "s/migrations/sqlite/README", false},
	} {
		if got := Match(c.pattern, c.name); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}

func TestEmbeddedFilesErrors(t *testing.T) {
	fsys := sampleTree()
	for _, src := range []string{
		"package a\n\n//go:embed missing.txt\nvar s string\n",
		"package a\n\n//go:embed \"words.txt\nvar s string\n",
	} {
		if files, err := EmbeddedFiles(fsys, "a/x.go", []byte(src)); err == nil {
			t.Errorf("EmbeddedFiles(%q) = %q, want an error", src, files)
		}
	}
}
