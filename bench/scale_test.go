package bench_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// scaleFixtureVersion names the way the scale fixtures are populated:
// change it whenever populate* changes, so that cached databases made the
// old way are not reused.
const scaleFixtureVersion = 1

// scaleSecret is the secret of the session auth hashes. It is a constant
// so that the sessions of a cached database stay valid from one run to
// the next; so is scalePasswordHash, the password hash of every user
// (Django 3.2's make_password("scale-password", salt="scalebenchsalt");
// a session's auth hash is an HMAC of it).
var scaleSecret = []byte("reinhardt-bench-scale-secret-key-0123456789")

const scalePasswordHash = "pbkdf2_sha256$260000$scalebenchsalt$W9ny5tG38QHPnFPCH1MDH6WUlIBJ6CTBxJotOMdOiFY="

// scaleTemplateID is the user id of the session the library writes as the
// template of every populated session: a number no other part of the
// session's data contains, replaced by each user's id.
const scaleTemplateID = "987654321"

// scaleLifetime is the lifetime of the populated sessions and blacklisted
// tokens: long enough that a cached fixture never expires.
const scaleLifetime = 10 * 365 * 24 * time.Hour

// scalePool is how many access tokens (of as many random users) the JWT
// path picks from: fewer than jwtauth.DefaultCacheSize, so that after the
// first round every token is a cache hit and what is measured is the
// per-request store work (the revocation check and the user load).
const scalePool = 4096

// scaleFixture is one populated store: n users, n blacklisted tokens and
// n live sessions (session i belongs to user i), and the authenticators
// of a request over it.
type scaleFixture struct {
	n       int
	engine  *core.Engine
	cookie  string   // the session cookie's name
	bearers []string // "Bearer <access token>" of random users
}

// scaleSessionID is the session key of user i's populated session: 32
// characters of [a-z0-9], as sessions.GenerateKey makes.
func scaleSessionID(i int) string { return fmt.Sprintf("scale%027d", i) }

var (
	scaleMu       sync.Mutex
	scaleFixtures = map[string]*scaleFixture{}
)

// BenchmarkScale measures the cost of authenticating one request as the
// stores grow from 1,000 to 1,000,000 users, blacklisted tokens and live
// sessions. Sub-benchmarks store=S/n=N/path=P:
//
//   - path=jwt: core.Engine.Authenticate of a request carrying the access
//     token of a random user (of scalePool): the verified-token cache, the
//     revocation hook (blacklist, family, valid-after: one query or script)
//     and the user load;
//   - path=session: the same Engine on a request carrying the session
//     cookie of a random one of the n sessions: session load, its user's
//     load and the session auth hash.
//
// Each iteration checks that the request authenticated as the right user.
// The populated databases are cached (see scaleSQLite, scalePostgres,
// scaleRedis). With -short only n=1000 runs.
func BenchmarkScale(b *testing.B) {
	sizes := []int{1000, 1000000}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, store := range []string{"sqlite", "postgres", "redis"} {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("store=%s/n=%d", store, n), func(b *testing.B) {
				f := scaleFixtureFor(b, store, n)
				b.Run("path=jwt", func(b *testing.B) { benchScaleJWT(b, f) })
				b.Run("path=session", func(b *testing.B) { benchScaleSession(b, f) })
			})
		}
	}
}

func benchScaleJWT(b *testing.B, f *scaleFixture) {
	r, _ := http.NewRequest(http.MethodGet, "/api/me", nil)
	req := core.NewHTTPRequest(r)
	rng := rand.New(rand.NewPCG(1, 2))
	// A first round puts every token in the verified-token cache.
	for _, bearer := range f.bearers {
		r.Header.Set("Authorization", bearer)
		scaleAuthenticate(b, f, req, "")
	}
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	for range b.N {
		r.Header.Set("Authorization", f.bearers[rng.IntN(len(f.bearers))])
		scaleAuthenticate(b, f, req, "")
	}
	reportCPU(b, cpu)
}

