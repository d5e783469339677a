package examples_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/examples/internal/showcasetest"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// startsEnv names the number of rounds of TestConcurrentStart; unset, the
// test runs defaultStarts rounds per database (`make test`), and `make
// test-migrations` runs the issue's 20.
const (
	startsEnv     = "REINHARDT_CONCURRENT_STARTS"
	defaultStarts = 2
)

// TestConcurrentStart starts five processes at once on one database, as a
// deployment's replicas start together: the four example servers and
// `authctl migrate`. Exactly one migrates (the library's tables and the
// showcase's own) under the database's migration lock, the others wait and
// start: every server comes up, answers /healthz and logs a user in, and
// authctl succeeds. On a new database exactly one server seeds the demo
// users; on a database Django made the servers adopt it and Django's users
// log in. SQLite, PostgreSQL and MariaDB (a new database per round), each round
// repeated REINHARDT_CONCURRENT_STARTS times (default 2).
func TestConcurrentStart(t *testing.T) {
	rounds := defaultStarts
	if v := os.Getenv(startsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", startsEnv, v)
		}
		rounds = n
	}
	bins := buildServers(t)
	type database struct {
		name string
		// make returns a -db URL for a new database of its kind and the
		// user that logs in ("" for the demo users).
		make func(t *testing.T) (db, login string)
	}
	databases := []database{
		{"SQLite", func(t *testing.T) (string, string) { return showcasetest.TempDB(t), "" }},
		{"SQLiteDjangoMade", func(t *testing.T) (string, string) {
			return "sqlite:" + djangoFixtureCopy(t), "pbkdf2_user:pbkdf2 pass"
		}},
		{"Postgres", func(t *testing.T) (string, string) { return newPostgresDatabase(t), "" }},
		{"PostgresDjangoMade", func(t *testing.T) (string, string) {
			db := newPostgresDatabase(t)
			djangoMadePostgres(t, db)
			return db, "pbkdf2_user:pbkdf2 pass"
		}},
		// A database of its own per round: GET_LOCK's names are the
		// server's, and the lock's carries the database's name.
		{"MariaDB", func(t *testing.T) (string, string) { return showcasetest.MySQLDB(t), "" }},
	}
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			start := time.Now()
			for round := range rounds {
				ok := t.Run(fmt.Sprintf("round%d", round+1), func(t *testing.T) {
					db, login := d.make(t)
					startTogether(t, bins, db, login)
				})
				if !ok {
					break
				}
			}
			t.Logf("%d rounds in %s", rounds, time.Since(start).Round(time.Millisecond))
		})
	}
}

// startTogether runs the four servers and authctl migrate at once on db,
// then checks that every server serves: /healthz, and login (Basic, GET
// /api/me) with login ("user:password"), or with the demo alice, whom
// exactly one server must have printed.
func startTogether(t *testing.T, bins map[string]string, db, login string) {
	var wg sync.WaitGroup
	servers := make([]*server, len(frameworks))
	errs := make([]error, len(frameworks)+1)
	gate := make(chan struct{})
	for i, fw := range frameworks {
		wg.Go(func() {
			<-gate
			servers[i], errs[i] = launch(t, fw, bins[fw], "-db", db)
		})
	}
	wg.Go(func() {
		<-gate
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bins["authctl"], "-db", db, "migrate")
		cmd.Env = serverEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			errs[len(frameworks)] = fmt.Errorf("authctl migrate: %v\n%s", err, out)
		}
	})
	close(gate)
	wg.Wait()
	failed := false
	for _, err := range errs {
		if err != nil {
			t.Error(err)
			failed = true
		}
	}
	if failed {
		return
	}
	client := &http.Client{Timeout: 30 * time.Second}
	for _, s := range servers {
		if status, body := get(t, client, s.base+"/healthz", ""); status != 200 {
			t.Errorf("%s: GET /healthz: %d %s", s.framework, status, body)
		}
	}
	if login == "" {
		// Every server has printed all it prints once it serves.
		var seeders []string
		for _, s := range servers {
			if pw := s.demoCredentials()["alice"]; pw != "" {
				seeders = append(seeders, s.framework)
				login = "alice:" + pw
			}
		}
		if len(seeders) != 1 {
			t.Fatalf("%d servers seeded the demo users (%v); want exactly one", len(seeders), seeders)
		}
	}
	user, _, _ := strings.Cut(login, ":")
	for _, s := range servers {
		status, body := get(t, client, s.base+"/api/me", login)
		if status != 200 || !strings.Contains(body, `"username":"`+user+`"`) {
			t.Errorf("%s: GET /api/me as %s: %d %s", s.framework, user, status, body)
		}
	}
}

