package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

func TestOpenURLs(t *testing.T) {
	ctx := testCtx(t)
	for _, bad := range []string{"mysql://x", "sqlite", "sqlite:", "sqlite://", "", "file:x.db", "sqlite:x.db?%zz"} {
		if s, err := sqlstore.Open(ctx, bad); !errors.Is(err, sqlstore.ErrInvalidURL) {
			t.Errorf("Open(%q) = %v, %v; want ErrInvalidURL", bad, s, err)
			if s != nil {
				s.Close()
			}
		}
	}

	// A URL pgx cannot parse is invalid, and the error hides its password.
	if _, err := sqlstore.Open(ctx, "postgres://user:s3cretpw@host:notaport/db"); !errors.Is(err, sqlstore.ErrInvalidURL) || strings.Contains(err.Error(), "s3cretpw") {
		t.Errorf("Open(bad postgres URL) = %v", err)
	}

	dir := t.TempDir()
	t.Chdir(dir)
	for _, u := range []string{"sqlite:rel.sqlite3", "sqlite:" + filepath.Join(dir, "abs.sqlite3"), "sqlite://" + filepath.Join(dir, "slashes.sqlite3")} {
		s, err := sqlstore.Open(ctx, u)
		if err != nil {
			t.Fatalf("Open(%q): %v", u, err)
		}
		if s.Dialect() != sqlstore.SQLite || s.DB() == nil || s.ReadDB() == nil || s.DB() == s.ReadDB() {
			t.Errorf("Open(%q): dialect %q, pools %p %p", u, s.Dialect(), s.DB(), s.ReadDB())
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var mode string
		if err := s.DB().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode %q, %v; want wal", mode, err)
		}
		var fk, timeout int
		if err := s.ReadDB().QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("foreign_keys %d, %v", fk, err)
		}
		if err := s.ReadDB().QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil || timeout != 5000 {
			t.Errorf("busy_timeout %d, %v", timeout, err)
		}
		// The read pool refuses writes.
		if _, err := s.ReadDB().ExecContext(ctx, `DELETE FROM "auth_user"`); err == nil {
			t.Errorf("the read pool accepted a write")
		}
		s.Close()
	}
	for _, name := range []string{"rel.sqlite3", "abs.sqlite3", "slashes.sqlite3"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	m, err := sqlstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	if m.DB() != m.ReadDB() || m.DB().Stats().MaxOpenConnections != 1 {
		t.Errorf("memory store: want one pool of one connection")
	}
	m.Close()

	// A database that cannot be reached is a store failure.
	for _, u := range []string{
		"sqlite:" + filepath.Join(dir, "no", "such", "dir", "x.sqlite3"),
		"postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5",
	} {
		if s, err := sqlstore.Open(ctx, u); !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("Open(%q) = %v, %v; want ErrStoreUnavailable", u, s, err)
		}
	}
}

