package showcasetest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type fixtureUser struct {
	Username       string   `json:"username"`
	Password       string   `json:"password"`
	Algorithm      string   `json:"algorithm"`
	Usable         bool     `json:"usable"`
	IsActive       bool     `json:"is_active"`
	IsSuperuser    bool     `json:"is_superuser"`
	AllPermissions []string `json:"all_permissions"`
}

// djangoDatabase points the showcase at a database Django 3.2's migrations
// made (stores/sqlstore/testdata, regenerated there by make_fixture.py):
// Django's users log in with their passwords and report their own and
// group permissions; inactive users and unusable passwords are refused.
// With Django installed, the hashes upgraded on login here, and a user
// registered here, still authenticate in Django.
func djangoDatabase(t *testing.T, start Starter) {
	testdata := filepath.Join(repoRoot(), "stores", "sqlstore", "testdata")
	raw, err := os.ReadFile(filepath.Join(testdata, "django32.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Users []fixtureUser `json:"users"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(testdata, "django32.sqlite3"))
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "django.sqlite3")
	if err := os.WriteFile(dbPath, src, 0o600); err != nil {
		t.Fatal(err)
	}
	base, _ := start(t, []string{"-db", "sqlite:" + dbPath, "-secret", "django-fixture-secret-of-at-least-32-bytes"})
	c := NewClient(t, base)
	algorithms := map[string]bool{}
	for _, u := range manifest.Users {
		r := c.Do("GET", "/api/me", u.Username+":"+u.Password, "")
		if !u.Usable || !u.IsActive {
			c.Expect(r, 401, `{"detail":"Invalid username/password."}`)
			continue
		}
		var me struct {
			Permissions []string `json:"permissions"`
		}
		if r.Status != 200 {
			t.Errorf("%s (%s): %d %s", u.Username, u.Algorithm, r.Status, r.Body)
			continue
		}
		algorithms[u.Algorithm] = true
		r.JSON(t, &me)
		want := slices.Clone(u.AllPermissions)
		slices.Sort(want)
		got := me.Permissions
		if u.IsSuperuser {
			// Django gives a superuser every permission there is, and the
			// showcase adds the permissions of blog.Post, of Django's sessions app and of simplejwt's
			// token_blacklist app to the database: those may be extra.
			got = slices.DeleteFunc(slices.Clone(got), func(p string) bool {
				return !slices.Contains(want, p) && (strings.HasPrefix(p, "blog.") || strings.HasPrefix(p, "token_blacklist.") || strings.HasPrefix(p, "sessions."))
			})
		}
		if !slices.Equal(got, want) && !(len(want) == 0 && len(got) == 0) {
			t.Errorf("%s permissions %v, Django says %v", u.Username, me.Permissions, want)
		}
	}
	for _, alg := range []string{"pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt", "md5"} {
		if !algorithms[alg] {
			t.Errorf("no user with a %s hash logged in", alg)
		}
	}
	c.Expect(c.Do("POST", "/api/auth/register", "", `{"username":"gopher","email":"g@example.com","password":"registered-in-go-1"}`), 201, "")

	// One Django process answers every pair: djangoctl.py authenticate
	// DB USER PW [USER PW ...] prints [{"ok": ...}, ...].
	var pairs []string
	var names []string
	for _, u := range manifest.Users {
		if u.Usable && u.IsActive {
			pairs, names = append(pairs, u.Username, u.Password), append(names, u.Username)
		}
	}
	pairs = append(pairs, "gopher", "registered-in-go-1", "gopher", "wrong")
	names = append(names, "gopher (registered here)", "gopher with a wrong password")
	var res []struct {
		OK bool `json:"ok"`
	}
	Djangoctl(t, &res, append([]string{"authenticate", dbPath}, pairs...)...)
	if len(res) != len(names) {
		t.Fatalf("djangoctl authenticate answered %d of %d", len(res), len(names))
	}
	for i, name := range names {
		if want := i != len(names)-1; res[i].OK != want {
			t.Errorf("Django authenticate(%s) = %v, want %v", name, res[i].OK, want)
		}
	}
}

// Djangoctl runs Django 3.2 through stores/sqlstore/testdata/djangoctl.py
// with args (its command, the database: an SQLite path or, with psycopg2,
// a postgres:// URL with search_path, then the command's arguments) and
// decodes its JSON output into out. Without Django it skips, or fails when
// REINHARDT_REQUIRE_DJANGO=1 (PythonWithDjango).
func Djangoctl(t *testing.T, out any, args ...string) {
	t.Helper()
	py := PythonWithDjango(t)
	ctl := filepath.Join(repoRoot(), "stores", "sqlstore", "testdata", "djangoctl.py")
	cmd := exec.Command(py, append([]string{ctl}, args...)...)
	var stderr SyncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("djangoctl %s: %v\n%s", args[0], err, stderr.String())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("djangoctl %s: %v\n%s", args[0], err, stdout)
	}
}

// PythonImports reports whether /usr/bin/python3 imports the
// comma-separated modules (psycopg2, for Django on PostgreSQL).
func PythonImports(modules string) bool {
	return exec.Command("/usr/bin/python3", "-c", "import "+modules).Run() == nil
}
