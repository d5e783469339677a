package sqlstore_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// TestTokenRows: what Issue and Blacklist write in simplejwt's table: the
// token without its signature, user_id when it names a user, NULL
// otherwise; deleting a user keeps its tokens with user_id NULL, as
// Django's on_delete=SET_NULL.
func TestTokenRows(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		ctx := testCtx(t)
		s := open(t)
		u, err := s.CreateUser(ctx, "carol", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		ts := s.Tokens()
		now := time.Now()
		recs := []tokens.RefreshRecord{
			{JTI: jwtauth.NewJTI(), Family: jwtauth.NewJTI(), UserID: u.GetID(), IssuedAt: now, ExpiresAt: now.Add(time.Hour), Token: "aGVhZA.cGF5bG9hZA.c2lnbmF0dXJl"},
			{JTI: jwtauth.NewJTI(), Family: jwtauth.NewJTI(), UserID: "999999", IssuedAt: now, ExpiresAt: now.Add(time.Hour), Token: "h.p.s"},
			{JTI: jwtauth.NewJTI(), Family: jwtauth.NewJTI(), UserID: "not-a-number", IssuedAt: now, ExpiresAt: now.Add(time.Hour)},
			{JTI: jwtauth.NewJTI(), Family: jwtauth.NewJTI(), UserID: "99999999999", IssuedAt: now, ExpiresAt: now.Add(time.Hour)},
		}
		for _, r := range recs {
			if err := ts.Issue(ctx, r); err != nil {
				t.Fatalf("Issue(user %q): %v", r.UserID, err)
			}
		}
		row := func(jti string) (token string, user sql.NullInt64) {
			t.Helper()
			if err := s.DB().QueryRowContext(ctx, s.Rebind(`SELECT "token", "user_id" FROM "token_blacklist_outstandingtoken" WHERE "jti" = ?`), jti).Scan(&token, &user); err != nil {
				t.Fatal(err)
			}
			return token, user
		}
		if tok, user := row(recs[0].JTI); tok != "aGVhZA.cGF5bG9hZA." || !user.Valid || user.Int64 != u.ID {
			t.Errorf("row = %q, %v; want the unsigned token and user %d", tok, user, u.ID)
		}
		for _, r := range recs[1:] {
			if _, user := row(r.JTI); user.Valid {
				t.Errorf("user %q is stored as %v, want NULL", r.UserID, user)
			}
		}
		if err := ts.Blacklist(ctx, "bare-jti", now.Add(time.Hour), tokens.ManualRevoke); err != nil {
			t.Fatal(err)
		}
		if tok, user := row("bare-jti"); tok != "" || user.Valid {
			t.Errorf("a bare blacklisted jti reads %q, %v", tok, user)
		}
		if err := s.DeleteUser(ctx, u.ID); err != nil {
			t.Fatalf("DeleteUser of a user with tokens: %v", err)
		}
		if _, user := row(recs[0].JTI); user.Valid {
			t.Errorf("the deleted user's token still names it: %v", user)
		}
		if c, err := ts.Consume(ctx, recs[0].JTI); err != nil || c.Result != tokens.Consumed || c.Family.UserID != u.GetID() {
			t.Errorf("Consume after the user's deletion = %+v, %v", c, err)
		}
	})
}

// TestTokenMigrationsOnDjangoDB: a Django database without the blacklist
// app gets its tables; one where Django made them keeps them (adopted) and
// gets this package's; tokens work on both.
func TestTokenMigrationsOnDjangoDB(t *testing.T) {
	check := func(t *testing.T, path string, wantAdopted []bool) {
		ctx := testCtx(t)
		s, err := sqlstore.Open(ctx, "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for range 2 {
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		applied, err := s.AppliedMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all, err := sqlstore.Migrations(sqlstore.SQLite)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != len(all) {
			t.Fatalf("applied = %+v; want all %d migrations", applied, len(all))
		}
		// Migrations after those of wantAdopted make this package's own
		// tables, which Django never has: made, not adopted.
		for i, a := range applied {
			want := i < len(wantAdopted) && wantAdopted[i]
			if a.Adopted != want {
				t.Errorf("migration %d_%s adopted %v, want %v", a.Version, a.Name, a.Adopted, want)
			}
		}
		if got := sqliteTokenObjects(t, s.DB()); len(got) != len(djangoTokenSQLite) {
			t.Errorf("token tables: %q", got)
		}
		ts := s.Tokens()
		m := tokens.NewTokenRotationManager(ts, ts)
		if m.JWT, err = jwtauth.New([]byte(interopSecret), jwtauth.WithRevocation(m.Revocation())); err != nil {
			t.Fatal(err)
		}
		pair, err := m.IssuePair(ctx, &core.SimpleUser{ID: "1", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Refresh(ctx, pair.Refresh); err != nil {
			t.Errorf("Refresh: %v", err)
		}
	}
	t.Run("WithoutBlacklistApp", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "django.sqlite3")
		copyFile(t, filepath.Join("testdata", "django32.sqlite3"), path)
		check(t, path, []bool{true, false, false, false, false})
	})
	t.Run("WithBlacklistApp", func(t *testing.T) {
		requireSimpleJWT(t)
		path := filepath.Join(t.TempDir(), "django.sqlite3")
		simplejwt(t, []string{path}, nil, "migrate")
		check(t, path, []bool{true, true, false, false, false})
	})
}