func benchScaleSession(b *testing.B, f *scaleFixture) {
	r, _ := http.NewRequest(http.MethodGet, "/api/me", nil)
	req := core.NewHTTPRequest(r)
	rng := rand.New(rand.NewPCG(3, 4))
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	for range b.N {
		i := 1 + rng.IntN(f.n)
		r.Header.Set("Cookie", f.cookie+"="+scaleSessionID(i))
		scaleAuthenticate(b, f, req, strconv.Itoa(i))
	}
	reportCPU(b, cpu)
}

// scaleAuthenticate authenticates req and fails the benchmark unless it
// is the user want ("" for any user).
func scaleAuthenticate(b *testing.B, f *scaleFixture, req core.Request, want string) {
	id, err := f.engine.Authenticate(req)
	if err != nil {
		b.Fatal(err)
	}
	if id == nil || !id.User.IsAuthenticated() {
		b.Fatalf("request not authenticated (want user %q)", want)
	}
	if bu, ok := id.User.(core.BaseUser); want != "" && (!ok || bu.GetID() != want) {
		b.Fatalf("authenticated as %v, want user %s", id.User, want)
	}
}

// reportCPU adds cpu-ns/op: the CPU time of this process per iteration
// since cpu (see cputime_unix_test.go).
func reportCPU(b *testing.B, cpu int64) {
	if cpu < 0 || b.N == 0 {
		return
	}
	if now := cpuTime(); now >= 0 {
		b.ReportMetric(float64(now-cpu)/float64(b.N), "cpu-ns/op")
	}
}

// scaleFixtureFor returns the fixture of store at n, made once per
// process (benchmarks run with -count reuse it).
func scaleFixtureFor(b *testing.B, store string, n int) *scaleFixture {
	scaleMu.Lock()
	defer scaleMu.Unlock()
	key := store + "/" + strconv.Itoa(n)
	if f := scaleFixtures[key]; f != nil {
		return f
	}
	var f *scaleFixture
	start := time.Now()
	switch store {
	case "sqlite":
		f = scaleSQLite(b, n)
	case "postgres":
		f = scalePostgres(b, env(b, "REINHARDT_TEST_POSTGRES"), n)
	case "redis":
		f = scaleRedis(b, env(b, "REINHARDT_TEST_REDIS"), n)
	}
	b.Logf("%s fixture of n=%d ready in %v", store, n, time.Since(start).Round(time.Millisecond))
	scaleFixtures[key] = f
	return f
}

// scaleAuth builds the Engine of a fixture: the JWT authenticator with
// the rotation manager's revocation hook over blacklist and refresh, its
// users from users; the session authenticator over backend.
func scaleAuth(b *testing.B, f *scaleFixture, users core.UserStore, blacklist tokens.TokenBlacklist, refresh tokens.RefreshStore, backend sessions.SessionBackend) *scaleFixture {
	rotation := tokens.NewTokenRotationManager(blacklist, refresh)
	ja, err := jwtauth.New(randomKey(), jwtauth.WithRevocation(rotation.Revocation()))
	if err != nil {
		b.Fatal(err)
	}
	model := core.NewModelBackend(users)
	rotation.JWT, rotation.Users = ja, model
	manager := scaleManager(backend)
	sessionAuth := sessions.NewSessionAuthentication(scaleSecret, model)
	sessionAuth.Manager = manager
	f.engine = core.NewEngine(jwtauth.NewAuthentication(ja, jwtauth.StoreUsers(users)), sessionAuth)
	f.cookie = manager.Cookie.Name
	rng := rand.New(rand.NewPCG(5, 6))
	for range min(scalePool, 4*f.n) {
		i := 1 + rng.IntN(f.n)
		token, err := ja.GenerateToken(strconv.Itoa(i), "scale"+strconv.Itoa(i))
		if err != nil {
			b.Fatal(err)
		}
		f.bearers = append(f.bearers, "Bearer "+token)
	}
	// A blacklisted token is refused: the blacklist is consulted.
	r, _ := http.NewRequest(http.MethodGet, "/api/me", nil)
	c := &jwtauth.Claims{TokenType: jwtauth.AccessToken, UserID: "1"}
	c.ID, c.IssuedAt, c.ExpiresAt = "scale-1", jwt.NewNumericDate(time.Now()), jwt.NewNumericDate(time.Now().Add(time.Hour))
	token, err := ja.Sign(c)
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+token)
	if _, err := f.engine.Authenticate(core.NewHTTPRequest(r)); !errors.Is(err, jwtauth.ErrRevoked) {
		b.Fatalf("the populated blacklisted token scale-1: got %v, want jwtauth.ErrRevoked", err)
	}
	return f
}

