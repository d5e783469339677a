package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
)

// Dialect names the SQL database a Store talks to.
type Dialect string

// The dialects Open understands.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
	// MySQL is MariaDB (10.5 or later) or MySQL (8.0 or later), through
	// github.com/go-sql-driver/mysql.
	MySQL Dialect = "mysql"
)

// BusyTimeout is how long an SQLite connection waits for a lock another
// connection (or process, such as Django) holds before it fails with
// SQLITE_BUSY.
const BusyTimeout = 5 * time.Second

// SQLiteMmapSize is the mmap_size (in bytes) Open sets on the read-only
// connections of an SQLite file: they read the first SQLiteMmapSize bytes
// of the file through a memory map, and the rest, if any, with read system
// calls. Without it, every page a lookup needs that the connection's page
// cache (2 MB) lacks costs a read system call; at a million sessions that
// is most leaf pages, and those calls made a session request's CPU time
// grow with the table (bench's BenchmarkScale). The map shares the
// operating system's page cache, so it adds address space, not memory.
// The writer reads through its page cache as before. On 32-bit platforms,
// whose address space four such maps would exhaust, Open leaves SQLite's
// default (no map). Through the map, an I/O error reading the file is a
// SIGBUS that ends the process rather than an error return; a deployment
// that prefers the error turns the map off with the URL's own
// _pragma=mmap_size(0), which Open then does not override.
const SQLiteMmapSize = 1 << 30

// Errors that are answers or refusals, not failures of the database: none
// wraps core.ErrStoreUnavailable.
var (
	// ErrDuplicateGroup: a group with that name exists. The text is
	// Django's.
	//lint:ignore ST1005 Django's message, shown to users as it is
	ErrDuplicateGroup = errors.New("A group with that name already exists.")
	// ErrNotFound: the user, group or permission an operation names does
	// not exist.
	ErrNotFound = errors.New("sqlstore: no such user, group or permission")
	// ErrInvalidURL: Open was given a URL it does not understand.
	ErrInvalidURL = errors.New("sqlstore: invalid database URL")
	// ErrUnstorableText: PostgreSQL cannot store text with a NUL byte or
	// invalid UTF-8, MariaDB/MySQL's utf8mb4 text invalid UTF-8 (SQLite
	// stores both).
	// It wraps core.ErrInvalidInput: the request's fault, rendered 400.
	ErrUnstorableText = fmt.Errorf("sqlstore: text with a NUL byte or invalid UTF-8 cannot be stored in this database: %w", core.ErrInvalidInput)
)

// storable reports whether the dialect can store every one of texts.
func (s *Store) storable(texts ...string) bool {
	if s.dialect == SQLite {
		return true
	}
	for _, t := range texts {
		if (s.dialect == Postgres && strings.IndexByte(t, 0) >= 0) || !utf8.ValidString(t) {
			return false
		}
	}
	return true
}

// Store keeps users, groups and permissions in Django's auth tables. It
// implements core.UserStore and core.BaseUserManager[*core.DefaultUser] and
// is safe for concurrent use.
//
// On an SQLite file a Store holds two pools: one read-write connection, so
// that writers queue in Go (honouring their contexts) instead of spinning
// on SQLITE_BUSY, and several read-only connections, which WAL lets read
// while the writer writes. An in-memory SQLite database has a single
// connection. MariaDB/MySQL have one pool. PostgreSQL opened by Open has
// a database/sql pool for everything and a pgx pool (pgxpool) for the
// session backend's per-request statements (see WithPgxPool).
type Store struct {
	// Hashers hashes the passwords CreateUser and CreateSuperuser set; nil
	// means hashers.Default().
	Hashers *hashers.Registry
	// Now is the clock for date_joined; nil means time.Now.
	Now func() time.Time
	// LockTimeout bounds the wait of Migrate and WithMigrationLock for the
	// migration lock another process holds; zero means
	// DefaultLockTimeout.
	LockTimeout time.Duration

	dialect Dialect
	db      *sql.DB // read-write
	rdb     *sql.DB // reads; db itself unless SQLite file
	q       *queries
	// pool, on PostgreSQL opened by Open, serves the session backend's
	// per-request statements through pgx directly (pgxpool.go); nil
	// otherwise. ownPool: Open made it, and Close closes it.
	// poolPrepares: the pool's query mode prepares statements, so that
	// pgx knows the parameters' types (see sessionText).
	pool                  *pgxpool.Pool
	ownPool, poolPrepares bool

	stmtMu sync.RWMutex
	stmts  map[stmtKey]*sql.Stmt
}

