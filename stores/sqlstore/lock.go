package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DefaultLockTimeout is how long Migrate and WithMigrationLock wait for the
// migration lock when Store.LockTimeout is zero. Migrating an empty
// database takes well under a second; the margin is for the schema changes
// of a large one, which the waiters must sit out.
const DefaultLockTimeout = 2 * time.Minute

// LockTimeoutEnv is the environment variable LockTimeoutFromEnv reads.
const LockTimeoutEnv = "REINHARDT_LOCK_TIMEOUT"

// LockTimeoutFromEnv returns the lock timeout REINHARDT_LOCK_TIMEOUT
// gives through getenv (os.Getenv, or a test's map): a Go duration such as
// "2m" or "90s". Unset or empty, it is DefaultLockTimeout; anything but a
// positive duration is an error naming the variable. Programs use it as
// their -lock-timeout flag's default, for Store.LockTimeout.
func LockTimeoutFromEnv(getenv func(string) string) (time.Duration, error) {
	v := getenv(LockTimeoutEnv)
	if v == "" {
		return DefaultLockTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: want a positive duration such as 2m, got %q", LockTimeoutEnv, v)
	}
	return d, nil
}

// TableExists reports whether the table name exists, read through tx: the
// check to make in WithMigrationLock's function before creating a table
// (on PostgreSQL, name is looked up on the search path, as to_regclass
// does; on SQLite, in the main database).
func (s *Store) TableExists(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	var ok bool
	err := tx.QueryRowContext(ctx, s.q.tableExists, name).Scan(&ok)
	return ok, err
}

// ErrLockTimeout: the migration lock was not free within the lock timeout.
// The error that wraps it names the holder as far as the database tells
// (on PostgreSQL its backend pid, application_name, client address, user,
// state and how long its transaction has been open). It also wraps
// core.ErrStoreUnavailable.
var ErrLockTimeout = errors.New("sqlstore: timed out waiting for the migration lock")

// migrationLockKey is the PostgreSQL advisory lock every schema change
// takes: a fixed number, the same in every process and version of this
// package (it was this package's first lock too), so that they exclude
// each other.
const migrationLockKey int64 = 7237958893911533940

// The halves of migrationLockKey as pg_locks shows them.
const (
	lockKeyHigh = uint32(uint64(migrationLockKey) >> 32)
	lockKeyLow  = uint32(uint64(migrationLockKey) & 0xffffffff)
)

// errLockBusy is what a migrationLock's acquire returns when the lock was
// not free within the timeout; WithMigrationLock turns it into
// ErrLockTimeout with the holder's description.
var errLockBusy = errors.New("lock busy")

// A migrationLock is how a dialect takes the database-wide lock that every
// schema change runs under.
//
// PostgreSQL's is a transaction-scoped advisory lock: it ends with the
// transaction, whatever happens to the pooled connection afterwards.
// SQLite's is the database's write lock, taken by BEGIN IMMEDIATE. A
// session-scoped lock (MariaDB/MySQL's GET_LOCK) takes it on conn before
// the transaction begins and gives it back in release, once the
// transaction has ended: MariaDB commits implicitly around DDL, so only a
// lock held by the connection, not the transaction, covers a migration.
type migrationLock interface {
	// begin takes the lock and returns the transaction f runs in, on
	// conn; when the lock is not free within timeout it returns an error
	// wrapping errLockBusy and no transaction.
	begin(ctx context.Context, conn *sql.Conn, timeout time.Duration) (*sql.Tx, error)
	// release gives back a session-scoped lock after the transaction
	// ended; a transaction-scoped one does nothing.
	release(ctx context.Context, conn *sql.Conn) error
	// holder describes who holds the lock, as far as the database says.
	holder(ctx context.Context, s *Store) string
}

func lockFor(d Dialect) migrationLock {
	switch d {
	case Postgres:
		return postgresLock{}
	case MySQL:
		return mysqlLock{}
	}
	return sqliteLock{}
}

