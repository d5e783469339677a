package examples_test

import (
	"context"
	"errors"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/examples/internal/showcasetest"
)

// TestReadmeQuickStart is the user's-eye build: the program of README.md's
// "Quick start" section, taken verbatim, becomes main.go of a new module
// outside the repository that requires this one (a replace points to the
// checkout), as a user's would. `go mod tidy` resolves its dependencies
// (from the module cache, with the checkout's go.sum, so it needs no
// network when the cache holds them), `go build` builds it, and the test
// runs it and calls it over HTTP: a JWT from the token endpoint opens the
// guarded route, which is 401 without one; a session login with CSRF, and
// an unsafe request its session authenticates, refused without the CSRF
// token. A module outside cannot import anything under internal/, so the
// build proves the public API suffices.
func TestReadmeQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module with Gin outside the repository")
	}
	goCmd, err := exec.LookPath("go") // go test puts its own GOROOT/bin first on PATH
	if err != nil {
		t.Fatalf("the go command is needed: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := quickStart(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	checkImports(t, src)
	readSources(t)

	// The user's module.
	dir := t.TempDir()
	goMod := "module example.com/quickstart\n\ngo 1.26.0\n\n" +
		"require github.com/reinhardt-go/auth v0.0.0-00010101000000-000000000000\n\n" +
		"replace github.com/reinhardt-go/auth => " + strconv.Quote(root) + "\n"
	goSum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"go.mod": goMod, "go.sum": string(goSum), "main.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"))
	goRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command(goCmd, args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	goRun("mod", "tidy")
	bin := filepath.Join(dir, "quickstart")
	goRun(append(append([]string{"build"}, raceFlags...), "-o", bin, ".")...)

	// Run it on a free port.
	const password = "a-long-pass-phrase for alice"
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(serverEnv(), "ADDR=127.0.0.1:0", "SECRET_KEY=a-quick-start-secret-of-at-least-32-bytes", "ALICE_PASSWORD="+password)
	var output showcasetest.SyncBuffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cancel()
		<-exited
		if strings.Contains(output.String(), "DATA RACE") {
			t.Errorf("the quick start raced:\n%s", output.String())
		}
	})
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	var base string
	deadline := time.After(time.Minute) // a guard against a hang: it starts in well under a second
	for base == "" {
		select {
		case <-exited:
			t.Fatalf("the quick start stopped:\n%s", output.String())
		case <-deadline:
			t.Fatalf("the quick start did not say where it listens:\n%s", output.String())
		case <-time.After(20 * time.Millisecond):
			if m := listening.FindStringSubmatch(output.String()); m != nil {
				base = m[1]
			}
		}
	}
	c := showcasetest.NewClient(t, base)

	// JWT login, and the guarded route with and without the access token.
	r := c.Do("POST", "/api/token", "", `{"username":"alice","password":"wrong"}`)
	c.Expect(r, http.StatusUnauthorized, `{"detail":"No active account found with the given credentials"}`)
	r = c.Do("POST", "/api/token", "", `{"username":"alice","password":"`+password+`"}`)
	c.Expect(r, http.StatusOK, "")
	var pair struct{ Access, Refresh string }
	r.JSON(t, &pair)
	if pair.Access == "" || pair.Refresh == "" {
		t.Fatalf("token endpoint: %s", r.Body)
	}
	c.Expect(c.Do("GET", "/api/me", "", ""), http.StatusUnauthorized, `{"detail":"Authentication credentials were not provided."}`)
	c.Expect(c.Do("GET", "/api/me", "", "", "Authorization: Bearer "+pair.Access), http.StatusOK, `{"method":"jwt","username":"alice"}`)
	c.Expect(c.Do("GET", "/api/me", "", "", "Authorization: Bearer "+pair.Access+"x"), http.StatusUnauthorized, "")
	r = c.Do("POST", "/api/token/refresh", "", `{"refresh":"`+pair.Refresh+`"}`)
	c.Expect(r, http.StatusOK, "")

	// A session login under CSRF, as a browser makes it.
	cookies := map[string]string{}
	keep := func(r showcasetest.Response) showcasetest.Response {
		for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
			cookies[ck.Name] = ck.Value
		}
		return r
	}
	jar := func() string {
		var parts []string
		for k, v := range cookies {
			parts = append(parts, k+"="+v)
		}
		return "Cookie: " + strings.Join(parts, "; ")
	}
	csrfToken := func() string {
		t.Helper()
		r := keep(c.Do("GET", "/api/auth/csrf", "", "", jar()))
		var body struct{ CSRFToken string }
		r.JSON(t, &body)
		if r.Status != http.StatusOK || body.CSRFToken == "" || cookies["csrftoken"] == "" {
			t.Fatalf("GET /api/auth/csrf: %d %s, cookies %v", r.Status, r.Body, cookies)
		}
		return body.CSRFToken
	}
	login := `{"username":"alice","password":"` + password + `"}`
	token := csrfToken()
	r = keep(c.Do("POST", "/api/auth/login", "", login, jar()))
	c.Expect(r, http.StatusForbidden, `{"detail":"CSRF Failed: CSRF token missing."}`)
	r = keep(c.Do("POST", "/api/auth/login", "", login, jar(), "X-CSRFToken: "+token))
	c.Expect(r, http.StatusOK, "")
	if cookies["sessionid"] == "" {
		t.Fatalf("no session cookie after login: %v", r.Header)
	}
	c.Expect(c.Do("GET", "/api/me", "", "", jar()), http.StatusOK, `{"method":"session","username":"alice"}`)

	// An unsafe request the session authenticates needs the CSRF token
	// (the login rotated it, as Django does: the old one is refused).
	c.Expect(c.Do("POST", "/api/notes", "", `{}`, jar()), http.StatusForbidden, `{"detail":"CSRF Failed: CSRF token missing."}`)
	c.Expect(c.Do("POST", "/api/notes", "", `{}`, jar(), "X-CSRFToken: "+token), http.StatusForbidden, "")
	c.Expect(c.Do("POST", "/api/notes", "", `{}`, jar(), "X-CSRFToken: "+csrfToken()), http.StatusCreated, `{"saved_by":"alice"}`)
	// A Bearer token needs none: CSRF concerns cookies a browser sends by itself.
	c.Expect(c.Do("POST", "/api/notes", "", `{}`, "Authorization: Bearer "+pair.Access), http.StatusCreated, `{"saved_by":"alice"}`)
}

