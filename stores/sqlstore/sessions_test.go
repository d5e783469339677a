package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/compress"
	"github.com/reinhardt-go/auth/core/sessions/usersessions"
	"github.com/reinhardt-go/auth/stores/sqlstore"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// TestSessionBackend runs the session-backend suite on every dialect, each
// subtest on a database of its own.
func TestSessionBackend(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
			return open(t).Sessions()
		})
	})
}

// TestSessionBackendCompressed: the compression wrapper over the database,
// every record compressed (a 1 MiB record then grows by its marker).
func TestSessionBackendCompressed(t *testing.T) {
	storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
		w := compress.New(openMemory(t).Sessions(), compress.Zstd)
		w.Threshold = 0
		return w
	})
}

type sessionRow struct {
	key, data string
	expire    time.Time
}

func sessionRows(t *testing.T, s *sqlstore.Store) []sessionRow {
	t.Helper()
	rows, err := s.DB().Query(`SELECT "session_key", "session_data", "expire_date" FROM "django_session" ORDER BY "session_key"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sessionRow
	for rows.Next() {
		var r sessionRow
		var exp any
		if err := rows.Scan(&r.key, &r.data, &exp); err != nil {
			t.Fatal(err)
		}
		switch v := exp.(type) {
		case time.Time:
			r.expire = v
		case string:
			r.expire, err = time.Parse("2006-01-02 15:04:05.999999999", v)
			if err != nil {
				t.Fatalf("expire_date %q: %v", v, err)
			}
		default:
			t.Fatalf("expire_date of type %T", exp)
		}
		out = append(out, r)
	}
	return out
}

// TestSessionRows: what a save leaves in django_session: the storage key
// (never the session key), the base64 of the version header and data, the
// expiry; namespaced keys hashed into 40 characters with "~"; expiry text
// on SQLite in Django's form.
func TestSessionRows(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		ctx := testCtx(t)
		s := open(t)
		b := s.Sessions()
		id := sessions.GenerateKey()
		exp := time.Date(2099, 1, 2, 3, 4, 5, 678000000, time.UTC)
		if err := b.Save(ctx, id, sessions.Record{Data: []byte(`{"user_id":"42"}`), Expiry: exp}); err != nil {
			t.Fatal(err)
		}
		nctx := sessions.WithNamespace(ctx, "tenant:ü ' \x00:session:")
		nid := sessions.GenerateKey()
		if err := b.Save(nctx, nid, sessions.Record{Data: []byte("n"), Expiry: exp}); err != nil {
			t.Fatal(err)
		}
		rows := sessionRows(t, s)
		if len(rows) != 2 {
			t.Fatalf("%d rows", len(rows))
		}
		plain, hashed := rows[0], rows[1]
		if plain.key != sessions.StorageKey(ctx, id) || len(plain.key) != 40 || strings.Contains(plain.key, string(id)) {
			t.Errorf("session_key %q; want StorageKey", plain.key)
		}
		if plain.data != "oQAAAAAAAAABeyJ1c2VyX2lkIjoiNDIifQ==" {
			t.Errorf("session_data %q", plain.data)
		}
		if !plain.expire.Equal(exp) {
			t.Errorf("expire_date %v; want %v", plain.expire, exp)
		}
		if !strings.HasPrefix(hashed.key, "~") || len(hashed.key) != 40 {
			t.Errorf("namespaced session_key %q; want ~ and 39 hex characters", hashed.key)
		}
		if s.Dialect() == sqlstore.SQLite {
			var text string
			if err := s.DB().QueryRow(`SELECT CAST("expire_date" AS text) FROM "django_session" WHERE "session_key" = ?`, plain.key).Scan(&text); err != nil || text != "2099-01-02 03:04:05.678000" {
				t.Errorf("expire_date text %q, %v; want Django's form", text, err)
			}
		}
		var seen []string
		if err := b.Range(nctx, func(k string, r sessions.Record) bool {
			seen = append(seen, k)
			return true
		}); err != nil || len(seen) != 1 || seen[0] != sessions.StorageKey(nctx, nid) {
			t.Errorf("Range(namespace) = %q, %v", seen, err)
		}
	})
}

// TestSessionForeignRows: rows this backend did not write (Django's own
// sessions, garbage) are absent for Load and Range, never errors, and a
// new session may not take a live foreign row's key.
func TestSessionForeignRows(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		ctx := testCtx(t)
		s := open(t)
		b := s.Sessions()
		id := sessions.GenerateKey()
		key := sessions.StorageKey(ctx, id)
		future := time.Now().Add(time.Hour).UTC()
		var exp any = future
		if s.Dialect() == sqlstore.SQLite {
			exp = future.Format("2006-01-02 15:04:05.000000")
		}
		for _, r := range [][2]string{
			{key, "eyJhIjoxfQ:1kxyz:signature"}, // Django's signed format
			{"abcdefghijklmnopqrstuvwxyz012345", "eyJfYXV0aF91c2VyX2lkIjoiMSJ9:1lAbCd:xyz"},
			{"~0000000000000000000000000000000000000000"[:40], "oQAAAAAAAAAB"},
			{"short", "!!!"},
		} {
			if _, err := s.DB().ExecContext(ctx, s.Rebind(`INSERT INTO "django_session" ("session_key", "session_data", "expire_date") VALUES (?, ?, ?)`), r[0], r[1], exp); err != nil {
				t.Fatal(err)
			}
		}
		if _, found, err := b.Load(ctx, id); found || err != nil {
			t.Errorf("Load of a foreign row = %v, %v", found, err)
		}
		n := 0
		if err := b.Range(ctx, func(string, sessions.Record) bool { n++; return true }); err != nil || n != 0 {
			t.Errorf("Range gave %d foreign rows (%v)", n, err)
		}
		if err := b.Save(ctx, id, sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); !errors.Is(err, sessions.ErrConflict) {
			t.Errorf("a new session over a live foreign row = %v; want ErrConflict", err)
		}
		// Versions of foreign rows never match.
		if err := b.Save(ctx, id, sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: 1}); !errors.Is(err, sessions.ErrConflict) {
			t.Errorf("an update of a foreign row = %v; want ErrConflict", err)
		}
	})
}

// TestSessionsFailClosed: with the table gone, every method fails with an
// error wrapping core.ErrStoreUnavailable.
func TestSessionsFailClosed(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		ctx := testCtx(t)
		s := open(t)
		b := s.Sessions()
		id := sessions.GenerateKey()
		if err := b.Save(ctx, id, sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, `DROP TABLE "django_session"`); err != nil {
			t.Fatal(err)
		}
		check := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, core.ErrStoreUnavailable) {
				t.Errorf("%s = %v; want ErrStoreUnavailable", what, err)
			}
		}
		_, found, err := b.Load(ctx, id)
		check("Load", err)
		if found {
			t.Error("found")
		}
		_, err = b.Exists(ctx, id)
		check("Exists", err)
		check("Save", b.Save(ctx, id, sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: 1}))
		check("Save new", b.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}))
		check("Delete", b.Delete(ctx, id))
		_, err = b.CleanupExpired(ctx)
		check("CleanupExpired", err)
		check("Range", b.Range(ctx, func(string, sessions.Record) bool { return true }))
		check("Import", b.Import(ctx, "k", sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}))
	})
}

// TestSessionsExpiredReplaced: an expired row is gone for every purpose:
// a new session takes its key (version 1) without CleanupExpired, and
// CleanupExpired counts only expired rows.
func TestSessionsExpiredReplaced(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		ctx := context.Background()
		s := open(t)
		b := s.Sessions()
		now := time.Now()
		b.Now = func() time.Time { return now }
		id := sessions.GenerateKey()
		if err := b.Save(ctx, id, sessions.Record{Data: []byte("a"), Expiry: now.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if err := b.Save(ctx, id, sessions.Record{Data: []byte("b"), Expiry: now.Add(time.Minute), Version: 1}); err != nil {
			t.Fatal(err)
		}
		other := sessions.GenerateKey()
		if err := b.Save(ctx, other, sessions.Record{Data: []byte("o"), Expiry: now.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Minute)
		if err := b.Save(ctx, id, sessions.Record{Data: []byte("c"), Expiry: now.Add(time.Minute)}); err != nil {
			t.Fatalf("a new session over an expired row: %v", err)
		}
		if r, found, err := b.Load(ctx, id); err != nil || !found || string(r.Data) != "c" || r.Version != 1 {
			t.Errorf("Load = %q version %d, %v, %v", r.Data, r.Version, found, err)
		}
		if n, err := b.CleanupExpired(ctx); err != nil || n != 1 {
			t.Errorf("CleanupExpired = %d, %v; want 1", n, err)
		}
		if rows := sessionRows(t, s); len(rows) != 1 {
			t.Errorf("%d rows left; want 1", len(rows))
		}
	})
}

// TestUserSessionIndexCleanup: clearsessions (CleanupExpired) removes the
// index rows of expired sessions and of sessions another program (Django)
// deleted from django_session, and leaves those of live sessions; the
// index is a table of our own, django_session keeps Django's columns.
func TestUserSessionIndexCleanup(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		ctx := context.Background()
		s := open(t)
		b := s.Sessions()
		save := func(ttl time.Duration) sessions.SessionID {
			id := sessions.GenerateKey()
			rec := sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(ttl), UserID: "7", UserAgent: "UA", IP: "192.0.2.7"}
			if err := b.Save(ctx, id, rec); err != nil {
				t.Fatal(err)
			}
			return id
		}
		live, short, gone := save(time.Hour), save(200*time.Millisecond), save(time.Hour)
		col := sessions.StorageKey(ctx, gone)
		if _, err := s.DB().ExecContext(ctx, s.Rebind(`DELETE FROM "django_session" WHERE "session_key" = ?`), col); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			var n int
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM "reinhardt_user_session"`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(); n != 3 {
			t.Fatalf("%d index rows; want 3", n)
		}
		time.Sleep(300 * time.Millisecond)
		if _, err := b.CleanupExpired(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 1 {
			t.Errorf("%d index rows after clearsessions; want the live session's 1", n)
		}
		list, err := b.UserSessions(ctx, "7")
		if err != nil || len(list) != 1 || list[0].Handle != usersessions.Handle(sessions.StorageKey(ctx, live)) {
			t.Errorf("UserSessions = %+v, %v; want the live session", list, err)
		}
		_ = short
	})
}