// TestFailsClosed: every database error is core.ErrStoreUnavailable, the
// ModelBackend passes it on instead of deciding, and no error text carries
// a password or a hash.
func TestFailsClosed(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		ctx := testCtx(t)
		s := open(t)
		secret := "hunter2-very-secret"
		u, err := s.CreateUser(ctx, "victim", &secret, nil)
		if err != nil {
			t.Fatal(err)
		}
		hash := u.Password
		// Break the store: the tables disappear.
		if s.Dialect() == sqlstore.MySQL {
			// simplejwt's outstanding tokens refer to auth_user, and
			// MariaDB's DROP TABLE has no CASCADE.
			if _, err := s.DB().ExecContext(ctx, `ALTER TABLE "token_blacklist_outstandingtoken" DROP FOREIGN KEY "token_blacklist_outs_user_id_83bc629a_fk_auth_user"`); err != nil {
				t.Fatal(err)
			}
		}
		for _, table := range []string{"auth_user_groups", "auth_user_user_permissions", "auth_user"} {
			drop := `DROP TABLE "` + table + `"`
			if s.Dialect() == sqlstore.Postgres {
				drop += " CASCADE" // simplejwt's outstanding tokens refer to auth_user
			}
			if _, err := s.DB().ExecContext(ctx, drop); err != nil {
				t.Fatal(err)
			}
		}
		backend := core.NewModelBackend(s)
		var errs []error
		_, err = backend.Authenticate(ctx, "victim", secret)
		errs = append(errs, err)
		_, err = backend.GetUser(ctx, u.GetID())
		errs = append(errs, err)
		_, err = s.UserByUsername(ctx, "victim")
		errs = append(errs, err)
		errs = append(errs, s.SetPasswordHash(ctx, u.GetID(), hash))
		errs = append(errs, s.SetLastLogin(ctx, u.GetID(), time.Now()))
		_, err = s.CreateUser(ctx, "other", &secret, nil)
		errs = append(errs, err)
		errs = append(errs, s.UpdateUser(ctx, u))
		errs = append(errs, s.DeleteUser(ctx, u.ID))
		_, err = s.ListUsers(ctx)
		errs = append(errs, err)
		for i, err := range errs {
			if !errors.Is(err, core.ErrStoreUnavailable) {
				t.Errorf("call %d: %v; want ErrStoreUnavailable", i, err)
				continue
			}
			if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, hash) || strings.Contains(msg, "victim") {
				t.Errorf("call %d: the error shows a secret: %s", i, msg)
			}
		}

		// A closed store fails closed as well.
		s.Close()
		if _, err := s.UserByID(ctx, "1"); !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("closed store: %v", err)
		}
	})
}

