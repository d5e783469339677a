// Package sqlstore keeps users, groups and permissions in Django's own
// tables over database/sql: SQLite through modernc.org/sqlite (pure Go, the
// embedded default), PostgreSQL through pgx, and MariaDB (10.5 or later)
// or MySQL (8.0 or later) through go-sql-driver/mysql.
//
// # Opening
//
//	s, err := sqlstore.Open(ctx, "sqlite:auth.sqlite3") // or "postgres://user@host/db", "mysql://user:pass@host:3306/db"
//	if err != nil { ... }
//	defer s.Close()
//	if err := s.Migrate(ctx); err != nil { ... }
//	backend := core.NewModelBackend(s)
//
// An SQLite file is opened in WAL mode with a busy timeout (BusyTimeout),
// foreign keys on and BEGIN IMMEDIATE transactions, with one read-write
// connection (writers queue in Go, honouring their contexts, rather than
// spinning on SQLITE_BUSY) and a pool of read-only connections that read
// while the writer writes, through a memory map of the file
// (SQLiteMmapSize), so that a page missing from a connection's page cache
// costs no read system call. "sqlite::memory:" is a private in-memory
// database on a single connection, for tests.
//
// On PostgreSQL, Open also makes a pgx pool (pgxpool) through which the
// session backend loads and saves sessions without database/sql, in one
// round trip each; WithPgxPool gives it the application's pool instead.
//
// A MariaDB/MySQL session is set up for this package's standard SQL:
// sql_mode ANSI_QUOTES, PIPES_AS_CONCAT, NO_BACKSLASH_ESCAPES and strict
// mode (a value too long for its column, or text that is not UTF-8, is
// refused as core.ErrInvalidInput, not truncated), time_zone '+00:00'
// with datetimes read as time.Time in UTC, utf8mb4, one statement per
// query. A connection is dialled within MySQLDialTimeout unless the URL's
// timeout says otherwise; statements are bounded by their contexts.
//
// The file holds password hashes (and an application's secrets, such as
// the showcase's generated secret key): Open creates a new one with
// FileMode, 0600, so only its owner may read it, and SQLite gives its -wal
// and -shm files the same mode. An existing file, -wal or -shm that its
// group or others may access is reported as a warning (slog.Default(), or
// WithLogger) and left as it is: chmod 600 it.
//
// # Django compatibility
//
// The tables are those Django 3.2's contenttypes and auth migrations make:
// django_content_type, auth_permission, auth_group, auth_group_permissions,
// auth_user, auth_user_groups and auth_user_user_permissions, with Django's
// DDL statement for statement on SQLite and Django's column, constraint,
// index and sequence names on PostgreSQL, and as Django's MySQL backend
// makes them on MariaDB/MySQL (the tests compare all three with what
// Django's migrate makes): integer AUTO_INCREMENT ids, bool, varchar(150)
// usernames, datetime(6) in UTC, longtext, Django's constraint names, no
// index of their own for foreign keys (InnoDB makes them), and no
// character set of their own: they take the database's, which Migrate
// requires to be utf8mb4. This package's own tables (reinhardt_*) are
// utf8mb4_bin, so their keys compare byte for byte.
//
// The database's collation is then auth_user's, as in a Django project on
// MySQL: with a case- and accent-insensitive one (utf8mb4_general_ci,
// utf8mb4_unicode_ci, MySQL 8's utf8mb4_0900_ai_ci) the unique constraint
// on username takes "Bob", "bob", "bób" and "bob " for one name, so
// CreateUser and UpdateUser refuse each beside another with
// core.ErrDuplicateUsername (stricter than core.FoldUsername, and what
// Django there does), and two users whose names differ only in case cannot
// exist. Lookups stay exact: GetByUsername returns a user only for its
// exact name, as on the other databases, although Django on MySQL logs
// "BOB" in as bob. Store.SameUsername says what the constraint decides.
// Text this package compares for optimistic concurrency in Django's tables
// (session versions, Django-format session data) is compared as bytes. Migrate also seeds Django's default content
// types and permissions and records contenttypes 0001-0002 and auth
// 0001-0012 in django_migrations, so Django's migrate on a database made
// here has nothing to do; on a database Django made, Migrate finds the
// tables and adopts them without change. Migrations are versioned,
// embedded in the binary and recorded in reinhardt_migrations.
//
// # Migrations, the migration lock and an application's own tables
//
// Every schema change runs under one database-wide lock, so that of
// several processes starting together (a deployment's replicas, authctl
// migrate) exactly one migrates and the others wait, then find nothing to
// do: on PostgreSQL a transaction-scoped advisory lock (it ends with the
// transaction, so a pooled connection never keeps it), on SQLite the
// database's write lock (BEGIN IMMEDIATE on the write connection). A
// waiter gives up after Store.LockTimeout (DefaultLockTimeout, 2 minutes,
// when zero) with an error wrapping ErrLockTimeout that names the holder:
// on PostgreSQL its backend pid, application_name (Open sets it to the
// program's name unless the URL does), client address, user, state and
// how long its transaction has been open; SQLite cannot say which process
// holds its lock, so the error names the file. On MariaDB/MySQL the lock
// is GET_LOCK of a name made from the database's, a lock of the
// connection rather than the transaction (MariaDB and MySQL commit
// implicitly around DDL, so a migration that fails half-way keeps what it
// did before the failure, as Django's migrations there do): it is taken
// before the transaction and released after it, on the connection
// WithMigrationLock keeps for the whole run, and a waiter that times out
// names the holding connection's id, user, client, command and state
// (KILL id ends it).
//
// Starting on an up-to-date database writes nothing: Migrate only reads
// reinhardt_migrations, and EnsurePermission inserts only what is missing
// (an INSERT that meets a conflict still takes a number from PostgreSQL's
// sequence), so restarts leave the sequences where they were.
//
// An application's own tables live beside Django's on two conditions (on
// MariaDB/MySQL, declare foreign keys as table constraints, FOREIGN KEY
// (…) REFERENCES …: a REFERENCES clause in a column's definition is
// ignored there):
//
//   - They are created and changed under the same lock:
//     WithMigrationLock(ctx, func(ctx, tx) error { ... }) runs the
//     application's statements in a transaction holding it. Check what
//     exists (Store.TableExists) before creating or altering anything (f
//     runs in every process that starts, and should write nothing when
//     nothing is missing), and use tx only: on SQLite the lock is the
//     Store's one write connection. A change SQLite's ALTER TABLE cannot
//     make (a constraint) rebuilds the table with the option
//     ForeignKeysOff, as SQLite's procedure requires.
//   - Their foreign keys to auth_user (and to any table Django deletes
//     from) say ON DELETE CASCADE (or SET NULL): Django does not know the
//     application's models, so when it deletes a user its collector cannot
//     delete their rows, and without the clause the database refuses the
//     delete. Django's SQLite backend turns foreign keys on, as Open does.
//
// ExampleStore_WithMigrationLock makes such a table; the showcase's
// blog_post (examples/internal/showcase) is another.
//
// Datetimes are stored as Django stores them (UTC to the microsecond; on
// SQLite as text "2006-01-02 15:04:05.000001", on MariaDB/MySQL in
// datetime(6)), and password hashes are
// Django's encodings, so Django and this package read each other's rows:
// users Django created log in here, hashes upgraded here log in to Django.
// Custom user models (AUTH_USER_MODEL) are not supported.
//
// # Contract
//
// Store implements core.UserStore and core.BaseUserManager and passes the
// conformance suite of package storetest. A user that does not exist is
// (nil, nil); every database error wraps core.ErrStoreUnavailable (with
// context.Canceled or DeadlineExceeded in the chain when ctx ended), so
// authentication fails closed. Answers that are not failures have their
// own errors: core.ErrDuplicateUsername (decided by the unique
// constraint, and at creation for a case variant of a username, see
// Store.CreateUser), core.ErrUserNotFound, ErrDuplicateGroup, ErrNotFound.
// On MariaDB/MySQL a transaction InnoDB rolls back as a deadlock's victim
// is run again (up to three times); a lock wait timeout is a store
// failure.
// Queries are parametrised, and no error text contains a password, a hash
// or a username.
//
// A user is read with its own permissions and its groups' permissions
// ("app_label.codename") in one query.
//
// # Sessions
//
// Store.Sessions returns DatabaseSessionBackend, the default: sessions in
// Django's django_session table under the SHA-256 of their keys, in a
// format of its own, so that a copy of the table holds no usable session;
// Django and this library then share the table but not the sessions.
// NewDjangoSessionBackend returns DjangoSessionBackend instead, Django's
// own rows (keys unhashed, session_data signed with Django's SECRET_KEY),
// for a service that shares its logins with a Django project: its doc
// comment weighs the trade-off.
//
// # Throttle counters
//
// Store.Throttle returns the throttle.Store of core/throttle over the
// table reinhardt_throttle (migration 0006), for throttles shared by
// several processes; it passes storetest.TestThrottleStore.
//
// # OAuth2
//
// Store.OAuth2 returns core/oauth2's Store over the tables
// reinhardt_oauth2_application, reinhardt_oauth2_code and
// reinhardt_oauth2_token (migration 0007), which keep codes and tokens
// only as SHA-256 hashes (so not in django-oauth-toolkit's tables, which
// hold them in the clear; see OAuth2Store). Redeeming a code and rotating
// a refresh token are conditional UPDATEs that let exactly one of
// concurrent calls win (on MariaDB/MySQL, which have no UPDATE …
// RETURNING, a SELECT … FOR UPDATE and the UPDATE of that row in a read
// committed transaction); it passes oauth2test.TestStore, with its races,
// on SQLite, PostgreSQL and MariaDB.
//
// # Audit log
//
// Store.AuditLog returns the subscriber of core/events that keeps the
// security events in the table reinhardt_audit_event (migration 0008):
// one row per event, its meta in columns and its own fields as JSON.
// Prune deletes the rows older than AuditLog.Retention (90 days by
// default), as `authctl clearsessions` does.
package sqlstore
