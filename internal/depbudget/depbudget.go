package depbudget

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Budget is what testdata/budget.txt says: for each package (its import
// path relative to the module, "." for the root), the third-party
// modules it may depend on, and the named groups lines use.
type Budget struct {
	// Packages maps a package to its allowed modules (groups expanded),
	// sorted.
	Packages map[string][]string
	// Lines keeps each package's line as written (with group names), for
	// the documentation table, in file order.
	Lines []Line
	// Groups maps "@name" to its modules, in file order of Lines' use.
	Groups map[string][]string
	// GroupOrder lists the group names in file order.
	GroupOrder []string
}

// Line is one package line of the budget as written.
type Line struct {
	Package string
	Items   []string // module paths and @groups, as written
}

// ParseBudget reads a budget: "#" starts a comment; "@name: module …"
// defines a group; "package: module-or-@group …" gives a package's
// budget (nothing after the colon: the standard library only). Every
// package and group appears once.
func ParseBudget(r io.Reader) (*Budget, error) {
	b := &Budget{Packages: map[string][]string{}, Groups: map[string][]string{}}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		name, rest, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("budget line %d: want \"package: modules\" or \"@group: modules\"", n)
		}
		items := strings.Fields(rest)
		if strings.HasPrefix(name, "@") {
			if _, dup := b.Groups[name]; dup {
				return nil, fmt.Errorf("budget line %d: group %s defined twice", n, name)
			}
			b.Groups[name] = items
			b.GroupOrder = append(b.GroupOrder, name)
			continue
		}
		if _, dup := b.Packages[name]; dup {
			return nil, fmt.Errorf("budget line %d: package %s listed twice", n, name)
		}
		var mods []string
		for _, it := range items {
			if strings.HasPrefix(it, "@") {
				g, ok := b.Groups[it]
				if !ok {
					return nil, fmt.Errorf("budget line %d: group %s used before it is defined", n, it)
				}
				mods = append(mods, g...)
				continue
			}
			mods = append(mods, it)
		}
		slices.Sort(mods)
		b.Packages[name] = slices.Compact(mods)
		b.Lines = append(b.Lines, Line{Package: name, Items: items})
	}
	return b, sc.Err()
}

// Package is one package of the module as go list sees it.
type Package struct {
	// Path is the import path relative to the module ("core/sessions").
	Path string
	// Public is false for commands, internal packages and the examples,
	// which no user imports.
	Public bool
	// Modules are the third-party modules of its non-test dependencies,
	// sorted; Via gives, for each, one package of it that is imported.
	Modules []string
	Via     map[string]string
}

type listed struct {
	ImportPath string
	Name       string
	Standard   bool
	DepOnly    bool
	Deps       []string
	Module     *struct{ Path string }
}

// Platforms are the GOOS/GOARCH pairs List looks at: a file built only
// on one of them (zz_windows.go, a darwin-only dependency of a driver)
// counts, and the budget holds for a contributor on any of them.
var Platforms = []string{"linux/amd64", "darwin/arm64", "windows/amd64"}

// List runs `go list -deps` in dir (a module's root) over patterns for
// each of Platforms, with the overlay file given to -overlay when not "",
// and returns the packages the patterns match with the third-party
// modules they depend on on any platform.
func List(dir, overlay string, patterns ...string) ([]Package, error) {
	byPath := map[string]*Package{}
	var order []string
	for _, platform := range Platforms {
		pkgs, err := listOn(platform, dir, overlay, patterns...)
		if err != nil {
			return nil, err
		}
		for _, p := range pkgs {
			q, ok := byPath[p.Path]
			if !ok {
				q = &Package{Path: p.Path, Public: p.Public, Via: map[string]string{}}
				byPath[p.Path] = q
				order = append(order, p.Path)
			}
			for _, m := range p.Modules {
				if _, seen := q.Via[m]; !seen {
					q.Via[m] = p.Via[m]
					q.Modules = append(q.Modules, m)
				}
			}
		}
	}
	slices.Sort(order)
	pkgs := make([]Package, 0, len(order))
	for _, path := range order {
		p := byPath[path]
		slices.Sort(p.Modules)
		pkgs = append(pkgs, *p)
	}
	return pkgs, nil
}