func TestAdministration(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		ctx := testCtx(t)
		s := open(t)
		a, _ := s.CreateUser(ctx, "a", nil, nil)
		b, _ := s.CreateUser(ctx, "b", nil, map[string]any{"email": "b@example.com"})
		c, _ := s.CreateSuperuser(ctx, "c", nil, nil)
		if a == nil || b == nil || c == nil {
			t.Fatal("CreateUser failed")
		}
		perm, err := s.EnsurePermission(ctx, "shop", "order", "refund_order", "Can refund order")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnsurePermission(ctx, "", "order", "x", "x"); err == nil {
			t.Errorf("EnsurePermission without an app label succeeded")
		}
		g, err := s.CreateGroup(ctx, "staff")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateGroup(ctx, "staff"); !errors.Is(err, sqlstore.ErrDuplicateGroup) {
			t.Errorf("duplicate group: %v", err)
		}
		if _, err := s.CreateGroup(ctx, ""); err == nil {
			t.Errorf("CreateGroup(\"\") succeeded")
		}
		for _, err := range []error{
			s.AddGroupPermission(ctx, g, perm), s.AddUserToGroup(ctx, a.ID, g),
			s.AddUserToGroup(ctx, b.ID, g), s.AddUserPermission(ctx, b.ID, perm),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		for name, err := range map[string]error{
			"AddUserToGroup(no user)":       s.AddUserToGroup(ctx, 9999, g),
			"AddUserToGroup(no group)":      s.AddUserToGroup(ctx, a.ID, 9999),
			"AddUserToGroup(huge id)":       s.AddUserToGroup(ctx, 1<<40, g),
			"AddGroupPermission(no perm)":   s.AddGroupPermission(ctx, g, 9999),
			"AddUserPermission(no user)":    s.AddUserPermission(ctx, 9999, perm),
			"AddGroupPermission(no group)":  s.AddGroupPermission(ctx, 9999, perm),
			"AddUserPermission(no perm, 0)": s.AddUserPermission(ctx, a.ID, 0),
		} {
			if !errors.Is(err, sqlstore.ErrNotFound) || errors.Is(err, core.ErrStoreUnavailable) {
				t.Errorf("%s = %v; want ErrNotFound", name, err)
			}
		}

		// Ids no row can have are not found, on every dialect.
		if u, err := s.GetByID(ctx, 1<<40); u != nil || err != nil {
			t.Errorf("GetByID(1<<40) = %v, %v", u, err)
		}
		if u, err := s.UserByID(ctx, "1099511627776"); u != nil || err != nil {
			t.Errorf("UserByID(1<<40) = %v, %v", u, err)
		}
		if err := s.UpdateUser(ctx, &core.DefaultUser{ID: 1 << 40}); !errors.Is(err, core.ErrUserNotFound) {
			t.Errorf("UpdateUser(1<<40) = %v", err)
		}
		if err := s.DeleteUser(ctx, 1<<40); !errors.Is(err, core.ErrUserNotFound) {
			t.Errorf("DeleteUser(1<<40) = %v", err)
		}
		// Text PostgreSQL cannot hold is refused as such, not as a failure.
		if s.Dialect() == sqlstore.Postgres {
			if _, err := s.CreateUser(ctx, "nul\x00name", nil, nil); !errors.Is(err, sqlstore.ErrUnstorableText) {
				t.Errorf("CreateUser(NUL) = %v", err)
			}
			if _, err := s.CreateGroup(ctx, "\xff"); !errors.Is(err, sqlstore.ErrUnstorableText) {
				t.Errorf("CreateGroup(invalid UTF-8) = %v", err)
			}
		}

		// ListUsers: every user in id order, permissions loaded.
		users, err := s.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range users {
			names = append(names, u.Username)
		}
		if !slices.Equal(names, []string{"a", "b", "c"}) {
			t.Fatalf("ListUsers = %v", names)
		}
		if !users[0].HasPerm("shop.refund_order") || !users[1].HasPerm("shop.refund_order") ||
			len(users[1].UserPermissions) != 1 || len(users[1].Groups) != 1 || len(users[2].Groups) != 0 {
			t.Errorf("ListUsers permissions: %+v %+v", users[0].Groups, users[1].UserPermissions)
		}

		// UpdateUser writes every column.
		u := users[1]
		login := time.Date(2023, 3, 4, 5, 6, 7, 8000, time.UTC)
		u.Username, u.Email, u.FirstName, u.LastName = "b2", "b2@example.com", "Bee", "Two"
		u.Password, u.LastLogin, u.Active, u.Staff, u.Superuser = "md5$x$y", &login, false, true, true
		u.DateJoined = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetByID(ctx, u.ID)
		if err != nil || got == nil {
			t.Fatal(err)
		}
		if got.Username != "b2" || got.Email != "b2@example.com" || got.FirstName != "Bee" || got.LastName != "Two" ||
			got.Password != "md5$x$y" || !got.LastLogin.Equal(login) || got.Active || !got.Staff || !got.Superuser ||
			!got.DateJoined.Equal(u.DateJoined) || len(got.UserPermissions) != 1 {
			t.Errorf("after UpdateUser: %+v", got)
		}
		if old, _ := s.GetByUsername(ctx, "b"); old != nil {
			t.Errorf("the old username still finds the user")
		}
		got.LastLogin = nil
		if err := s.UpdateUser(ctx, got); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.GetByID(ctx, u.ID); again.LastLogin != nil {
			t.Errorf("UpdateUser did not clear last_login")
		}
		got.Username = "a"
		if err := s.UpdateUser(ctx, got); !errors.Is(err, core.ErrDuplicateUsername) {
			t.Errorf("UpdateUser to a taken username = %v", err)
		}
		if err := s.UpdateUser(ctx, &core.DefaultUser{ID: 9999, Username: "z"}); !errors.Is(err, core.ErrUserNotFound) {
			t.Errorf("UpdateUser(unknown) = %v", err)
		}

		// Removals, and removals of what is not there.
		for _, err := range []error{
			s.RemoveUserPermission(ctx, u.ID, perm), s.RemoveUserPermission(ctx, u.ID, perm),
			s.RemoveUserFromGroup(ctx, a.ID, g), s.RemoveUserFromGroup(ctx, a.ID, g),
			s.RemoveGroupPermission(ctx, g, perm), s.RemoveGroupPermission(ctx, 9999, 1<<40),
		} {
			if err != nil {
				t.Errorf("remove: %v", err)
			}
		}
		if got, _ := s.GetByID(ctx, u.ID); got.HasPerm("shop.refund_order") && !got.Superuser {
			t.Errorf("permission still there after removals")
		}
		if got, _ := s.GetByID(ctx, a.ID); len(got.Groups) != 0 {
			t.Errorf("a is still in %v", got.Groups)
		}

		// DeleteUser takes the memberships and permissions with it.
		if err := s.AddUserPermission(ctx, a.ID, perm); err != nil {
			t.Fatal(err)
		}
		if err := s.AddUserToGroup(ctx, a.ID, g); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetByID(ctx, a.ID); got != nil || err != nil {
			t.Errorf("deleted user: %v, %v", got, err)
		}
		if err := s.DeleteUser(ctx, a.ID); !errors.Is(err, core.ErrUserNotFound) {
			t.Errorf("DeleteUser twice = %v", err)
		}
		var links int
		if err := s.DB().QueryRowContext(ctx, s.Rebind(`SELECT (SELECT count(*) FROM "auth_user_groups" WHERE "user_id" = ?) + (SELECT count(*) FROM "auth_user_user_permissions" WHERE "user_id" = ?)`), a.ID, a.ID).Scan(&links); err != nil || links != 0 {
			t.Errorf("links of the deleted user: %d, %v", links, err)
		}
	})
}

