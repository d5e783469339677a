package redisstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/compress"
	"github.com/reinhardt-go/auth/core/sessions/registry"
	"github.com/reinhardt-go/auth/stores/memory"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// TestSessionBackendConformance runs the session-backend suite on the
// Redis backend (Range and Import included) against a real server.
func TestSessionBackendConformance(t *testing.T) {
	onRedisAndCluster(t, testSessionBackendConformanceOn)
}

func testSessionBackendConformanceOn(t *testing.T, c redis.UniversalClient) {
	storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
		return redisstore.NewSessionBackend(c, redisstore.WithPrefix(testPrefix(t, c)))
	})
}

// TestCacheSessionBackendConformance: core's CacheSessionBackend over the
// Redis Cache, as the brief's one-liner makes it.
func TestCacheSessionBackendConformance(t *testing.T) {
	onRedisAndCluster(t, testCacheSessionBackendConformanceOn)
}

func testCacheSessionBackendConformanceOn(t *testing.T, c redis.UniversalClient) {
	storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
		return sessions.NewCacheSessionBackend(redisstore.NewCache(c, redisstore.WithPrefix(testPrefix(t, c))))
	})
}

// TestCookieGenerationsConformance: the Redis Cache as the cookie
// backend's GenerationStore.
func TestCookieGenerationsConformance(t *testing.T) {
	onRedisAndCluster(t, testCookieGenerationsConformanceOn)
}

func testCookieGenerationsConformanceOn(t *testing.T, c redis.UniversalClient) {
	storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		b, err := sessions.NewCookieSessionBackend(redisstore.NewCache(c, redisstore.WithPrefix(testPrefix(t, c))), key)
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

// TestCompressedConformance: the compression wrapper over Redis, with a
// threshold of zero so that every record goes through it (the suite's
// 1 MiB record then comes out a byte larger, inside MaxValueSize).
func TestCompressedConformance(t *testing.T) { onRedisAndCluster(t, testCompressedConformanceOn) }

func testCompressedConformanceOn(t *testing.T, c redis.UniversalClient) {
	storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
		w := compress.New(redisstore.NewSessionBackend(c, redisstore.WithPrefix(testPrefix(t, c))), compress.Zstd)
		w.Threshold = 0
		return w
	})
}

// TestCacheContract checks the Cache's own contract beyond what the
// session suite reaches: versions, a ttl <= 0, the expiry written with
// the value, values not in the cache's format, a key of another type, the
// size limit.
func TestCacheContract(t *testing.T) { onRedisAndCluster(t, testCacheContractOn) }

