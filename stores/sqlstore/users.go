package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core"
)

// validID reports whether id can be a key of auth_user: PostgreSQL's
// serial and MariaDB/MySQL's integer are 32-bit integers, SQLite's
// integer 64 bits.
func (s *Store) validID(id int64) bool {
	if s.dialect != SQLite {
		return id >= math.MinInt32 && id <= math.MaxInt32
	}
	return true
}

// parseID parses a user id given as a string; ok is false for anything
// that cannot be a key, which is then simply not found.
func (s *Store) parseID(id string) (n int64, ok bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil && s.validID(n)
}

// UserByID implements core.UserStore: the user with that id, with its
// permissions and groups, or (nil, nil).
func (s *Store) UserByID(ctx context.Context, id string) (core.BaseUser, error) {
	n, ok := s.parseID(id)
	if !ok {
		if err := ctx.Err(); err != nil {
			return nil, s.fail(ctx, "user by id", err)
		}
		return nil, nil
	}
	u, err := s.GetByID(ctx, n)
	if u == nil || err != nil {
		return nil, err
	}
	return u, nil
}

// UserByUsername implements core.UserStore: the user whose username equals
// username exactly (no normalization, no case folding), with its
// permissions and groups, or (nil, nil).
func (s *Store) UserByUsername(ctx context.Context, username string) (core.BaseUser, error) {
	u, err := s.GetByUsername(ctx, username)
	if u == nil || err != nil {
		return nil, err
	}
	return u, nil
}

// UsersByEmail returns the users whose email address is email's
// case-insensitively, ordered by id, active or not and whatever their
// password, with permissions and groups as GetByID fills them; none for
// "". As Django's PasswordResetForm.get_users: the database's
// email__iexact (upper() of both sides: Unicode-aware on PostgreSQL,
// ASCII only on SQLite, as Django's iexact there), then
// core.FoldEmail (Django's _unicode_ci_compare) on each candidate.
func (s *Store) UsersByEmail(ctx context.Context, email string) ([]core.BaseUser, error) {
	if email == "" || !s.storable(email) {
		if err := ctx.Err(); err != nil {
			return nil, s.fail(ctx, "users by email", err)
		}
		return nil, nil
	}
	users, err := s.load(ctx, "users by email", s.q.usersByEmail, email)
	if err != nil {
		return nil, err
	}
	want := core.FoldEmail(email)
	var out []core.BaseUser
	for _, u := range users {
		if core.FoldEmail(u.Email) == want {
			out = append(out, u)
		}
	}
	return out, nil
}

// GetByID returns the user with id, its own permissions in
// UserPermissions and its groups with their permissions in Groups (as
// "app_label.codename"), read in one query; nil when there is none.
func (s *Store) GetByID(ctx context.Context, id int64) (*core.DefaultUser, error) {
	if !s.validID(id) {
		if err := ctx.Err(); err != nil {
			return nil, s.fail(ctx, "user by id", err)
		}
		return nil, nil
	}
	users, err := s.load(ctx, "user by id", s.q.userByID, id)
	if err != nil || len(users) == 0 {
		return nil, err
	}
	return users[0], nil
}

// GetByUsername returns the user whose username is exactly username, as
// GetByID does; nil when there is none.
func (s *Store) GetByUsername(ctx context.Context, username string) (*core.DefaultUser, error) {
	if !s.storable(username) {
		// No such user can exist; asking PostgreSQL would be an error.
		if err := ctx.Err(); err != nil {
			return nil, s.fail(ctx, "user by username", err)
		}
		return nil, nil
	}
	users, err := s.load(ctx, "user by username", s.q.userByUsername, username)
	if err != nil || len(users) == 0 {
		return nil, err
	}
	if users[0].Username != username {
		// MariaDB/MySQL compare in the column's collation, which (as
		// Django creates auth_user there) ignores case, accents and
		// trailing spaces: the name must still be exactly the one asked
		// for, as on the other databases.
		return nil, nil
	}
	return users[0], nil
}