// WithMigrationLock runs f in a transaction while holding the database-wide
// migration lock, and commits when f returns nil (rolls back otherwise).
// Migrate takes the same lock, in every process that uses this package
// (showcases of any framework, authctl migrate), so of N processes
// starting together exactly one changes the schema while the others wait
// and then find nothing left to do.
//
// It is the hook for an application's own tables: create and alter them in
// f, through tx, after checking what is already there (f runs in every
// process that starts, and should write nothing when nothing is missing).
// Tables that refer to auth_user should do so with ON DELETE CASCADE, as
// Django does not know them and cannot delete their rows when it deletes
// a user.
//
// f must use tx for every statement, never the Store's methods: on SQLite
// the lock is the write transaction on the Store's single write
// connection, so a Store method that writes would wait for f to end.
//
// A waiter gives up after Store.LockTimeout (DefaultLockTimeout when zero)
// with an error wrapping ErrLockTimeout and core.ErrStoreUnavailable that
// names the holder. Errors of f are returned as f gave them.
//
// Options change how f runs: ForeignKeysOff for a table SQLite must
// rebuild.
func (s *Store) WithMigrationLock(ctx context.Context, f func(ctx context.Context, tx *sql.Tx) error, opts ...LockOption) error {
	var o lockOptions
	for _, opt := range opts {
		opt(&o)
	}
	timeout := s.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	lock := lockFor(s.dialect)
	start := time.Now()
	// The wait for this process's own write connection counts against the
	// timeout too (on SQLite it is the only one).
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	conn, err := s.db.Conn(waitCtx)
	cancel()
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return s.fail(ctx, "migration lock", fmt.Errorf("%w after %s: every connection of this process's pool stayed busy", ErrLockTimeout, timeout))
		}
		return s.fail(ctx, "migration lock", err)
	}
	defer conn.Close()
	restoreFK := func() {}
	if o.foreignKeysOff && s.dialect == SQLite {
		if restoreFK, err = foreignKeysOff(ctx, conn); err != nil {
			return s.fail(ctx, "migration lock", err)
		}
		defer restoreFK() // after the transaction ended, before conn.Close
	}
	tx, err := lock.begin(ctx, conn, timeout-time.Since(start))
	if errors.Is(err, errLockBusy) {
		restoreFK()
		_ = conn.Close() // the holder is looked up on another connection of the pool
		return s.fail(ctx, "migration lock", fmt.Errorf("%w after %s: %s", ErrLockTimeout, timeout, lock.holder(ctx, s)))
	}
	if err != nil {
		return s.fail(ctx, "migration lock", err)
	}
	err = f(ctx, tx)
	if err == nil && o.foreignKeysOff && s.dialect == SQLite {
		err = foreignKeyCheck(ctx, tx)
	}
	if err != nil {
		_ = tx.Rollback()
		_ = lock.release(context.WithoutCancel(ctx), conn)
		return err
	}
	err = tx.Commit()
	if rerr := lock.release(context.WithoutCancel(ctx), conn); err == nil {
		err = rerr
	}
	if err != nil {
		return s.fail(ctx, "migration lock", err)
	}
	return nil
}

// A LockOption changes how WithMigrationLock runs its function.
type LockOption func(*lockOptions)

type lockOptions struct {
	foreignKeysOff bool
}

// ForeignKeysOff runs WithMigrationLock's function with SQLite's foreign
// key enforcement off, as SQLite's procedure for a schema change ALTER
// TABLE cannot make requires (https://www.sqlite.org/lang_altertable.html#otheralter:
// create the new table, copy the rows, drop the old one, rename the new
// one). With enforcement on, dropping the old table would delete the rows
// of every table referring to it with ON DELETE CASCADE, or fail on one
// referring to it without.
//
// The write connection gets PRAGMA foreign_keys = OFF before the lock's
// transaction begins (inside a transaction the pragma does nothing); before
// committing, PRAGMA foreign_key_check must find no row of the whole
// database referring to a missing one, or the transaction rolls back and
// WithMigrationLock returns an error naming the first such rows; then the
// connection gets enforcement back. It changes nothing on PostgreSQL,
// whose ALTER TABLE changes constraints in place.
func ForeignKeysOff() LockOption {
	return func(o *lockOptions) { o.foreignKeysOff = true }
}

// foreignKeysOff turns foreign key enforcement off on conn, outside any
// transaction, and returns the function that turns it back to what it was
// (once; when that fails, the connection is discarded rather than reused
// without enforcement).
func foreignKeysOff(ctx context.Context, conn *sql.Conn) (restore func(), err error) {
	var old int64
	if err := conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&old); err != nil {
		return nil, err
	}
	done := false
	restore = func() {
		if done {
			return
		}
		done = true
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = "+strconv.FormatInt(old, 10)); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // database/sql closes it
		}
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		restore()
		return nil, err
	}
	return restore, nil
}

