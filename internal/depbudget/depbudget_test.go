package depbudget

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the budget table in docs/architecture.md")

const (
	tableBegin = "<!-- budget table: generated from internal/depbudget/testdata/budget.txt by `go test ./internal/depbudget -update` -->\n"
	tableEnd   = "<!-- end of budget table -->\n"
)

// moduleRoot is the directory of the module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("not in a module")
	}
	return filepath.Dir(gomod)
}

func readBudget(t *testing.T) *Budget {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "budget.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := ParseBudget(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBudget is the budget itself: every public package depends on
// exactly the third-party modules testdata/budget.txt allows it.
func TestBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	b := readBudget(t)
	pkgs, err := List(moduleRoot(t), "", "./...")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < len(b.Lines) {
		t.Fatalf("go list found %d packages, the budget lists %d", len(pkgs), len(b.Lines))
	}
	for _, p := range Check(b, pkgs, true) {
		t.Error(p)
	}
}

// TestBudgetCatchesForbiddenImports is the test of the test: the real
// module, with files added through an overlay that import what the
// budget forbids — Prometheus into core/sessions, Echo into the Gin
// adapter, a new package nobody budgeted — fails the check, naming the
// package and the module; and so does every package that imports the
// offender (the net/http adapter imports core/sessions).
func TestBudgetCatchesForbiddenImports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	root := moduleRoot(t)
	dir := t.TempDir()
	files := map[string]string{
		"core/sessions/zz_forbidden.go": "package sessions\n\nimport _ \"github.com/prometheus/client_golang/prometheus\"\n",
		"adapters/gin/zz_forbidden.go":  "package ginauth\n\nimport _ \"github.com/labstack/echo/v4\"\n",
		// A file built on Windows only is checked too.
		"core/csrf/zz_forbidden_windows.go": "package csrf\n\nimport _ \"github.com/vmihailenco/msgpack/v5\"\n",
		"core/zzunbudgeted/unbudgeted.go":   "package zzunbudgeted\n\nimport _ \"github.com/reinhardt-go/auth/core\"\n",
	}
	overlay := struct{ Replace map[string]string }{Replace: map[string]string{}}
	for rel, src := range files {
		tmp := filepath.Join(dir, strings.ReplaceAll(rel, "/", "_"))
		if err := os.WriteFile(tmp, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		overlay.Replace[filepath.Join(root, rel)] = tmp
	}
	overlayFile := filepath.Join(dir, "overlay.json")
	data, _ := json.Marshal(overlay)
	if err := os.WriteFile(overlayFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	pkgs, err := List(root, overlayFile, "./core/sessions", "./core/csrf", "./adapters/gin", "./adapters/stdhttp", "./core/zzunbudgeted")
	if err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(Check(readBudget(t), pkgs, false), "\n")
	for _, want := range []string{
		"core/sessions: depends on github.com/prometheus/client_golang (it imports github.com/prometheus/client_golang/prometheus)",
		"adapters/gin: depends on github.com/labstack/echo/v4",
		"adapters/stdhttp: depends on github.com/prometheus/client_golang",
		"core/zzunbudgeted: not in the budget",
		"core/csrf: depends on github.com/vmihailenco/msgpack/v5",
	} {
		if !strings.Contains(problems, want) {
			t.Errorf("the check missed %q; it reported:\n%s", want, problems)
		}
	}

	// Without the overlay the same packages pass.
	pkgs, err = List(root, "", "./core/sessions", "./core/csrf", "./adapters/gin", "./adapters/stdhttp")
	if err != nil {
		t.Fatal(err)
	}
	if p := Check(readBudget(t), pkgs, false); len(p) != 0 {
		t.Errorf("clean packages reported: %q", p)
	}
}

// TestCheckReportsEveryDifference covers the other directions: a module
// the budget allows but the package no longer needs, and a budget line of
// a package that does not exist.
func TestCheckReportsEveryDifference(t *testing.T) {
	b, err := ParseBudget(strings.NewReader("@x: golang.org/x/crypto golang.org/x/sys\ncore: @x example.com/gone\nghost:\n"))
	if err != nil {
		t.Fatal(err)
	}
	pkgs := []Package{
		{Path: "core", Public: true, Modules: []string{"golang.org/x/crypto", "golang.org/x/sys"}},
		{Path: "core/internal/x", Public: false, Modules: []string{"example.com/anything"}},
	}
	got := strings.Join(Check(b, pkgs, true), "\n")
	for _, want := range []string{
		"core: no longer depends on example.com/gone",
		"ghost: in the budget but not a public package",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "internal") {
		t.Errorf("an internal package was checked:\n%s", got)
	}
	for _, bad := range []string{"core: @nogroup\n", "core:\ncore:\n", "no colon\n", "@g: a\n@g: b\n"} {
		if _, err := ParseBudget(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseBudget(%q) accepted it", bad)
		}
	}
}

// TestArchitectureTable keeps the budget table of docs/architecture.md
// in step with testdata/budget.txt (-update rewrites it).
func TestArchitectureTable(t *testing.T) {
	path := filepath.Join(moduleRoot(t), "docs", "architecture.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i, j := strings.Index(s, tableBegin), strings.Index(s, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no budget table markers", path)
	}
	want := readBudget(t).Table()
	got := s[i+len(tableBegin) : j]
	if got == want {
		return
	}
	if *update {
		s = s[:i+len(tableBegin)] + want + s[j:]
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the budget table in docs/architecture.md is stale: run go test ./internal/depbudget -update")
}

// TestSessionsAPISize keeps core/sessions' godoc about the handful of
// names a session user needs: at most 60 exported top-level names (types,
// functions, constants, variables); optional parts go to subpackages.
func TestSessionsAPISize(t *testing.T) {
	const limit = 60
	names, err := ExportedNames(filepath.Join(moduleRoot(t), "core", "sessions"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) > limit {
		t.Errorf("core/sessions exports %d names, over its budget of %d: %v", len(names), limit, names)
	}
	if len(names) < 20 {
		t.Errorf("core/sessions exports only %d names: is the directory right? %v", len(names), names)
	}
}

// TestSessionsTestDeps: go mod tidy records in every importer's go.sum
// what the tests of the packages it imports need, so the tests of
// core/sessions (imported by every session user and adapter) may use
// nothing beyond golang.org/x, golang-jwt (the memory store's) and
// go.uber.org/goleak (a module without dependencies, which every
// package's TestMain runs): the optional packages' suites run in those
// packages.
func TestSessionsTestDeps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command("go", "list", "-deps", "-test", "-f", "{{with .Module}}{{.Path}}{{end}}", "./core/sessions")
	cmd.Dir = moduleRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"github.com/reinhardt-go/auth": true, "golang.org/x/crypto": true, "golang.org/x/sys": true, "golang.org/x/text": true, "github.com/golang-jwt/jwt/v5": true, "go.uber.org/goleak": true}
	for _, m := range strings.Fields(string(out)) {
		if !allowed[m] {
			t.Errorf("the tests of core/sessions depend on %s: move the test that needs it to the package that does", m)
		}
	}
}
