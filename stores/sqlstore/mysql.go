package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// mysqlSQLMode is the sql_mode of every MariaDB/MySQL session a Store
// opens: the statements of this package are written in standard SQL,
// which these modes make MariaDB and MySQL read (identifiers in double
// quotes, || concatenates, a backslash is an ordinary character in
// literals), and strict mode makes a value that does not fit an error
// (ErrInvalidInput) instead of a warning and a truncated row.
const mysqlSQLMode = "ANSI_QUOTES,PIPES_AS_CONCAT,NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"

// MySQLDialTimeout bounds how long opening a connection to MariaDB/MySQL
// may take, unless the URL's timeout parameter says otherwise. Statements
// are bounded by their contexts, not by a read timeout, since the
// migration lock may be waited for up to Store.LockTimeout.
const MySQLDialTimeout = 10 * time.Second

// mysqlReserved are the DSN parameters and session variables a URL may
// not set, because the queries of this package depend on their values.
var mysqlReserved = []string{"parsetime", "loc", "multistatements", "interpolateparams", "clientfoundrows",
	"sql_mode", "time_zone", "columnswithalias", "rejectreadonly"}

// sessionVariable and sessionValue are what a mysql:// URL may set as a
// session variable: a lower-case name of letters, digits and
// underscores, and a number or a word.
var (
	sessionVariable = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	sessionValue    = regexp.MustCompile(`^[A-Za-z0-9_.+-]+$`)
)

// openMySQL opens a MariaDB/MySQL pool from
// "mysql://user:password@host:port/dbname?params": every session reads
// datetimes as time.Time in UTC (parseTime, loc=UTC, time_zone '+00:00',
// so that datetime(6) columns hold UTC as Django's MySQL backend writes
// them), talks utf8mb4 (the driver's default, utf8mb4_general_ci), runs in the sql_mode mysqlSQLMode, and sends one
// statement per query (no multiStatements: nothing here needs them).
// Parameters the driver knows (tls, timeout, charset, collation, …) are
// applied; others are set as session variables (innodb_lock_wait_timeout,
// …). The pool is bounded by MaxPostgresConns.
func openMySQL(ctx context.Context, raw string) (*Store, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: a mysql:// URL that does not parse", ErrInvalidURL)
	}
	db := strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || db == "" || strings.Contains(db, "/") || u.Opaque != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: want mysql://user:password@host:port/dbname", ErrInvalidURL)
	}
	for name := range u.Query() {
		for _, r := range mysqlReserved {
			if strings.EqualFold(name, r) {
				return nil, fmt.Errorf("%w: the mysql:// URL may not set %s (sqlstore sets it)", ErrInvalidURL, name)
			}
		}
	}
	// The driver parses the parameters; user, password, address and
	// database are set afterwards, so that no secret passes through its
	// error messages.
	cfg, err := mysql.ParseDSN("tcp(127.0.0.1:3306)/x?" + u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "3306"
	}
	cfg.Addr = net.JoinHostPort(host, port)
	cfg.DBName = db
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.MultiStatements = false
	cfg.InterpolateParams = false
	cfg.ClientFoundRows = false // affected rows are changed rows: ON DUPLICATE KEY UPDATE reports a no-op as 0
	if !u.Query().Has("timeout") {
		cfg.Timeout = MySQLDialTimeout
	}
	// What the driver does not know it sends as SET name = value, as it
	// is: only a plain variable name with a plain value, so that no
	// spelling (@@sql_mode, session.time_zone, a value with a comma and a
	// second assignment) can override the session settings below.
	for name, value := range cfg.Params {
		if !sessionVariable.MatchString(name) || !sessionValue.MatchString(value) {
			return nil, fmt.Errorf("%w: the mysql:// URL's parameter %q is not a session variable with a plain value", ErrInvalidURL, name)
		}
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["sql_mode"] = "'" + mysqlSQLMode + "'"
	cfg.Params["time_zone"] = "'+00:00'"
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	pool := sql.OpenDB(conn)
	pool.SetMaxOpenConns(MaxPostgresConns)
	pool.SetMaxIdleConns(MaxPostgresConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pool.SetConnMaxLifetime(time.Hour) // well within the server's wait_timeout (8 hours)
	s := New(pool, MySQL)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, s.fail(ctx, "connect", err)
	}
	return s, nil
}