// scaleManager is the session Manager of the fixtures: no idle timeout
// and a lifetime of scaleLifetime, so that a cached session stays live.
func scaleManager(backend sessions.SessionBackend) *sessions.Manager {
	m := sessions.NewManager(backend)
	m.IdleTimeout, m.Lifetime = 0, scaleLifetime
	return m
}

// scaleTemplateSession has the library log the template user in to a new
// session of backend and save it; it returns the session's key.
func scaleTemplateSession(b *testing.B, ctx context.Context, backend sessions.SessionBackend) sessions.SessionID {
	auth := sessions.NewSessionAuthentication(scaleSecret, core.NewModelBackend(core.NewDefaultUserManager()))
	s := scaleManager(backend).New()
	u := &core.DefaultUser{ID: mustAtoi(scaleTemplateID), Username: "template", Password: scalePasswordHash, Active: true}
	if err := auth.Login(ctx, s, u, ""); err != nil {
		b.Fatal(err)
	}
	if err := s.Save(ctx); err != nil {
		b.Fatal(err)
	}
	return s.Key()
}

// scaleSessionData returns, for each user id, the bytes of the template
// with the template user's id replaced by it; the template must hold
// that id exactly once.
func scaleSessionData(b *testing.B, template []byte) func(id string) []byte {
	if n := strings.Count(string(template), scaleTemplateID); n != 1 {
		b.Fatalf("the template session holds the template user id %d times, want once", n)
	}
	before, after, _ := strings.Cut(string(template), scaleTemplateID)
	return func(id string) []byte { return []byte(before + id + after) }
}

func mustAtoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic(err)
	}
	return n
}

// scaleCacheDir is where populated SQLite databases are kept between
// runs: $XDG_CACHE_HOME/reinhardt-bench (or the platform's equivalent),
// or REINHARDT_BENCH_CACHE.
func scaleCacheDir(b *testing.B) string {
	dir := os.Getenv("REINHARDT_BENCH_CACHE")
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir = filepath.Join(base, "reinhardt-bench")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	return dir
}

// scaleSchemaKey names the schema of dialect d and the fixture's way of
// populating it: the number of the last migration and
// scaleFixtureVersion.
func scaleSchemaKey(b *testing.B, d sqlstore.Dialect) string {
	ms, err := sqlstore.Migrations(d)
	if err != nil {
		b.Fatal(err)
	}
	return fmt.Sprintf("m%d_f%d", ms[len(ms)-1].Version, scaleFixtureVersion)
}

// scaleSQLite opens the SQLite fixture of n, from the cache directory
// when an earlier run made it (scale_<schema key>_n<n>.sqlite3); a new one
// is made under a temporary name and renamed when complete, so that an
// interrupted run leaves nothing that looks complete.
func scaleSQLite(b *testing.B, n int) *scaleFixture {
	s := scaleSQLiteStore(b, n)
	f := &scaleFixture{n: n}
	return scaleAuth(b, f, s, s.Tokens(), s.Tokens(), s.Sessions())
}

