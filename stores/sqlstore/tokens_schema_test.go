package sqlstore_test

import (
	"database/sql"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// djangoTokenSQLite is what Django 3.2's migrate with simplejwt 5.2's
// token_blacklist app leaves in sqlite_master for its tables.
var djangoTokenSQLite = []string{
	`index sqlite_autoindex_token_blacklist_blacklistedtoken_1 on token_blacklist_blacklistedtoken: `,
	`index sqlite_autoindex_token_blacklist_outstandingtoken_1 on token_blacklist_outstandingtoken: `,
	`index token_blacklist_outstandingtoken_user_id_83bc629a on token_blacklist_outstandingtoken: CREATE INDEX "token_blacklist_outstandingtoken_user_id_83bc629a" ON "token_blacklist_outstandingtoken" ("user_id")`,
	`table token_blacklist_blacklistedtoken on token_blacklist_blacklistedtoken: CREATE TABLE "token_blacklist_blacklistedtoken" ("blacklisted_at" datetime NOT NULL, "token_id" bigint NOT NULL UNIQUE REFERENCES "token_blacklist_outstandingtoken" ("id") DEFERRABLE INITIALLY DEFERRED, "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT)`,
	`table token_blacklist_outstandingtoken on token_blacklist_outstandingtoken: CREATE TABLE "token_blacklist_outstandingtoken" ("token" text NOT NULL, "created_at" datetime NULL, "expires_at" datetime NOT NULL, "user_id" integer NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, "jti" varchar(255) NOT NULL UNIQUE, "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT)`,
}

// djangoTokenPostgres is the PostgreSQL catalog (as pgCatalog lists it) of
// the same tables.
var djangoTokenPostgres = []string{
	`column token_blacklist_blacklistedtoken 01 id bigint NOT NULL DEFAULT nextval('SCHEMA.token_blacklist_blacklistedtoken_id_seq'::regclass)`,
	`column token_blacklist_blacklistedtoken 02 blacklisted_at timestamp with time zone NOT NULL`,
	`column token_blacklist_blacklistedtoken 03 token_id bigint NOT NULL`,
	`column token_blacklist_outstandingtoken 01 id bigint NOT NULL DEFAULT nextval('SCHEMA.token_blacklist_outstandingtoken_id_seq'::regclass)`,
	`column token_blacklist_outstandingtoken 02 token text NOT NULL`,
	`column token_blacklist_outstandingtoken 03 created_at timestamp with time zone NULL`,
	`column token_blacklist_outstandingtoken 04 expires_at timestamp with time zone NOT NULL`,
	`column token_blacklist_outstandingtoken 05 user_id integer NULL`,
	`column token_blacklist_outstandingtoken 06 jti character varying(255) NOT NULL`,
	`constraint token_blacklist_blacklistedtoken token_blacklist_blacklistedtoken_pkey PRIMARY KEY (id)`,
	`constraint token_blacklist_blacklistedtoken token_blacklist_blacklistedtoken_token_id_3cc7fe56_fk FOREIGN KEY (token_id) REFERENCES SCHEMA.token_blacklist_outstandingtoken(id) DEFERRABLE INITIALLY DEFERRED`,
	`constraint token_blacklist_blacklistedtoken token_blacklist_blacklistedtoken_token_id_key UNIQUE (token_id)`,
	`constraint token_blacklist_outstandingtoken token_blacklist_outs_user_id_83bc629a_fk_auth_user FOREIGN KEY (user_id) REFERENCES SCHEMA.auth_user(id) DEFERRABLE INITIALLY DEFERRED`,
	`constraint token_blacklist_outstandingtoken token_blacklist_outstandingtoken_jti_hex_d9bdf6f7_uniq UNIQUE (jti)`,
	`constraint token_blacklist_outstandingtoken token_blacklist_outstandingtoken_pkey PRIMARY KEY (id)`,
	`index token_blacklist_blacklistedtoken token_blacklist_blacklistedtoken_pkey CREATE UNIQUE INDEX token_blacklist_blacklistedtoken_pkey ON SCHEMA.token_blacklist_blacklistedtoken USING btree (id)`,
	`index token_blacklist_blacklistedtoken token_blacklist_blacklistedtoken_token_id_key CREATE UNIQUE INDEX token_blacklist_blacklistedtoken_token_id_key ON SCHEMA.token_blacklist_blacklistedtoken USING btree (token_id)`,
	`index token_blacklist_outstandingtoken token_blacklist_outstandingtoken_jti_hex_d9bdf6f7_like CREATE INDEX token_blacklist_outstandingtoken_jti_hex_d9bdf6f7_like ON SCHEMA.token_blacklist_outstandingtoken USING btree (jti varchar_pattern_ops)`,
	`index token_blacklist_outstandingtoken token_blacklist_outstandingtoken_jti_hex_d9bdf6f7_uniq CREATE UNIQUE INDEX token_blacklist_outstandingtoken_jti_hex_d9bdf6f7_uniq ON SCHEMA.token_blacklist_outstandingtoken USING btree (jti)`,
	`index token_blacklist_outstandingtoken token_blacklist_outstandingtoken_pkey CREATE UNIQUE INDEX token_blacklist_outstandingtoken_pkey ON SCHEMA.token_blacklist_outstandingtoken USING btree (id)`,
	`index token_blacklist_outstandingtoken token_blacklist_outstandingtoken_user_id_83bc629a CREATE INDEX token_blacklist_outstandingtoken_user_id_83bc629a ON SCHEMA.token_blacklist_outstandingtoken USING btree (user_id)`,
	`sequence token_blacklist_blacklistedtoken_id_seq bigint start 1 inc 1 owned by token_blacklist_blacklistedtoken.id`,
	`sequence token_blacklist_outstandingtoken_id_seq bigint start 1 inc 1 owned by token_blacklist_outstandingtoken.id`,
}

// djangoTokenRows are the rows Django's migrate writes for the app.
var djangoTokenRows = []string{
	"token_blacklist.0001_initial", "token_blacklist.0002_outstandingtoken_jti_hex",
	"token_blacklist.0003_auto_20171017_2007", "token_blacklist.0004_auto_20171017_2013",
	"token_blacklist.0005_remove_outstandingtoken_jti", "token_blacklist.0006_auto_20171017_2113",
	"token_blacklist.0007_auto_20171017_2214", "token_blacklist.0008_migrate_to_bigautofield",
	"token_blacklist.0010_fix_migrate_to_bigautofield", "token_blacklist.0011_linearizes_history",
	"token_blacklist.0012_alter_outstandingtoken_user",
	"ct token_blacklist.blacklistedtoken", "ct token_blacklist.outstandingtoken",
	"perm blacklistedtoken add_blacklistedtoken Can add blacklisted token",
	"perm blacklistedtoken change_blacklistedtoken Can change blacklisted token",
	"perm blacklistedtoken delete_blacklistedtoken Can delete blacklisted token",
	"perm blacklistedtoken view_blacklistedtoken Can view blacklisted token",
	"perm outstandingtoken add_outstandingtoken Can add outstanding token",
	"perm outstandingtoken change_outstandingtoken Can change outstanding token",
	"perm outstandingtoken delete_outstandingtoken Can delete outstanding token",
	"perm outstandingtoken view_outstandingtoken Can view outstanding token",
}

// tokenRows lists the django_migrations rows, content types and
// permissions of the token_blacklist app, in id order.
func tokenRows(t *testing.T, db *sql.DB, prefix string) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT "app" || '.' || "name" FROM PREFIX"django_migrations" WHERE "app" = 'token_blacklist' ORDER BY "id"`,
		`SELECT 'ct ' || "app_label" || '.' || "model" FROM PREFIX"django_content_type" WHERE "app_label" = 'token_blacklist' ORDER BY "id"`,
		`SELECT 'perm ' || ct."model" || ' ' || p."codename" || ' ' || p."name" FROM PREFIX"auth_permission" p JOIN PREFIX"django_content_type" ct ON ct."id" = p."content_type_id" WHERE ct."app_label" = 'token_blacklist' ORDER BY p."id"`,
	} {
		out = append(out, queryStrings(t, db, strings.ReplaceAll(q, "PREFIX", prefix))...)
	}
	return out
}

// sqliteTokenObjects lists the token_blacklist tables and their indexes
// in sqlite_master, as sqliteObjects formats them, leaving out this
// package's own (named reinhardt_...).
func sqliteTokenObjects(t *testing.T, db *sql.DB) []string {
	t.Helper()
	out := queryStrings(t, db, `SELECT "type" || ' ' || "name" || ' on ' || "tbl_name" || ': ' || coalesce("sql", '')
FROM sqlite_master WHERE "tbl_name" LIKE 'token_blacklist%' AND "name" NOT LIKE 'reinhardt%'`)
	slices.Sort(out)
	return out
}

// TestTokenSchemaMatchesDjango: on SQLite, the token_blacklist tables
// Migrate makes are statement for statement Django's, with Django's rows;
// when Django with simplejwt is available, against a database its migrate
// just made, else against the recorded statements.
func TestTokenSchemaMatchesDjango(t *testing.T) {
	s := openFile(t)
	got := sqliteTokenObjects(t, s.DB())
	if !slices.Equal(got, djangoTokenSQLite) {
		diffLines(t, "Django", djangoTokenSQLite, "Migrate", got)
	}
	if rows := tokenRows(t, s.DB(), ""); !slices.Equal(rows, djangoTokenRows) {
		diffLines(t, "Django", djangoTokenRows, "Migrate", rows)
	}
	requireSimpleJWT(t) // the recorded statements are compared; the live ones need Django
	path := filepath.Join(t.TempDir(), "django.sqlite3")
	simplejwt(t, []string{path}, nil, "migrate")
	dj, err := sql.Open("sqlite", path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer dj.Close()
	if live := sqliteTokenObjects(t, dj); !slices.Equal(live, djangoTokenSQLite) {
		diffLines(t, "Django's live schema", live, "the recorded one", djangoTokenSQLite)
	}
	if live := tokenRows(t, dj, ""); !slices.Equal(live, djangoTokenRows) {
		diffLines(t, "Django's live rows", live, "the recorded ones", djangoTokenRows)
	}
	t.Log("compared with what Django's migrate made")
}

// TestTokenPostgresSchemaMatchesDjango: the same on PostgreSQL, by
// catalog (names of every constraint, index and sequence included).
func TestTokenPostgresSchemaMatchesDjango(t *testing.T) {
	u, schema := postgresSchema(t)
	s := openURL(t, u)
	got := pgTokenCatalog(t, schema)
	if !slices.Equal(got, djangoTokenPostgres) {
		diffLines(t, "Django", djangoTokenPostgres, "Migrate", got)
	}
	if rows := tokenRows(t, s.DB(), ""); !slices.Equal(rows, djangoTokenRows) {
		diffLines(t, "Django", djangoTokenRows, "Migrate", rows)
	}
	// The recorded catalog is compared; the live one needs Django with
	// psycopg2.
	requireSimpleJWT(t)
	requirePython(t, "psycopg2")
	_, djSchema := postgresSchema(t)
	base, err := url.Parse(postgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	base.RawQuery = ""
	simplejwt(t, []string{base.String(), "--schema", djSchema}, nil, "migrate")
	if live := pgTokenCatalog(t, djSchema); !slices.Equal(live, djangoTokenPostgres) {
		diffLines(t, "Django's live schema", live, "the recorded one", djangoTokenPostgres)
	}
	admin, err := sql.Open("pgx", postgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if live := tokenRows(t, admin, `"`+djSchema+`".`); !slices.Equal(live, djangoTokenRows) {
		diffLines(t, "Django's live rows", live, "the recorded ones", djangoTokenRows)
	}
	t.Log("compared with what Django's migrate made")
}

func pgTokenCatalog(t *testing.T, schema string) []string {
	t.Helper()
	var out []string
	for _, l := range pgCatalog(t, schema) {
		if strings.Contains(l, "token_blacklist_") && !strings.Contains(l, "reinhardt") {
			out = append(out, l)
		}
	}
	return out
}