type stmtKey struct {
	db    *sql.DB
	query string
}

// prepared returns query prepared on db, preparing it on first use. The
// statements of the hot paths (user lookups, login writes) are prepared
// once, as compiling the permission query costs more than running it.
func (s *Store) prepared(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	key := stmtKey{db, query}
	s.stmtMu.RLock()
	st := s.stmts[key]
	s.stmtMu.RUnlock()
	if st != nil {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if old := s.stmts[key]; old != nil {
		st.Close()
		return old, nil
	}
	if s.stmts == nil {
		s.stmts = map[stmtKey]*sql.Stmt{}
	}
	s.stmts[key] = st
	return st, nil
}

// Open connects to the database named by url:
//
//   - "sqlite:PATH" opens (creating it if needed) the SQLite file PATH,
//     relative to the working directory unless absolute ("sqlite:///abs"
//     is also accepted); "sqlite::memory:" is a private in-memory
//     database. Options after "?" go to the modernc.org/sqlite driver.
//     Connections use WAL, a busy timeout of BusyTimeout, foreign keys
//     and BEGIN IMMEDIATE for transactions.
//   - "postgres://..." or "postgresql://..." connects through pgx; every
//     libpq URL parameter pgx understands may be given, and other
//     parameters (such as search_path) are sent as run-time settings.
//     application_name defaults to the program's file name. Sessions
//     are loaded and saved through a pgx pool of their own (see
//     WithPgxPool and MaxPostgresSessionConns); pgxpool's pool_*
//     parameters configure that pool.
//   - "mysql://user:password@host:port/dbname?params" connects to MariaDB
//     (10.5 or later) or MySQL (8.0 or later) through
//     github.com/go-sql-driver/mysql (see openMySQL for the session it
//     sets up); the port defaults to 3306, and params are the driver's DSN
//     parameters (tls, timeout, …) or system variables to set.
//
// MaxPostgresConns bounds the PostgreSQL (and MariaDB/MySQL) pool Open
// makes, so that a flood of logins queues in the application (honouring
// each request's context) instead of exhausting the server's
// max_connections (100 by default on PostgreSQL, 151 on MariaDB).
// Callers who want another bound use New with their own *sql.DB.
const MaxPostgresConns = 20

// Open checks that the database answers; it does not create tables: call
// Migrate. A new SQLite file is created with FileMode (0600: owner only),
// and an existing one that other users may read is warned about (see
// WithLogger).
func Open(ctx context.Context, url string, opts ...OpenOption) (*Store, error) {
	cfg := openConfig{logger: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.pool != nil && !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return nil, fmt.Errorf("%w: WithPgxPool needs a postgres:// URL", ErrInvalidURL)
	}
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(url, "sqlite:"), cfg)
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url, cfg)
	case strings.HasPrefix(url, "mysql://"):
		return openMySQL(ctx, url)
	}
	scheme, _, _ := strings.Cut(url, ":")
	return nil, fmt.Errorf("%w: unsupported scheme %q (want sqlite:, postgres:// or mysql://)", ErrInvalidURL, scheme)
}

// New returns a Store over an open database of the given dialect, for
// callers that manage their own pool. For SQLite the pool should be opened
// with a busy timeout and foreign keys on, as Open does.
func New(db *sql.DB, dialect Dialect) *Store {
	return &Store{dialect: dialect, db: db, rdb: db, q: queriesFor(dialect)}
}

