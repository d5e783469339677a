package doclint

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Finding is one place where a check does not hold.
type Finding struct {
	// File is the file's path, slash-separated, from the checked root.
	File string
	// Line is the 1-based line, 0 for the whole file or package.
	Line int
	// Message says what is missing.
	Message string
}

// String is "file:line: message".
func (f Finding) String() string { return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Message) }

// CheckSource reports the exported identifiers of one Go source file that
// have no doc comment. name is the file's name in the findings.
func CheckSource(name string, src []byte) ([]Finding, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []Finding
	missing := func(pos token.Pos, what string) {
		out = append(out, Finding{File: name, Line: fset.Position(pos).Line, Message: what + " has no doc comment"})
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || d.Doc != nil {
				continue
			}
			if d.Recv == nil {
				missing(d.Pos(), "func "+d.Name.Name)
			} else if recv := receiverType(d.Recv); ast.IsExported(recv) {
				missing(d.Pos(), "method "+recv+"."+d.Name.Name)
			}
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && s.Doc == nil && s.Comment == nil && d.Doc == nil {
						missing(s.Pos(), "type "+s.Name.Name)
					}
				case *ast.ValueSpec:
					if s.Doc != nil || s.Comment != nil || d.Doc != nil {
						continue
					}
					for _, n := range s.Names {
						if n.IsExported() {
							missing(n.Pos(), d.Tok.String()+" "+n.Name)
							break
						}
					}
				}
			}
		}
	}
	return out, nil
}

// receiverType is the name of a method's receiver type, its pointer and
// type parameters taken off.
func receiverType(recv *ast.FieldList) string {
	if len(recv.List) == 0 {
		return ""
	}
	t := recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// CheckDocs checks every package of the module at root: the doc comments
// of CheckSource in each non-test Go file, and a doc.go carrying the
// package comment in each directory that has non-test Go files.
func CheckDocs(root string) ([]Finding, error) {
	var out []Finding
	err := walkModule(root, func(dir string, files []string) error {
		rel := slashRel(root, dir)
		hasDoc := false
		for _, file := range files {
			src, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				return err
			}
			found, err := CheckSource(joinSlash(rel, file), src)
			if err != nil {
				return err
			}
			out = append(out, found...)
			if file == "doc.go" {
				f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.PackageClauseOnly|parser.ParseComments)
				if err != nil {
					return err
				}
				hasDoc = f.Doc != nil
			}
		}
		if !hasDoc {
			out = append(out, Finding{File: joinSlash(rel, "doc.go"), Message: "the package has no doc.go with its package comment"})
		}
		return nil
	})
	return out, err
}

// CheckLeakVerification checks every package of the module at root that
// has tests: one of its _test.go files declares TestMain, and TestMain
// calls goleak.VerifyTestMain, so that a test leaving a goroutine running
// fails the package. A package without tests is not checked.
func CheckLeakVerification(root string) ([]Finding, error) {
	var out []Finding
	err := walkGoDirs(root, func(name string) bool { return strings.HasSuffix(name, "_test.go") }, func(dir string, files []string) error {
		rel := slashRel(root, dir)
		mainAt, verified := "", false
		for _, file := range files {
			src, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Recv != nil || fn.Name.Name != "TestMain" || fn.Body == nil {
					continue
				}
				mainAt = joinSlash(rel, file)
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					if isCall(n, "goleak", "VerifyTestMain") {
						verified = true
					}
					return !verified
				})
			}
		}
		switch {
		case mainAt == "":
			out = append(out, Finding{File: joinSlash(rel, "*_test.go"), Message: "the package has tests but no TestMain calling goleak.VerifyTestMain"})
		case !verified:
			out = append(out, Finding{File: mainAt, Message: "TestMain does not call goleak.VerifyTestMain"})
		}
		return nil
	})
	return out, err
}

// isCall reports whether n is a call of pkg.name.
func isCall(n ast.Node, pkg, name string) bool {
	call, ok := n.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg
}

// walkModule calls f for each directory of the module at root that holds
// non-test Go files, with their names, skipping testdata, hidden and
// underscore directories and nested modules.
func walkModule(root string, f func(dir string, files []string) error) error {
	return walkGoDirs(root, func(name string) bool { return !strings.HasSuffix(name, "_test.go") }, f)
}

// walkGoDirs calls f for each directory of the module at root that holds
// Go files whose names keep accepts, with those names, skipping testdata,
// hidden and underscore directories and nested modules.
func walkGoDirs(root string, keep func(name string) bool, f func(dir string, files []string) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != root {
			if name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		var files []string
		for _, e := range entries {
			if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".go") && keep(n) {
				files = append(files, n)
			}
		}
		if len(files) == 0 {
			return nil
		}
		return f(path, files)
	})
}

// proofName is a test, Example, fuzz target or benchmark name.
var proofName = regexp.MustCompile(`\b(?:Test|Example|Fuzz|Benchmark)[A-Za-z0-9_]*`)

// ProofNames returns the test, Example, fuzz target and benchmark names
// the last column (the proof) of each table row of a Markdown feature map
// names, each once, in order of appearance. A qualified name
// (core_test.ExampleX) gives its function (ExampleX); a subtest
// (TestShowcase/MFA) gives its test (TestShowcase).
func ProofNames(featureMap []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(featureMap))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for _, name := range proofName.FindAllString(cells[len(cells)-1], -1) {
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// declaredTest matches the declaration of a test, Example, fuzz target or
// benchmark at the start of a line.
var declaredTest = regexp.MustCompile(`(?m)^func ((?:Test|Example|Fuzz|Benchmark)[A-Za-z0-9_]*)\(`)

// DeclaredTests returns the names of the test, Example, fuzz target and
// benchmark functions declared in the Go files under root (nested modules
// included, hidden directories not): the _test.go files, and the
// conformance suites that are ordinary files (oauth2test.TestStore).
func DeclaredTests(root string) (map[string]bool, error) {
	names := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != root && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go"):
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range declaredTest.FindAllSubmatch(src, -1) {
			names[string(m[1])] = true
		}
		return nil
	})
	return names, err
}

// FindReferences reports each line of the named files (slash paths from
// root) that contains needle.
func FindReferences(root string, files []string, needle string) ([]Finding, error) {
	var out []Finding
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted in the work tree, still in the index
			}
			return nil, err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, needle) {
				out = append(out, Finding{File: name, Line: i + 1, Message: "refers to " + needle})
			}
		}
	}
	return out, nil
}

func slashRel(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

func joinSlash(dir, file string) string {
	if dir == "." {
		return file
	}
	return dir + "/" + file
}
