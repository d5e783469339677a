package doclint

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the repository's root, two directories up.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// report fails the test with the findings, one a line.
func report(t *testing.T, what string, found []Finding) {
	t.Helper()
	if len(found) == 0 {
		return
	}
	lines := make([]string, len(found))
	for i, f := range found {
		lines[i] = "    " + f.String()
	}
	t.Errorf("%s (%d):\n%s", what, len(found), strings.Join(lines, "\n"))
}

// TestRepositoryDocComments is the lint step: every exported identifier
// of the module has a doc comment and every package a doc.go.
func TestRepositoryDocComments(t *testing.T) {
	found, err := CheckDocs(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	report(t, "document these exported identifiers and packages", found)
}

// TestEveryPackageVerifiesLeaks is the goroutine-leak rule: every
// package of the module with tests runs goleak.VerifyTestMain in its
// TestMain.
func TestEveryPackageVerifiesLeaks(t *testing.T) {
	found, err := CheckLeakVerification(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	report(t, "verify goroutine leaks in TestMain (func TestMain(m *testing.M) { goleak.VerifyTestMain(m) })", found)
}

// TestCheckLeakVerification: a package with tests and no TestMain, and
// one whose TestMain runs the tests without goleak, are reported; one
// with goleak.VerifyTestMain, and one without tests, are not.
func TestCheckLeakVerification(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod":             "module example.com/m\n",
		"none/a.go":          "package none\n",
		"none/a_test.go":     "package none\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n",
		"plain/a.go":         "package plain\n",
		"plain/main_test.go": "package plain\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestMain(m *testing.M) { os.Exit(m.Run()) }\n",
		"good/a.go":          "package good\n",
		"good/x_test.go":     "package good_test\n\nimport (\n\t\"testing\"\n\n\t\"go.uber.org/goleak\"\n)\n\nfunc TestMain(m *testing.M) {\n\tsetup()\n\tgoleak.VerifyTestMain(m)\n}\n",
		"untested/a.go":      "package untested\n",
		"nested/go.mod":      "module example.com/nested\n",
		"nested/a_test.go":   "package nested\n",
	}
	for name, src := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	found, err := CheckLeakVerification(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range found {
		got = append(got, f.String())
	}
	want := []string{
		"none/*_test.go:0: the package has tests but no TestMain calling goleak.VerifyTestMain",
		"plain/main_test.go:0: TestMain does not call goleak.VerifyTestMain",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFeatureMapProofsResolve: every test, Example, fuzz target and
// benchmark docs/feature-map.md names as a proof is declared in the
// repository.
func TestFeatureMapProofsResolve(t *testing.T) {
	root := repoRoot(t)
	featureMap, err := os.ReadFile(filepath.Join(root, "docs", "feature-map.md"))
	if err != nil {
		t.Fatal(err)
	}
	names := ProofNames(featureMap)
	if len(names) < 100 {
		t.Fatalf("found only %d proof names in the feature map: is the table read right?", len(names))
	}
	declared, err := DeclaredTests(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !declared[name] {
			t.Errorf("docs/feature-map.md names %s as a proof, but no Go file declares it", name)
		}
	}
}

// TestFeatureMapNamesFeaturesInWords: the feature map's first column
// names each reference feature in words, never by pointing at a document
// (a Markdown file, a relative path, a link).
func TestFeatureMapNamesFeaturesInWords(t *testing.T) {
	featureMap, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "feature-map.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for i, line := range strings.Split(string(featureMap), "\n") {
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") {
			continue
		}
		rows++
		feature := strings.Split(strings.Trim(line, "|"), "|")[0]
		for _, pointer := range []string{".md", "../", "http://", "https://", "]("} {
			if strings.Contains(feature, pointer) {
				t.Errorf("docs/feature-map.md:%d: the reference feature points at a document (%q) instead of naming it: %s", i+1, pointer, feature)
			}
		}
	}
	if rows < 100 {
		t.Fatalf("read only %d table rows", rows)
	}
}

// TestGettingStartedMatchesExamples: each Go block of
// docs/getting-started.md marked <!-- from FILE --> is, line for line,
// part of that file's code one tab in (the body of its Example), so the
// guide shows code that compiles and runs.
func TestGettingStartedMatchesExamples(t *testing.T) {
	root := repoRoot(t)
	guide, err := os.ReadFile(filepath.Join(root, "docs", "getting-started.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)<!-- from (\\S+) -->\n```go\n(.*?)\n```").FindAllStringSubmatch(string(guide), -1)
	if len(blocks) != 4 {
		t.Fatalf("docs/getting-started.md has %d marked Go blocks, want one per framework (4)", len(blocks))
	}
	for _, b := range blocks {
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(b[1])))
		if err != nil {
			t.Fatal(err)
		}
		indented := "\t" + strings.ReplaceAll(b[2], "\n", "\n\t")
		indented = strings.ReplaceAll(indented, "\n\t\n", "\n\n") // blank lines carry no tab
		if !strings.Contains(string(src), indented+"\n") {
			t.Errorf("docs/getting-started.md's block from %s is not the code of that file: copy the Example's body again", b[1])
		}
	}
}

// outsideRepository is the path the repository's documents once referred
// to and a clone does not have (written in two parts, so that this file
// does not match it).
const outsideRepository = ".." + "/shared"

// TestNoReferencesOutsideRepository: no tracked file refers to the
// sibling directory outsideRepository names, whose documents a clone of
// the repository does not have.
func TestNoReferencesOutsideRepository(t *testing.T) {
	root := repoRoot(t)
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): the tracked files are unknown", err)
	}
	files := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	if !slices.Contains(files, "README.md") {
		t.Fatalf("git ls-files did not list README.md: %q…", files[:min(len(files), 5)])
	}
	found, err := FindReferences(root, files, outsideRepository)
	if err != nil {
		t.Fatal(err)
	}
	report(t, "the repository must stand alone: these lines refer to files outside it", found)
}

