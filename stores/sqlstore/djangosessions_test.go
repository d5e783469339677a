package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/djangosession"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

const djangoSecret = "django-format-sessions-secret-key-for-the-tests"

func djangoCodec(t testing.TB, secret string, fallbacks ...string) *djangosession.Codec {
	t.Helper()
	var opts []djangosession.Option
	for _, f := range fallbacks {
		opts = append(opts, djangosession.WithFallbackKeys([]byte(f)))
	}
	c, err := djangosession.New([]byte(secret), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func djangoBackend(t testing.TB, s *sqlstore.Store, c *djangosession.Codec) *sqlstore.DjangoSessionBackend {
	t.Helper()
	b, err := sqlstore.NewDjangoSessionBackend(s, c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// djangoRow is the row of key as stored.
func djangoRow(t *testing.T, s *sqlstore.Store, key sessions.SessionID) (data, expire string, ok bool) {
	t.Helper()
	text := "TEXT"
	if s.Dialect() == sqlstore.MySQL {
		text = "CHAR"
	}
	rows := queryStrings(t, s.DB(), s.Rebind(`SELECT "session_data" || '|' || CAST("expire_date" AS `+text+`) FROM "django_session" WHERE "session_key" = ?`), string(key))
	if len(rows) == 0 {
		return "", "", false
	}
	data, expire, _ = strings.Cut(rows[0], "|")
	return data, expire, true
}

func members(t *testing.T, data []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return m
}

// djangoTime is how Django 3.2 writes a datetime on SQLite (str of the naive
// UTC value).
var djangoTime = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$`)

// TestDjangoSessionBackend: the backend keeps the SessionBackend contract
// that applies to JSON sessions — round trip with versions, conflicts of
// a stale or second new save, no resurrection after a delete, expiry,
// malformed and namespaced ids not found, a done context a store failure —
// in Django's own rows: the key unhashed, session_data Django's signed
// format with the version inside, expire_date as Django writes it.
func TestDjangoSessionBackend(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		ctx := testCtx(t)
		s := open(t)
		c := djangoCodec(t, djangoSecret)
		b := djangoBackend(t, s, c)
		id := sessions.GenerateKey()
		exp := time.Now().Add(time.Hour)
		if err := b.Save(ctx, id, sessions.Record{Data: []byte(`{"_session_created":1700000000,"who":"go"}`), Expiry: exp}); err != nil {
			t.Fatal(err)
		}
		rec, found, err := b.Load(ctx, id)
		if err != nil || !found || rec.Version != 1 || !rec.Expiry.Equal(exp.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("Load = %+v %v %v", rec, found, err)
		}
		if m := members(t, rec.Data); string(m["who"]) != `"go"` || string(m["_session_created"]) != "1700000000" || m[sqlstore.DjangoVersionKey] != nil {
			t.Errorf("Load data %s", rec.Data)
		}
		// The row is Django's: the key itself, data Django's codec reads.
		text, expire, ok := djangoRow(t, s, id)
		if !ok {
			t.Fatal("no row under the session key itself")
		}
		raw, err := c.Decode(text)
		if err != nil {
			t.Fatalf("session_data %q does not decode: %v", text, err)
		}
		if m := members(t, raw); string(m[sqlstore.DjangoVersionKey]) != "1" || string(m["who"]) != `"go"` {
			t.Errorf("stored session %s", raw)
		}
		if s.Dialect() == sqlstore.SQLite && !djangoTime.MatchString(expire) {
			t.Errorf("expire_date %q is not as Django writes it", expire)
		}

		// Versions: the next save is version 2; a stale one and a second
		// new one conflict and write nothing.
		if err := b.Save(ctx, id, sessions.Record{Data: []byte(`{"_session_created":1,"who":"again"}`), Expiry: exp, Version: 1}); err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]uint64{"stale": 1, "new": 0, "ahead": 5} {
			err := b.Save(ctx, id, sessions.Record{Data: []byte(`{"_session_created":1,"who":"lost"}`), Expiry: exp, Version: v})
			if !errors.Is(err, sessions.ErrConflict) {
				t.Errorf("%s save: %v; want ErrConflict", name, err)
			}
		}
		if rec, _, _ := b.Load(ctx, id); rec.Version != 2 || string(members(t, rec.Data)["who"]) != `"again"` {
			t.Errorf("after the refused saves: %s version %d", rec.Data, rec.Version)
		}

		// Delete: gone, and a save of the version read before is no
		// resurrection.
		if err := b.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		if ok, err := b.Exists(ctx, id); ok || err != nil {
			t.Errorf("Exists after Delete = %v, %v", ok, err)
		}
		if err := b.Save(ctx, id, sessions.Record{Data: []byte(`{"_session_created":1}`), Expiry: exp, Version: 2}); !errors.Is(err, sessions.ErrConflict) {
			t.Errorf("save after delete: %v; want ErrConflict", err)
		}
		if _, _, ok := djangoRow(t, s, id); ok {
			t.Error("a save after delete wrote a row")
		}

		// Saved already expired: the session ends (when still the version
		// read); a new one expired stores nothing.
		id2 := sessions.GenerateKey()
		if err := b.Save(ctx, id2, sessions.Record{Data: []byte(`{"_session_created":1}`), Expiry: exp}); err != nil {
			t.Fatal(err)
		}
		if err := b.Save(ctx, id2, sessions.Record{Data: []byte(`{"_session_created":1}`), Expiry: time.Now().Add(-time.Second), Version: 1}); err != nil {
			t.Fatal(err)
		}
		if _, _, ok := djangoRow(t, s, id2); ok {
			t.Error("a session saved expired is still there")
		}
		if err := b.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte(`{}`), Expiry: time.Now().Add(-time.Second)}); err != nil {
			t.Errorf("new session saved expired: %v", err)
		}

		// Ids that cannot be Django's keys, and namespaces, are not found.
		nsCtx := sessions.WithNamespace(ctx, "tenant:a:session:")
		live := sessions.GenerateKey()
		if err := b.Save(ctx, live, sessions.Record{Data: []byte(`{"_session_created":1}`), Expiry: exp}); err != nil {
			t.Fatal(err)
		}
		for name, probe := range map[string]struct {
			ctx context.Context
			id  sessions.SessionID
		}{
			"empty": {ctx, ""}, "short": {ctx, "abc1234"}, "upper": {ctx, sessions.SessionID(strings.ToUpper(string(live)))},
			"long": {ctx, sessions.SessionID(strings.Repeat("a", 41))}, "quote": {ctx, "abcdefgh' OR '1'='1"},
			"huge": {ctx, sessions.SessionID(strings.Repeat("x", 1<<16))}, "namespaced": {nsCtx, live},
		} {
			if _, found, err := b.Load(probe.ctx, probe.id); found || err != nil {
				t.Errorf("%s: Load = %v, %v; want not found", name, found, err)
			}
		}
		if err := b.Save(nsCtx, sessions.GenerateKey(), sessions.Record{Data: []byte(`{}`), Expiry: exp}); !errors.Is(err, sqlstore.ErrDjangoNamespace) {
			t.Errorf("save in a namespace: %v; want ErrDjangoNamespace", err)
		}
		if err := b.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte("\x00not JSON"), Expiry: exp}); err == nil || errors.Is(err, sessions.ErrConflict) {
			t.Errorf("save of a session that is not a JSON object: %v", err)
		}
		big := []byte(`{"k":"` + strings.Repeat("x", sessions.MaxDataSize) + `"}`)
		if err := b.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: big, Expiry: exp}); !errors.Is(err, sessions.ErrTooLarge) {
			t.Errorf("save over MaxDataSize: %v; want ErrTooLarge", err)
		}

		// Altered data, or data signed with another key, is no session.
		if _, err := s.DB().ExecContext(ctx, s.Rebind(`UPDATE "django_session" SET "session_data" = ? WHERE "session_key" = ?`), "x"+text, string(live)); err != nil {
			t.Fatal(err)
		}
		if _, found, err := b.Load(ctx, live); found || err != nil {
			t.Errorf("altered row: Load = %v, %v", found, err)
		}
		other := djangoBackend(t, s, djangoCodec(t, "another-secret-key-entirely-different"))
		id3 := sessions.GenerateKey()
		if err := b.Save(ctx, id3, sessions.Record{Data: []byte(`{"_session_created":1}`), Expiry: exp}); err != nil {
			t.Fatal(err)
		}
		if _, found, err := other.Load(ctx, id3); found || err != nil {
			t.Errorf("another key's backend: Load = %v, %v", found, err)
		}
		if err := other.Save(ctx, id3, sessions.Record{Data: []byte(`{}`), Expiry: exp, Version: 1}); !errors.Is(err, sessions.ErrConflict) {
			t.Errorf("another key's backend overwrote the session: %v", err)
		}

		// A done context is a store failure.
		done, cancel := context.WithCancel(ctx)
		cancel()
		_, _, errLoad := b.Load(done, id3)
		errSave := b.Save(done, id3, sessions.Record{Data: []byte(`{}`), Expiry: exp, Version: 1})
		for name, err := range map[string]error{"Load": errLoad, "Save": errSave, "Delete": b.Delete(done, id3)} {
			if !errors.Is(err, core.ErrStoreUnavailable) {
				t.Errorf("%s with a done context: %v; want ErrStoreUnavailable", name, err)
			}
		}
		if _, found, _ := b.Load(ctx, id3); !found {
			t.Error("calls with a done context changed the session")
		}
	})
}

// TestDjangoSessionRowsFromDjango: a row in Django's format with neither
// a version nor a creation time (what Django writes) loads as version 1,
// created CookieAge before its expiry (never after now); one signed with
// a fallback key (SECRET_KEY_FALLBACKS) loads and is written back with the
// current key; CleanupExpired removes expired rows of both.
func TestDjangoSessionRowsFromDjango(t *testing.T) {
	ctx := testCtx(t)
	s := openMemory(t)
	const oldKey = "the-secret-key-before-the-rotation-of-keys"
	insert := func(c *djangosession.Codec, data string, exp time.Time) sessions.SessionID {
		t.Helper()
		text, err := c.Encode([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		id := sessions.GenerateKey()
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO "django_session" VALUES (?, ?, ?)`, string(id), text, exp.UTC().Format("2006-01-02 15:04:05.000000")); err != nil {
			t.Fatal(err)
		}
		return id
	}
	b := djangoBackend(t, s, djangoCodec(t, djangoSecret, oldKey))
	exp := time.Now().Add(13 * 24 * time.Hour).Truncate(time.Second)
	fresh := insert(djangoCodec(t, djangoSecret), `{"_auth_user_id":"7"}`, exp)
	rec, found, err := b.Load(ctx, fresh)
	if err != nil || !found || rec.Version != 1 {
		t.Fatalf("Django's row: %+v %v %v", rec, found, err)
	}
	if got := string(members(t, rec.Data)["_session_created"]); got != fmt.Sprint(exp.Add(-sqlstore.DefaultDjangoCookieAge).Unix()) {
		t.Errorf("created %s; want expire_date - SESSION_COOKIE_AGE, %d", got, exp.Add(-sqlstore.DefaultDjangoCookieAge).Unix())
	}
	b.CookieAge = time.Hour // a session saved "in the future": created now
	rec, _, _ = b.Load(ctx, fresh)
	var created int64
	json.Unmarshal(members(t, rec.Data)["_session_created"], &created)
	if d := time.Now().Unix() - created; d < 0 || d > 5 {
		t.Errorf("created %d with a CookieAge shorter than the time left; want now", created)
	}
	b.CookieAge = 0

	// Through a Manager, a Django session opens and saves as version 2.
	m := sessions.NewManager(b)
	sess, err := m.Open(ctx, fresh)
	if err != nil || sess.Key() != fresh {
		t.Fatalf("Open = %v %v", sess.Key(), err)
	}
	if uid, _ := sessions.GetAs[string](sess, sessions.SessionKey); uid != "7" {
		t.Errorf("_auth_user_id = %q", uid)
	}
	if sess.ContainsKey(sqlstore.DjangoVersionKey) {
		t.Error("the version is a value of the session")
	}
	sess.Set("cart", []int{1, 2})
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if rec, _, _ := b.Load(ctx, fresh); rec.Version != 2 {
		t.Errorf("version after a save here %d", rec.Version)
	}

	// A fallback key's row loads and is rewritten with the current key.
	rotated := insert(djangoCodec(t, oldKey), `{"_auth_user_id":"8"}`, exp)
	rec, found, err = b.Load(ctx, rotated)
	if err != nil || !found {
		t.Fatalf("the fallback key's session: %v %v", found, err)
	}
	if _, found, _ := djangoBackend(t, s, djangoCodec(t, djangoSecret)).Load(ctx, rotated); found {
		t.Error("the old key's session loads without the fallback key")
	}
	if err := b.Save(ctx, rotated, sessions.Record{Data: rec.Data, Expiry: exp, Version: rec.Version}); err != nil {
		t.Fatal(err)
	}
	text, _, _ := djangoRow(t, s, rotated)
	if _, err := djangoCodec(t, djangoSecret).Decode(text); err != nil {
		t.Errorf("rewritten without the current key: %v", err)
	}

	// clearsessions.
	insert(djangoCodec(t, djangoSecret), `{}`, time.Now().Add(-time.Minute))
	if err := b.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte(`{}`), Expiry: time.Now().Add(50 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if n, err := b.CleanupExpired(ctx); n != 2 || err != nil {
		t.Errorf("CleanupExpired = %d, %v; want Django's and ours", n, err)
	}
	if _, found, _ := b.Load(ctx, fresh); !found {
		t.Error("CleanupExpired removed a live session")
	}
}

// TestDjangoSessionConcurrentWriters: writers read-modify-writing one
// session each land once or get ErrConflict and retry; none is lost.
func TestDjangoSessionConcurrentWriters(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		const writers = 20
		ctx := testCtx(t)
		b := djangoBackend(t, open(t), djangoCodec(t, djangoSecret))
		id := sessions.GenerateKey()
		if err := b.Save(ctx, id, sessions.Record{Data: []byte(`{}`), Expiry: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				for {
					rec, found, err := b.Load(ctx, id)
					if err != nil || !found {
						t.Errorf("writer %d: Load %v %v", i, found, err)
						return
					}
					m := members(t, rec.Data)
					m[fmt.Sprint("w", i)] = json.RawMessage("true")
					data, _ := json.Marshal(m)
					err = b.Save(ctx, id, sessions.Record{Data: data, Expiry: time.Now().Add(time.Hour), Version: rec.Version})
					if err == nil {
						return
					}
					if !errors.Is(err, sessions.ErrConflict) {
						t.Errorf("writer %d: Save %v", i, err)
						return
					}
				}
			})
		}
		wg.Wait()
		rec, _, err := b.Load(ctx, id)
		if err != nil || rec.Version != writers+1 {
			t.Fatalf("final version %d (%v); want %d", rec.Version, err, writers+1)
		}
		m := members(t, rec.Data)
		delete(m, "_session_created")
		if len(m) != writers {
			t.Errorf("final session has %d of the %d writes: %s", len(m), writers, rec.Data)
		}
	})
}