// mysqlLockName is the GET_LOCK name of the migration lock of the current
// database: GET_LOCK's names are the server's, so the database's name is
// in it (hashed, as a name is at most 64 characters).
const mysqlLockName = `CONCAT('reinhardt_migrate_', SHA1(DATABASE()))`

// mysqlLock is MariaDB/MySQL's GET_LOCK, a lock of the connection (the
// session), not of a transaction: MariaDB and MySQL commit implicitly
// before and after DDL, so a lock that ended with the transaction would
// end at the first CREATE TABLE. It is taken on conn before the
// transaction begins and released after it ended; if the connection dies,
// the server releases it.
type mysqlLock struct{}

func (mysqlLock) begin(ctx context.Context, conn *sql.Conn, timeout time.Duration) (*sql.Tx, error) {
	if timeout <= 0 {
		return nil, errLockBusy
	}
	var got sql.NullInt64
	secs := max(timeout.Seconds(), 0.001)
	if err := conn.QueryRowContext(ctx, `SELECT GET_LOCK(`+mysqlLockName+`, ?)`, secs).Scan(&got); err != nil {
		return nil, err
	}
	switch {
	case !got.Valid:
		return nil, errors.New("GET_LOCK failed")
	case got.Int64 == 0:
		return nil, fmt.Errorf("%w: GET_LOCK timed out", errLockBusy)
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return nil, errors.Join(err, mysqlLock{}.release(context.WithoutCancel(ctx), conn))
	}
	return tx, nil
}

func (mysqlLock) release(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, `SELECT RELEASE_LOCK(`+mysqlLockName+`)`)
	if err != nil {
		// A connection that may still hold the lock must not go back
		// to the pool.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	return err
}

// holder names the session holding the lock (IS_USED_LOCK) from the
// process list: its id, user, client host, command, state and for how
// long it has been in it.
func (mysqlLock) holder(ctx context.Context, s *Store) string {
	var id sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT IS_USED_LOCK(`+mysqlLockName+`)`).Scan(&id); err != nil {
		return "its holder could not be looked up (" + err.Error() + ")"
	}
	if !id.Valid {
		return "the holder released it just now; try again"
	}
	var user, host, command, state sql.NullString
	var secs sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT "USER", "HOST", "COMMAND", "STATE", "TIME" FROM information_schema."PROCESSLIST" WHERE "ID" = ?`, id.Int64).
		Scan(&user, &host, &command, &state, &secs)
	if err != nil {
		return fmt.Sprintf("held by MariaDB/MySQL connection %d (its details could not be read: %v); KILL %d ends it", id.Int64, err, id.Int64)
	}
	return fmt.Sprintf("held by MariaDB/MySQL connection %d (user %q, client %s, command %q, state %q, for %ds); KILL %d ends it",
		id.Int64, user.String, host.String, command.String, state.String, secs.Int64, id.Int64)
}

// mysqlCheckCharset fails unless the database's default character set is
// utf8mb4: Django's tables take the database's default (as Django's
// MySQL backend creates them, without a character set of their own), and
// any other would refuse most of Unicode in usernames and names.
func mysqlCheckCharset(ctx context.Context, tx *sql.Tx) error {
	var cs string
	if err := tx.QueryRowContext(ctx, `SELECT @@character_set_database`).Scan(&cs); err != nil {
		return err
	}
	if cs != "utf8mb4" {
		return fmt.Errorf("the database's default character set is %s; Django's tables need utf8mb4: ALTER DATABASE … CHARACTER SET utf8mb4 (or CREATE DATABASE … CHARACTER SET utf8mb4) before migrating", cs)
	}
	return nil
}

// mysqlUsernameLock serializes the creators of one folded username on
// MariaDB/MySQL, as PostgreSQL's advisory lock does: GET_LOCK of a name
// made from the database and the lock key, taken on conn before the
// creating transaction and released after it ended (a lock of the session,
// see mysqlLock). It returns the release function.
func mysqlUsernameLock(ctx context.Context, conn *sql.Conn, key int32, timeout time.Duration) (func(), error) {
	const name = `CONCAT('reinhardt_user_', SHA1(CONCAT(DATABASE(), ':', ?)))`
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT GET_LOCK(`+name+`, ?)`, key, max(timeout.Seconds(), 0.001)).Scan(&got); err != nil {
		return nil, err
	}
	if !got.Valid || got.Int64 != 1 {
		return nil, errors.New("timed out waiting for the username's lock")
	}
	return func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT RELEASE_LOCK(`+name+`)`, key); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}, nil
}