func testCacheContractOn(t *testing.T, c redis.UniversalClient) {
	ctx := context.Background()
	p := testPrefix(t, c)
	cache := redisstore.NewCache(c, redisstore.WithPrefix(p))
	if cache.Prefix() != p || cache.Client() != c {
		t.Fatal("Prefix or Client wrong")
	}

	mustCAS := func(key string, val string, ttl time.Duration, version uint64, want bool) {
		t.Helper()
		ok, err := cache.CompareAndSet(ctx, key, []byte(val), ttl, version)
		if err != nil || ok != want {
			t.Fatalf("CompareAndSet(%q, version %d) = %v, %v; want %v", key, version, ok, err, want)
		}
	}
	get := func(key string) (string, uint64, bool) {
		t.Helper()
		v, ver, found, err := cache.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return string(v), ver, found
	}

	if _, _, found := get("a"); found {
		t.Fatal("found a key never written")
	}
	mustCAS("a", "one", time.Hour, 1, false) // absent is version 0
	mustCAS("a", "one", time.Hour, 0, true)
	if v, ver, found := get("a"); !found || v != "one" || ver != 1 {
		t.Fatalf("Get = %q %d %v", v, ver, found)
	}
	mustCAS("a", "two", time.Hour, 0, false)
	mustCAS("a", "two", time.Hour, 2, false)
	mustCAS("a", "two", 90*time.Second, 1, true)
	if v, ver, _ := get("a"); v != "two" || ver != 2 {
		t.Fatalf("Get = %q %d", v, ver)
	}
	// The expiry went with the value.
	if ttl := c.PTTL(ctx, p+"a").Val(); ttl <= 89*time.Second || ttl > 90*time.Second {
		t.Errorf("PTTL = %v; want about 90s", ttl)
	}
	// A short ttl is rounded up to a whole millisecond, never to zero
	// (which would store the entry without expiry): the key has an expiry
	// (PTTL ≥ 0, 0 meaning under a millisecond left) or is already gone
	// (-2); -1, no expiry, is the failure.
	mustCAS("short", "x", 100*time.Microsecond, 0, true)
	if ttl := c.PTTL(ctx, p+"short").Val(); ttl == -1 || ttl < -2 {
		t.Errorf("PTTL of a 100µs entry = %v", ttl)
	}
	// ttl <= 0 with the right version deletes; with the wrong one does
	// nothing.
	mustCAS("a", "gone", 0, 1, false)
	if _, ver, found := get("a"); !found || ver != 2 {
		t.Fatal("a refused CompareAndSet changed the entry")
	}
	mustCAS("a", "gone", -time.Second, 2, true)
	if _, _, found := get("a"); found {
		t.Fatal("ttl <= 0 left the entry")
	}
	if n := c.Exists(ctx, p+"a").Val(); n != 0 {
		t.Fatal("ttl <= 0 left the Redis key")
	}
	mustCAS("never", "x", 0, 0, true) // nothing there, nothing stored
	if n := c.Exists(ctx, p+"never").Val(); n != 0 {
		t.Fatal("a ttl <= 0 created a key")
	}
	// Binary values and the empty value.
	mustCAS("bin", "\x00\xff\x00", time.Hour, 0, true)
	if v, _, _ := get("bin"); v != "\x00\xff\x00" {
		t.Errorf("binary value = %q", v)
	}
	mustCAS("empty", "", time.Hour, 0, true)
	if v, ver, found := get("empty"); !found || v != "" || ver != 1 {
		t.Errorf("empty value = %q %d %v", v, ver, found)
	}
	// Values in another format are absent, not errors.
	c.Set(ctx, p+"foreign", "short", time.Hour)
	if _, _, found := get("foreign"); found {
		t.Error("a 5-byte foreign value was found")
	}
	// A key of another type is a failure of the store.
	c.HSet(ctx, p+"hash", "f", "v")
	if _, _, _, err := cache.Get(ctx, "hash"); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Get(hash key) = %v; want ErrStoreUnavailable", err)
	}
	if _, err := cache.CompareAndSet(ctx, "hash", nil, time.Hour, 0); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("CompareAndSet(hash key) = %v; want ErrStoreUnavailable", err)
	}
	// Too large.
	big := make([]byte, redisstore.MaxValueSize+1)
	if _, err := cache.CompareAndSet(ctx, "big", big, time.Hour, 0); !errors.Is(err, sessions.ErrTooLarge) {
		t.Errorf("CompareAndSet(too large) = %v; want ErrTooLarge", err)
	}
	if err := cache.Delete(ctx, "nothing"); err != nil {
		t.Errorf("Delete(missing) = %v", err)
	}
	// Two writers of one version: exactly one wins, under contention.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if ok, err := cache.CompareAndSet(ctx, "race", []byte("x"), time.Hour, 0); err == nil && ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d writers of version 0 won; want 1", wins.Load())
	}
}