// Sessions shared with a Django project on the same database and
// SECRET_KEY: the row is Django's (the key itself, session_data Django's
// SessionStore decodes), and a login stores Django's login keys.
func ExampleNewDjangoSessionBackend() {
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		panic(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		panic(err)
	}
	secret := []byte("the Django project's SECRET_KEY")
	codec, err := djangosession.New(secret) // djangosession.WithFallbackKeys(...) for SECRET_KEY_FALLBACKS
	if err != nil {
		panic(err)
	}
	backend, err := sqlstore.NewDjangoSessionBackend(s, codec)
	if err != nil {
		panic(err)
	}
	users := core.NewModelBackend(s)
	auth := &sessions.SessionAuthentication{
		Backends: map[string]core.AuthBackend{djangosession.BackendName: users}, // the name Django's login() stores
		Secret:   secret,
	}

	pw := "a-long-pass-phrase"
	u, _ := s.CreateUser(ctx, "alice", &pw, nil)
	session := sessions.NewManager(backend).New()
	if err := auth.Login(ctx, session, u, djangosession.BackendName); err != nil {
		panic(err)
	}
	if err := session.Save(ctx); err != nil {
		panic(err)
	}
	var text string
	_ = s.DB().QueryRowContext(ctx, `SELECT session_data FROM django_session WHERE session_key = ?`, string(session.Key())).Scan(&text)
	data, _ := codec.Decode(text)
	var keys map[string]any
	_ = json.Unmarshal(data, &keys)
	fmt.Println(keys["_auth_user_id"], keys["_auth_user_backend"])
	// Output: 1 django.contrib.auth.backends.ModelBackend
}
