package sqlstore_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/sqlstore"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// TestOpenMySQLURL: mysql:// URLs Open refuses before connecting, and a
// server that does not answer is a store failure whose text holds no
// password.
func TestOpenMySQLURL(t *testing.T) {
	ctx := testCtx(t)
	for _, u := range []string{
		"mysql://user:pw@127.0.0.1:3306/",
		"mysql://user:pw@/db",
		"mysql://user:pw@127.0.0.1/a/b",
		"mysql://user:pw@127.0.0.1/db?parseTime=false",
		"mysql://user:pw@127.0.0.1/db?sql_mode=%27%27",
		"mysql://user:pw@127.0.0.1/db?time_zone=%27%2B02:00%27",
		"mysql://user:pw@127.0.0.1/db?multiStatements=true",
		"mysql://user:pw@127.0.0.1/db?interpolateParams=true",
		"mysql://user:pw@127.0.0.1/db?clientFoundRows=true",
		"mysql://user:pw@127.0.0.1/db?timeout=forever",
		"mysql://user:pw@127.0.0.1/db#frag",
		// Other spellings of the session settings, and a second
		// assignment smuggled in a value.
		"mysql://user:pw@127.0.0.1/db?%40%40sql_mode=x",
		"mysql://user:pw@127.0.0.1/db?session.time_zone=x",
		"mysql://user:pw@127.0.0.1/db?innodb_lock_wait_timeout=5,sql_mode=%27%27",
		"mysql://user:pw@127.0.0.1/db?innodb_lock_wait_timeout=5%20",
	} {
		s, err := sqlstore.Open(ctx, u)
		if !errors.Is(err, sqlstore.ErrInvalidURL) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Open(%q) = %v; want ErrInvalidURL", u, err)
		}
	}
	// Nothing listens on port 1.
	const secret = "s3cret-Passw0rd"
	s, err := sqlstore.Open(ctx, "mysql://someone:"+secret+"@127.0.0.1:1/db?timeout=2s")
	if err == nil {
		s.Close()
		t.Fatal("Open of a closed port succeeded")
	}
	if !errors.Is(err, core.ErrStoreUnavailable) || strings.Contains(err.Error(), secret) {
		t.Errorf("Open of a closed port = %v; want ErrStoreUnavailable without the password", err)
	}
}

