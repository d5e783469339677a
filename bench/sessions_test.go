package bench_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/postgresstore"
	scsredis "github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/boj/redistore"
	"github.com/gomodule/redigo/redis"
	gorilla "github.com/gorilla/sessions"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// The three libraries are configured alike: a session kept for an hour
// of inactivity and at most two weeks, its cookie persistent, Secure,
// HttpOnly, SameSite=Lax on path "/".
const (
	idleTimeout = time.Hour
	lifetime    = 14 * 24 * time.Hour
)

// setup builds one library's session middleware around the benchmark's
// handler: it returns the handler to serve and the session cookie's name.
// count is called by the handler with the counter it wrote back.
type setup func(b testing.TB, count func(int)) (h http.Handler, cookie string)

type library struct {
	name  string
	setup setup
}

// stores lists, per store, the libraries that have one. gorilla/sessions
// has no memory store and no PostgreSQL store that resolves from the Go
// module proxy (antonlindstrom/pgstore does not), and scs has no cookie
// store; those pairs are not measured. "floor" is no library: the two
// bare round trips any library needs per request (floor_test.go);
// "floor-cas" is the floor with reinhardt's versioned write in place of
// the blind one.
var stores = []struct {
	name string
	libs []library
}{
	{"memory", []library{
		{"reinhardt", reinhardtMemory},
		{"scs", scsMemory},
	}},
	{"redis", []library{
		{"reinhardt", reinhardtRedis},
		{"scs", scsRedis},
		{"gorilla", gorillaRedis},
		{"floor", floorRedis},
		{"floor-cas", floorCASRedis},
	}},
	{"postgres", []library{
		{"reinhardt", reinhardtPostgres},
		{"scs", scsPostgres},
		{"scs-pgxpool", scsPgxpool},
		// gorilla: no PostgreSQL store resolves from the module proxy.
		{"floor", floorPostgres},
		{"floor-cas", floorCASPostgres},
	}},
	{"cookie", []library{
		{"reinhardt", reinhardtCookie},
		{"gorilla", gorillaCookie},
	}},
}

// BenchmarkSessions is one request's session work through net/http, for
// each store and library: the request carries the session cookie of the
// previous response, the middleware loads that existing session, the
// handler reads a counter from it, increments it and writes it back, and
// answers 200; the middleware saves the session and sets its cookie. The
// request (httptest.NewRequest), the recorder and the reading of the
// Set-Cookie header are the same for every library; BenchmarkHarness
// measures them alone.
//
// Redis and PostgreSQL come from REINHARDT_TEST_REDIS and
// REINHARDT_TEST_POSTGRES (scripts/services.sh start); their
// sub-benchmarks skip when those are unset.
func BenchmarkSessions(b *testing.B) {
	for _, st := range stores {
		b.Run("store="+st.name, func(b *testing.B) {
			for _, lib := range st.libs {
				b.Run("lib="+lib.name, func(b *testing.B) { run(b, lib.setup) })
			}
		})
	}
}

// BenchmarkHarness is BenchmarkSessions' request loop around a handler
// with no session middleware that sets a constant cookie: the cost every
// library's figure includes.
func BenchmarkHarness(b *testing.B) {
	run(b, func(b testing.TB, count func(int)) (http.Handler, string) {
		n := 0
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n++
			count(n)
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "0123456789abcdefghijklmnopqrstuv", Path: "/", MaxAge: 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
			w.WriteHeader(http.StatusOK)
		}), "session"
	})
}

// run measures requests through the handler setup builds, each sending
// the session cookie of the previous response, and checks at the end that
// every request found the counter the previous one wrote.
//
// Besides ns/op (wall time) it reports cpu-ns/op, the CPU time this
// process used per request (user and system, every goroutine, the
// garbage collector included): with Redis and PostgreSQL most of the wall
// time is spent waiting for the server, and cpu-ns/op is the library's
// own cost.
func run(b *testing.B, setup setup) {
	last := 0
	h, name := setup(b, func(n int) { last = n })
	cookie := serve(b, h, name, "") // creates the session
	requests := 1
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		cookie = serve(b, h, name, cookie)
		requests++
	}
	if end := cpuTime(); cpu >= 0 && end >= 0 {
		b.ReportMetric(float64(end-cpu)/float64(requests-1), "cpu-ns/op")
	}
	if last != requests {
		b.Fatalf("the counter is %d after %d requests: a request did not load its session", last, requests)
	}
}