func openSQLite(ctx context.Context, spec string, cfg openConfig) (*Store, error) {
	path, extra, _ := strings.Cut(spec, "?")
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return nil, fmt.Errorf("%w: want sqlite:PATH or sqlite::memory", ErrInvalidURL)
	}
	memory := path == ":memory:"
	extraQuery, err := url.ParseQuery(extra)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	// modernc.org/sqlite runs a URL's pragmas in lexicographic order, not
	// in the URL's, so a URL's own mmap_size replaces Open's rather than
	// following it.
	mapFile := !memory && strconv.IntSize == 64 && !slices.ContainsFunc(extraQuery["_pragma"], func(p string) bool {
		return strings.HasPrefix(strings.ToLower(strings.TrimSpace(p)), "mmap_size")
	})
	if !memory {
		if err := prepareSQLiteFile(path, cfg.logger); err != nil {
			return nil, fmt.Errorf("%w: %w", core.ErrStoreUnavailable, err)
		}
	}
	dsn := func(readOnly bool) string {
		v := url.Values{}
		v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
		v.Add("_pragma", "foreign_keys(1)")
		if !memory {
			v.Add("_pragma", "journal_mode(WAL)")
			v.Add("_pragma", "synchronous(NORMAL)")
		}
		if readOnly {
			v.Add("_pragma", "query_only(1)")
			if mapFile {
				v.Add("_pragma", fmt.Sprintf("mmap_size(%d)", SQLiteMmapSize))
			}
		} else {
			v.Set("_txlock", "immediate")
		}
		q := v.Encode()
		if extra != "" {
			q += "&" + extra
		}
		return path + "?" + q
	}
	w, err := sql.Open("sqlite", dsn(false))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	// One writer: every write queues here, in Go, rather than in SQLite's
	// busy handler. For :memory: it is also the only connection, since
	// each connection would have a database of its own; it must never be
	// closed while the Store lives.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := New(w, SQLite)
	if err := pingSQLite(ctx, w); err != nil {
		w.Close()
		return nil, s.fail(ctx, "open", err)
	}
	if memory {
		return s, nil
	}
	r, err := sql.Open("sqlite", dsn(true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := pingSQLite(ctx, r); err != nil {
		w.Close()
		r.Close()
		return nil, s.fail(ctx, "open", err)
	}
	s.rdb = r
	return s, nil
}

// pingSQLite opens db's first connection, retrying for up to BusyTimeout
// while it fails with SQLITE_BUSY. A connection's first statements switch
// the file to WAL, which needs the file alone; on a database in
// rollback-journal mode (Django's default), opened by several processes at
// once, SQLite may refuse the switch with SQLITE_BUSY at once instead of
// waiting in the busy handler.
func pingSQLite(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(BusyTimeout)
	for {
		err := db.PingContext(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Close closes the database pools.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for k, st := range s.stmts {
		st.Close()
		delete(s.stmts, k)
	}
	s.stmtMu.Unlock()
	err := s.db.Close()
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	if s.ownPool {
		s.pool.Close()
	}
	return err
}

// answer marks an error a transaction's function returns as the
// operation's answer (ErrNotEnrolled, a family mismatch), not a failure of
// the store: tx returns it unwrapped, as it is.
type answer struct{ err error }

func (a answer) Error() string { return a.err.Error() }

// tx runs f in a transaction on the read-write pool (on SQLite, the
// single writer's BEGIN IMMEDIATE). f's answer is returned as it is;
// every other error, and a failure to begin or commit, is a store
// failure (fail: ErrStoreUnavailable).
func (s *Store) tx(ctx context.Context, op string, f func(*sql.Tx) error) error {
	return s.txWith(ctx, op, nil, f)
}

// txWith is tx with transaction options (an isolation level).
func (s *Store) txWith(ctx context.Context, op string, opts *sql.TxOptions, f func(*sql.Tx) error) error {
	return s.retryDeadlock(ctx, func() error {
		tx, err := s.db.BeginTx(ctx, s.txOptions(opts))
		if err != nil {
			return s.fail(ctx, op, err)
		}
		if err := f(tx); err != nil {
			_ = tx.Rollback()
			if a, ok := errors.AsType[answer](err); ok {
				return a.err
			}
			return s.fail(ctx, op, err)
		}
		if err := tx.Commit(); err != nil {
			return s.fail(ctx, op, err)
		}
		return nil
	})
}

// txOptions are the options of a transaction on the dialect: on
// MariaDB/MySQL read committed unless the caller asks otherwise, so that a
// conditional UPDATE or locking read that waited for another
// transaction's row lock decides on what that transaction committed, and
// InnoDB takes no gap locks (fewer deadlocks) for the inserts.
func (s *Store) txOptions(opts *sql.TxOptions) *sql.TxOptions {
	if s.dialect == MySQL && opts == nil {
		return &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return opts
}

// deadlockRetries is how many times a transaction InnoDB chose as a
// deadlock's victim (and rolled back whole) is run again.
const deadlockRetries = 3

// retryDeadlock runs f, again when it failed because InnoDB chose its
// transaction as a deadlock's victim (1213; or 1467, the same when the
// deadlock was over the table's AUTO-INC lock, which an INSERT … SELECT
// takes under MariaDB's default innodb_autoinc_lock_mode 1): f rolled
// back, so running it again is safe. Other errors, a lock wait timeout
// (1205) among them, are returned as they are (store failures: the
// request fails closed).
func (s *Store) retryDeadlock(ctx context.Context, f func() error) error {
	for i := 0; ; i++ {
		err := f()
		if err == nil || s.dialect != MySQL || i >= deadlockRetries || !isDeadlock(err) || ctx.Err() != nil {
			return err
		}
	}
}

// isDeadlock reports whether err is MariaDB/MySQL's ER_LOCK_DEADLOCK, or
// ER_AUTOINC_READ_FAILED (a deadlock over the AUTO-INC lock).
func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1467)
}

// DB returns the read-write pool. On an SQLite file it has a single
// connection: use it for writes and for transactions, ReadDB for reads.
func (s *Store) DB() *sql.DB { return s.db }

// ReadDB returns the pool for reads: on an SQLite file, read-only
// connections that run alongside the writer; otherwise DB().
func (s *Store) ReadDB() *sql.DB { return s.rdb }

// Dialect reports the database's dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// Rebind rewrites the "?" placeholders of query into the dialect's form
// ("$1", "$2", ... for PostgreSQL; MariaDB/MySQL and SQLite keep "?").
// query must not contain "?" elsewhere.
func (s *Store) Rebind(query string) string { return rebind(s.dialect, query) }

func rebind(d Dialect, query string) string {
	if d != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// mysqlUpsertSession is the INSERT of a new row of django_session on
// MariaDB/MySQL, the ON CONFLICT … DO UPDATE … WHERE of the other
// dialects: it replaces only an expired row (the assignments keep the old
// values otherwise; the second still reads the old expire_date, as
// MariaDB and MySQL assign left to right). The affected-row count is 1
// for an insert, 2 for a replaced row, 0 when a live row stays. Its
// arguments are the key, the data, the expiry and "now" twice.
const mysqlUpsertSession = `INSERT INTO "django_session" ("session_key", "session_data", "expire_date") VALUES (?, ?, ?)
ON DUPLICATE KEY UPDATE "session_data" = IF("expire_date" <= ?, VALUES("session_data"), "session_data"),
"expire_date" = IF("expire_date" <= ?, VALUES("expire_date"), "expire_date")`

// exactText rewrites the comparisons "col = ?" of query's WHERE clause
// to compare bytes
// on MariaDB/MySQL, where text compares in the column's collation
// (Django's tables take the database's, usually case-insensitive, and
// trailing spaces are ignored): a version or a signed session text must
// match exactly. On the other dialects query is returned as it is.
func (s *Store) exactText(query string, cols ...string) string {
	if s.dialect != MySQL {
		return query
	}
	head, where, ok := strings.Cut(query, ` WHERE `)
	if !ok {
		return query
	}
	for _, c := range cols {
		where = strings.ReplaceAll(where, c+` = ?`, `CAST(`+c+` AS BINARY) = CAST(? AS BINARY)`)
	}
	return head + ` WHERE ` + where
}

// lockTimeout is LockTimeout, or DefaultLockTimeout when zero.
func (s *Store) lockTimeout() time.Duration {
	if s.LockTimeout > 0 {
		return s.LockTimeout
	}
	return DefaultLockTimeout
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// fail wraps a database error: it is a failure of the store. When ctx has
// ended, its error is kept in the chain too, so errors.Is(err,
// context.Canceled) holds. The message names the operation, never a value.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "22001" || pe.Code == "22021" || pe.Code == "22P05") {
		// string too long, bad encoding, untranslatable character: the
		// value's fault, not the database's.
		return fmt.Errorf("sqlstore: %s: %w: %w", op, core.ErrInvalidInput, err)
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) && (me.Number == 1406 || me.Number == 1366 || me.Number == 1264) {
		// data too long, incorrect string value, out of range (strict
		// mode): the value's fault.
		return fmt.Errorf("sqlstore: %s: %w: %w", op, core.ErrInvalidInput, err)
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%w)", cerr, err)
	}
	return fmt.Errorf("sqlstore: %s: %w: %w", op, core.ErrStoreUnavailable, err)
}

// constraint classifies an integrity error: "unique" or "foreign key",
// with the constraint or column text the database gives; "" otherwise.
func constraint(err error) (kind, detail string) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return "unique", se.Error()
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return "foreign key", se.Error()
		}
		return "", ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return "unique", pe.ConstraintName
		case "23503":
			return "foreign key", pe.ConstraintName
		}
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1062: // ER_DUP_ENTRY
			return "unique", me.Message
		case 1451, 1452, 1216, 1217: // a row referred to, or referring to a missing one
			return "foreign key", me.Message
		}
	}
	return "", ""
}
