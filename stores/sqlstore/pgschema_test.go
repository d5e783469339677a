package sqlstore_test

import (
	"database/sql"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/django32_postgres_schema.txt from Django's own migrate (needs Django, psycopg2 and PostgreSQL)")

const pgGolden = "testdata/django32_postgres_schema.txt"

// pgCatalog describes the tables, columns, constraints, indexes and
// sequences of schema (with the schema's name replaced by SCHEMA), leaving
// out this package's own table: the parts of pg_dump --schema-only that
// Django's migrations decide. It asks through a connection whose
// search_path does not include schema, so that every name comes out
// qualified.
func pgCatalog(t *testing.T, schema string) []string {
	t.Helper()
	db, err := sql.Open("pgx", postgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	queries := []string{
		// The position is the column's rank among the live columns: Django's
		// django_content_type has a dropped column ("name", contenttypes
		// 0002) that pg_dump does not show.
		`SELECT 'column ' || c.relname || ' ' || lpad((row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum))::text, 2, '0') || ' ' || a.attname || ' ' ||
			format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END ||
			coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
		FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`,
		`SELECT 'constraint ' || c.relname || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
		FROM pg_constraint con
		JOIN pg_class c ON c.oid = con.conrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1`,
		`SELECT 'index ' || tablename || ' ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = $1`,
		`SELECT 'sequence ' || s.sequencename || ' ' || s.data_type || ' start ' || s.start_value || ' inc ' || s.increment_by ||
			' owned by ' || coalesce((SELECT c.relname || '.' || a.attname FROM pg_depend dep
				JOIN pg_class c ON c.oid = dep.refobjid
				JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
				WHERE dep.objid = (quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename))::regclass AND dep.deptype = 'a'), '-')
		FROM pg_sequences s WHERE s.schemaname = $1`,
	}
	var out []string
	for _, q := range queries {
		rows, err := db.Query(q, schema)
		if err != nil {
			t.Fatalf("catalog query: %v", err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			line = strings.ReplaceAll(line, schema+".", "SCHEMA.")
			line = strings.ReplaceAll(line, `"`+schema+`".`, "SCHEMA.")
			if strings.Contains(line, "reinhardt_migrations") {
				continue
			}
			out = append(out, line)
		}
		rows.Close()
	}
	slices.Sort(out)
	return out
}

func diffLines(t *testing.T, wantName string, want []string, gotName string, got []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("only in %s: %s", wantName, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("only in %s: %s", gotName, g)
		}
	}
}

// TestPostgresSchemaMatchesDjango compares the PostgreSQL schema Migrate
// makes with the one Django 3.2's migrate makes, as recorded in
// testdata/django32_postgres_schema.txt. When Django and psycopg2 are
// available it also runs Django's migrate into a schema of its own and
// compares with that (and -update rewrites the recorded file from it).
func TestPostgresSchemaMatchesDjango(t *testing.T) {
	u, schema := postgresSchema(t)
	openURL(t, u)
	// Django's contenttypes and auth: simplejwt's token_blacklist tables
	// and this package's own are compared in TestTokenPostgresSchemaMatchesDjango,
	// django_session in TestSessionSchemaMatchesDjango.
	var ours []string
	for _, l := range pgCatalog(t, schema) {
		if !strings.Contains(l, "token_blacklist_") && !strings.Contains(l, "reinhardt_") && !strings.Contains(l, "django_session") {
			ours = append(ours, l)
		}
	}

	golden, err := os.ReadFile(pgGolden)
	if err != nil && !*update {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSpace(string(golden)), "\n")

	djangoPG := exec.Command(python, "-c", "import django, psycopg2").Run() == nil
	if djangoPG {
		_, djSchema := postgresSchema(t)
		django(t, nil, "pgschema", postgresURL(t), djSchema)
		live := pgCatalog(t, djSchema)
		// The rows Django's post_migrate and recorder write, and Migrate
		// seeds, are the same too.
		admin, err := sql.Open("pgx", postgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		for _, q := range []string{
			`SELECT "id" || ' ' || "app_label" || '.' || "model" FROM SCHEMA."django_content_type" WHERE "app_label" NOT IN ('token_blacklist', 'sessions') ORDER BY "id"`,
			`SELECT "id" || ' ' || "content_type_id" || ' ' || "codename" || ' ' || "name" FROM SCHEMA."auth_permission" WHERE "id" <= 16 ORDER BY "id"`,
			`SELECT "id" || ' ' || "app" || '.' || "name" FROM SCHEMA."django_migrations" WHERE "app" NOT IN ('token_blacklist', 'sessions') ORDER BY "id"`,
			`SELECT (last_value = (SELECT max("id") FROM SCHEMA."auth_permission"))::text FROM SCHEMA."auth_permission_id_seq"`,
		} {
			w := queryStrings(t, admin, strings.ReplaceAll(q, "SCHEMA", `"`+djSchema+`"`))
			g := queryStrings(t, admin, strings.ReplaceAll(q, "SCHEMA", `"`+schema+`"`))
			if !slices.Equal(w, g) || len(w) == 0 {
				t.Errorf("%s\nDjango: %q\nours:   %q", q, w, g)
			}
		}
		if *update {
			if err := os.WriteFile(pgGolden, []byte(strings.Join(live, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			want = live
			t.Logf("wrote %s (%d lines)", pgGolden, len(live))
		} else if !slices.Equal(live, want) {
			diffLines(t, "Django's live schema", live, filepath.Base(pgGolden), want)
		}
	} else if *update {
		t.Fatal("-update needs Django and psycopg2 for /usr/bin/python3")
	}
	if len(want) < 50 {
		t.Fatalf("%s has %d lines: regenerate it with -update", pgGolden, len(want))
	}
	if !slices.Equal(ours, want) {
		diffLines(t, "Django", want, "Migrate", ours)
	}
}