// serve sends one request with the session cookie (none when "") and
// returns the session cookie of the response.
func serve(b testing.TB, h http.Handler, name, cookie string) string {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != "" {
		r.Header.Set("Cookie", name+"="+cookie)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Fatalf("status %d: %s", w.Code, w.Body)
	}
	v, ok := setCookie(w.Header(), name)
	if !ok {
		b.Fatalf("no %s cookie in the response: %v", name, w.Header())
	}
	return v
}

// setCookie returns the value of the cookie name in h's Set-Cookie lines.
func setCookie(h http.Header, name string) (string, bool) {
	for _, line := range h["Set-Cookie"] {
		if len(line) > len(name) && line[len(name)] == '=' && strings.HasPrefix(line, name) {
			v, _, _ := strings.Cut(line[len(name)+1:], ";")
			return v, true
		}
	}
	return "", false
}

func env(b testing.TB, name string) string {
	v := os.Getenv(name)
	if v == "" {
		b.Skipf("%s is not set (scripts/services.sh start provides it)", name)
	}
	return v
}

func randomHex(n int) string {
	p := make([]byte, n)
	_, _ = rand.Read(p)
	return hex.EncodeToString(p)
}

func randomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// reinhardt: sessions.Manager.Handler over each backend.

func reinhardtHandler(b sessions.SessionBackend, count func(int)) (http.Handler, string) {
	m := sessions.NewManager(b)
	m.IdleTimeout, m.Lifetime = idleTimeout, lifetime
	return m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		n, _ := sessions.GetAs[int](s, "n")
		s.Set("n", n+1)
		count(n + 1)
		w.WriteHeader(http.StatusOK)
	})), m.Cookie.Name
}

func reinhardtMemory(b testing.TB, count func(int)) (http.Handler, string) {
	be := memory.NewSessionBackend()
	b.Cleanup(func() { _ = be.Close() })
	return reinhardtHandler(be, count)
}

func reinhardtRedis(b testing.TB, count func(int)) (http.Handler, string) {
	c, err := redisstore.Open(env(b, "REINHARDT_TEST_REDIS"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	prefix := redisPrefix(b)
	return reinhardtHandler(redisstore.NewSessionBackend(c, redisstore.WithPrefix(prefix)), count)
}

func reinhardtPostgres(b testing.TB, count func(int)) (http.Handler, string) {
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, postgresSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return reinhardtHandler(s.Sessions(), count)
}

// reinhardtCookie keeps the session in an AES-256-GCM cookie, with the
// generation check (one read per request, one compare-and-set per save)
// in memory.
func reinhardtCookie(b testing.TB, count func(int)) (http.Handler, string) {
	gens := memory.NewGenerationStore()
	b.Cleanup(func() { _ = gens.Close() })
	be, err := sessions.NewCookieSessionBackend(gens, randomKey())
	if err != nil {
		b.Fatal(err)
	}
	return reinhardtHandler(be, count)
}

// scs: SessionManager.LoadAndSave over each store.

func scsHandler(store scs.Store, count func(int)) (http.Handler, string) {
	sm := scs.New()
	sm.Store = store
	sm.IdleTimeout, sm.Lifetime = idleTimeout, lifetime
	sm.Cookie.Secure = true
	return sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := sm.GetInt(r.Context(), "n")
		sm.Put(r.Context(), "n", n+1)
		count(n + 1)
		w.WriteHeader(http.StatusOK)
	})), sm.Cookie.Name
}

func scsMemory(b testing.TB, count func(int)) (http.Handler, string) {
	store := memstore.New()
	b.Cleanup(store.StopCleanup)
	return scsHandler(store, count)
}

func scsRedis(b testing.TB, count func(int)) (http.Handler, string) {
	pool := redigoPool(b)
	return scsHandler(scsredis.NewWithPrefix(pool, redisPrefix(b)), count)
}