// TestMySQLSchema: the tables Migrate makes on MariaDB are Django's as
// its MySQL backend makes them (Django 3.2's data_types: integer
// AUTO_INCREMENT, bool, varchar, datetime(6), longtext; its constraint
// names; no index of its own for a foreign key on InnoDB; the database's
// collation), and this package's own tables compare bytes (utf8mb4_bin).
func TestMySQLSchema(t *testing.T) {
	u, name := mysqlDatabase(t)
	s := openURL(t, u)
	ctx := testCtx(t)
	cols := queryStrings(t, s.DB(), `SELECT "COLUMN_NAME" || ' ' || "COLUMN_TYPE" || ' ' || "IS_NULLABLE" || ' ' || "EXTRA"
FROM information_schema."COLUMNS" WHERE "TABLE_SCHEMA" = ? AND "TABLE_NAME" = 'auth_user' ORDER BY "ORDINAL_POSITION"`, name)
	want := []string{
		"id int(11) NO auto_increment", "password varchar(128) NO ", "last_login datetime(6) YES ",
		"is_superuser tinyint(1) NO ", "username varchar(150) NO ", "first_name varchar(150) NO ",
		"last_name varchar(150) NO ", "email varchar(254) NO ", "is_staff tinyint(1) NO ",
		"is_active tinyint(1) NO ", "date_joined datetime(6) NO ",
	}
	if !slices.Equal(cols, want) {
		t.Errorf("auth_user's columns:\n got %q\nwant %q", cols, want)
	}
	constraints := queryStrings(t, s.DB(), `SELECT "TABLE_NAME" || ' ' || "CONSTRAINT_TYPE" || ' ' || "CONSTRAINT_NAME" FROM information_schema."TABLE_CONSTRAINTS"
WHERE "TABLE_SCHEMA" = ? AND ("TABLE_NAME" LIKE 'auth%' OR "TABLE_NAME" LIKE 'django%' OR "TABLE_NAME" LIKE 'token%') AND "CONSTRAINT_TYPE" <> 'PRIMARY KEY' ORDER BY 1`, name)
	wantConstraints := []string{
		"auth_group UNIQUE name",
		"auth_group_permissions FOREIGN KEY auth_group_permissio_permission_id_84c5c92e_fk_auth_perm",
		"auth_group_permissions FOREIGN KEY auth_group_permissions_group_id_b120cbf9_fk_auth_group_id",
		"auth_group_permissions UNIQUE auth_group_permissions_group_id_permission_id_0cd325b0_uniq",
		"auth_permission FOREIGN KEY auth_permission_content_type_id_2f476e4b_fk_django_co",
		"auth_permission UNIQUE auth_permission_content_type_id_codename_01ab375a_uniq",
		"auth_user UNIQUE username",
		"auth_user_groups FOREIGN KEY auth_user_groups_group_id_97559544_fk_auth_group_id",
		"auth_user_groups FOREIGN KEY auth_user_groups_user_id_6a12ed8b_fk_auth_user_id",
		"auth_user_groups UNIQUE auth_user_groups_user_id_group_id_94350c0c_uniq",
		"auth_user_user_permissions FOREIGN KEY auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm",
		"auth_user_user_permissions FOREIGN KEY auth_user_user_permissions_user_id_a95ead1b_fk_auth_user_id",
		"auth_user_user_permissions UNIQUE auth_user_user_permissions_user_id_permission_id_14a6b632_uniq",
		"django_content_type UNIQUE django_content_type_app_label_model_76bd3d3b_uniq",
		"token_blacklist_blacklistedtoken FOREIGN KEY token_blacklist_blacklistedtoken_token_id_3cc7fe56_fk",
		"token_blacklist_blacklistedtoken UNIQUE token_id",
		"token_blacklist_outstandingtoken FOREIGN KEY token_blacklist_outs_user_id_83bc629a_fk_auth_user",
		"token_blacklist_outstandingtoken UNIQUE token_blacklist_outstandingtoken_jti_hex_d9bdf6f7_uniq",
	}
	slices.Sort(constraints)
	slices.Sort(wantConstraints)
	if !slices.Equal(constraints, wantConstraints) {
		t.Errorf("constraints:\n got %q\nwant %q", constraints, wantConstraints)
	}
	var dbCollation string
	if err := s.DB().QueryRowContext(ctx, `SELECT @@collation_database`).Scan(&dbCollation); err != nil {
		t.Fatal(err)
	}
	tables := queryStrings(t, s.DB(), `SELECT "TABLE_NAME" || ' ' || "ENGINE" || ' ' || "TABLE_COLLATION" FROM information_schema."TABLES" WHERE "TABLE_SCHEMA" = ? ORDER BY 1`, name)
	for _, row := range tables {
		f := strings.Fields(row)
		want := dbCollation
		if strings.HasPrefix(f[0], "reinhardt_") {
			want = "utf8mb4_bin"
		}
		if f[1] != "InnoDB" || f[2] != want {
			t.Errorf("table %s: engine %s, collation %s; want InnoDB, %s", f[0], f[1], f[2], want)
		}
	}
	migrations := queryStrings(t, s.DB(), `SELECT "app" || '.' || "name" FROM "django_migrations" ORDER BY "id"`)
	for _, m := range []string{"contenttypes.0002_remove_content_type_name", "auth.0012_alter_user_first_name_max_length", "token_blacklist.0012_alter_outstandingtoken_user", "sessions.0001_initial"} {
		if !slices.Contains(migrations, m) {
			t.Errorf("django_migrations lacks %s: %q", m, migrations)
		}
	}
	perms := queryStrings(t, s.DB(), `SELECT ct."app_label" || '.' || p."codename" FROM "auth_permission" p JOIN "django_content_type" ct ON ct."id" = p."content_type_id" ORDER BY p."id"`)
	if len(perms) != 28 || perms[0] != "contenttypes.add_contenttype" || perms[15] != "auth.view_user" {
		t.Errorf("the default permissions: %q", perms)
	}
}

// TestMySQLNeedsUTF8MB4: Migrate refuses a database whose default
// character set is not utf8mb4 (Django's tables would take it), saying
// what to do, and creates nothing.
func TestMySQLNeedsUTF8MB4(t *testing.T) {
	u, name := mysqlDatabase(t)
	ctx := testCtx(t)
	s, err := sqlstore.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.DB().ExecContext(ctx, `ALTER DATABASE "`+name+`" CHARACTER SET latin1`); err != nil {
		t.Fatal(err)
	}
	err = s.Migrate(ctx)
	if err == nil || !strings.Contains(err.Error(), "utf8mb4") {
		t.Fatalf("Migrate of a latin1 database = %v; want an error naming utf8mb4", err)
	}
	tables := queryStrings(t, s.DB(), `SELECT "TABLE_NAME" FROM information_schema."TABLES" WHERE "TABLE_SCHEMA" = ? AND "TABLE_NAME" <> 'reinhardt_migrations'`, name)
	if len(tables) != 0 {
		t.Errorf("Migrate made tables in a latin1 database: %q", tables)
	}
}

