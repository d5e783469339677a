package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// TestMigrationLockTimeout: while another connection holds the migration
// lock, Migrate waits LockTimeout (not SQLite's BusyTimeout, not forever)
// and fails with ErrLockTimeout naming the holder; once the holder lets
// go, Migrate succeeds.
func TestMigrationLockTimeout(t *testing.T) {
	const timeout = 400 * time.Millisecond
	check := func(t *testing.T, s *sqlstore.Store, release func(), want ...string) {
		t.Helper()
		ctx := testCtx(t)
		s.LockTimeout = timeout
		start := time.Now()
		err := s.Migrate(ctx)
		waited := time.Since(start)
		if !errors.Is(err, sqlstore.ErrLockTimeout) || !errors.Is(err, core.ErrStoreUnavailable) {
			t.Fatalf("Migrate while the lock is held = %v; want ErrLockTimeout", err)
		}
		if waited < timeout || waited > timeout+3*time.Second {
			t.Errorf("Migrate gave up after %s; want about %s", waited, timeout)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("the error does not name the holder (%q): %v", w, err)
			}
		}
		if s.Dialect() == sqlstore.SQLite {
			checkBusyTimeout(t, s, "after the lock timed out")
		}
		release()
		if err := s.Migrate(ctx); err != nil {
			t.Errorf("Migrate after the holder let go: %v", err)
		}
		if s.Dialect() == sqlstore.SQLite {
			checkBusyTimeout(t, s, "after Migrate took the lock")
		}
	}
	t.Run("SQLiteFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "lock.sqlite3")
		holder := openURL(t, "sqlite:"+path)
		tx, err := holder.DB().BeginTx(testCtx(t), nil) // BEGIN IMMEDIATE: the write lock
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		s, err := sqlstore.Open(testCtx(t), "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		check(t, s, func() { _ = tx.Rollback() }, "write lock of "+path)
	})
	t.Run("Postgres", func(t *testing.T) {
		u, _ := postgresSchema(t)
		ctx := testCtx(t)
		admin, err := sql.Open("pgx", postgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		holder, err := admin.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Close()
		var pid string
		if err := holder.QueryRowContext(ctx, `SELECT pg_backend_pid()::text`).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if _, err := holder.ExecContext(ctx, `SET application_name = 'lock-holder-test'`); err != nil {
			t.Fatal(err)
		}
		// Another process migrating: it holds the lock in its transaction.
		tx, err := holder.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7237958893911533940)`); err != nil {
			t.Fatal(err)
		}
		s, err := sqlstore.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		check(t, s, func() { _ = tx.Rollback() }, "pid "+pid, `application_name "lock-holder-test"`, "127.0.0.1")
		// The waiter's lock_timeout was for the lock only.
		var lt string
		if err := s.DB().QueryRowContext(ctx, `SHOW lock_timeout`).Scan(&lt); err != nil || lt != "0" {
			t.Errorf("lock_timeout after Migrate = %q, %v; want 0", lt, err)
		}
	})
	t.Run("MariaDB", func(t *testing.T) {
		u, _ := mysqlDatabase(t)
		ctx := testCtx(t)
		other, err := sqlstore.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		holder, err := other.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Close()
		var id string
		if err := holder.QueryRowContext(ctx, `SELECT CONNECTION_ID()`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		// Another process migrating: its connection holds the lock.
		var got int
		if err := holder.QueryRowContext(ctx, `SELECT GET_LOCK(CONCAT('reinhardt_migrate_', SHA1(DATABASE())), 0)`).Scan(&got); err != nil || got != 1 {
			t.Fatalf("GET_LOCK = %d, %v", got, err)
		}
		s, err := sqlstore.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		release := func() {
			if _, err := holder.ExecContext(ctx, `SELECT RELEASE_LOCK(CONCAT('reinhardt_migrate_', SHA1(DATABASE())))`); err != nil {
				t.Error(err)
			}
		}
		check(t, s, release, "connection "+id, "KILL "+id, `user "reinhardt"`, "127.0.0.1")
		// A database of its own, its own lock: another database's holder
		// does not make this one wait.
		u2, _ := mysqlDatabase(t)
		if err := holder.QueryRowContext(ctx, `SELECT GET_LOCK(CONCAT('reinhardt_migrate_', SHA1(DATABASE())), 0)`).Scan(&got); err != nil || got != 1 {
			t.Fatalf("GET_LOCK again = %d, %v", got, err)
		}
		s2 := openURL(t, u2)
		if err := s2.Migrate(ctx); err != nil {
			t.Errorf("Migrate of another database while this one's lock is held: %v", err)
		}
		release()
	})
}

// TestWithMigrationLock: f runs in a transaction that commits when f
// succeeds and rolls back (returning f's error as it is) when it fails,
// and two callers never run f at the same time, also from two stores (as
// two processes would).
func TestWithMigrationLock(t *testing.T) {
	run := func(t *testing.T, url string) *sqlstore.Store {
		ctx := testCtx(t)
		a, b := openURL(t, url), openURL(t, url)
		create := func(ctx context.Context, tx *sql.Tx) error {
			ddl := `CREATE TABLE app_thing (id integer PRIMARY KEY)`
			if a.Dialect() == sqlstore.MySQL {
				// DDL commits implicitly there: the rollback below
				// leaves the table.
				ddl = `CREATE TABLE IF NOT EXISTS app_thing (id integer PRIMARY KEY)`
			}
			_, err := tx.ExecContext(ctx, ddl)
			return err
		}
		boom := errors.New("boom")
		if err := a.WithMigrationLock(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if err := create(ctx, tx); err != nil {
				return err
			}
			return boom
		}); err != boom {
			t.Fatalf("WithMigrationLock = %v; want f's error as it is", err)
		}
		if err := a.WithMigrationLock(ctx, create); err != nil {
			t.Fatalf("create after the rollback: %v", err)
		}
		var inside, most atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			s := []*sqlstore.Store{a, b}[i%2]
			wg.Go(func() {
				err := s.WithMigrationLock(ctx, func(ctx context.Context, tx *sql.Tx) error {
					n := inside.Add(1)
					defer inside.Add(-1)
					if n > most.Load() {
						most.Store(n)
					}
					time.Sleep(20 * time.Millisecond)
					_, err := tx.ExecContext(ctx, s.Rebind(`INSERT INTO app_thing (id) VALUES (?)`), i)
					return err
				})
				if err != nil {
					t.Errorf("WithMigrationLock %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if most.Load() != 1 {
			t.Errorf("%d callers ran f at once", most.Load())
		}
		var n int
		if err := a.DB().QueryRowContext(ctx, `SELECT count(*) FROM app_thing`).Scan(&n); err != nil || n != 8 {
			t.Errorf("app_thing has %d rows, %v; want 8", n, err)
		}
		return a
	}
	t.Run("SQLiteFile", func(t *testing.T) {
		s := run(t, "sqlite:"+filepath.Join(t.TempDir(), "with.sqlite3"))
		checkBusyTimeout(t, s, "after WithMigrationLock")
	})
	t.Run("Postgres", func(t *testing.T) {
		u, _ := postgresSchema(t)
		run(t, u)
	})
	t.Run("MariaDB", func(t *testing.T) {
		u, _ := mysqlDatabase(t)
		run(t, u)
	})
	// A context cancelled at any point of taking the lock leaves the write
	// connection with the store's busy timeout, not the lock's.
	t.Run("SQLiteCancelled", func(t *testing.T) {
		s := openURL(t, "sqlite:"+filepath.Join(t.TempDir(), "cancel.sqlite3"))
		s.LockTimeout = time.Minute
		ran := 0
		for n := int64(1); n <= 40; n++ {
			ctx := newCountdownCtx(testCtx(t), n)
			err := s.WithMigrationLock(ctx, func(context.Context, *sql.Tx) error { ran++; return nil })
			if err == nil && ctx.Err() == nil {
				break // the context outlived the whole call: every point was tried
			}
			checkBusyTimeout(t, s, fmt.Sprintf("after a context cancelled at its check %d", n))
		}
		if ran == 0 {
			t.Error("f never ran: the countdown never got past taking the lock")
		}
	})
}

// checkBusyTimeout fails t unless the write connection of s waits
// sqlstore.BusyTimeout for a lock, as Open set it.
func checkBusyTimeout(t *testing.T, s *sqlstore.Store, when string) {
	t.Helper()
	var ms int64
	if err := s.DB().QueryRowContext(testCtx(t), `PRAGMA busy_timeout`).Scan(&ms); err != nil {
		t.Fatalf("PRAGMA busy_timeout %s: %v", when, err)
	}
	if ms != sqlstore.BusyTimeout.Milliseconds() {
		t.Errorf("PRAGMA busy_timeout %s = %d; want %d", when, ms, sqlstore.BusyTimeout.Milliseconds())
	}
}

// countdownCtx is a context that cancels itself at the nth time someone
// looks at it (Done or Err), to cancel at every point of a call in turn.
type countdownCtx struct {
	context.Context
	left   atomic.Int64
	done   chan struct{}
	cancel sync.Once
}

func newCountdownCtx(parent context.Context, n int64) *countdownCtx {
	c := &countdownCtx{Context: parent, done: make(chan struct{})}
	c.left.Store(n)
	return c
}

func (c *countdownCtx) tick() {
	if c.left.Add(-1) <= 0 {
		c.cancel.Do(func() { close(c.done) })
	}
}

func (c *countdownCtx) Done() <-chan struct{} { c.tick(); return c.done }

func (c *countdownCtx) Err() error {
	c.tick()
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}

// TestRestartTakesNoSequenceNumbers: starting again (Migrate, then
// EnsurePermission of permissions that exist, as an application does on
// every start) writes nothing: PostgreSQL's sequences and SQLite's
// sqlite_sequence stay where they were.
func TestRestartTakesNoSequenceNumbers(t *testing.T) {
	start := func(t *testing.T, url string) {
		t.Helper()
		ctx := testCtx(t)
		s := openURL(t, url) // Migrate
		for _, code := range []string{"add_post", "change_post", "delete_post", "view_post"} {
			if _, err := s.EnsurePermission(ctx, "blog", "post", code, "Can "+code); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
	}
	run := func(t *testing.T, url string, sequences func(t *testing.T) []string) {
		start(t, url)
		before := sequences(t)
		start(t, url)
		start(t, url)
		if after := sequences(t); !slices.Equal(before, after) {
			t.Errorf("the sequences moved on restart:\nbefore %q\nafter  %q", before, after)
		}
	}
	t.Run("SQLiteFile", func(t *testing.T) {
		url := "sqlite:" + filepath.Join(t.TempDir(), "seq.sqlite3")
		run(t, url, func(t *testing.T) []string {
			s := openURL(t, url)
			return queryStrings(t, s.DB(), `SELECT "name" || '=' || "seq" FROM "sqlite_sequence" ORDER BY "name"`)
		})
	})
	t.Run("Postgres", func(t *testing.T) {
		u, _ := postgresSchema(t)
		run(t, u, func(t *testing.T) []string {
			s, err := sqlstore.Open(testCtx(t), u)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var out []string
			for _, seq := range []string{"django_content_type_id_seq", "auth_permission_id_seq"} {
				out = append(out, queryStrings(t, s.DB(), `SELECT '`+seq+`=' || last_value || '/' || is_called FROM `+seq)...)
			}
			return out
		})
	})
	t.Run("MariaDB", func(t *testing.T) {
		u, _ := mysqlDatabase(t)
		run(t, u, func(t *testing.T) []string {
			s, err := sqlstore.Open(testCtx(t), u)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			return queryStrings(t, s.DB(), `SELECT "TABLE_NAME" || '=' || "AUTO_INCREMENT" FROM information_schema."TABLES"
WHERE "TABLE_SCHEMA" = DATABASE() AND "TABLE_NAME" IN ('django_content_type', 'auth_permission') ORDER BY 1`)
		})
	})
}

// An application's own table, made beside Django's under the migration
// lock, with a foreign key to auth_user that cascades, so that Django can
// delete a user who has orders.
func ExampleStore_WithMigrationLock() {
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		panic(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		panic(err)
	}
	migrateShop := func(ctx context.Context, tx *sql.Tx) error {
		// Runs in every process that starts: write only what is missing.
		if exists, err := s.TableExists(ctx, tx, "shop_order"); err != nil || exists {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE shop_order (id integer PRIMARY KEY,
			customer_id integer NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED)`)
		return err
	}
	for range 2 { // a restart finds the table
		if err := s.WithMigrationLock(ctx, migrateShop); err != nil {
			panic(err)
		}
	}
	pw := "a-customer-password"
	u, _ := s.CreateUser(ctx, "carol", &pw, nil)
	_, _ = s.DB().ExecContext(ctx, `INSERT INTO shop_order (customer_id) VALUES (?)`, u.ID)
	// Django's delete of the user (or this one) takes the orders along.
	if err := s.DeleteUser(ctx, u.ID); err != nil {
		panic(err)
	}
	var orders int
	_ = s.DB().QueryRowContext(ctx, `SELECT count(*) FROM shop_order`).Scan(&orders)
	fmt.Println("orders left:", orders)
	// Output: orders left: 0
}