// scaleSQLiteStore opens the SQLite database of n, populating it (and
// caching it) first when no earlier run did.
func scaleSQLiteStore(b *testing.B, n int) *sqlstore.Store {
	ctx := context.Background()
	path := filepath.Join(scaleCacheDir(b), fmt.Sprintf("scale_%s_n%d.sqlite3", scaleSchemaKey(b, sqlstore.SQLite), n))
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".new"
		for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			_ = os.Remove(p)
		}
		s, err := sqlstore.Open(ctx, "sqlite:"+tmp)
		if err != nil {
			b.Fatal(err)
		}
		if err := populateSQL(ctx, b, s, n); err != nil {
			s.Close()
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
	}
	s, err := sqlstore.Open(ctx, "sqlite:"+path)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return s
}

// scalePostgres opens the PostgreSQL fixture of n: the schema
// reinhardt_scale_<schema key>_n<n>, kept in the server for the next run
// (the test server of scripts/services.sh is thrown away when stopped) and
// marked complete by its comment once populated.
func scalePostgres(b *testing.B, base string, n int) *scaleFixture {
	ctx := context.Background()
	schema := fmt.Sprintf("reinhardt_scale_%s_n%d", scaleSchemaKey(b, sqlstore.Postgres), n)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	var comment sql.NullString
	err = admin.QueryRowContext(ctx, `SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = $1`, schema).Scan(&comment)
	complete := err == nil && comment.String == "complete"
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		b.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	if !complete {
		for _, stmt := range []string{`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`, `CREATE SCHEMA "` + schema + `"`} {
			if _, err := admin.ExecContext(ctx, stmt); err != nil {
				b.Fatal(err)
			}
		}
		s, err := sqlstore.Open(ctx, u.String())
		if err != nil {
			b.Fatal(err)
		}
		err = populateSQL(ctx, b, s, n)
		s.Close()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := admin.ExecContext(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
		if _, err := admin.ExecContext(ctx, `COMMENT ON SCHEMA "`+schema+`" IS 'complete'`); err != nil {
			b.Fatal(err)
		}
	}
	s, err := sqlstore.Open(ctx, u.String())
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	f := &scaleFixture{n: n}
	return scaleAuth(b, f, s, s.Tokens(), s.Tokens(), s.Sessions())
}

// populateSQL migrates s and fills it: the library writes one template of
// each row (a user, a blacklisted token, a session), which SQL then copies
// n-1 times (users and tokens: INSERT … SELECT over a series of ids, in
// the database; sessions, whose key is a SHA-256 and whose data is base64:
// multi-row INSERTs of 500 from the template's data, one prepared
// statement in one transaction).
func populateSQL(ctx context.Context, b *testing.B, s *sqlstore.Store, n int) error {
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	pg := s.Dialect() == sqlstore.Postgres
	// The templates, written by the library.
	if _, err := s.CreateUser(ctx, "scale1", nil, nil); err != nil {
		return err
	}
	if err := s.SetPasswordHash(ctx, "1", scalePasswordHash); err != nil {
		return err
	}
	ts := s.Tokens()
	if err := ts.Blacklist(ctx, "scale-1", time.Now().Add(scaleLifetime), tokens.Logout); err != nil {
		return err
	}
	templateKey := sessions.StorageKey(ctx, scaleTemplateSession(b, ctx, s.Sessions()))
	db := s.DB()
	var templateData string
	if err := db.QueryRowContext(ctx, rebindPG(pg, `SELECT "session_data" FROM "django_session" WHERE "session_key" = ?`), templateKey).Scan(&templateData); err != nil {
		return fmt.Errorf("template session: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(templateData)
	if err != nil {
		return err
	}
	data := scaleSessionData(b, raw)

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	series := `WITH RECURSIVE g(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM g WHERE i < ?) `
	from := ` FROM g, `
	if pg {
		series, from = ``, ` FROM generate_series(2, ?::integer) AS g(i), `
	}
	copies := []string{
		series + `INSERT INTO "auth_user" ("id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined")
SELECT g.i, t."password", t."last_login", t."is_superuser", 'scale' || g.i, t."first_name", t."last_name", t."email", t."is_staff", t."is_active", t."date_joined"` + from + `"auth_user" t WHERE t."id" = 1`,
		series + `INSERT INTO "token_blacklist_outstandingtoken" ("id", "token", "created_at", "expires_at", "user_id", "jti")
SELECT g.i, t."token", t."created_at", t."expires_at", g.i, 'scale-' || g.i` + from + `"token_blacklist_outstandingtoken" t WHERE t."id" = 1`,
		series + `INSERT INTO "token_blacklist_blacklistedtoken" ("id", "blacklisted_at", "token_id")
SELECT g.i, t."blacklisted_at", g.i` + from + `"token_blacklist_blacklistedtoken" t WHERE t."id" = 1`,
		series + `INSERT INTO "reinhardt_token_state" ("token_id", "family_id", "consumed_at", "reason")
SELECT g.i, t."family_id", t."consumed_at", t."reason"` + from + `"reinhardt_token_state" t WHERE t."token_id" = 1`,
	}
	for _, q := range copies {
		if _, err := tx.ExecContext(ctx, rebindPG(pg, q), n); err != nil {
			return fmt.Errorf("%.60s…: %w", q, err)
		}
	}
	if pg {
		for _, t := range []string{"auth_user", "token_blacklist_outstandingtoken", "token_blacklist_blacklistedtoken"} {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('"`+t+`"', 'id'), $1)`, n); err != nil {
				return err
			}
		}
	}
	const batch = 500
	insert := func(rows int) (*sql.Stmt, error) {
		var q strings.Builder
		q.WriteString(`INSERT INTO "django_session" ("session_key", "session_data", "expire_date") SELECT v.column1, v.column2, t."expire_date" FROM (VALUES `)
		for i := range rows {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?)")
		}
		q.WriteString(`) AS v, "django_session" t WHERE t."session_key" = ?`)
		return tx.PrepareContext(ctx, rebindPG(pg, q.String()))
	}
	full, err := insert(batch)
	if err != nil {
		return err
	}
	args := make([]any, 0, 2*batch+1)
	for first := 1; first <= n; first += batch {
		last := min(first+batch-1, n)
		args = args[:0]
		for i := first; i <= last; i++ {
			args = append(args, sessions.StorageKey(ctx, sessions.SessionID(scaleSessionID(i))), base64.StdEncoding.EncodeToString(data(strconv.Itoa(i))))
		}
		args = append(args, templateKey)
		st := full
		if last-first+1 < batch {
			if st, err = insert(last - first + 1); err != nil {
				return err
			}
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("sessions %d-%d: %w", first, last, err)
		}
	}
	return tx.Commit()
}

// rebindPG turns the ? placeholders of q into $1, $2, … for PostgreSQL.
func rebindPG(pg bool, q string) string {
	if !pg {
		return q
	}
	var out strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			out.WriteString("$" + strconv.Itoa(n))
			continue
		}
		out.WriteRune(c)
	}
	return out.String()
}

// scaleRedisDB is the Redis database the fixtures are kept in: not the
// URL's (0 for the tests' server), whose tests scan their keys, so that
// they do not walk a million sessions at every cleanup.
const scaleRedisDB = 9

// scaleRedis opens the Redis fixture of n under the key prefix
// reinhardt-scale:f<version>:n<n>: in database scaleRedisDB, kept in the
// server for the next run and marked complete by the key
// <prefix>complete. Blacklisted tokens and
// sessions are in Redis; the users are those of the SQLite fixture of n,
// as the showcase with -redis keeps its users in its SQL database.
func scaleRedis(b *testing.B, u string, n int) *scaleFixture {
	ctx := context.Background()
	dbURL, err := url.Parse(u)
	if err != nil {
		b.Fatal(err)
	}
	dbURL.Path = "/" + strconv.Itoa(scaleRedisDB)
	c, err := redisstore.Open(dbURL.String())
	if err != nil {
		b.Fatal(err)
	}
	prefix := fmt.Sprintf("reinhardt-scale:f%d:n%d:", scaleFixtureVersion, n)
	users := scaleSQLiteStore(b, n)
	ts := redisstore.NewTokenStore(c, redisstore.WithPrefix(prefix))
	backend := redisstore.NewSessionBackend(c, redisstore.WithPrefix(prefix))
	if err := c.Exists(ctx, prefix+"complete").Err(); err != nil {
		b.Fatal(err)
	}
	if c.Exists(ctx, prefix+"complete").Val() == 0 {
		if err := populateRedis(ctx, b, c, prefix, ts, backend, n); err != nil {
			b.Fatal(err)
		}
	}
	f := &scaleFixture{n: n}
	return scaleAuth(b, f, users, ts, ts, backend)
}

// populateRedis clears prefix and fills it: the library blacklists one
// token and saves one session (the templates), then pipelines of 1,000
// commands copy them: ZADD/HSET into the blacklist's sorted sets and hash
// (their layout is the one redisstore's blacklist script documents) and
// SET … PX of each session.
func populateRedis(ctx context.Context, b *testing.B, c redis.UniversalClient, prefix string, ts *redisstore.TokenStore, backend *redisstore.SessionBackend, n int) error {
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, prefix+"*", 1000).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			if err := c.Unlink(ctx, keys...).Err(); err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	if err := ts.Blacklist(ctx, "scale-1", time.Now().Add(scaleLifetime), tokens.Logout); err != nil {
		return err
	}
	base := prefix + "{tokens}:"
	at, err := c.ZScore(ctx, base+"bl:at", "scale-1").Result()
	if err != nil {
		return fmt.Errorf("template blacklist entry: %w", err)
	}
	exp, err := c.ZScore(ctx, base+"bl:exp", "scale-1").Result()
	if err != nil {
		return fmt.Errorf("template blacklist entry: %w", err)
	}
	reason, err := c.HGet(ctx, base+"bl:reason", "scale-1").Result()
	if err != nil {
		return fmt.Errorf("template blacklist entry: %w", err)
	}
	templateKey := prefix + "session:" + sessions.StorageKey(ctx, scaleTemplateSession(b, ctx, backend))
	raw, err := c.Get(ctx, templateKey).Bytes()
	if err != nil {
		return fmt.Errorf("template session: %w", err)
	}
	ttl, err := c.PTTL(ctx, templateKey).Result()
	if err != nil {
		return err
	}
	data := scaleSessionData(b, raw)
	const batch = 1000
	for first := 2; first <= n; first += batch {
		last := min(first+batch-1, n)
		ats := make([]redis.Z, 0, batch)
		exps := make([]redis.Z, 0, batch)
		reasons := make([]any, 0, 2*batch)
		for i := first; i <= last; i++ {
			jti := "scale-" + strconv.Itoa(i)
			ats = append(ats, redis.Z{Score: at, Member: jti})
			exps = append(exps, redis.Z{Score: exp, Member: jti})
			reasons = append(reasons, jti, reason)
		}
		p := c.Pipeline()
		p.ZAdd(ctx, base+"bl:at", ats...)
		p.ZAdd(ctx, base+"bl:exp", exps...)
		p.HSet(ctx, base+"bl:reason", reasons...)
		p.HIncrBy(ctx, base+"bl:count", reason, int64(last-first+1))
		if _, err := p.Exec(ctx); err != nil {
			return err
		}
	}
	for first := 1; first <= n; first += batch {
		last := min(first+batch-1, n)
		p := c.Pipeline()
		for i := first; i <= last; i++ {
			key := prefix + "session:" + sessions.StorageKey(ctx, sessions.SessionID(scaleSessionID(i)))
			p.Set(ctx, key, data(strconv.Itoa(i)), ttl)
		}
		if _, err := p.Exec(ctx); err != nil {
			return err
		}
	}
	return c.Set(ctx, prefix+"complete", strconv.Itoa(n), 0).Err()
}