// foreignKeyCheck fails when PRAGMA foreign_key_check finds rows referring
// to missing ones, naming the first few.
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT "table", coalesce(rowid, 0), parent FROM pragma_foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var found []string
	n := 0
	for rows.Next() {
		var table, parent string
		var rowid int64
		if err := rows.Scan(&table, &rowid, &parent); err != nil {
			return err
		}
		if n++; n <= 5 {
			found = append(found, fmt.Sprintf("%s row %d refers to a missing %s", table, rowid, parent))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("sqlstore: the schema change left %d rows referring to missing ones (PRAGMA foreign_key_check), rolled back: %s", n, strings.Join(found, "; "))
	}
	return nil
}

// postgresLock is pg_advisory_xact_lock(migrationLockKey), waited for with
// lock_timeout set for that one statement.
type postgresLock struct{}

func (postgresLock) begin(ctx context.Context, conn *sql.Conn, timeout time.Duration) (*sql.Tx, error) {
	if timeout <= 0 {
		return nil, errLockBusy
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	err = func() error {
		var old string
		if err := tx.QueryRowContext(ctx, `SELECT current_setting('lock_timeout')`).Scan(&old); err != nil {
			return err
		}
		ms := strconv.FormatInt(max(timeout.Milliseconds(), 1), 10)
		if _, err := tx.ExecContext(ctx, `SELECT set_config('lock_timeout', $1, true)`, ms); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
				return fmt.Errorf("%w: %w", errLockBusy, err)
			}
			return err
		}
		// The schema changes themselves wait for table locks as before.
		_, err := tx.ExecContext(ctx, `SELECT set_config('lock_timeout', $1, true)`, old)
		return err
	}()
	if err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return tx, nil
}

func (postgresLock) release(context.Context, *sql.Conn) error { return nil }

// holder finds the backend holding the advisory lock in pg_locks (a bigint
// key shows as classid, its high 32 bits, and objid, its low 32 bits, with
// objsubid 1) and describes it from pg_stat_activity.
func (postgresLock) holder(ctx context.Context, s *Store) string {
	var (
		pid                             int64
		app, client, user, state, since string
	)
	err := s.db.QueryRowContext(ctx, `SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local socket'),
	coalesce(a.usename::text, ''), coalesce(a.state, ''), coalesce(date_trunc('second', now() - a.xact_start)::text, '')
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 1
	AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
LIMIT 1`, lockKeyHigh, lockKeyLow).Scan(&pid, &app, &client, &user, &state, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return "the holder released it just now; try again"
	}
	if err != nil {
		return "its holder could not be looked up (" + err.Error() + ")"
	}
	return fmt.Sprintf("held by PostgreSQL backend pid %d (application_name %q, client %s, user %q, state %q, transaction open for %s); pg_terminate_backend(%d) ends it",
		pid, app, client, user, state, since, pid)
}

// sqliteLock is SQLite's write lock, taken by the BEGIN IMMEDIATE of the
// write connection (Open's _txlock=immediate), with busy_timeout set to
// the time left for that one BEGIN.
type sqliteLock struct{}

func (sqliteLock) begin(ctx context.Context, conn *sql.Conn, timeout time.Duration) (*sql.Tx, error) {
	if timeout <= 0 {
		return nil, errLockBusy
	}
	var old int64
	if err := conn.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&old); err != nil {
		return nil, err
	}
	// The busy timeout belongs to the connection, not the transaction, and
	// the connection is the Store's only writer: whatever happens after it
	// is set (the context cancelled, which also rolls the transaction
	// back; BEGIN failing), it gets the old one back, or is discarded.
	restore := func(tx *sql.Tx) error {
		_, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA busy_timeout = "+strconv.FormatInt(old, 10))
		if err == nil {
			return nil
		}
		if tx != nil {
			_ = tx.Rollback() // the transaction holds conn: Raw could not close it
		}
		_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // database/sql closes it
		return fmt.Errorf("restoring the busy timeout after the migration lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = "+strconv.FormatInt(max(timeout.Milliseconds(), 1), 10)); err != nil {
		return nil, errors.Join(err, restore(nil))
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		if rerr := restore(nil); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		var se *sqlite.Error
		if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY {
			return nil, fmt.Errorf("%w: %w", errLockBusy, err)
		}
		return nil, err
	}
	if err := restore(tx); err != nil {
		return nil, err
	}
	return tx, nil
}

func (sqliteLock) release(context.Context, *sql.Conn) error { return nil }

func (sqliteLock) holder(ctx context.Context, s *Store) string {
	var file string
	_ = s.rdb.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file)
	if file == "" {
		file = "the database"
	}
	return "another connection holds the write lock of " + file + " (SQLite does not say which process: look for one migrating, or stuck in a write transaction)"
}
