package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/internal/djangotest"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

const python = "/usr/bin/python3"

// requirePython skips the test when /usr/bin/python3 cannot import the
// comma-separated modules, or fails it when Django is required
// (djangotest.Required: CI=true, or REINHARDT_REQUIRE_DJANGO=1, which
// scripts/deps.sh sets when Django is there).
func requirePython(t *testing.T, modules string) {
	t.Helper()
	if err := exec.Command(python, "-c", "import "+modules).Run(); err != nil {
		if djangotest.Required() {
			t.Fatalf("Django is required (CI=true or REINHARDT_REQUIRE_DJANGO=1) but %s cannot import %s: %v", python, modules, err)
		}
		t.Skipf("%s cannot import %s (%v); set REINHARDT_REQUIRE_DJANGO=1 to make this fatal", python, modules, err)
	}
}

// requireDjango: Debian's Django 3.2 with argon2 and bcrypt.
func requireDjango(t *testing.T) { requirePython(t, "django, argon2, bcrypt") }

// runPython runs the Python script (a path) with args and decodes its
// JSON output into out (nil: the output is not read).
func runPython(t *testing.T, script string, out any, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{script}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	name := filepath.Base(script)
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, args[0], err, stderr.String())
	}
	if out != nil {
		if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, args[0], err, stdout.String())
		}
	}
}

// runEmbeddedPython writes source to a temporary file named name and runs
// it as runPython does, with db (the database arguments) before args.
func runEmbeddedPython(t *testing.T, name, source string, db []string, out any, args ...string) {
	t.Helper()
	script := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(script, []byte(source), 0o600); err != nil {
		t.Fatal(err)
	}
	runPython(t, script, out, append(slices.Clone(db), args...)...)
}

// django runs testdata/djangoctl.py and decodes its JSON output into out.
func django(t *testing.T, out any, args ...string) {
	t.Helper()
	runPython(t, filepath.Join("testdata", "djangoctl.py"), out, args...)
}

// interopDB is a database that both this store (URL, for Open) and
// testdata/djangoctl.py (Django, its DB argument) open, and how to list its
// schema (Objects).
type interopDB struct {
	URL     string
	Django  string
	Objects func(t *testing.T, db *sql.DB) []string
	// FoldsCase: the database's collation compares usernames ignoring
	// case (MariaDB's default utf8mb4 one), so Django's exact lookup there
	// finds "CASEY" for casey.
	FoldsCase bool
}

// interopDBs runs f on an empty SQLite file and on an empty MariaDB
// database of its own (skipped, or fatal when Django or the services are
// required, without MySQLdb or REINHARDT_TEST_MYSQL).
func interopDBs(t *testing.T, f func(t *testing.T, db interopDB)) {
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "django.sqlite3")
		f(t, interopDB{URL: "sqlite:" + path, Django: path, Objects: sqliteObjects})
	})
	t.Run("MariaDB", func(t *testing.T) {
		requirePython(t, "MySQLdb")
		u, name := mysqlDatabase(t)
		f(t, interopDB{URL: u, Django: u, Objects: func(t *testing.T, db *sql.DB) []string { return mysqlCatalog(t, db, name) }, FoldsCase: true})
	})
}

type djangoAuth struct {
	OK   bool        `json:"ok"`
	User *djangoUser `json:"user"`
}

type djangoCheckResult struct {
	Plan           []string `json:"plan"`
	CheckExit      int      `json:"check_exit"`
	Applied        []string `json:"applied"`
	ShowMigrations string   `json:"showmigrations"`
}

// TestDjangoInteropDjangoMadeDB: Django 3.2 makes a database with its
// hashers at their default work factors (argon2, pbkdf2_sha256, md5; bcrypt
// and bcrypt_sha256 at 4 rounds instead of 12, as pure-Go bcrypt under the
// race detector takes seconds at 12), a group with permissions, an
// inactive user and one with an unusable password. This store opens it: users authenticate with their passwords,
// permissions load, inactive and unusable users are refused, and the hashes
// upgraded here still authenticate in Django. On SQLite, and on MariaDB
// (where Django makes no second case variant of a username: the
// database's collation refuses it).
func TestDjangoInteropDjangoMadeDB(t *testing.T) {
	requireDjango(t)
	interopDBs(t, djangoMadeDB)
}

