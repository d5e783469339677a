package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// runCmd runs authctl in-process with stdin and the environment given.
func runCmd(t *testing.T, stdin string, environ map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return environ[k] }}
	e.readSecret = terminalReader(e)
	code = run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestHashAndCheckPassword(t *testing.T) {
	code, out, _ := runCmd(t, "s3cret pass\n", nil, "hashpassword")
	encoded := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(encoded, "argon2$argon2id$") {
		t.Fatalf("hashpassword: %d %q", code, out)
	}
	// The trailing newline is not part of the password; a final line
	// without one counts.
	for stdin, want := range map[string]int{"s3cret pass\n": 0, "s3cret pass": 0, "s3cret pass\r\n": 0, "s3cret pass \n": 1, "wrong\n": 1} {
		if code, _, _ := runCmd(t, stdin, nil, "checkpassword", encoded); code != want {
			t.Errorf("checkpassword %q: exit %d, want %d", stdin, code, want)
		}
	}
	// A Django hash (H21).
	if code, _, _ := runCmd(t, "lètmein\n", nil, "checkpassword", "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3"); code != 0 {
		t.Fatal("Django md5 hash")
	}
	if code, _, errs := runCmd(t, "", nil, "hashpassword"); code != 1 || !strings.Contains(errs, "no password") {
		t.Fatalf("empty stdin: %d %s", code, errs)
	}
	if code, _, _ := runCmd(t, "x\n", nil, "checkpassword"); code != 2 {
		t.Fatal("checkpassword without ENCODED")
	}
}

func TestGenSecretAndUsage(t *testing.T) {
	code, out, _ := runCmd(t, "", nil, "gensecret")
	if code != 0 || len(strings.TrimSpace(out)) != 50 {
		t.Fatalf("gensecret: %d %q", code, out)
	}
	if code, _, errs := runCmd(t, "", nil, "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatal("unknown command")
	}
	if code, _, _ := runCmd(t, "", nil); code != 2 {
		t.Fatal("no command")
	}
}

// mysqlDB returns a mysql:// URL for a database of its own on the test
// MariaDB (REINHARDT_TEST_MYSQL), dropped when the test ends; without it
// the test skips, or fails under CI=true or REINHARDT_REQUIRE_SERVICES=1.
func mysqlDB(t *testing.T) string {
	base := os.Getenv("REINHARDT_TEST_MYSQL")
	if base == "" {
		if os.Getenv("CI") == "true" || os.Getenv("REINHARDT_REQUIRE_SERVICES") == "1" {
			t.Fatal("REINHARDT_TEST_MYSQL is not set: run the tests with `make test`, which starts MariaDB")
		}
		t.Skip("REINHARDT_TEST_MYSQL not set (make test starts a MariaDB)")
	}
	ctx := context.Background()
	admin, err := sqlstore.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	name := "authctl_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.DB().ExecContext(ctx, `CREATE DATABASE "`+name+`" CHARACTER SET utf8mb4`); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.DB().ExecContext(ctx, `DROP DATABASE "`+name+`"`); err != nil {
			t.Errorf("drop database: %v", err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestDatabaseCommands(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { databaseCommands(t, "sqlite:"+filepath.Join(t.TempDir(), "a.sqlite3")) })
	t.Run("MariaDB", func(t *testing.T) { databaseCommands(t, mysqlDB(t)) })
}

func databaseCommands(t *testing.T, db string) {
	ctx := context.Background()
	if code, _, errs := runCmd(t, "x\n", nil, "-db", db, "changepassword", "--stdin", "root"); code != 1 || !strings.Contains(errs, "authctl:") {
		t.Fatalf("changepassword before migrate: %d %s", code, errs)
	}
	if code, out, errs := runCmd(t, "", nil, "-db", db, "migrate"); code != 0 || !strings.Contains(out, "migrated") {
		t.Fatalf("migrate: %d %s %s", code, out, errs)
	}
	env := map[string]string{"REINHARDT_SUPERUSER_PASSWORD": "Adm1n-passw0rd", "REINHARDT_DB": db}
	code, out, errs := runCmd(t, "", env, "createsuperuser", "--username", "root", "--email", "root@EXAMPLE.com", "--noinput")
	if code != 0 || strings.Contains(out+errs, "Adm1n") {
		t.Fatalf("createsuperuser: %d %s %s", code, out, errs)
	}
	// Interactive: the two prompts must match and pass the validators.
	if code, _, errs := runCmd(t, "short\nshort\n", nil, "-db", db, "createsuperuser", "--username", "x"); code != 1 || !strings.Contains(errs, "This password is too short") {
		t.Fatalf("weak password accepted: %s", errs)
	}
	if code, _, errs := runCmd(t, "long enough pass\nother pass here\n", nil, "-db", db, "createsuperuser", "--username", "x"); code != 1 || !strings.Contains(errs, "didn't match") {
		t.Fatalf("mismatch accepted: %s", errs)
	}
	if code, _, _ := runCmd(t, "", env, "createsuperuser", "--username", "root", "--noinput"); code != 1 {
		t.Fatal("duplicate superuser")
	}
	if code, _, _ := runCmd(t, "n3w-Passw0rd-ok\n", env, "changepassword", "--stdin", "root"); code != 0 {
		t.Fatal("changepassword")
	}
	if code, _, _ := runCmd(t, "n3w-Passw0rd-ok\n", env, "changepassword", "--stdin", "nobody"); code != 1 {
		t.Fatal("changepassword of an unknown user")
	}
	s, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := core.NewModelBackend(s)
	if u, err := b.Authenticate(ctx, "root", "n3w-Passw0rd-ok"); err != nil || u == nil || !u.IsAdmin() {
		t.Fatalf("new password: %v %v", u, err)
	}
	if u, _ := b.Authenticate(ctx, "root", "Adm1n-passw0rd"); u != nil {
		t.Fatal("old password still works")
	}
	stored, _ := s.GetByUsername(ctx, "root")
	if stored.Email != "root@example.com" || !stored.Superuser {
		t.Fatalf("%+v", stored)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:p%40ss@h:5432/db":                      "postgres://u:xxxxx@h:5432/db",
		"postgres://u@h/db?password=hunter2&sslmode=disable": "postgres://u@h/db?password=xxxxx&sslmode=disable",
		"postgresql://h/db?sslpassword=k":                    "postgresql://h/db?sslpassword=xxxxx",
		"mysql://u:hunter2@h:3306/db?tls=true":               "mysql://u:xxxxx@h:3306/db?tls=true",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q", in, got)
		}
	}
	if got := redact("sqlite:var/x.sqlite3"); got != "sqlite:var/x.sqlite3" {
		t.Fatal(got)
	}
}