// ListUsers returns every user ordered by id, with permissions and groups
// as GetByID fills them, in one query.
func (s *Store) ListUsers(ctx context.Context) ([]*core.DefaultUser, error) {
	return s.load(ctx, "list users", s.q.allUsers)
}

// load runs one of the loadUsers queries and assembles its rows, which
// come ordered by user id, then kind (user, own permission, group).
func (s *Store) load(ctx context.Context, op, query string, args ...any) ([]*core.DefaultUser, error) {
	st, err := s.prepared(ctx, s.rdb, query)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	defer rows.Close()
	var (
		users []*core.DefaultUser
		cur   *core.DefaultUser
	)
	for rows.Next() {
		var (
			kind                                   int
			id                                     int64
			password, username, first, last, email sql.NullString
			lastLogin, joined                      nullTime
			super, staff, active                   sql.NullBool
			groupID                                sql.NullInt64
			groupName, perm                        sql.NullString
		)
		if err := rows.Scan(&kind, &id, &password, &lastLogin, &super, &username, &first, &last,
			&email, &staff, &active, &joined, &groupID, &groupName, &perm); err != nil {
			return nil, s.fail(ctx, op, err)
		}
		if kind == 0 {
			cur = &core.DefaultUser{
				ID:         id,
				Username:   username.String,
				Email:      email.String,
				FirstName:  first.String,
				LastName:   last.String,
				Password:   password.String,
				LastLogin:  lastLogin.ptr(),
				Active:     active.Bool,
				Staff:      staff.Bool,
				Superuser:  super.Bool,
				DateJoined: joined.Time,
			}
			users = append(users, cur)
			continue
		}
		if cur == nil || cur.ID != id {
			return nil, s.fail(ctx, op, errors.New("permission rows out of order"))
		}
		switch kind {
		case 1:
			cur.UserPermissions = append(cur.UserPermissions, perm.String)
		case 2:
			if n := len(cur.Groups); n == 0 || cur.Groups[n-1].ID != groupID.Int64 {
				cur.Groups = append(cur.Groups, core.Group{ID: groupID.Int64, Name: groupName.String})
			}
			if perm.Valid {
				g := &cur.Groups[len(cur.Groups)-1]
				g.Permissions = append(g.Permissions, perm.String)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, op, err)
	}
	return users, nil
}

// SetPasswordHash implements core.UserStore. An unknown id is an error
// wrapping core.ErrUserNotFound.
func (s *Store) SetPasswordHash(ctx context.Context, id, encoded string) error {
	n, ok := s.parseID(id)
	if !ok {
		return s.notFound(ctx, "set password")
	}
	if !s.storable(encoded) {
		return ErrUnstorableText
	}
	return s.updateOne(ctx, "set password", s.q.setPassword, encoded, n)
}

// ReplacePasswordHash implements core.PasswordHashReplacer: one
// conditional UPDATE, so that of two racing replacements of one hash
// exactly one is stored.
func (s *Store) ReplacePasswordHash(ctx context.Context, id, old, encoded string) (bool, error) {
	n, ok := s.parseID(id)
	if !ok {
		return false, s.notFound(ctx, "replace password")
	}
	if !s.storable(encoded) {
		return false, ErrUnstorableText
	}
	err := s.updateOne(ctx, "replace password", s.q.replacePassword, encoded, n, old)
	if errors.Is(err, core.ErrUserNotFound) {
		return false, nil
	}
	return err == nil, err
}

// SetLastLogin implements core.UserStore. The time is stored as Django
// stores it: UTC, to the microsecond. An unknown id is an error wrapping
// core.ErrUserNotFound.
func (s *Store) SetLastLogin(ctx context.Context, id string, t time.Time) error {
	n, ok := s.parseID(id)
	if !ok {
		return s.notFound(ctx, "set last login")
	}
	return s.updateOne(ctx, "set last login", s.q.setLastLogin, s.dbTime(t), n)
}

func (s *Store) notFound(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return s.fail(ctx, op, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, core.ErrUserNotFound)
}

// updateOne runs an UPDATE of one user; no row is core.ErrUserNotFound.
func (s *Store) updateOne(ctx context.Context, op, query string, args ...any) error {
	st, err := s.prepared(ctx, s.db, query)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		if kind, _ := constraint(err); kind == "unique" {
			return core.ErrDuplicateUsername
		}
		return s.fail(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if n == 0 && s.dialect == MySQL {
		// MariaDB/MySQL count changed rows: a user set to what it was
		// is not missing.
		if err := s.db.QueryRowContext(ctx, s.q.userExists, args[len(args)-1]).Scan(&n); err != nil {
			return s.fail(ctx, op, err)
		}
	}
	if n == 0 {
		return s.notFound(ctx, op)
	}
	return nil
}

// CreateUser implements core.BaseUserManager as Django's
// UserManager.create_user: an active, non-staff user whose username is
// NFKC-normalized and whose email domain is lower-cased; extra sets other
// fields by their Django names (core.ApplyUserFields); a nil password
// makes an unusable one. A username that is taken is
// core.ErrDuplicateUsername, decided by the database's unique constraint,
// and so is one that differs from a user's only in case
// (core.FoldUsername), as Django 4.2's UserCreationForm refuses it; that
// check holds under concurrency (a PostgreSQL advisory lock per folded
// name, a MariaDB/MySQL GET_LOCK per folded name, SQLite's single
// writer). On MariaDB/MySQL auth_user's collation (the database's, as
// Django creates the table) decides too: with a case- and
// accent-insensitive one (utf8mb4_general_ci, utf8mb4_unicode_ci) the
// unique constraint refuses "José" beside "jose" as Django there does. Users a database already has whose names
// differ only in case (Django before 4.2 made them) are left alone, and
// each still logs in by its exact name.
func (s *Store) CreateUser(ctx context.Context, username string, password *string, extra map[string]any) (*core.DefaultUser, error) {
	return s.create(ctx, username, password, extra, false)
}

// CreateSuperuser is CreateUser for an active staff superuser; extra may
// not set is_staff or is_superuser to false.
func (s *Store) CreateSuperuser(ctx context.Context, username string, password *string, extra map[string]any) (*core.DefaultUser, error) {
	return s.create(ctx, username, password, extra, true)
}

func (s *Store) create(ctx context.Context, username string, password *string, extra map[string]any, super bool) (*core.DefaultUser, error) {
	u, err := core.PrepareUser(ctx, s.Hashers, username, password, extra, super, s.now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return nil, err
	}
	if !s.storable(u.Username, u.Email, u.FirstName, u.LastName) {
		return nil, ErrUnstorableText
	}
	fold := core.FoldUsername(u.Username)
	var opts *sql.TxOptions
	if s.dialect == Postgres {
		// Read committed whatever the server's default: the check must
		// see what was committed while this transaction waited for the
		// lock, which a snapshot taken before (repeatable read) would not.
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	insert := func(tx *sql.Tx) error {
		// The check and the insert are one writer's at a time, so the
		// check sees every case variant committed before the insert: on
		// SQLite the transaction holds the write lock from its start
		// (BEGIN IMMEDIATE, as Open configures; a deferred one that
		// raced would fail to write, not duplicate), on PostgreSQL an
		// advisory lock of the folded name, released at commit.
		if s.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, s.q.lockUsername, usernameLockKey(fold)); err != nil {
				return err
			}
		}
		if err := s.checkCaseVariants(ctx, tx, u.Username, fold); err != nil {
			return err
		}
		var err error
		u.ID, err = s.insertID(ctx, tx, s.q.insertUser, u.Password, nil, u.Superuser, u.Username,
			u.FirstName, u.LastName, u.Email, u.Staff, u.Active, s.dbTime(u.DateJoined))
		if kind, _ := constraint(err); kind == "unique" {
			return core.ErrDuplicateUsername
		}
		return err
	}
	if s.dialect == MySQL {
		err = s.createLocked(ctx, usernameLockKey(fold), insert)
	} else {
		err = s.inTxWith(ctx, "create user", opts, insert)
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// createLocked runs insert as create does on MariaDB/MySQL: in a read
// committed transaction on a connection that holds the GET_LOCK of the
// folded name (mysqlUsernameLock) from before the transaction until after
// it ended, so that the check for case variants sees every one committed
// before the insert. The collation of auth_user (case-insensitive as
// Django creates it there) refuses most case variants by itself; the
// lock makes core.FoldUsername's verdict hold too.
func (s *Store) createLocked(ctx context.Context, key int32, insert func(*sql.Tx) error) error {
	const op = "create user"
	return s.retryDeadlock(ctx, func() error {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return s.fail(ctx, op, err)
		}
		defer conn.Close()
		release, err := mysqlUsernameLock(ctx, conn, key, s.lockTimeout())
		if err != nil {
			return s.fail(ctx, op, err)
		}
		defer release()
		return s.runTx(ctx, op, func() (*sql.Tx, error) {
			return conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
		}, insert)
	})
}

// insertID runs an INSERT of one row and returns its id: by RETURNING
// "id" on SQLite and PostgreSQL, by the result's LastInsertId on
// MariaDB/MySQL (MySQL has no INSERT … RETURNING).
func (s *Store) insertID(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, query string, args ...any) (int64, error) {
	if s.dialect != MySQL {
		var id int64
		err := db.QueryRowContext(ctx, query, args...).Scan(&id)
		return id, err
	}
	res, err := db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// checkCaseVariants returns core.ErrDuplicateUsername when a user has a
// username (username itself included) that folds (core.FoldUsername) to
// fold, as Django
// 4.2's UserCreationForm refuses one by username__iexact. Neither SQLite's
// lower() (ASCII only) nor PostgreSQL's (the database's locale) folds as Go
// does, so SQL only narrows the search, to names of the same number of
// characters that have username's caseless characters in their places
// (usernameShape), and Go decides.
func (s *Store) checkCaseVariants(ctx context.Context, tx *sql.Tx, username, fold string) error {
	rows, err := tx.QueryContext(ctx, s.q.caseVariants, utf8.RuneCountInString(username), usernameShape(username))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var other string
		if err := rows.Scan(&other); err != nil {
			return err
		}
		if core.FoldUsername(other) == fold {
			return core.ErrDuplicateUsername
		}
	}
	return rows.Err()
}

// usernameShape is a LIKE pattern (escape character \) that every
// username folding like username matches: "_" for each character that has
// case variants, the character itself (escaped) for the others. SQLite's
// LIKE ignores ASCII case besides; that only widens it.
func usernameShape(username string) string {
	var b strings.Builder
	for _, r := range username {
		switch {
		case unicode.SimpleFold(r) != r:
			b.WriteByte('_')
		case r == '_' || r == '%' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// usernameLockKey is the PostgreSQL advisory lock of a folded username:
// 32 bits of its FNV-1a hash, under the lock class usernameLockClass. Two
// names with the same hash only wait for each other.
func usernameLockKey(fold string) int32 {
	h := fnv.New32a()
	h.Write([]byte(fold))
	return int32(h.Sum32())
}

// SameUsername reports whether auth_user's unique constraint takes a and
// b for one username (storetest.UsernameCollator): on SQLite and
// PostgreSQL when they are the same bytes, on MariaDB/MySQL when the
// username column's collation compares them equal (with Django's table
// in a utf8mb4_general_ci or utf8mb4_unicode_ci database "Bob", "bob" and
// "bób" are one name, and so is "bob " with its trailing space). A
// registration form can ask it to explain a core.ErrDuplicateUsername.
func (s *Store) SameUsername(ctx context.Context, a, b string) (bool, error) {
	if s.dialect != MySQL || !utf8.ValidString(a) || !utf8.ValidString(b) {
		return a == b, nil
	}
	var coll string
	err := s.rdb.QueryRowContext(ctx, `SELECT "COLLATION_NAME" FROM information_schema."COLUMNS"
WHERE "TABLE_SCHEMA" = DATABASE() AND "TABLE_NAME" = 'auth_user' AND "COLUMN_NAME" = 'username'`).Scan(&coll)
	if err != nil {
		return false, s.fail(ctx, "same username", err)
	}
	for _, c := range coll {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false, s.fail(ctx, "same username", fmt.Errorf("unexpected collation name %q", coll))
		}
	}
	var same bool
	err = s.rdb.QueryRowContext(ctx, `SELECT CONVERT(? USING utf8mb4) COLLATE `+coll+` = CONVERT(? USING utf8mb4) COLLATE `+coll, a, b).Scan(&same)
	if err != nil {
		return false, s.fail(ctx, "same username", err)
	}
	return same, nil
}

// UpdateUser writes every column of auth_user from u (found by u.ID):
// password, last_login, the flags, the names, email and date_joined. It
// does not change group membership or permissions. A username another
// user has is core.ErrDuplicateUsername (one that differs from another's
// only in case is allowed, as in Django's UserChangeForm); an unknown id
// wraps core.ErrUserNotFound.
func (s *Store) UpdateUser(ctx context.Context, u *core.DefaultUser) error {
	if !s.validID(u.ID) {
		return s.notFound(ctx, "update user")
	}
	if !s.storable(u.Username, u.Email, u.FirstName, u.LastName, u.Password) {
		return ErrUnstorableText
	}
	return s.updateOne(ctx, "update user", s.q.updateUser, u.Password, s.dbTimePtr(u.LastLogin),
		u.Superuser, u.Username, u.FirstName, u.LastName, u.Email, u.Staff, u.Active,
		s.dbTime(u.DateJoined), u.ID)
}

// DeleteUser deletes the user and its group memberships and permissions
// (what Django's cascade does), in one transaction. An unknown id wraps
// core.ErrUserNotFound.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	if !s.validID(id) {
		return s.notFound(ctx, "delete user")
	}
	var deleted int64
	err := s.inTx(ctx, "delete user", func(tx *sql.Tx) error {
		qs := []string{s.q.deleteUserGroups, s.q.deleteUserPerms}
		if s.q.nullUserTokens != "" {
			qs = append(qs, s.q.nullUserTokens)
		}
		for _, q := range qs {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, s.q.deleteUser, id)
		if err != nil {
			return err
		}
		deleted, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	if deleted == 0 {
		return s.notFound(ctx, "delete user")
	}
	return nil
}

// inTx runs f in a transaction on the read-write pool and commits it; an
// error from f or the commit rolls back and is wrapped as a store failure
// unless f returned one of this package's answers.
func (s *Store) inTx(ctx context.Context, op string, f func(*sql.Tx) error) error {
	return s.inTxWith(ctx, op, nil, f)
}

// inTxWith is inTx with the transaction's options.
func (s *Store) inTxWith(ctx context.Context, op string, opts *sql.TxOptions, f func(*sql.Tx) error) error {
	return s.retryDeadlock(ctx, func() error {
		return s.runTx(ctx, op, func() (*sql.Tx, error) { return s.db.BeginTx(ctx, s.txOptions(opts)) }, f)
	})
}

// runTx begins a transaction with begin, runs f in it and commits; an
// error from f or the commit rolls back and is wrapped as a store failure
// unless f returned one of this package's answers (isAnswer).
func (s *Store) runTx(ctx context.Context, op string, begin func() (*sql.Tx, error), f func(*sql.Tx) error) error {
	tx, err := begin()
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		if isAnswer(err) {
			return err
		}
		return s.fail(ctx, op, err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}

// isAnswer reports whether err is a negative answer rather than a failure.
func isAnswer(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrDuplicateGroup) ||
		errors.Is(err, core.ErrDuplicateUsername) || errors.Is(err, core.ErrUserNotFound)
}

// Interface checks.
var (
	_ core.UserStore                          = (*Store)(nil)
	_ core.BaseUserManager[*core.DefaultUser] = (*Store)(nil)
)
