package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/hashers"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// fastIterations are the PBKDF2 iterations of fastHashers.
const fastIterations = 1000

// fastHashers keeps tests quick: PBKDF2 with few iterations.
func fastHashers() *hashers.Registry {
	h := hashers.NewPBKDF2SHA256Hasher()
	h.Iterations = fastIterations
	return hashers.New(h)
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// required reports whether a missing service must fail the test rather
// than skip it: in CI, or when asked.
func required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("REINHARDT_REQUIRE_SERVICES") == "1"
}

// postgresURL is REINHARDT_TEST_POSTGRES; without it the test skips, or
// fails in CI (a store test may never skip silently there).
func postgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("REINHARDT_TEST_POSTGRES")
	if u == "" {
		if required() {
			t.Fatal("REINHARDT_TEST_POSTGRES is not set, and CI=true or REINHARDT_REQUIRE_SERVICES=1 requires the PostgreSQL tests: run scripts/services.sh start and export its env")
		}
		t.Skip("REINHARDT_TEST_POSTGRES is not set (scripts/services.sh start provides it)")
	}
	return u
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s_%d_%s", prefix, os.Getpid(), hex.EncodeToString(b))
}

// postgresSchema creates a schema of its own for the test in the test
// database, dropped when the test ends, and returns a URL whose
// search_path is that schema.
func postgresSchema(t testing.TB) (schemaURL, schema string) {
	t.Helper()
	base := postgresURL(t)
	ctx := testCtx(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	schema = randomName("reinhardt_test")
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA "`+schema+`" CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

// openURL opens, migrates and returns a store closed at the end of the test.
func openURL(t testing.TB, dbURL string) *sqlstore.Store {
	t.Helper()
	ctx := testCtx(t)
	s, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	s.Hashers = fastHashers()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

func openMemory(t testing.TB) *sqlstore.Store { return openURL(t, "sqlite::memory:") }

func openFile(t testing.TB) *sqlstore.Store {
	return openURL(t, "sqlite:"+filepath.Join(t.TempDir(), "auth.sqlite3"))
}

func openPostgres(t testing.TB) *sqlstore.Store {
	u, _ := postgresSchema(t)
	return openURL(t, u)
}

// mysqlURL is REINHARDT_TEST_MYSQL (mysql://user:pass@host:port/db);
// without it the test skips, or fails in CI.
func mysqlURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("REINHARDT_TEST_MYSQL")
	if u == "" {
		if required() {
			t.Fatal("REINHARDT_TEST_MYSQL is not set, and CI=true or REINHARDT_REQUIRE_SERVICES=1 requires the MariaDB tests: run scripts/services.sh start and export its env")
		}
		t.Skip("REINHARDT_TEST_MYSQL is not set (scripts/services.sh start provides it)")
	}
	return u
}

// mysqlDatabase creates a database of its own for the test on the
// MariaDB/MySQL server of REINHARDT_TEST_MYSQL (utf8mb4, the server's
// default collation, as Django's test runner makes one), dropped when the
// test ends, and returns its mysql:// URL and name.
func mysqlDatabase(t testing.TB) (dbURL, name string) {
	t.Helper()
	return mysqlDatabaseCollated(t, "")
}

// mysqlDatabaseCollated is mysqlDatabase with the database's collation
// ("": the character set's default).
func mysqlDatabaseCollated(t testing.TB, collation string) (dbURL, name string) {
	t.Helper()
	base := mysqlURL(t)
	ctx := testCtx(t)
	admin, err := sqlstore.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	name = randomName("reinhardt_test")
	create := `CREATE DATABASE "` + name + `" CHARACTER SET utf8mb4`
	if collation != "" {
		create += ` COLLATE ` + collation
	}
	if _, err := admin.DB().ExecContext(ctx, create); err != nil {
		admin.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
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
	return u.String(), name
}

func openMySQL(t testing.TB) *sqlstore.Store {
	u, _ := mysqlDatabase(t)
	return openURL(t, u)
}

// dialects runs f once per database: SQLite in memory, an SQLite file,
// PostgreSQL and MariaDB (each skipped, or fatal in CI, without
// REINHARDT_TEST_POSTGRES or REINHARDT_TEST_MYSQL).
func dialects(t *testing.T, f func(t *testing.T, open func(testing.TB) *sqlstore.Store)) {
	t.Run("SQLiteMemory", func(t *testing.T) { f(t, openMemory) })
	t.Run("SQLiteFile", func(t *testing.T) { f(t, openFile) })
	t.Run("Postgres", func(t *testing.T) {
		postgresURL(t)
		f(t, openPostgres)
	})
	t.Run("MariaDB", func(t *testing.T) {
		mysqlURL(t)
		f(t, openMySQL)
	})
}

func postgresURLOrEmpty() string { return os.Getenv("REINHARDT_TEST_POSTGRES") }
