package showcasetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make a schema
)

// PostgresDB returns a -db URL for a fresh schema on the test PostgreSQL
// that `make test` starts (REINHARDT_TEST_POSTGRES), dropped when the test
// ends. Without that server the test skips, or fails under CI=true or
// REINHARDT_REQUIRE_SERVICES=1: a store test never skips silently in CI.
func PostgresDB(t *testing.T) string {
	base := os.Getenv("REINHARDT_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") == "true" || os.Getenv("REINHARDT_REQUIRE_SERVICES") == "1" {
			t.Fatal("REINHARDT_TEST_POSTGRES is not set: run the tests with `make test`, which starts PostgreSQL")
		}
		t.Skip("REINHARDT_TEST_POSTGRES not set (make test starts a PostgreSQL)")
	}
	schema := "showcase_" + strings.ToLower(rand.Text()[:12])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		db.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return fmt.Sprintf("%s%ssearch_path=%s", base, sep, schema)
}

// RedisURL returns the test Redis that `make test` starts
// (REINHARDT_TEST_REDIS), with a key prefix of the test's own (the
// showcase's prefix parameter); without it the test skips, or fails under
// CI=true or REINHARDT_REQUIRE_SERVICES=1.
func RedisURL(t *testing.T) string {
	u := os.Getenv("REINHARDT_TEST_REDIS")
	if u == "" {
		if os.Getenv("CI") == "true" || os.Getenv("REINHARDT_REQUIRE_SERVICES") == "1" {
			t.Fatal("REINHARDT_TEST_REDIS is not set: run the tests with `make test`, which starts Redis")
		}
		t.Skip("REINHARDT_TEST_REDIS not set (make test starts a Redis)")
	}
	return withPrefix(t, u)
}
