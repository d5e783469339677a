package sqlstore_test

import (
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// djangoUser is what testdata/djangoctl.py says about a user.
type djangoUser struct {
	ID               int64    `json:"id"`
	Username         string   `json:"username"`
	Email            string   `json:"email"`
	FirstName        string   `json:"first_name"`
	LastName         string   `json:"last_name"`
	IsActive         bool     `json:"is_active"`
	IsStaff          bool     `json:"is_staff"`
	IsSuperuser      bool     `json:"is_superuser"`
	Usable           bool     `json:"usable"`
	Algorithm        string   `json:"algorithm"`
	DateJoined       string   `json:"date_joined"`
	LastLogin        *string  `json:"last_login"`
	UserPermissions  []string `json:"user_permissions"`
	GroupPermissions []string `json:"group_permissions"`
	Groups           []string `json:"groups"`
	AllPermissions   []string `json:"all_permissions"`
	Password         *string  `json:"password"` // test passwords only
}

type djangoManifest struct {
	Django string       `json:"django"`
	Users  []djangoUser `json:"users"`
}

func readManifest(t *testing.T, path string) djangoManifest {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m djangoManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(m.Users) == 0 {
		t.Fatalf("%s lists no users", path)
	}
	return m
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func parseISO(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return tm
}

// sqliteObjects returns sqlite_master as "type name on table: sql" lines,
// sorted, leaving out this package's own table.
func sqliteObjects(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT "type", "name", "tbl_name", coalesce("sql", '') FROM sqlite_master WHERE "name" NOT LIKE 'reinhardt%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, name, table, sqlText string
		if err := rows.Scan(&typ, &name, &table, &sqlText); err != nil {
			t.Fatal(err)
		}
		out = append(out, typ+" "+name+" on "+table+": "+sqlText)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// authObjects leaves out of sqliteObjects what Migrate adds to Django's
// contenttypes and auth: simplejwt's token_blacklist tables (compared with
// Django's in TestTokenSchemaMatchesDjango), django_session (in
// TestSessionSchemaMatchesDjango) and this package's own.
func authObjects(objs []string) []string {
	var out []string
	for _, o := range objs {
		if !strings.Contains(o, " on token_blacklist_") && !strings.Contains(o, " on reinhardt_") && !strings.Contains(o, " on django_session:") {
			out = append(out, o)
		}
	}
	return out
}

func queryStrings(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkDjangoUsers checks every user of a Django-made database as this
// store reads it and authenticates it, and returns the usernames whose
// hash the login upgraded (to Argon2id with this library's parameters).
func checkDjangoUsers(t *testing.T, s *sqlstore.Store, m djangoManifest) (upgraded map[string]string) {
	ctx := testCtx(t)
	backend := core.NewModelBackend(s)
	upgraded = map[string]string{}
	for _, want := range m.Users {
		t.Run(want.Username, func(t *testing.T) {
			u, err := s.GetByUsername(ctx, want.Username)
			if err != nil || u == nil {
				t.Fatalf("GetByUsername = %v, %v", u != nil, err)
			}
			if u.ID != want.ID || u.Email != want.Email || u.FirstName != want.FirstName || u.LastName != want.LastName ||
				u.Active != want.IsActive || u.Staff != want.IsStaff || u.Superuser != want.IsSuperuser {
				t.Errorf("fields differ from Django's: id %d email %q name %q %q active %v staff %v super %v",
					u.ID, u.Email, u.FirstName, u.LastName, u.Active, u.Staff, u.Superuser)
			}
			if core.HasUsablePassword(u) != want.Usable {
				t.Errorf("usable password: %v, Django says %v", core.HasUsablePassword(u), want.Usable)
			}
			if !strings.HasPrefix(u.Password, want.Algorithm+"$") && want.Usable {
				t.Errorf("hash algorithm is not %s", want.Algorithm)
			}
			if dj := parseISO(t, want.DateJoined); !u.DateJoined.Equal(dj) {
				t.Errorf("date_joined %v, Django reads %v", u.DateJoined, dj)
			}
			switch {
			case want.LastLogin == nil && u.LastLogin != nil:
				t.Errorf("last_login %v, Django reads NULL", u.LastLogin)
			case want.LastLogin != nil && (u.LastLogin == nil || !u.LastLogin.Equal(parseISO(t, *want.LastLogin))):
				t.Errorf("last_login %v, Django reads %s", u.LastLogin, *want.LastLogin)
			}
			own := slices.Sorted(slices.Values(u.UserPermissions))
			if !slices.Equal(own, want.UserPermissions) {
				t.Errorf("own permissions %v, Django %v", own, want.UserPermissions)
			}
			var groupNames, groupPerms []string
			for _, g := range u.Groups {
				groupNames = append(groupNames, g.Name)
				groupPerms = append(groupPerms, g.Permissions...)
			}
			slices.Sort(groupNames)
			groupPerms = slices.Compact(slices.Sorted(slices.Values(groupPerms)))
			if !slices.Equal(groupNames, want.Groups) || !slices.Equal(groupPerms, want.GroupPermissions) {
				t.Errorf("groups %v with %v, Django %v with %v", groupNames, groupPerms, want.Groups, want.GroupPermissions)
			}
			if want.IsSuperuser {
				if !u.HasPerms(want.AllPermissions...) {
					t.Errorf("superuser lacks one of %v", want.AllPermissions)
				}
			} else if got := u.GetAllPermissions(); !slices.Equal(got, want.AllPermissions) && (len(got) > 0 || len(want.AllPermissions) > 0) {
				t.Errorf("GetAllPermissions = %v, Django's get_all_permissions = %v", got, want.AllPermissions)
			}

			// Authentication through the ModelBackend.
			if got, err := backend.Authenticate(ctx, want.Username, "not the password"); err != nil || got != nil {
				t.Errorf("wrong password: user %v, err %v", got != nil, err)
			}
			if want.Password == nil {
				for _, pw := range []string{"", "!", u.Password} {
					if got, err := backend.Authenticate(ctx, want.Username, pw); err != nil || got != nil {
						t.Errorf("unusable password accepted a guess: user %v, err %v", got != nil, err)
					}
				}
				return
			}
			before := u.Password
			got, err := backend.Authenticate(ctx, want.Username, *want.Password)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if !want.IsActive {
				if got != nil {
					t.Errorf("inactive user authenticated")
				}
				return
			}
			if got == nil || got.GetID() != u.GetID() {
				t.Fatalf("Django's password was refused")
			}
			if fu, ok := got.(*core.DefaultUser); !ok || fu.HasPerm("auth.no_such_perm") != want.IsSuperuser {
				t.Errorf("authenticated user %T lost its permissions", got)
			}
			after, err := s.GetByID(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Password != before {
				if !strings.HasPrefix(after.Password, "argon2$argon2id$") {
					t.Errorf("upgraded hash is not argon2id")
				}
				upgraded[want.Username] = *want.Password
			}
			if _, mustUpdate, err := hashers.Default().VerifyPassword(ctx, *want.Password, after.Password); err != nil || mustUpdate {
				t.Errorf("after login the stored hash still needs an upgrade (err %v)", err)
			}
			if again, err := backend.Authenticate(ctx, want.Username, *want.Password); err != nil || again == nil {
				t.Errorf("second login after the upgrade failed: %v", err)
			}
		})
	}
	return upgraded
}

// TestDjangoFixture opens testdata/django32.sqlite3, made by Django 3.2's
// migrate (see testdata/README.md), and needs no Python: Migrate adopts
// Django's tables without touching them, and every user reads, and logs in,
// as Django says it should.
func TestDjangoFixture(t *testing.T) {
	m := readManifest(t, filepath.Join("testdata", "django32.json"))
	path := filepath.Join(t.TempDir(), "django.sqlite3")
	copyFile(t, filepath.Join("testdata", "django32.sqlite3"), path)
	ctx := testCtx(t)
	s, err := sqlstore.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	before := sqliteObjects(t, s.DB())
	migrationsBefore := queryStrings(t, s.DB(), `SELECT "app" || '.' || "name" FROM "django_migrations" ORDER BY "id"`)
	for range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	applied, err := s.AppliedMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) < 4 || applied[0].Version != 1 || !applied[0].Adopted || applied[1].Adopted || applied[2].Adopted || applied[3].Adopted {
		t.Errorf("applied migrations %+v: want version 1 adopted, the token tables (2, 3) and django_session (4) made", applied)
	}
	if after := authObjects(sqliteObjects(t, s.DB())); !slices.Equal(before, after) {
		t.Errorf("Migrate changed Django's schema:\nbefore %q\nafter  %q", before, after)
	}
	if after := queryStrings(t, s.DB(), `SELECT "app" || '.' || "name" FROM "django_migrations" WHERE "app" NOT IN ('token_blacklist', 'sessions') ORDER BY "id"`); !slices.Equal(migrationsBefore, after) {
		t.Errorf("Migrate changed django_migrations")
	}

	upgraded := checkDjangoUsers(t, s, m)
	// Every Django hasher but this library's preferred Argon2id parameters
	// is upgraded on login.
	for _, u := range m.Users {
		if u.Password != nil && u.IsActive {
			if _, ok := upgraded[u.Username]; !ok {
				t.Errorf("%s (%s) was not upgraded", u.Username, u.Algorithm)
			}
		}
	}

	// A login time written here is what Django writes.
	backend := core.NewModelBackend(s)
	u, _ := s.UserByUsername(ctx, "pbkdf2_user")
	for _, tc := range []struct {
		when time.Time
		text string
	}{
		{time.Date(2024, 7, 8, 9, 10, 11, 120000000, time.FixedZone("CEST", 2*3600)), "2024-07-08 07:10:11.120000"},
		{time.Date(2024, 7, 8, 9, 10, 11, 0, time.UTC), "2024-07-08 09:10:11"},
	} {
		if err := backend.RecordLogin(ctx, u, tc.when); err != nil {
			t.Fatal(err)
		}
		got := queryStrings(t, s.DB(), `SELECT CAST("last_login" AS TEXT) FROM "auth_user" WHERE "username" = ?`, "pbkdf2_user")
		if len(got) != 1 || got[0] != tc.text {
			t.Errorf("last_login stored as %q, Django writes %q", got, tc.text)
		}
	}
}

// TestSchemaMatchesDjango compares what Migrate creates on SQLite with what
// Django's migrate created in the fixture: the same sqlite_master, the same
// seeded content types and permissions, the same django_migrations rows.
func TestSchemaMatchesDjango(t *testing.T) {
	fixture, err := sql.Open("sqlite", filepath.Join("testdata", "django32.sqlite3")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer fixture.Close()
	ours := openFile(t)

	want, got := sqliteObjects(t, fixture), authObjects(sqliteObjects(t, ours.DB()))
	if !slices.Equal(want, got) {
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("missing: %s", w)
			}
		}
		for _, g := range got {
			if !slices.Contains(want, g) {
				t.Errorf("extra:   %s", g)
			}
		}
	}
	for _, q := range []string{
		// Django's post_migrate rows (the fixture adds blog.article after them).
		`SELECT "id" || ' ' || "app_label" || '.' || "model" FROM "django_content_type" WHERE "id" <= 4 ORDER BY "id"`,
		`SELECT "id" || ' ' || "content_type_id" || ' ' || "codename" || ' ' || "name" FROM "auth_permission" WHERE "id" <= 16 ORDER BY "id"`,
		`SELECT "id" || ' ' || "app" || '.' || "name" FROM "django_migrations" WHERE "app" NOT IN ('token_blacklist', 'sessions') ORDER BY "id"`,
	} {
		w, g := queryStrings(t, fixture, q), queryStrings(t, ours.DB(), q)
		if !slices.Equal(w, g) || len(w) == 0 {
			t.Errorf("%s\nDjango: %q\nours:   %q", q, w, g)
		}
	}
	// The applied column parses as Django's datetimes do.
	for _, a := range queryStrings(t, ours.DB(), `SELECT CAST("applied" AS TEXT) FROM "django_migrations"`) {
		if _, err := time.Parse("2006-01-02 15:04:05.000000", a); err != nil {
			t.Errorf("django_migrations.applied %q is not Django's format", a)
		}
	}
}
