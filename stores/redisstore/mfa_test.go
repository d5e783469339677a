package redisstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/mfa/mfastore"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/sqlstore"
	"github.com/reinhardt-go/auth/stores/storetest/mfatest"
)

// sqliteTemplate is a migrated SQLite database, made once, that
// sqliteStore copies: migrating one per subtest costs half a second.
var sqliteTemplate struct {
	once sync.Once
	data []byte
	err  error
}

// sqliteStore returns a migrated SQLite store of the test's own.
func sqliteStore(t *testing.T) *sqlstore.Store { return sqliteStoreB(t) }

// sqliteStoreB is sqliteStore for tests and benchmarks.
func sqliteStoreB(t testing.TB) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	sqliteTemplate.once.Do(func() {
		dir, err := os.MkdirTemp("", "redisstore-sqlite")
		if err != nil {
			sqliteTemplate.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "db.sqlite3")
		db, err := sqlstore.Open(ctx, "sqlite://"+path)
		if err == nil {
			err = db.Migrate(ctx)
			if cerr := db.Close(); err == nil {
				err = cerr
			}
		}
		if err == nil {
			sqliteTemplate.data, err = os.ReadFile(path)
		}
		sqliteTemplate.err = err
	})
	if sqliteTemplate.err != nil {
		t.Fatal(sqliteTemplate.err)
	}
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	if err := os.WriteFile(path, sqliteTemplate.data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(ctx, "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMFAStoreConformance runs the MFA store suite (the step and
// recovery-code races included) on Redis and on the Redis Cluster, with
// the enrollments in SQLite.
func TestMFAStoreConformance(t *testing.T) {
	onRedisAndCluster(t, func(t *testing.T, c redis.UniversalClient) {
		mfatest.TestMFAStore(t, func(t *testing.T) mfastore.Store {
			return redisstore.NewMFAStore(c, sqliteStore(t).MFA(), redisstore.WithPrefix(testPrefix(t, c)))
		})
	})
}

// TestMFAStepsInRedis: once a user's step is in Redis, AdvanceStep and a
// second presentation of a recovery code are decided there alone (the
// durable store closed, they still answer); a step key Redis lost is
// seeded again from the durable record, so a step at or before its
// LastStep stays refused; Begin and Delete reset the Redis keys.
func TestMFAStepsInRedis(t *testing.T) {
	onRedisAndCluster(t, func(t *testing.T, c redis.UniversalClient) {
		ctx := context.Background()
		db := sqliteStore(t)
		p := testPrefix(t, c)
		s := redisstore.NewMFAStore(c, db.MFA(), redisstore.WithPrefix(p))
		if err := s.Begin(ctx, mfastore.Record{UserID: "7", Secret: "s", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Confirm(ctx, "7", 100, []string{"h1", "h2"}); err != nil || !ok {
			t.Fatalf("Confirm = %v, %v", ok, err)
		}
		stepKey := p + "mfa:{7}:step"
		// Lost from Redis: seeded from the durable LastStep (100).
		if err := c.Del(ctx, stepKey).Err(); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.AdvanceStep(ctx, "7", 100); err != nil || ok {
			t.Errorf("AdvanceStep(100) after Redis lost the step = %v, %v; want false (the durable LastStep)", ok, err)
		}
		if ok, err := s.AdvanceStep(ctx, "7", 101); err != nil || !ok {
			t.Errorf("AdvanceStep(101) = %v, %v; want true", ok, err)
		}
		if ok, err := s.ConsumeRecoveryCode(ctx, "7", "h1"); err != nil || !ok {
			t.Errorf("ConsumeRecoveryCode(h1) = %v, %v; want true", ok, err)
		}
		if got, err := s.Get(ctx, "7"); err != nil || got.LastStep != 101 || got.RecoveryCodes != 1 {
			t.Errorf("Get = %+v, %v; want LastStep 101 (from Redis), 1 code", got, err)
		}
		if ttl := c.PTTL(ctx, stepKey).Val(); ttl <= 0 || ttl > redisstore.DefaultRetention {
			t.Errorf("PTTL(step) = %v; want the retention", ttl)
		}
		// The durable store down: Redis alone decides.
		db.Close()
		if ok, err := s.AdvanceStep(ctx, "7", 101); err != nil || ok {
			t.Errorf("AdvanceStep(101) again = %v, %v; want false from Redis", ok, err)
		}
		if ok, err := s.AdvanceStep(ctx, "7", 102); err != nil || !ok {
			t.Errorf("AdvanceStep(102) = %v, %v; want true from Redis", ok, err)
		}
		if ok, err := s.ConsumeRecoveryCode(ctx, "7", "h1"); err != nil || ok {
			t.Errorf("ConsumeRecoveryCode(h1) again = %v, %v; want false from Redis", ok, err)
		}
		if _, err := s.ConsumeRecoveryCode(ctx, "7", "h2"); !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("ConsumeRecoveryCode(h2), durable store down = %v; want ErrStoreUnavailable", err)
		}
		if n := c.SIsMember(ctx, p+"mfa:{7}:used", "h2").Val(); n {
			t.Error("a consumption the durable store failed kept its gate closed")
		}
	})
}

// TestMFAResets: Begin and Delete remove the user's Redis keys.
func TestMFAResets(t *testing.T) {
	c := redisClient(t)
	ctx := context.Background()
	p := testPrefix(t, c)
	s := redisstore.NewMFAStore(c, sqliteStore(t).MFA(), redisstore.WithPrefix(p))
	for _, op := range []string{"Delete", "Begin"} {
		if err := s.Begin(ctx, mfastore.Record{UserID: "7", Secret: "s", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.Confirm(ctx, "7", 100, []string{"h1"}); !ok {
			t.Fatal("Confirm failed")
		}
		s.AdvanceStep(ctx, "7", 200)
		s.ConsumeRecoveryCode(ctx, "7", "h1")
		var err error
		if op == "Delete" {
			err = s.Delete(ctx, "7")
		} else {
			_ = s.Delete(ctx, "7")
			err = s.Begin(ctx, mfastore.Record{UserID: "7", Secret: "s2", CreatedAt: time.Now()})
		}
		if err != nil {
			t.Fatal(err)
		}
		if n := c.Exists(ctx, p+"mfa:{7}:step", p+"mfa:{7}:used").Val(); n != 0 {
			t.Errorf("%s left %d Redis keys", op, n)
		}
		_ = s.Delete(ctx, "7")
	}
}

// TestMFAKeysOneSlot: a user's two MFA keys share one Cluster slot
// whatever the user id, braces and the empty id included, and two ids
// never share keys.
func TestMFAKeysOneSlot(t *testing.T) {
	seen := map[string]string{}
	for _, id := range []string{"7", "", "}", "{x}", "a}b", "%7b", "%", "x:7"} {
		keys := redisstore.MFAKeysForTest(id)
		if a, b := clusterTag(keys[0]), clusterTag(keys[1]); a == "" || a != b {
			t.Errorf("id %q: keys %v hash by %q and %q", id, keys, a, b)
		}
		if other, ok := seen[keys[0]]; ok {
			t.Errorf("ids %q and %q share the key %s", id, other, keys[0])
		}
		seen[keys[0]] = id
	}
}

// clusterTag is what Redis Cluster hashes a key by when it has a hash tag
// (the text between the first "{" and the first "}" after it, when not
// empty), or "" when it has none.
func clusterTag(key string) string {
	i := strings.IndexByte(key, '{')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(key[i+1:], '}')
	if j <= 0 {
		return ""
	}
	return key[i+1 : i+1+j]
}