// TestRedisDown: a Redis that cannot be reached fails every call with an
// error wrapping core.ErrStoreUnavailable, promptly: requests fail closed.
func TestRedisDown(t *testing.T) {
	redis.SetLogger(quiet{}) // go-redis logs every failed dial
	addr := closedPort(t)
	// One dial attempt per call, no retries: go-redis's defaults (five
	// dials, three retries) fail closed as well, in about a second each.
	client := redis.NewClient(&redis.Options{Addr: addr, DialerRetries: 1, MaxRetries: -1})
	defer client.Close()
	ctx := context.Background()
	b := redisstore.NewSessionBackend(client)
	id := sessions.GenerateKey()
	start := time.Now()
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("%s with Redis down = %v; want an error wrapping core.ErrStoreUnavailable", what, err)
		}
	}
	rec, found, err := b.Load(ctx, id)
	check("Load", err)
	if found || rec.Data != nil {
		t.Error("Load with Redis down found a session")
	}
	ok, err := b.Exists(ctx, id)
	check("Exists", err)
	if ok {
		t.Error("Exists with Redis down = true")
	}
	check("Save", b.Save(ctx, id, sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}))
	check("Delete", b.Delete(ctx, id))
	check("Import", b.Import(ctx, sessions.StorageKey(ctx, id), sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}))
	check("Range", b.Range(ctx, func(string, sessions.Record) bool { return true }))
	_, _, _, err = b.Cache().Get(ctx, "k")
	check("Cache.Get", err)
	_, err = b.Cache().CompareAndSet(ctx, "k", nil, time.Hour, 0)
	check("Cache.CompareAndSet", err)

	// Through the Manager, the request fails closed.
	m := sessions.NewManager(b)
	if _, err := m.Load(ctx, &fakeRequest{cookie: string(id)}); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Manager.Load with Redis down = %v", err)
	}
	// A client from Open, with go-redis's defaults.
	opened, err := redisstore.Open("redis://" + addr + "/0")
	if err != nil {
		t.Fatal(err)
	}
	defer opened.Close()
	_, _, err = redisstore.NewSessionBackend(opened).Load(ctx, id)
	check("Load through Open's client", err)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("failing took %v", d)
	}
	t.Logf("every call failed closed in %v", time.Since(start))
}