// scsPostgres is scs's postgresstore over database/sql with the pgx
// driver: the same driver and pool as reinhardt's sqlstore.
func scsPostgres(b testing.TB, count func(int)) (http.Handler, string) {
	db, err := sql.Open("pgx", postgresSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(sqlstore.MaxPostgresConns)
	db.SetMaxIdleConns(sqlstore.MaxPostgresConns)
	if _, err := db.Exec(scsSessionsTable); err != nil {
		b.Fatal(err)
	}
	return scsHandler(postgresstore.NewWithCleanupInterval(db, 0), count)
}

// scsPgxpool is scs's pgxstore, over pgx's own pool (no database/sql).
func scsPgxpool(b testing.TB, count func(int)) (http.Handler, string) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, postgresSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, scsSessionsTable); err != nil {
		b.Fatal(err)
	}
	return scsHandler(pgxstore.NewWithCleanupInterval(pool, 0), count)
}

// scsSessionsTable is the table scs's PostgreSQL stores document.
const scsSessionsTable = `
CREATE TABLE sessions (
	token TEXT PRIMARY KEY,
	data BYTEA NOT NULL,
	expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);`

// gorilla: Store.Get and Session.Save in the handler, as gorilla/sessions
// is used.

func gorillaHandler(store gorilla.Store, count func(int)) (http.Handler, string) {
	const name = "session"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := store.Get(r, name)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		n, _ := s.Values["n"].(int)
		s.Values["n"] = n + 1
		if err := s.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		count(n + 1)
		w.WriteHeader(http.StatusOK)
	}), name
}

func gorillaOptions() *gorilla.Options {
	return &gorilla.Options{Path: "/", MaxAge: int(idleTimeout / time.Second), Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// gorillaCookie is gorilla's CookieStore with an authentication key and
// an encryption key (HMAC-SHA256 and AES-256-CTR), the counterpart of
// reinhardt's encrypted cookie.
func gorillaCookie(b testing.TB, count func(int)) (http.Handler, string) {
	store := gorilla.NewCookieStore(randomKey(), randomKey())
	store.MaxAge(int(idleTimeout / time.Second))
	store.Options = gorillaOptions()
	return gorillaHandler(store, count)
}

// gorillaRedis is boj/redistore, the Redis store gorilla/sessions lists
// (rbcervilla/redisstore does not resolve from the module proxy), over
// redigo; the cookie holds the session id, signed.
func gorillaRedis(b testing.TB, count func(int)) (http.Handler, string) {
	store, err := redistore.NewRediStoreWithPool(redigoPool(b), randomKey())
	if err != nil {
		b.Fatal(err)
	}
	store.SetKeyPrefix(redisPrefix(b))
	store.SetMaxAge(int(idleTimeout / time.Second))
	store.Options = gorillaOptions()
	return gorillaHandler(store, count)
}

// Services.

// redisPrefix returns a key prefix of this benchmark's own, whose keys
// are deleted when it ends.
func redisPrefix(b testing.TB) string {
	u := env(b, "REINHARDT_TEST_REDIS")
	prefix := "reinhardt-bench:" + randomHex(8) + ":"
	b.Cleanup(func() {
		c, err := redisstore.Open(u)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var keys []string
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			b.Errorf("cleaning up %s*: %v", prefix, err)
			return
		}
		for len(keys) > 0 {
			n := min(len(keys), 500)
			if err := c.Del(ctx, keys[:n]...).Err(); err != nil {
				b.Errorf("cleaning up %s*: %v", prefix, err)
				return
			}
			keys = keys[n:]
		}
	})
	return prefix
}

// redigoPool returns a redigo pool on REINHARDT_TEST_REDIS, closed when
// the benchmark ends.
func redigoPool(b testing.TB) *redis.Pool {
	u := env(b, "REINHARDT_TEST_REDIS")
	pool := &redis.Pool{
		MaxIdle:     10,
		IdleTimeout: 5 * time.Minute,
		Dial:        func() (redis.Conn, error) { return redis.DialURL(u) },
	}
	b.Cleanup(func() { _ = pool.Close() })
	return pool
}

// postgresSchema creates a schema of this benchmark's own on
// REINHARDT_TEST_POSTGRES, dropped when it ends, and returns the database
// URL with that schema as its search_path.
func postgresSchema(b testing.TB) string {
	base := env(b, "REINHARDT_TEST_POSTGRES")
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	schema := "reinhardt_bench_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		admin.Close()
		b.Fatalf("create schema: %v", err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA "`+schema+`" CASCADE`); err != nil {
			b.Errorf("drop schema: %v", err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