// TestCheckSource: each kind of exported identifier without a doc comment
// is found, and documented ones, unexported ones and methods of
// unexported types are not.
func TestCheckSource(t *testing.T) {
	src := `// Package p is a sample.
package p

func Undocumented() {}

// Documented does nothing.
func Documented() {}

func unexported() {}

type T struct{}

func (T) Method() {}

func (*T) PtrMethod() {}

type hidden struct{}

func (hidden) Exported() {}

type G[K any] struct{}

func (G[K]) Generic() {}

const C = 1

var V = 2

const (
	A = iota // A is documented by its line comment.
	B
)

// Grouped values are documented by the group's comment.
var (
	X = 1
	Y = 2
)

type (
	// Inner is documented.
	Inner int
	Outer int
)
`
	found, err := CheckSource("p.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range found {
		got = append(got, f.String())
	}
	want := []string{
		"p.go:4: func Undocumented has no doc comment",
		"p.go:11: type T has no doc comment",
		"p.go:13: method T.Method has no doc comment",
		"p.go:15: method T.PtrMethod has no doc comment",
		"p.go:21: type G has no doc comment",
		"p.go:23: method G.Generic has no doc comment",
		"p.go:25: const C has no doc comment",
		"p.go:27: var V has no doc comment",
		"p.go:31: const B has no doc comment",
		"p.go:43: type Outer has no doc comment",
	}
	if !slices.Equal(got, want) {
		t.Errorf("CheckSource found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheckDocsPackage: a package without doc.go is found, and one whose
// doc.go has no package comment; testdata and nested modules are not
// checked.
func TestCheckDocsPackage(t *testing.T) {
	root := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n")
	write("good/doc.go", "// Package good is documented.\npackage good\n")
	write("good/good.go", "package good\n\n// F is documented.\nfunc F() {}\n")
	write("good/good_test.go", "package good\n\nfunc Undocumented() {}\n")
	write("nodoc/a.go", "// Package nodoc has its comment elsewhere.\npackage nodoc\n")
	write("bare/doc.go", "package bare\n")
	write("good/testdata/x.go", "package x\n\nfunc Undocumented() {}\n")
	write("nested/go.mod", "module example.com/nested\n")
	write("nested/n.go", "package n\n\nfunc Undocumented() {}\n")
	found, err := CheckDocs(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range found {
		got = append(got, f.String())
	}
	want := []string{
		"bare/doc.go:0: the package has no doc.go with its package comment",
		"nodoc/doc.go:0: the package has no doc.go with its package comment",
	}
	if !slices.Equal(got, want) {
		t.Errorf("CheckDocs found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestProofNames: names are taken from the last column only, qualified
// names and subtests reduced to their function.
func TestProofNames(t *testing.T) {
	md := "| feature | Go | status | proof |\n|---|---|---|---|\n" +
		"| TestInFeatureColumn | `x` | done | `core_test.ExampleHTTPBasicAuth`, showcase `TestShowcase/MFA`, `FuzzX`, BenchmarkY |\n" +
		"| f | g | done | `TestShowcase/Sessions/{db,memory}` |\n"
	got := ProofNames([]byte(md))
	want := []string{"ExampleHTTPBasicAuth", "TestShowcase", "FuzzX", "BenchmarkY"}
	if !slices.Equal(got, want) {
		t.Errorf("ProofNames = %q, want %q", got, want)
	}
}

// TestFindReferences finds each line that holds the needle.
func TestFindReferences(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.md"), []byte("fine\nsee "+outsideRepository+"/x.md\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	found, err := FindReferences(root, []string{"a.md", "gone.md"}, outsideRepository)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].String() != "a.md:2: refers to "+outsideRepository {
		t.Errorf("FindReferences = %v", found)
	}
}