// TestMigrate: Migrate records version 1 once, however often and from
// however many stores it runs at once.
func TestMigrate(t *testing.T) {
	lite, err := sqlstore.Migrations(sqlstore.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := sqlstore.Migrations(sqlstore.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("%d SQLite and %d PostgreSQL migrations", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name || !slices.Equal(lite[i].AdoptIfExists, pg[i].AdoptIfExists) {
			t.Errorf("migration %d differs between dialects: %+v / %+v", i, lite[i], pg[i])
		}
	}

	check := func(t *testing.T, s *sqlstore.Store) {
		t.Helper()
		ctx := testCtx(t)
		applied, err := s.AppliedMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != len(lite) || applied[0] != (sqlstore.AppliedMigration{Version: 1, Name: "django_auth"}) {
			t.Errorf("applied = %+v", applied)
		}
		var n int
		// contenttypes 0001-0002, auth 0001-0012, token_blacklist 0001-0012
		// (11 files), sessions 0001; Django's 16 permissions, the blacklist
		// app's 8 and the sessions app's 4.
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM "django_migrations"`).Scan(&n); err != nil || n != 26 {
			t.Errorf("django_migrations has %d rows, %v; want 26", n, err)
		}
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM "auth_permission"`).Scan(&n); err != nil || n != 28 {
			t.Errorf("auth_permission has %d rows, %v; want 28", n, err)
		}
	}

	concurrent := func(t *testing.T, url string) {
		ctx := testCtx(t)
		const n = 6
		stores := make([]*sqlstore.Store, n)
		for i := range stores {
			s, err := sqlstore.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			stores[i] = s
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i, s := range stores {
			wg.Go(func() { errs[i] = s.Migrate(ctx) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("concurrent Migrate %d: %v", i, err)
			}
		}
		for _, s := range stores {
			if err := s.Migrate(ctx); err != nil {
				t.Errorf("Migrate again: %v", err)
			}
		}
		check(t, stores[0])
	}
	t.Run("SQLiteMemory", func(t *testing.T) {
		s := openMemory(t)
		if err := s.Migrate(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		check(t, s)
	})
	t.Run("SQLiteFile", func(t *testing.T) {
		concurrent(t, "sqlite:"+filepath.Join(t.TempDir(), "m.sqlite3"))
	})
	t.Run("Postgres", func(t *testing.T) {
		u, _ := postgresSchema(t)
		concurrent(t, u)
	})
	t.Run("DjangoProjectWithoutAuth", func(t *testing.T) {
		// A Django project that has run migrate for other apps only:
		// django_migrations exists and is kept, the auth tables are made.
		ctx := testCtx(t)
		s, err := sqlstore.Open(ctx, "sqlite::memory:")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for _, q := range []string{
			`CREATE TABLE "django_migrations" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" datetime NOT NULL)`,
			`INSERT INTO "django_migrations" ("app", "name", "applied") VALUES ('shop', '0001_initial', '2020-01-01 00:00:00')`,
		} {
			if _, err := s.DB().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		applied, _ := s.AppliedMigrations(ctx)
		if len(applied) != len(lite) || applied[0].Adopted {
			t.Errorf("applied = %+v; want every version run, not adopted", applied)
		}
		got := queryStrings(t, s.DB(), `SELECT "app" || '.' || "name" FROM "django_migrations" ORDER BY "id"`)
		if len(got) != 27 || got[0] != "shop.0001_initial" {
			t.Errorf("django_migrations = %q", got)
		}
	})
	t.Run("Canceled", func(t *testing.T) {
		s, err := sqlstore.Open(testCtx(t), "sqlite::memory:")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.Migrate(ctx); !errors.Is(err, core.ErrStoreUnavailable) || !errors.Is(err, context.Canceled) {
			t.Errorf("Migrate(canceled) = %v", err)
		}
	})
}

// TestSQLiteConcurrentLoad hammers one SQLite file from two stores (as two
// processes would) with 32 goroutines mixing logins, password changes,
// user creation and permission grants: no request may fail with
// SQLITE_BUSY or anything else.
func TestSQLiteConcurrentLoad(t *testing.T) {
	path := "sqlite:" + filepath.Join(t.TempDir(), "load.sqlite3")
	s1 := openURL(t, path)
	s2 := openURL(t, path)
	ctx := testCtx(t)
	perm, err := s1.EnsurePermission(ctx, "app", "thing", "use_thing", "Can use thing")
	if err != nil {
		t.Fatal(err)
	}
	const workers = 32
	ops := 60
	if testing.Short() {
		ops = 15
	}
	var (
		wg     sync.WaitGroup
		failed atomic.Int64
		done   atomic.Int64
		maxLat atomic.Int64
	)
	start := time.Now()
	for w := range workers {
		s := s1
		if w%2 == 1 {
			s = s2
		}
		wg.Go(func() {
			u, err := s.CreateUser(ctx, fmt.Sprintf("worker%d", w), nil, nil)
			if err != nil {
				t.Errorf("worker %d: create: %v", w, err)
				failed.Add(1)
				return
			}
			for i := range ops {
				t0 := time.Now()
				var err error
				switch i % 6 {
				case 0:
					err = s.SetPasswordHash(ctx, u.GetID(), fmt.Sprintf("md5$%d$%d", w, i))
				case 1:
					err = s.SetLastLogin(ctx, u.GetID(), time.Now())
				case 2:
					err = s.AddUserPermission(ctx, u.ID, perm)
				case 3:
					_, err = s.EnsurePermission(ctx, "app", "thing", fmt.Sprintf("p%d", i%12), "p")
				default:
					var got core.BaseUser
					got, err = s.UserByUsername(ctx, fmt.Sprintf("worker%d", (w+i)%workers))
					_ = got
				}
				if lat := time.Since(t0).Nanoseconds(); lat > maxLat.Load() {
					maxLat.Store(lat)
				}
				if err != nil {
					failed.Add(1)
					t.Errorf("worker %d op %d: %v", w, i, err)
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	t.Logf("%d operations by %d goroutines on two stores in %v (%.0f ops/s), slowest %v, %d failed",
		done.Load(), workers, elapsed, float64(done.Load())/elapsed.Seconds(), time.Duration(maxLat.Load()), failed.Load())
}
