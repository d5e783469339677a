package sqlstore_test

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// mysqlCatalog describes the tables of database name on MariaDB/MySQL as
// information_schema has them — every column (type, nullability,
// default, extra, character set, collation), table (engine, collation,
// options), index, constraint, foreign key and its rules — and as SHOW
// CREATE TABLE prints them (with the next AUTO_INCREMENT value), leaving
// out this package's own tables and indexes (named reinhardt_...): what
// Django's migrations decide.
func mysqlCatalog(t *testing.T, db *sql.DB, name string) []string {
	t.Helper()
	queries := []string{
		`SELECT CONCAT('column ', TABLE_NAME, ' ', LPAD(ORDINAL_POSITION, 2, '0'), ' ', COLUMN_NAME, ' ', COLUMN_TYPE, ' ', IS_NULLABLE,
			' default=', IFNULL(COLUMN_DEFAULT, '-'), ' ', EXTRA, ' ', IFNULL(CHARACTER_SET_NAME, '-'), ' ', IFNULL(COLLATION_NAME, '-'))
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?`,
		`SELECT CONCAT('table ', TABLE_NAME, ' ', ENGINE, ' ', TABLE_COLLATION, ' ', ROW_FORMAT, ' ', CREATE_OPTIONS)
		FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`,
		`SELECT CONCAT('index ', TABLE_NAME, ' ', INDEX_NAME, ' ', SEQ_IN_INDEX, ' ', COLUMN_NAME, ' unique=', 1 - NON_UNIQUE, ' ', INDEX_TYPE, ' ', IFNULL(SUB_PART, ''))
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?`,
		`SELECT CONCAT('constraint ', TABLE_NAME, ' ', CONSTRAINT_NAME, ' ', CONSTRAINT_TYPE)
		FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = ?`,
		`SELECT CONCAT('fk ', TABLE_NAME, ' ', CONSTRAINT_NAME, ' ', COLUMN_NAME, ' -> ', REFERENCED_TABLE_NAME, '.', REFERENCED_COLUMN_NAME)
		FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL`,
		`SELECT CONCAT('rule ', TABLE_NAME, ' ', CONSTRAINT_NAME, ' update=', UPDATE_RULE, ' delete=', DELETE_RULE)
		FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`,
	}
	var out []string
	for _, q := range queries {
		out = append(out, queryStrings(t, db, q, name)...)
	}
	for _, table := range queryStrings(t, db, `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`, name) {
		var tbl, ddl string
		if err := db.QueryRow(`SHOW CREATE TABLE "`+name+`"."`+table+`"`).Scan(&tbl, &ddl); err != nil {
			t.Fatalf("SHOW CREATE TABLE %s: %v", table, err)
		}
		for l := range strings.SplitSeq(ddl, "\n") {
			out = append(out, "ddl "+table+": "+strings.TrimSuffix(strings.TrimSpace(l), ","))
		}
	}
	out = slices.DeleteFunc(out, func(l string) bool { return strings.Contains(l, "reinhardt_") })
	slices.Sort(out)
	return out
}

// TestMySQLSchemaMatchesDjango: Django 3.2's migrate with contenttypes,
// auth, sessions and simplejwt's token_blacklist on MariaDB (MySQLdb,
// charset utf8mb4) makes the tables Migrate makes, by catalog (column
// types, collations, constraint and index names, foreign keys' rules, next
// AUTO_INCREMENT values) and rows (content types, permissions and
// django_migrations of each app); on that database Migrate adopts
// Django's tables (migrations 1, 2 and 4) and changes nothing of them.
func TestMySQLSchemaMatchesDjango(t *testing.T) {
	requireSimpleJWT(t)
	requirePython(t, "MySQLdb")
	ctx := testCtx(t)
	oursURL, oursName := mysqlDatabase(t)
	ours := openURL(t, oursURL)
	djURL, djName := mysqlDatabase(t)
	simplejwt(t, []string{djURL}, nil, "migrate")
	djangoSessions(t, []string{djURL}, nil, "migrate")
	dj, err := sqlstore.Open(ctx, djURL)
	if err != nil {
		t.Fatal(err)
	}
	defer dj.Close()

	want := mysqlCatalog(t, dj.DB(), djName)
	if len(want) < 100 {
		t.Fatalf("Django's catalog has %d lines:\n%s", len(want), strings.Join(want, "\n"))
	}
	if got := mysqlCatalog(t, ours.DB(), oursName); !slices.Equal(got, want) {
		diffLines(t, "Django", want, "Migrate", got)
	}
	rows := func(db *sql.DB) []string {
		var out []string
		for _, q := range []string{
			`SELECT CONCAT("id", ' ', "app_label", '.', "model") FROM "django_content_type" WHERE "app_label" IN ('contenttypes', 'auth') ORDER BY "id"`,
			`SELECT CONCAT(p."id", ' ', ct."app_label", ' ', p."codename", ' ', p."name") FROM "auth_permission" p
				JOIN "django_content_type" ct ON ct."id" = p."content_type_id" WHERE ct."app_label" IN ('contenttypes', 'auth') ORDER BY p."id"`,
			`SELECT CONCAT("id", ' ', "app", '.', "name") FROM "django_migrations" WHERE "app" IN ('contenttypes', 'auth') ORDER BY "id"`,
		} {
			out = append(out, queryStrings(t, db, q)...)
		}
		out = append(out, tokenRows(t, db, "")...)
		return append(out, sessionAppRows(t, db, "")...)
	}
	// Django's 4 content types, 16 permissions and 14 migrations of
	// contenttypes and auth, then what the other tests recorded.
	djRows := rows(dj.DB())
	if len(djRows) != 34+len(djangoTokenRows)+len(djangoSessionRows) ||
		!slices.Equal(djRows[34:], slices.Concat(djangoTokenRows, djangoSessionRows)) {
		t.Errorf("Django's rows: %q", djRows)
	}
	if got := rows(ours.DB()); !slices.Equal(got, djRows) {
		diffLines(t, "Django", djRows, "Migrate", got)
	}

	// Migrate on Django's database adopts its tables as they are.
	if err := dj.Migrate(ctx); err != nil {
		t.Fatalf("Migrate of Django's database: %v", err)
	}
	if after := mysqlCatalog(t, dj.DB(), djName); !slices.Equal(after, want) {
		diffLines(t, "Django's migrate", want, "after Migrate", after)
	}
	if after := rows(dj.DB()); !slices.Equal(after, djRows) {
		diffLines(t, "Django's migrate", djRows, "after Migrate", after)
	}
	applied, err := dj.AppliedMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range applied {
		if wantAdopted := m.Version == 1 || m.Version == 2 || m.Version == 4; m.Adopted != wantAdopted {
			t.Errorf("migration %d %s: adopted %v, want %v", m.Version, m.Name, m.Adopted, wantAdopted)
		}
	}
}