func djangoMadeDB(t *testing.T, db interopDB) {
	var m djangoManifest
	start := time.Now()
	django(t, &m, "populate", db.Django, "--fast-bcrypt")
	t.Logf("Django %s made %d users in %v", m.Django, len(m.Users), time.Since(start))

	ctx := testCtx(t)
	s, err := sqlstore.Open(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	upgraded := checkDjangoUsers(t, s, m)
	if len(upgraded) == 0 {
		t.Fatal("no hash was upgraded")
	}
	// Django 3.2 made casey and Casey on SQLite (checkDjangoUsers logged
	// both in), casey on MariaDB; another case variant is not created here.
	for _, n := range []string{"CASEY", "cAsEy"} {
		if u, err := s.CreateUser(ctx, n, nil, nil); !errors.Is(err, core.ErrDuplicateUsername) {
			t.Errorf("CreateUser(%s) beside Django's casey and Casey: %v, %v; want ErrDuplicateUsername", n, u, err)
		}
	}

	// A login recorded here, read by Django.
	when := time.Date(2025, 3, 4, 5, 6, 7, 890123000, time.UTC)
	u, err := s.UserByUsername(ctx, "md5_user")
	if err != nil || u == nil {
		t.Fatalf("UserByUsername(md5_user) = %v, %v", u, err)
	}
	if err := core.NewModelBackend(s).RecordLogin(ctx, u, when); err != nil {
		t.Fatal(err)
	}
	// Django authenticates every upgraded hash; the inactive user is
	// refused there too.
	args := []string{"authenticate", db.Django}
	var names []string
	for name, pw := range upgraded {
		args = append(args, name, pw)
		names = append(names, name)
	}
	args = append(args, "inactive_user", "inactive pass", "CASEY", "lower casey pass")
	var results []djangoAuth
	django(t, &results, args...)
	if len(results) != len(names)+2 {
		t.Fatalf("%d answers from Django", len(results))
	}
	// Django on MariaDB logs "CASEY" in as casey (its lookup takes the
	// collation's verdict); here a login name is one exact string on
	// every database.
	if res := results[len(names)+1]; res.OK != db.FoldsCase || (res.OK && res.User.Username != "casey") {
		t.Errorf("Django's authenticate(CASEY, casey's password) = %+v; want ok %v (the collation's verdict)", res, db.FoldsCase)
	}
	if got, err := core.NewModelBackend(s).Authenticate(ctx, "CASEY", "lower casey pass"); got != nil || err != nil {
		t.Errorf("Authenticate(CASEY, casey's password) here = %v, %v; want no user: lookups are exact", got, err)
	}
	for i, name := range names {
		res := results[i]
		if !res.OK {
			t.Errorf("Django refuses %s after this store upgraded its hash", name)
			continue
		}
		if name == "md5_user" && (res.User.LastLogin == nil || !parseISO(t, *res.User.LastLogin).Equal(when)) {
			t.Errorf("Django reads last_login %v, this store wrote %v", res.User.LastLogin, when)
		}
	}
	if results[len(names)].OK {
		t.Errorf("Django authenticates the inactive user")
	}
	// Django may re-hash with its own argon2 parameters; this store still
	// reads and accepts the result.
	backend := core.NewModelBackend(s)
	for name, pw := range upgraded {
		if got, err := backend.Authenticate(ctx, name, pw); err != nil || got == nil {
			t.Errorf("%s no longer authenticates here after logging in to Django: %v", name, err)
		}
	}
}

// TestDjangoInteropGoMadeDB: Migrate makes an empty database (SQLite, and
// MariaDB) and users are created here; Django then finds no migration to
// run, migrate changes nothing, and Django authenticates the users with
// the permissions given here.
func TestDjangoInteropGoMadeDB(t *testing.T) {
	requireDjango(t)
	interopDBs(t, goMadeDB)
}

func goMadeDB(t *testing.T, db interopDB) {
	ctx := testCtx(t)
	s, err := sqlstore.Open(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	joined := time.Date(2024, 1, 2, 3, 4, 5, 600000000, time.UTC)
	s.Now = func() time.Time { return joined }
	pw := "gö password ☃"
	gouser, err := s.CreateUser(ctx, "gouser", &pw, map[string]any{"email": "Go@Example.COM", "first_name": "Go", "last_name": "Pher"})
	if err != nil {
		t.Fatal(err)
	}
	adminPW := "admin password"
	if _, err := s.CreateSuperuser(ctx, "goadmin", &adminPW, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "gosso", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "goinactive", &pw, map[string]any{"is_active": false}); err != nil {
		t.Fatal(err)
	}
	publish, err := s.EnsurePermission(ctx, "blog", "article", "publish_article", "Can publish article")
	if err != nil {
		t.Fatal(err)
	}
	viewUser, err := s.EnsurePermission(ctx, "auth", "user", "view_user", "Can view user")
	if err != nil {
		t.Fatal(err)
	}
	if viewUser != 16 {
		t.Errorf("auth.view_user has id %d; Django gives it 16", viewUser)
	}
	editors, err := s.CreateGroup(ctx, "editors")
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		s.AddGroupPermission(ctx, editors, publish),
		s.AddUserToGroup(ctx, gouser.ID, editors),
		s.AddUserPermission(ctx, gouser.ID, viewUser),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	login := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.FixedZone("X", -3*3600))
	if err := s.SetLastLogin(ctx, gouser.GetID(), login); err != nil {
		t.Fatal(err)
	}
	schema := db.Objects(t, s.DB())
	perms := queryStrings(t, s.DB(), `SELECT "id" || ' ' || "codename" FROM "auth_permission" ORDER BY "id"`)
	s.Close()

	var chk djangoCheckResult
	django(t, &chk, "check", db.Django)
	if len(chk.Plan) != 0 || chk.CheckExit != 0 {
		t.Errorf("Django would still migrate %v (migrate --check exit %d)\n%s", chk.Plan, chk.CheckExit, chk.ShowMigrations)
	}
	// contenttypes and auth (14), simplejwt's token_blacklist (11) and
	// sessions (1), recorded for a project that installs them
	// (TestTokensDjangoInterop, TestSessionsDjangoInterop).
	if len(chk.Applied) != 26 || strings.Contains(chk.ShowMigrations, "[ ]") {
		t.Errorf("Django sees %d applied migrations:\n%s", len(chk.Applied), chk.ShowMigrations)
	}

	var results []djangoAuth
	django(t, &results, "authenticate", db.Django, "gouser", pw, "goadmin", adminPW,
		"gosso", "", "gosso", "!", "goinactive", pw, "gouser", "wrong")
	if len(results) != 6 {
		t.Fatalf("%d answers from Django", len(results))
	}
	if !results[0].OK {
		t.Fatal("Django refuses a user created here")
	}
	du := results[0].User
	wantPerms := []string{"auth.view_user", "blog.publish_article"}
	if !slices.Equal(du.AllPermissions, wantPerms) || du.Email != "Go@example.com" || du.FirstName != "Go" || du.LastName != "Pher" {
		t.Errorf("Django reads permissions %v, email %q, names %q %q; want permissions %v", du.AllPermissions, du.Email, du.FirstName, du.LastName, wantPerms)
	}
	if !parseISO(t, du.DateJoined).Equal(joined) {
		t.Errorf("Django reads date_joined %s, written %v", du.DateJoined, joined)
	}
	if du.LastLogin == nil || !parseISO(t, *du.LastLogin).Equal(login) {
		t.Errorf("Django reads last_login %v, written %v", du.LastLogin, login)
	}
	if res := results[1]; !res.OK || !res.User.IsSuperuser || !res.User.IsStaff {
		t.Errorf("Django: superuser made here: ok=%v", res.OK)
	}
	for i, res := range results[2:] {
		if res.OK {
			t.Errorf("Django authenticates refused case %d (unusable, inactive or wrong password)", i)
		}
	}

	// Django's migrate (not just --check) leaves the database as it is:
	// no table, index or default permission is added.
	django(t, nil, "migrate", db.Django)
	s2, err := sqlstore.Open(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := db.Objects(t, s2.DB()); !slices.Equal(got, schema) {
		t.Errorf("Django's migrate changed the schema:\nbefore %q\nafter  %q", schema, got)
	}
	if got := queryStrings(t, s2.DB(), `SELECT "id" || ' ' || "codename" FROM "auth_permission" ORDER BY "id"`); !slices.Equal(got, perms) {
		t.Errorf("Django's migrate changed the permissions:\nbefore %q\nafter  %q", perms, got)
	}
	// Django re-hashed gouser's password with its own Argon2 parameters on
	// login; it still authenticates here.
	s2.Hashers = nil
	if got, err := core.NewModelBackend(s2).Authenticate(ctx, "gouser", pw); err != nil || got == nil {
		t.Errorf("gouser no longer authenticates here after logging in to Django: %v", err)
	}
	if err := s2.Migrate(ctx); err != nil {
		t.Errorf("Migrate after Django's migrate: %v", err)
	}
}
