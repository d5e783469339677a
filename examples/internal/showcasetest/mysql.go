package showcasetest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// MySQLDB returns a -db mysql:// URL for a fresh database (utf8mb4, the
// server's default collation) on the test MariaDB that `make test` starts
// (REINHARDT_TEST_MYSQL), dropped when the test ends. Without that server
// the test skips, or fails under CI=true or REINHARDT_REQUIRE_SERVICES=1.
func MySQLDB(t *testing.T) string {
	base := os.Getenv("REINHARDT_TEST_MYSQL")
	if base == "" {
		if os.Getenv("CI") == "true" || os.Getenv("REINHARDT_REQUIRE_SERVICES") == "1" {
			t.Fatal("REINHARDT_TEST_MYSQL is not set: run the tests with `make test`, which starts MariaDB")
		}
		t.Skip("REINHARDT_TEST_MYSQL not set (make test starts a MariaDB)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := sqlstore.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	name := "showcase_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.DB().ExecContext(ctx, `CREATE DATABASE "`+name+`" CHARACTER SET utf8mb4`); err != nil {
		admin.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		// Cleanups run last-registered first: the servers have stopped.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
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
	return u.String()
}