// TestOpen: the URLs Open takes, and an error that never shows the
// password.
func TestOpen(t *testing.T) {
	for _, u := range []string{"redis://localhost:6379/0", "rediss://user:pw@example.com:6380/2", "unix:///tmp/redis.sock?db=1", "redis://localhost"} {
		c, err := redisstore.Open(u)
		if err != nil {
			t.Errorf("Open(%q) = %v", u, err)
			continue
		}
		c.Close()
	}
	for _, u := range []string{"http://localhost", "redis://:s3cretpw@localhost:6379/notadb", "redis://u:s3cretpw@local host/0", "memcached://x", ""} {
		_, err := redisstore.Open(u)
		if !errors.Is(err, redisstore.ErrInvalidURL) {
			t.Errorf("Open(%q) = %v; want ErrInvalidURL", u, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cretpw") {
			t.Errorf("Open's error shows the password: %v", err)
		}
	}
}

// TestPrefixesApart: two prefixes on one server are two stores, and
// prefixes with glob characters Range literally.
func TestPrefixesApart(t *testing.T) { onRedisAndCluster(t, testPrefixesApartOn) }

func testPrefixesApartOn(t *testing.T, c redis.UniversalClient) {
	ctx := context.Background()
	base := testPrefix(t, c)
	a := redisstore.NewSessionBackend(c, redisstore.WithPrefix(base+"a*:"))
	b := redisstore.NewSessionBackend(c, redisstore.WithPrefix(base+"a?:"))
	id := sessions.GenerateKey()
	if err := a.Save(ctx, id, sessions.Record{Data: []byte("in a"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Exists(ctx, id); err != nil || ok {
		t.Errorf("b sees a's session: %v, %v", ok, err)
	}
	n := 0
	if err := b.Range(ctx, func(string, sessions.Record) bool { n++; return true }); err != nil || n != 0 {
		t.Errorf("b.Range saw %d sessions (%v); want 0", n, err)
	}
	if err := a.Range(ctx, func(k string, r sessions.Record) bool {
		n++
		if k != sessions.StorageKey(ctx, id) || string(r.Data) != "in a" {
			t.Errorf("a.Range gave %q %q", k, r.Data)
		}
		return true
	}); err != nil || n != 1 {
		t.Errorf("a.Range saw %d sessions (%v); want 1", n, err)
	}
	if k, _ := allKeys(ctx, c, base+"a\\*:session:*"); len(k) != 1 || !strings.HasSuffix(k[0], sessions.StorageKey(ctx, id)) {
		t.Errorf("the Redis key is %q; want prefix+session:+StorageKey", k)
	}
}

// TestRangeMany: Range over more sessions than one SCAN batch, stopping
// early, and skipping expired ones.
func TestRangeMany(t *testing.T) { onRedisAndCluster(t, testRangeManyOn) }

func testRangeManyOn(t *testing.T, c redis.UniversalClient) {
	ctx := context.Background()
	b := redisstore.NewSessionBackend(c, redisstore.WithPrefix(testPrefix(t, c)))
	const n = 700
	want := map[string]bool{}
	for i := range n {
		id := sessions.GenerateKey()
		want[sessions.StorageKey(ctx, id)] = true
		rec := sessions.Record{Data: bytes.Repeat([]byte{byte(i)}, 10), Expiry: time.Now().Add(time.Hour)}
		if err := b.Save(ctx, id, rec); err != nil {
			t.Fatal(err)
		}
	}
	// An entry whose expiry has passed by the record's clock but not yet
	// by Redis's is not listed.
	late := redisstore.NewSessionBackend(c, redisstore.WithPrefix(b.Cache().Prefix()), redisstore.WithClock(func() time.Time { return time.Now().Add(2 * time.Hour) }))
	seen := map[string]bool{}
	if err := b.Range(ctx, func(k string, _ sessions.Record) bool {
		if seen[k] {
			t.Errorf("Range gave %s twice", k)
		}
		seen[k] = true
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Errorf("Range saw %d of %d", len(seen), n)
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("Range missed %s", k)
			break
		}
	}
	calls := 0
	if err := b.Range(ctx, func(string, sessions.Record) bool { calls++; return calls < 10 }); err != nil || calls != 10 {
		t.Errorf("Range after f returned false: %d calls, %v", calls, err)
	}
	calls = 0
	if err := late.Range(ctx, func(string, sessions.Record) bool { calls++; return true }); err != nil || calls != 0 {
		t.Errorf("Range listed %d expired sessions (%v)", calls, err)
	}
}

// TestUniversalClient: a UniversalClient made by
// redis.NewUniversalClient with one address is a plain client, and the
// backend works over it.
func TestUniversalClient(t *testing.T) {
	c := redisClient(t)
	opts := c.(*redis.Client).Options()
	u := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{opts.Addr}, DB: opts.DB, Password: opts.Password, Username: opts.Username})
	t.Cleanup(func() { u.Close() })
	storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
		return redisstore.NewSessionBackend(u, redisstore.WithPrefix(testPrefix(t, c)))
	})
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// TestSessionFactory: the backend opened by spec through a
// registry.Registry, from a URL (with a prefix) or from a client given as
// a dependency.
func TestSessionFactory(t *testing.T) {
	ctx := context.Background()
	c := redisClient(t)
	p := testPrefix(t, c)
	reg := registry.New()
	reg.Register("redis", redisstore.SessionFactory)
	spec := os.Getenv("REINHARDT_TEST_REDIS")
	sep := "?"
	if strings.Contains(spec, "?") {
		sep = "&"
	}
	b, err := reg.Open(ctx, spec+sep+"prefix="+url.QueryEscape(p))
	if err != nil {
		t.Fatal(err)
	}
	rb := b.(*redisstore.SessionBackend)
	if rb.Cache().Prefix() != p {
		t.Errorf("prefix %q; want %q", rb.Cache().Prefix(), p)
	}
	id := sessions.GenerateKey()
	if err := b.Save(ctx, id, sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n := c.Exists(ctx, p+"session:"+sessions.StorageKey(ctx, id)).Val(); n != 1 {
		t.Error("the session is not under the prefix")
	}
	if err := rb.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Load(ctx, id); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Load after Close = %v; want the closed client's error", err)
	}

	b, err = reg.Open(ctx, "redis", registry.WithDependency(c))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.(*redisstore.SessionBackend).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(ctx).Err(); err != nil {
		t.Errorf("Close closed the caller's client: %v", err)
	}
	if _, err := reg.Open(ctx, "redis"); err == nil {
		t.Error(`"redis" without a client was accepted`)
	}
	if _, err := reg.Open(ctx, "redis://:s3cretpw@localhost:6379/x"); err == nil || strings.Contains(err.Error(), "s3cretpw") {
		t.Errorf("a bad URL: %v", err)
	}
}

// TestSessionBackendFields: Load and Save honour the embedded
// CacheSessionBackend's fields changed after NewSessionBackend, as the
// cache backend's own methods do: its Prefix, and a Cache replaced by
// another.
func TestSessionBackendFields(t *testing.T) {
	c := redisClient(t)
	ctx := context.Background()
	p := testPrefix(t, c)
	b := redisstore.NewSessionBackend(c, redisstore.WithPrefix(p))
	b.Prefix = "s:"
	id := sessions.GenerateKey()
	rec := sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}
	if err := b.Save(ctx, id, rec); err != nil {
		t.Fatal(err)
	}
	if n := c.Exists(ctx, p+"s:"+sessions.StorageKey(ctx, id)).Val(); n != 1 {
		t.Error("the session is not under the changed prefix")
	}
	if got, found, err := b.Load(ctx, id); err != nil || !found || string(got.Data) != "x" || got.Version != 1 {
		t.Errorf("Load = %q v%d, %v, %v", got.Data, got.Version, found, err)
	}

	mc := memory.NewSessionCache()
	defer mc.Close()
	b.CacheSessionBackend.Cache = mc
	id = sessions.GenerateKey()
	if err := b.Save(ctx, id, rec); err != nil {
		t.Fatal(err)
	}
	if mc.Len() != 1 || c.Exists(ctx, p+"s:"+sessions.StorageKey(ctx, id)).Val() != 0 {
		t.Errorf("Save did not go to the replaced cache (%d entries there)", mc.Len())
	}
	if got, found, err := b.Load(ctx, id); err != nil || !found || string(got.Data) != "x" {
		t.Errorf("Load from the replaced cache = %q, %v, %v", got.Data, found, err)
	}
}