// get sends a GET, with Basic credentials when auth ("user:password") is
// not empty, and returns the status and body.
func get(t *testing.T, client *http.Client, u, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(auth)))
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", u, err)
		return 0, ""
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("GET %s: %v", u, err)
	}
	return resp.StatusCode, string(body)
}

// djangoFixtureCopy copies the SQLite database Django 3.2's migrate made
// (stores/sqlstore/testdata) and returns its path.
func djangoFixtureCopy(t *testing.T) string {
	src, err := os.ReadFile(filepath.Join("..", "stores", "sqlstore", "testdata", "django32.sqlite3"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "django.sqlite3")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// newPostgresDatabase creates a database of its own on the test PostgreSQL
// (REINHARDT_TEST_POSTGRES), dropped when the test ends, and returns its
// URL: the migration lock is per database, so each round starts from
// nothing. Without that server the test skips, or fails under CI=true or
// REINHARDT_REQUIRE_SERVICES=1.
func newPostgresDatabase(t *testing.T) string {
	base := os.Getenv("REINHARDT_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") == "true" || os.Getenv("REINHARDT_REQUIRE_SERVICES") == "1" {
			t.Fatal("REINHARDT_TEST_POSTGRES is not set: run the tests with `make test`, which starts PostgreSQL")
		}
		t.Skip("REINHARDT_TEST_POSTGRES not set (make test starts a PostgreSQL)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name := "reinhardt_start_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		// Cleanups run last-registered first: the servers have stopped.
		if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
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

// djangoMadePostgres makes db what Django 3.2's migrate of contenttypes and
// auth makes, with the users of the SQLite fixture Django made: with
// psycopg2, Django itself (djangoctl.py populate); without, this package's
// first migration, which makes Django's tables, constraints, sequences and
// rows statement for statement (sqlstore's TestPostgresSchemaMatchesDjango
// compares them with Django's), with every trace of this package removed
// and the fixture's users copied in.
func djangoMadePostgres(t *testing.T, db string) {
	if showcasetest.PythonImports("django, argon2, bcrypt, psycopg2") {
		var manifest any
		showcasetest.Djangoctl(t, &manifest, "populate", db, "--fast")
		return
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	fixture, err := sqlstore.Open(ctx, "sqlite:"+djangoFixtureCopy(t))
	if err != nil {
		t.Fatal(err)
	}
	defer fixture.Close()
	users, err := fixture.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DROP TABLE reinhardt_migrations, token_blacklist_blacklistedtoken, token_blacklist_outstandingtoken,
			reinhardt_refresh_family, reinhardt_token_state, reinhardt_user_valid_after, django_session`,
		`DROP FUNCTION reinhardt_outstandingtoken_user_set_null() CASCADE`, // and its trigger on auth_user
		`DELETE FROM django_migrations WHERE app NOT IN ('contenttypes', 'auth')`,
		`DELETE FROM auth_permission WHERE content_type_id IN (SELECT id FROM django_content_type WHERE app_label NOT IN ('contenttypes', 'auth'))`,
		`DELETE FROM django_content_type WHERE app_label NOT IN ('contenttypes', 'auth')`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, u := range users {
		_, err := tx.ExecContext(ctx, `INSERT INTO auth_user (id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, u.ID, u.Password, u.LastLogin, u.Superuser, u.Username, u.FirstName, u.LastName, u.Email, u.Staff, u.Active, u.DateJoined)
		if err != nil {
			t.Fatalf("copy user %s: %v", u.Username, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `SELECT setval('auth_user_id_seq', (SELECT max(id) FROM auth_user))`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