// listOn is List for one GOOS/GOARCH.
func listOn(platform, dir, overlay string, patterns ...string) ([]Package, error) {
	goos, goarch, _ := strings.Cut(platform, "/")
	args := []string{"list", "-deps", "-json=ImportPath,Name,Standard,DepOnly,Deps,Module"}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.Command("go", append(args, patterns...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list (%s): %v: %s", platform, err, stderr.Bytes())
	}
	modCmd := exec.Command("go", "list", "-m")
	modCmd.Dir = dir
	mainOut, err := modCmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m: %v", err)
	}
	main := strings.TrimSpace(string(mainOut))
	if main == "" || strings.Contains(main, "\n") {
		return nil, errors.New("go list -m: want exactly one main module")
	}
	moduleOf := map[string]string{}
	var roots []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listed
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		if p.Module != nil && !p.Standard {
			moduleOf[p.ImportPath] = p.Module.Path
		}
		if !p.DepOnly && p.Module != nil && p.Module.Path == main {
			roots = append(roots, p)
		}
	}
	var pkgs []Package
	for _, r := range roots {
		rel := strings.TrimPrefix(strings.TrimPrefix(r.ImportPath, main), "/")
		if rel == "" {
			rel = "."
		}
		p := Package{Path: rel, Public: isPublic(rel, r.Name), Via: map[string]string{}}
		for _, d := range r.Deps {
			m, ok := moduleOf[d]
			if !ok || m == main {
				continue
			}
			if _, seen := p.Via[m]; !seen {
				p.Via[m] = d
				p.Modules = append(p.Modules, m)
			}
		}
		slices.Sort(p.Modules)
		pkgs = append(pkgs, p)
	}
	slices.SortFunc(pkgs, func(a, b Package) int { return strings.Compare(a.Path, b.Path) })
	return pkgs, nil
}

func isPublic(rel, name string) bool {
	if name == "main" || rel == "examples" || strings.HasPrefix(rel, "examples/") {
		return false
	}
	for _, el := range strings.Split(rel, "/") {
		if el == "internal" {
			return false
		}
	}
	return true
}

// Check compares the public packages with the budget and returns one
// message per difference: a module a package depends on beyond its
// budget (naming the package of it that is imported), a module of its
// budget it no longer needs, a public package the budget does not list,
// and, when complete is set (pkgs are all the module's packages), a
// budget line for a package that does not exist.
func Check(b *Budget, pkgs []Package, complete bool) []string {
	var problems []string
	seen := map[string]bool{}
	for _, p := range pkgs {
		if !p.Public {
			continue
		}
		seen[p.Path] = true
		allowed, ok := b.Packages[p.Path]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: not in the budget; add a line for it (it depends on: %s)", p.Path, orNone(p.Modules)))
			continue
		}
		for _, m := range p.Modules {
			if !slices.Contains(allowed, m) {
				problems = append(problems, fmt.Sprintf("%s: depends on %s (it imports %s), which its budget does not allow", p.Path, m, p.Via[m]))
			}
		}
		for _, m := range allowed {
			if !slices.Contains(p.Modules, m) {
				problems = append(problems, fmt.Sprintf("%s: no longer depends on %s; remove it from its budget", p.Path, m))
			}
		}
	}
	if complete {
		for _, l := range b.Lines {
			if !seen[l.Package] {
				problems = append(problems, fmt.Sprintf("%s: in the budget but not a public package of the module", l.Package))
			}
		}
	}
	return problems
}

func orNone(mods []string) string {
	if len(mods) == 0 {
		return "the standard library only"
	}
	return strings.Join(mods, ", ")
}

// Table renders the budget as the Markdown tables of
// docs/architecture.md: the groups, then each package with its groups and
// modules.
func (b *Budget) Table() string {
	var sb strings.Builder
	sb.WriteString("| Group | Modules |\n|---|---|\n")
	for _, g := range b.GroupOrder {
		fmt.Fprintf(&sb, "| `%s` | %s |\n", g, codeList(b.Groups[g]))
	}
	sb.WriteString("\n| Package | Third-party modules it may depend on |\n|---|---|\n")
	for _, l := range b.Lines {
		items := codeList(l.Items)
		if items == "" {
			items = "none (standard library only)"
		}
		fmt.Fprintf(&sb, "| `%s` | %s |\n", l.Package, items)
	}
	return sb.String()
}

func codeList(items []string) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = "`" + it + "`"
	}
	return strings.Join(out, ", ")
}

// ExportedNames returns the exported top-level names (types, functions,
// constants, variables; not methods or fields) of the package in dir,
// sorted, tests excluded.
func ExportedNames(dir string) ([]string, error) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					names = append(names, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							names = append(names, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, id := range s.Names {
							if id.IsExported() {
								names = append(names, id.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names, nil
}