// TestOpenDjangoSQLiteTogether: several processes (here stores) opening
// and migrating a database Django made, in SQLite's rollback-journal mode,
// at once all succeed. Open switches the file to WAL, which needs it
// alone; SQLite answers that switch SQLITE_BUSY without waiting when
// another connection is in the middle of it, so Open retries for up to
// BusyTimeout.
func TestOpenDjangoSQLiteTogether(t *testing.T) {
	for round := range 10 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("django%d.sqlite3", round))
		copyFile(t, filepath.Join("testdata", "django32.sqlite3"), path)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := range 6 {
			wg.Go(func() {
				<-gate
				ctx := testCtx(t)
				s, err := sqlstore.Open(ctx, "sqlite:"+path)
				if err != nil {
					t.Errorf("round %d, Open %d: %v", round, i, err)
					return
				}
				defer s.Close()
				if err := s.Migrate(ctx); err != nil {
					t.Errorf("round %d, Migrate %d: %v", round, i, err)
				}
			})
		}
		close(gate)
		wg.Wait()
		if t.Failed() {
			return
		}
	}
}

// TestForeignKeysOff: with ForeignKeysOff, rebuilding a table that another
// refers to with ON DELETE CASCADE (SQLite's procedure: new table, copy,
// drop, rename) keeps the referring rows; a rebuild that leaves rows
// referring to missing ones fails and rolls back; and the write connection
// enforces foreign keys again afterwards.
func TestForeignKeysOff(t *testing.T) {
	ctx := testCtx(t)
	s := openURL(t, "sqlite:"+filepath.Join(t.TempDir(), "fk.sqlite3"))
	for _, q := range []string{
		`CREATE TABLE app_parent (id integer PRIMARY KEY, name text NOT NULL)`,
		`CREATE TABLE app_child (id integer PRIMARY KEY, parent_id integer NOT NULL REFERENCES app_parent (id) ON DELETE CASCADE)`,
		`INSERT INTO app_parent (id, name) VALUES (1, 'a'), (2, 'b')`,
		`INSERT INTO app_child (id, parent_id) VALUES (10, 1), (20, 2)`,
	} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	rebuild := func(where string) func(context.Context, *sql.Tx) error {
		return func(ctx context.Context, tx *sql.Tx) error {
			for _, q := range []string{
				`CREATE TABLE app_parent__new (id integer PRIMARY KEY, name text NOT NULL, extra text)`,
				`INSERT INTO app_parent__new (id, name) SELECT id, name FROM app_parent WHERE ` + where,
				`DROP TABLE app_parent`,
				`ALTER TABLE app_parent__new RENAME TO app_parent`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		}
	}
	children := func() int {
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM app_child`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	checkFK := func(when string) {
		var on int
		if err := s.DB().QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil || on != 1 {
			t.Errorf("PRAGMA foreign_keys %s = %d, %v; want 1", when, on, err)
		}
	}
	err := s.WithMigrationLock(ctx, rebuild("id = 1"), sqlstore.ForeignKeysOff())
	if err == nil || !strings.Contains(err.Error(), "app_child row 20 refers to a missing app_parent") {
		t.Errorf("a rebuild losing a referred row = %v; want the foreign_key_check error", err)
	}
	checkFK("after the failed rebuild")
	if got := queryStrings(t, s.DB(), `SELECT name FROM pragma_table_info('app_parent') ORDER BY cid`); !slices.Equal(got, []string{"id", "name"}) {
		t.Errorf("app_parent after the failed rebuild has %q; want it rolled back", got)
	}
	if err := s.WithMigrationLock(ctx, rebuild("1"), sqlstore.ForeignKeysOff()); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if n := children(); n != 2 {
		t.Errorf("app_child has %d rows after the rebuild; want 2", n)
	}
	checkFK("after the rebuild")
	checkBusyTimeout(t, s, "after the rebuild")
	// Enforcement is back: deleting a parent cascades.
	if _, err := s.DB().ExecContext(ctx, `DELETE FROM app_parent WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if n := children(); n != 1 {
		t.Errorf("app_child has %d rows after deleting a parent; want 1", n)
	}
}

// TestLockTimeoutFromEnv: unset is DefaultLockTimeout, a positive
// duration is taken, anything else is an error naming the variable.
func TestLockTimeoutFromEnv(t *testing.T) {
	for v, want := range map[string]time.Duration{"": sqlstore.DefaultLockTimeout, "90s": 90 * time.Second, "2m": 2 * time.Minute} {
		got, err := sqlstore.LockTimeoutFromEnv(func(k string) string { return map[string]string{sqlstore.LockTimeoutEnv: v}[k] })
		if err != nil || got != want {
			t.Errorf("REINHARDT_LOCK_TIMEOUT=%q: %s, %v; want %s", v, got, err, want)
		}
	}
	for _, v := range []string{"0s", "-1m", "120", "soon"} {
		_, err := sqlstore.LockTimeoutFromEnv(func(k string) string { return map[string]string{"REINHARDT_LOCK_TIMEOUT": v}[k] })
		if err == nil || !strings.Contains(err.Error(), "REINHARDT_LOCK_TIMEOUT") {
			t.Errorf("REINHARDT_LOCK_TIMEOUT=%q: %v; want an error naming the variable", v, err)
		}
	}
}

// TestTableExists: true for a table, false for a missing one, in the
// transaction WithMigrationLock gives.
func TestTableExists(t *testing.T) {
	run := func(t *testing.T, url string) {
		s := openURL(t, url)
		err := s.WithMigrationLock(testCtx(t), func(ctx context.Context, tx *sql.Tx) error {
			for name, want := range map[string]bool{"auth_user": true, "reinhardt_migrations": true, "no_such_table": false} {
				if got, err := s.TableExists(ctx, tx, name); err != nil || got != want {
					t.Errorf("TableExists(%q) = %v, %v; want %v", name, got, err, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Run("SQLiteFile", func(t *testing.T) { run(t, "sqlite:"+filepath.Join(t.TempDir(), "exists.sqlite3")) })
	t.Run("Postgres", func(t *testing.T) {
		u, _ := postgresSchema(t)
		run(t, u)
	})
	t.Run("MariaDB", func(t *testing.T) {
		u, _ := mysqlDatabase(t)
		run(t, u)
	})
}
