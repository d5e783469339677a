package sqlstore_test

import (
	"database/sql"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// sessionsCtl is the Django side of the session interop tests: Django 3.2
// with django.contrib.sessions installed and its database backend.
//
//	sessionsctl.py DB [--schema S] migrate | check | clearsessions | rows | schemarows
//	sessionsctl.py DB [--schema S] create SECONDS | load KEY
//
// DB is an SQLite file, a postgres:// URL (then --schema is the
// search_path) or a mysql:// URL. Output is JSON.
const sessionsCtl = `
import io, json, sys
import django
from django.conf import settings

args = sys.argv[1:]
db = args.pop(0)
schema = None
while args and args[0].startswith("--"):
    opt = args.pop(0)
    if opt == "--schema":
        schema = args.pop(0)
cmd = args.pop(0)
if db.startswith("postgres"):
    from urllib.parse import urlparse
    u = urlparse(db)
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": u.path.lstrip("/"),
                "USER": u.username or "", "PASSWORD": u.password or "", "HOST": u.hostname or "",
                "PORT": str(u.port or ""), "OPTIONS": {"options": "-c search_path=%s" % schema}}
elif db.startswith("mysql"):
    from urllib.parse import urlparse, unquote
    u = urlparse(db)
    database = {"ENGINE": "django.db.backends.mysql", "NAME": u.path.lstrip("/"),
                "USER": unquote(u.username or ""), "PASSWORD": unquote(u.password or ""), "HOST": u.hostname or "",
                "PORT": str(u.port or ""), "OPTIONS": {"charset": "utf8mb4"}}
else:
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": db}
settings.configure(
    SECRET_KEY="reinhardt-interop-tests",
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"],
    DATABASES={"default": database},
    SESSION_ENGINE="django.contrib.sessions.backends.db",
    USE_TZ=True, TIME_ZONE="UTC", DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    LOGGING_CONFIG=None,
)
django.setup()
from django.core.management import call_command
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

if cmd == "migrate":
    call_command("migrate", verbosity=0, interactive=False)
    res = {"ok": True}
elif cmd == "check":
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    code = 0
    try:
        call_command("migrate", check_unapplied=True, verbosity=0, interactive=False)
    except SystemExit as e:
        code = e.code or 0
    out = io.StringIO()
    call_command("showmigrations", "sessions", stdout=out, verbosity=1)
    res = {"plan": ["%s.%s" % (m.app_label, m.name) for m, _ in plan], "check_exit": code, "showmigrations": out.getvalue()}
elif cmd == "create":
    s = SessionStore()
    s["who"] = "django"
    s.set_expiry(int(args[0]))
    s.save()
    res = {"key": s.session_key}
elif cmd == "load":
    s = SessionStore(session_key=args[0])
    data = s.load()
    res = {"exists": s.exists(args[0]), "data": data}
elif cmd == "clearsessions":
    call_command("clearsessions")
    res = {"ok": True}
elif cmd == "rows":
    res = sorted(s.session_key for s in Session.objects.all())
else:
    raise SystemExit("unknown command " + cmd)
print(json.dumps(res))
`

func requireDjangoSessions(t *testing.T) { requirePython(t, "django, django.contrib.sessions") }

// djangoSessions runs the embedded script on db and decodes its output
// into out.
func djangoSessions(t *testing.T, db []string, out any, args ...string) {
	t.Helper()
	runEmbeddedPython(t, "sessionsctl.py", sessionsCtl, db, out, args...)
}

type djangoSessionCheck struct {
	Plan           []string `json:"plan"`
	CheckExit      int      `json:"check_exit"`
	ShowMigrations string   `json:"showmigrations"`
}

type djangoSessionLoad struct {
	Exists bool           `json:"exists"`
	Data   map[string]any `json:"data"`
}

// djangoSessionSQLite is what Django 3.2's migrate leaves in sqlite_master
// for django_session (`sqlmigrate sessions 0001`).
var djangoSessionSQLite = []string{
	`index django_session_expire_date_a5c62663 on django_session: CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")`,
	`index sqlite_autoindex_django_session_1 on django_session: `,
	`table django_session on django_session: CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL)`,
}

// djangoSessionPostgres is the PostgreSQL catalog of the same, as
// pgCatalog lists it.
var djangoSessionPostgres = []string{
	`column django_session 01 session_key character varying(40) NOT NULL`,
	`column django_session 02 session_data text NOT NULL`,
	`column django_session 03 expire_date timestamp with time zone NOT NULL`,
	`constraint django_session django_session_pkey PRIMARY KEY (session_key)`,
	`index django_session django_session_expire_date_a5c62663 CREATE INDEX django_session_expire_date_a5c62663 ON SCHEMA.django_session USING btree (expire_date)`,
	`index django_session django_session_pkey CREATE UNIQUE INDEX django_session_pkey ON SCHEMA.django_session USING btree (session_key)`,
	`index django_session django_session_session_key_c0390e0f_like CREATE INDEX django_session_session_key_c0390e0f_like ON SCHEMA.django_session USING btree (session_key varchar_pattern_ops)`,
}

// djangoSessionRows are the rows Django's migrate writes for the sessions
// app.
var djangoSessionRows = []string{
	"sessions.0001_initial",
	"ct sessions.session",
	"perm add_session Can add session",
	"perm change_session Can change session",
	"perm delete_session Can delete session",
	"perm view_session Can view session",
}

func sessionAppRows(t *testing.T, db *sql.DB, prefix string) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT "app" || '.' || "name" FROM PREFIX"django_migrations" WHERE "app" = 'sessions' ORDER BY "id"`,
		`SELECT 'ct ' || "app_label" || '.' || "model" FROM PREFIX"django_content_type" WHERE "app_label" = 'sessions' ORDER BY "id"`,
		`SELECT 'perm ' || p."codename" || ' ' || p."name" FROM PREFIX"auth_permission" p JOIN PREFIX"django_content_type" ct ON ct."id" = p."content_type_id" WHERE ct."app_label" = 'sessions' ORDER BY p."id"`,
	} {
		out = append(out, queryStrings(t, db, strings.ReplaceAll(q, "PREFIX", prefix))...)
	}
	return out
}

func sqliteSessionObjects(t *testing.T, db *sql.DB) []string {
	t.Helper()
	out := queryStrings(t, db, `SELECT "type" || ' ' || "name" || ' on ' || "tbl_name" || ': ' || coalesce("sql", '') FROM sqlite_master WHERE "tbl_name" = 'django_session'`)
	slices.Sort(out)
	return out
}

func pgSessionCatalog(t *testing.T, schema string) []string {
	t.Helper()
	var out []string
	for _, l := range pgCatalog(t, schema) {
		if strings.Contains(l, "django_session") {
			out = append(out, l)
		}
	}
	return out
}

// TestSessionSchemaMatchesDjango: django_session and the sessions app's
// rows are, on SQLite statement for statement and on PostgreSQL by
// catalog, what Django 3.2's migrate makes: against a database Django's
// migrate just made when Django is available, and against the recorded
// statements always.
func TestSessionSchemaMatchesDjango(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		s := openFile(t)
		if got := sqliteSessionObjects(t, s.DB()); !slices.Equal(got, djangoSessionSQLite) {
			diffLines(t, "Django", djangoSessionSQLite, "Migrate", got)
		}
		if rows := sessionAppRows(t, s.DB(), ""); !slices.Equal(rows, djangoSessionRows) {
			diffLines(t, "Django", djangoSessionRows, "Migrate", rows)
		}
		// The recorded statements are compared; the live ones need Django.
		requireDjangoSessions(t)
		path := filepath.Join(t.TempDir(), "django.sqlite3")
		djangoSessions(t, []string{path}, nil, "migrate")
		dj, err := sql.Open("sqlite", path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer dj.Close()
		if live := sqliteSessionObjects(t, dj); !slices.Equal(live, djangoSessionSQLite) {
			diffLines(t, "Django's live schema", live, "the recorded one", djangoSessionSQLite)
		}
		if live := sessionAppRows(t, dj, ""); !slices.Equal(live, djangoSessionRows) {
			diffLines(t, "Django's live rows", live, "the recorded ones", djangoSessionRows)
		}
	})
	t.Run("Postgres", func(t *testing.T) {
		u, schema := postgresSchema(t)
		s := openURL(t, u)
		if got := pgSessionCatalog(t, schema); !slices.Equal(got, djangoSessionPostgres) {
			diffLines(t, "Django", djangoSessionPostgres, "Migrate", got)
		}
		if rows := sessionAppRows(t, s.DB(), ""); !slices.Equal(rows, djangoSessionRows) {
			diffLines(t, "Django", djangoSessionRows, "Migrate", rows)
		}
		// The recorded catalog is compared; the live one needs Django
		// with psycopg2.
		requireDjangoSessions(t)
		requirePython(t, "psycopg2")
		_, djSchema := postgresSchema(t)
		djangoSessions(t, []string{basePostgresURL(t), "--schema", djSchema}, nil, "migrate")
		if live := pgSessionCatalog(t, djSchema); !slices.Equal(live, djangoSessionPostgres) {
			diffLines(t, "Django's live schema", live, "the recorded one", djangoSessionPostgres)
		}
		admin, err := sql.Open("pgx", postgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if live := sessionAppRows(t, admin, `"`+djSchema+`".`); !slices.Equal(live, djangoSessionRows) {
			diffLines(t, "Django's live rows", live, "the recorded ones", djangoSessionRows)
		}
	})
}

// basePostgresURL is REINHARDT_TEST_POSTGRES without its query.
func basePostgresURL(t *testing.T) string {
	t.Helper()
	base, err := url.Parse(postgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	base.RawQuery = ""
	return base.String()
}

// TestSessionsDjangoInterop: on a database migrated here, Django with
// django.contrib.sessions finds nothing to migrate (migrate --check
// passes) and its migrate changes nothing; Django's sessions and this
// backend's live side by side in django_session: each reads its own and
// not the other's, Django's clearsessions removes the expired rows of
// both, and CleanupExpired here does the same. On a database Django made,
// Migrate adopts django_session as it is. SQLite, PostgreSQL when
// psycopg2 and REINHARDT_TEST_POSTGRES are there, and MariaDB when MySQLdb
// and REINHARDT_TEST_MYSQL are (TestMySQLSchemaMatchesDjango adopts a
// django_session Django made there).
func TestSessionsDjangoInterop(t *testing.T) {
	requireDjangoSessions(t)
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "sessions.sqlite3")
		sessionsInterop(t, "sqlite:"+path, []string{path})
	})
	t.Run("Postgres", func(t *testing.T) {
		if postgresURLOrEmpty() == "" && !required() {
			t.Skip("REINHARDT_TEST_POSTGRES is not set")
		}
		requirePython(t, "psycopg2")
		u, schema := postgresSchema(t)
		sessionsInterop(t, u, []string{basePostgresURL(t), "--schema", schema})
	})
	t.Run("MariaDB", func(t *testing.T) {
		requirePython(t, "MySQLdb")
		u, _ := mysqlDatabase(t)
		sessionsInterop(t, u, []string{u})
	})
	t.Run("DjangoMadeSQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "django.sqlite3")
		djangoSessions(t, []string{path}, nil, "migrate")
		var made struct{ Key string }
		djangoSessions(t, []string{path}, &made, "create", "3600")
		ctx := testCtx(t)
		s, err := sqlstore.Open(ctx, "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		before := sqliteSessionObjects(t, s.DB())
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		applied, err := s.AppliedMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		adopted := false
		for _, m := range applied {
			if m.Version == 4 {
				adopted = m.Adopted
			}
		}
		if !adopted {
			t.Errorf("migration 4 on a database where Django made django_session: %+v; want adopted", applied)
		}
		if after := sqliteSessionObjects(t, s.DB()); !slices.Equal(before, after) {
			t.Errorf("Migrate changed Django's django_session: %q → %q", before, after)
		}
		if rows := sessionAppRows(t, s.DB(), ""); !slices.Equal(rows, djangoSessionRows) {
			diffLines(t, "Django", djangoSessionRows, "after Migrate", rows)
		}
		b := s.Sessions()
		id := sessions.GenerateKey()
		if err := b.Save(ctx, id, sessions.Record{Data: []byte("go"), Expiry: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if r, found, err := b.Load(ctx, id); err != nil || !found || string(r.Data) != "go" {
			t.Errorf("Load on Django's table = %q %v %v", r.Data, found, err)
		}
		var got djangoSessionLoad
		djangoSessions(t, []string{path}, &got, "load", made.Key)
		if !got.Exists || got.Data["who"] != "django" {
			t.Errorf("Django's own session after this backend wrote: %+v", got)
		}
	})
}

func sessionsInterop(t *testing.T, dbURL string, djangoDB []string) {
	ctx := testCtx(t)
	s := openURL(t, dbURL)
	b := s.Sessions()
	live := sessions.GenerateKey()
	if err := b.Save(ctx, live, sessions.Record{Data: []byte(`{"user_id":"7"}`), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// A session saved an hour ago that expired a minute ago.
	past := time.Now().Add(-time.Hour)
	b.Now = func() time.Time { return past }
	expired := sessions.GenerateKey()
	if err := b.Save(ctx, expired, sessions.Record{Data: []byte("old"), Expiry: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	b.Now = nil

	var chk djangoSessionCheck
	djangoSessions(t, djangoDB, &chk, "check")
	if len(chk.Plan) != 0 || chk.CheckExit != 0 || !strings.Contains(chk.ShowMigrations, "[X] 0001_initial") {
		t.Errorf("Django would still migrate %v (migrate --check exit %d)\n%s", chk.Plan, chk.CheckExit, chk.ShowMigrations)
	}
	rowsBefore := sessionAppRows(t, s.DB(), "")
	djangoSessions(t, djangoDB, nil, "migrate")
	if rows := sessionAppRows(t, s.DB(), ""); !slices.Equal(rows, rowsBefore) {
		t.Errorf("Django's migrate changed the sessions app's rows: %q → %q", rowsBefore, rows)
	}

	// Django's sessions in the same table.
	var djLive, djExpired struct{ Key string }
	djangoSessions(t, djangoDB, &djLive, "create", "3600")
	djangoSessions(t, djangoDB, &djExpired, "create", "-60")

	// Neither reads the other's: this backend skips Django's rows, and
	// Django finds nothing under the session key (it is never stored) and
	// no session it can decode under the storage key.
	n := 0
	if err := b.Range(ctx, func(k string, _ sessions.Record) bool {
		n++
		if k != sessions.StorageKey(ctx, live) {
			t.Errorf("Range gave %q", k)
		}
		return true
	}); err != nil || n != 1 {
		t.Errorf("Range saw %d sessions (%v); want this backend's one live session", n, err)
	}
	var got djangoSessionLoad
	djangoSessions(t, djangoDB, &got, "load", string(live))
	if got.Exists || len(got.Data) != 0 {
		t.Errorf("Django finds the session under its key: %+v", got)
	}
	djangoSessions(t, djangoDB, &got, "load", sessions.StorageKey(ctx, live))
	if len(got.Data) != 0 {
		t.Errorf("Django decodes this backend's session data: %+v", got)
	}

	// Django's clearsessions removes the expired rows of both.
	djangoSessions(t, djangoDB, nil, "clearsessions")
	var keys []string
	djangoSessions(t, djangoDB, &keys, "rows")
	want := []string{djLive.Key, sessions.StorageKey(ctx, live)}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("after Django's clearsessions the rows are %q; want %q", keys, want)
	}
	if r, found, err := b.Load(ctx, live); err != nil || !found || string(r.Data) != `{"user_id":"7"}` {
		t.Errorf("this backend's live session after clearsessions: %q %v %v", r.Data, found, err)
	}
	djangoSessions(t, djangoDB, &got, "load", djLive.Key)
	if !got.Exists || got.Data["who"] != "django" {
		t.Errorf("Django's live session after this backend's writes: %+v", got)
	}

	// CleanupExpired here is clearsessions too.
	djangoSessions(t, djangoDB, &djExpired, "create", "-60")
	if n, err := b.CleanupExpired(ctx); err != nil || n != 1 {
		t.Errorf("CleanupExpired = %d, %v; want Django's expired session", n, err)
	}
	djangoSessions(t, djangoDB, &keys, "rows")
	if !slices.Equal(keys, want) {
		t.Errorf("after CleanupExpired the rows are %q; want %q", keys, want)
	}
}