func TestSessionCommands(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { sessionCommands(t, "sqlite:"+filepath.Join(t.TempDir(), "s.sqlite3")) })
	t.Run("MariaDB", func(t *testing.T) { sessionCommands(t, mysqlDB(t)) })
}

func sessionCommands(t *testing.T, db string) {
	ctx := context.Background()
	dir := t.TempDir()
	if code, _, errs := runCmd(t, "", nil, "-db", db, "migrate"); code != 0 {
		t.Fatal(errs)
	}
	s, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	b := s.Sessions()
	m := sessions.NewManager(b)
	for i := range 3 {
		sess := m.New()
		sess.Set("n", i)
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Throttle counters: one run out an hour ago, one still counting.
	rate, err := throttle.ParseRate("1/min")
	if err != nil {
		t.Fatal(err)
	}
	for key, at := range map[string]time.Time{"old": time.Now().Add(-time.Hour), "live": time.Now()} {
		if _, err := s.Throttle().Hit(ctx, []byte(key), rate, at); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	code, out, errs := runCmd(t, "", nil, "-db", db, "migratesessions", "--from", "db", "--to", "file:"+filepath.Join(dir, "files"))
	if code != 0 || !strings.Contains(out, "copied 3 sessions") || !strings.Contains(errs, "3/3") {
		t.Fatalf("migratesessions: %d %q %q", code, out, errs)
	}
	if code, out, _ := runCmd(t, "", nil, "-db", db, "clearsessions"); code != 0 || !strings.Contains(out, "removed 0 expired sessions") || !strings.Contains(out, "and 1 run-out throttle counters") {
		t.Fatalf("clearsessions: %d %q", code, out)
	}
	if code, _, _ := runCmd(t, "", nil, "-db", db, "migratesessions", "--from", "db"); code != 2 {
		t.Fatal("migratesessions without --to")
	}
	if code, _, errs := runCmd(t, "", nil, "-db", db, "migratesessions", "--from", "cookie", "--to", "db"); code != 1 || !strings.Contains(errs, "want db") {
		t.Fatalf("bad spec: %s", errs)
	}
}

// migrate creates the database for its owner only: it keeps password
// hashes (and the showcase's secret key).
func TestMigrateCreatesPrivateDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.sqlite3")
	if code, out, errs := runCmd(t, "", nil, "-db", "sqlite:"+path, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s %s", code, out, errs)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Errorf("database created with mode %04o, want 0600", perm)
	}
	// An existing database others may read is warned about on stderr.
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCmd(t, "", nil, "-db", "sqlite:"+path, "migrate")
	if code != 0 || !strings.Contains(errs, "level=WARN") || !strings.Contains(errs, "mode=0640") {
		t.Errorf("migrate on a database others may read: %d %q", code, errs)
	}
}

// TestMigrateLockTimeout: while another process holds the database's
// migration lock (here SQLite's write lock), migrate waits --lock-timeout
// (or REINHARDT_LOCK_TIMEOUT) and fails saying who holds it; then it
// migrates.
func TestMigrateLockTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.sqlite3")
	db := "sqlite:" + path
	ctx := context.Background()
	holder, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.DB().BeginTx(ctx, nil) // BEGIN IMMEDIATE
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCmd(t, "", nil, "-db", db, "migrate", "--lock-timeout", "300ms")
	if code != 1 || !strings.Contains(errs, "timed out waiting for the migration lock") || !strings.Contains(errs, "write lock of "+path) {
		t.Errorf("migrate while locked: exit %d, %s", code, errs)
	}
	code, _, errs = runCmd(t, "", map[string]string{"REINHARDT_LOCK_TIMEOUT": "200ms"}, "-db", db, "migrate")
	if code != 1 || !strings.Contains(errs, "after 200ms") {
		t.Errorf("migrate with REINHARDT_LOCK_TIMEOUT while locked: exit %d, %s", code, errs)
	}
	if code, _, _ := runCmd(t, "", nil, "-db", db, "migrate", "--lock-timeout", "0s"); code != 2 {
		t.Errorf("--lock-timeout 0s: exit %d, want 2", code)
	}
	_ = tx.Rollback()
	if code, out, errs := runCmd(t, "", nil, "-db", db, "migrate"); code != 0 || !strings.Contains(out, "migrated") {
		t.Errorf("migrate after the holder let go: exit %d, %s %s", code, out, errs)
	}
}