// TestOpenClusterURL: go-redis's cluster URL (addr= parameters) opens a
// cluster client, which reaches keys on every master; a bad one is
// ErrInvalidURL without the password.
func TestOpenClusterURL(t *testing.T) {
	addrs := strings.Split(os.Getenv("REINHARDT_TEST_REDIS_CLUSTER"), ",")
	redisClusterClient(t) // skips (or fails in CI) without the Cluster
	u := "redis://" + addrs[0]
	for i, a := range addrs[1:] {
		u += map[bool]string{true: "?", false: "&"}[i == 0] + "addr=" + a
	}
	c, err := redisstore.Open(u)
	if err != nil {
		t.Fatalf("Open(%q) = %v", u, err)
	}
	t.Cleanup(func() { c.Close() }) // after testPrefix's cleanup
	cl, ok := c.(*redis.ClusterClient)
	if !ok {
		t.Fatalf("Open(%q) = %T; want *redis.ClusterClient", u, c)
	}
	ctx := context.Background()
	p := testPrefix(t, c)
	masters := map[string]bool{}
	for i := range 64 { // keys in many slots, so on every master
		k := p + strconv.Itoa(i)
		if err := c.Set(ctx, k, "v", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		n, err := cl.MasterForKey(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		masters[n.Options().Addr] = true
	}
	if len(masters) != len(addrs) {
		t.Errorf("the keys reached %d masters; want %d", len(masters), len(addrs))
	}
	// The session factory takes the cluster URL too, with its prefix.
	reg := registry.New()
	reg.Register("redis", redisstore.SessionFactory)
	b, err := reg.Open(ctx, u+"&prefix="+url.QueryEscape(p))
	if err != nil {
		t.Fatal(err)
	}
	defer b.(*redisstore.SessionBackend).Close()
	id := sessions.GenerateKey()
	if err := b.Save(ctx, id, sessions.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n := c.Exists(ctx, p+"session:"+sessions.StorageKey(ctx, id)).Val(); n != 1 {
		t.Error("the factory's session is not on the Cluster under the prefix")
	}
	if _, err := redisstore.Open("redis://:s3cretpw@" + addrs[0] + "?addr=" + addrs[1] + "&db=2"); !errors.Is(err, redisstore.ErrInvalidURL) || strings.Contains(err.Error(), "s3cretpw") {
		t.Errorf("Open(cluster URL with a db) = %v; want ErrInvalidURL without the password", err)
	}
}