// quickStart returns the first Go code block after README's "## Quick
// start" heading.
func quickStart(readme string) (string, error) {
	_, section, ok := strings.Cut(readme, "\n## Quick start\n")
	if !ok {
		return "", errors.New("README.md has no \"## Quick start\" section")
	}
	if next := strings.Index(section, "\n## "); next >= 0 {
		section = section[:next]
	}
	_, code, ok := strings.Cut(section, "\n```go\n")
	if !ok {
		return "", errors.New("README.md's Quick start has no ```go block")
	}
	code, _, ok = strings.Cut(code, "\n```\n")
	if !ok {
		return "", errors.New("README.md's Quick start: the ```go block is not closed")
	}
	return code + "\n", nil
}

// checkImports fails the test when the program imports a package of this
// module under internal/ (the build would fail too, less clearly) or is
// not a main package.
func checkImports(t *testing.T, src string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", src, parser.ImportsOnly)
	if err != nil {
		t.Fatalf("README's Quick start does not parse: %v", err)
	}
	if f.Name.Name != "main" {
		t.Errorf("README's Quick start is package %s, want main", f.Name.Name)
	}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if strings.HasPrefix(p, "github.com/reinhardt-go/auth/") && (strings.Contains(p, "/internal/") || strings.HasSuffix(p, "/internal")) {
			t.Errorf("README's Quick start imports %s: a user cannot", p)
		}
	}
}

func TestQuickStartExtraction(t *testing.T) {
	const readme = "# x\n\n## Quick start\n\ntext\n\n```sh\nls\n```\n\n```go\npackage main\n\nfunc main() {}\n```\n\nmore\n\n```go\nnot this\n```\n\n## Next\n\n```go\nnor this\n```\n"
	got, err := quickStart(readme)
	if want := "package main\n\nfunc main() {}\n"; err != nil || got != want {
		t.Errorf("quickStart = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{
		"# x\n\n## Set-up\n\n```go\npackage main\n```\n",
		"# x\n\n## Quick start\n\n```sh\nls\n```\n\n## Next\n\n```go\npackage main\n```\n",
		"# x\n\n## Quick start\n\n```go\npackage main\n",
	} {
		if got, err := quickStart(bad); err == nil {
			t.Errorf("quickStart(%q) = %q, want an error", bad, got)
		}
	}
}