// TestMySQLCollationAnswers: auth_user takes the database's collation (as
// Django makes it), so "Bob" and "bob" are one name for its unique
// constraint; a lookup still wants the exact name, and SameUsername says
// what the constraint decides.
func TestMySQLCollationAnswers(t *testing.T) {
	u, _ := mysqlDatabase(t)
	s := openURL(t, u)
	ctx := testCtx(t)
	pw := "a-long-pass-phrase"
	if _, err := s.CreateUser(ctx, "bob", &pw, nil); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"Bob", "bob ", "bób"} {
		if got, err := s.GetByUsername(ctx, n); err != nil || got != nil {
			t.Errorf("GetByUsername(%q) = %v, %v; want nil (the exact name only)", n, got, err)
		}
		if same, err := s.SameUsername(ctx, "bob", n); err != nil || !same {
			t.Errorf("SameUsername(bob, %q) = %v, %v; want true", n, same, err)
		}
		if _, err := s.CreateUser(ctx, n, nil, nil); !errors.Is(err, core.ErrDuplicateUsername) {
			t.Errorf("CreateUser(%q) = %v; want ErrDuplicateUsername", n, err)
		}
	}
	if same, err := s.SameUsername(ctx, "bob", "rob"); err != nil || same {
		t.Errorf("SameUsername(bob, rob) = %v, %v; want false", same, err)
	}
	got, err := s.GetByUsername(ctx, "bob")
	if err != nil || got == nil {
		t.Fatalf("GetByUsername(bob) = %v, %v", got, err)
	}
	// MariaDB counts changed rows: writing what is there is no "not found".
	for range 2 {
		if err := s.SetPasswordHash(ctx, got.GetID(), got.Password); err != nil {
			t.Errorf("SetPasswordHash to the same hash: %v", err)
		}
		if err := s.UpdateUser(ctx, got); err != nil {
			t.Errorf("UpdateUser without a change: %v", err)
		}
	}
	// A value the column cannot hold is the request's fault.
	if _, err := s.CreateUser(ctx, strings.Repeat("x", 151), nil, nil); errors.Is(err, core.ErrStoreUnavailable) || err == nil {
		t.Errorf("CreateUser of a 151-character name = %v; want a refusal that is not a store failure", err)
	}
	if _, err := s.CreateUser(ctx, "bad\xffname", nil, nil); !errors.Is(err, sqlstore.ErrUnstorableText) {
		t.Errorf("CreateUser with invalid UTF-8 = %v; want ErrUnstorableText", err)
	}
}

// TestMySQLSessionVersionIsExact: the version a save compares is text in
// django_session, whose collation ignores case; version 1's text differs
// from version 27's only in the case of its last character, and a save
// of version 1 over version 27 must still be a conflict.
func TestMySQLSessionVersionIsExact(t *testing.T) {
	u, _ := mysqlDatabase(t)
	s := openURL(t, u)
	ctx := testCtx(t)
	b := s.Sessions()
	id := sessions.SessionID("0123456789abcdefghijklmnopqrstuv")
	exp := time.Now().Add(time.Hour)
	if err := b.Save(ctx, id, sessions.Record{Data: []byte("v0"), Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	for v := uint64(1); v < 27; v++ {
		if err := b.Save(ctx, id, sessions.Record{Data: []byte("v"), Expiry: exp, Version: v}); err != nil {
			t.Fatalf("save of version %d: %v", v, err)
		}
	}
	rec, found, err := b.Load(ctx, id)
	if err != nil || !found || rec.Version != 27 {
		t.Fatalf("Load = %+v, %v, %v; want version 27", rec, found, err)
	}
	err = b.Save(ctx, id, sessions.Record{Data: []byte("stale"), Expiry: exp, Version: 1})
	if !errors.Is(err, sessions.ErrConflict) {
		t.Fatalf("save of version 1 over version 27 = %v; want ErrConflict", err)
	}
	if err := b.Save(ctx, id, sessions.Record{Data: []byte("gone"), Expiry: time.Now().Add(-time.Second), Version: 1}); !errors.Is(err, sessions.ErrConflict) {
		t.Errorf("expiring save of version 1 over version 27 = %v; want ErrConflict", err)
	}
	if rec, _, _ := b.Load(ctx, id); string(rec.Data) != "v" {
		t.Errorf("the stale saves changed the session: %q", rec.Data)
	}
}

// TestMySQLDatabaseCollations: the user store works on a database whose
// collation is not the character set's default (the connection's), as a
// Django project's often is (utf8mb4_unicode_ci): loading a user's
// groups and permissions once failed there with "Illegal mix of
// collations for operation 'UNION'".
func TestMySQLDatabaseCollations(t *testing.T) {
	for _, collation := range []string{"utf8mb4_unicode_ci", "utf8mb4_bin"} {
		t.Run(collation, func(t *testing.T) {
			storetest.TestUserStore(t, func(t *testing.T) storetest.Store {
				u, _ := mysqlDatabaseCollated(t, collation)
				return openURL(t, u)
			})
		})
	}
}
