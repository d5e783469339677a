package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/storetest/oauth2test"
)

// oauth2SuiteNow is the "now" of the oauth2test suite, whose records
// expire minutes to days after it: the store measures Redis expiries from
// it (WithClock), or Redis would drop them at once.
var oauth2SuiteNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// TestOAuth2StoreConformance runs the OAuth2 store suite (the code and
// rotation races included) on Redis and on the Redis Cluster, with the
// applications in Redis.
func TestOAuth2StoreConformance(t *testing.T) {
	onRedisAndCluster(t, func(t *testing.T, c redis.UniversalClient) {
		oauth2test.TestStore(t, func(t *testing.T) oauth2store.Store {
			return redisstore.NewOAuth2Store(c, nil, redisstore.WithPrefix(testPrefix(t, c)),
				redisstore.WithClock(func() time.Time { return oauth2SuiteNow }))
		})
	})
}

// TestOAuth2StoreSQLApplications runs the suite with the applications in
// a SQL store (SQLite), as the showcase keeps them, and the codes and
// tokens in Redis.
func TestOAuth2StoreSQLApplications(t *testing.T) {
	if testing.Short() {
		t.Skip("a SQLite database per subtest")
	}
	c := redisClient(t)
	oauth2test.TestStore(t, func(t *testing.T) oauth2store.Store {
		return redisstore.NewOAuth2Store(c, sqliteStore(t).OAuth2(), redisstore.WithPrefix(testPrefix(t, c)),
			redisstore.WithClock(func() time.Time { return oauth2SuiteNow }))
	})
}

// TestOAuth2UsedCodeKeyOutlivesExpiry: using a code moves the Redis expiry
// of its key, and of its client's index set, on by
// oauth2store.UsedCodeRetention, so that Redis itself keeps a used code
// long enough to recognise its reuse; an unused code's key keeps its own
// expiry (its ExpiresAt plus the store's retention).
func TestOAuth2UsedCodeKeyOutlivesExpiry(t *testing.T) {
	onRedisAndCluster(t, func(t *testing.T, c redis.UniversalClient) {
		ctx := context.Background()
		prefix := testPrefix(t, c)
		retention := time.Hour
		s := redisstore.NewOAuth2Store(c, nil, redisstore.WithPrefix(prefix), redisstore.WithRetention(retention))
		now := time.Now()
		save := func(name string) string {
			t.Helper()
			code := oauth2store.Code{Hash: oauth2store.HashToken(name), ClientID: "c1", ExpiresAt: now.Add(time.Minute)}
			if err := s.SaveCode(ctx, code); err != nil {
				t.Fatalf("SaveCode: %v", err)
			}
			return code.Hash
		}
		used, unused := save("used"), save("unused")
		if _, st, err := s.ConsumeCode(ctx, used, now); err != nil || st != oauth2store.CodeValid {
			t.Fatalf("ConsumeCode = %v, %v; want CodeValid", st, err)
		}
		expiry := func(key string) time.Time {
			t.Helper()
			ms, err := c.Do(ctx, "PEXPIRETIME", prefix+"{oauth2}:"+key).Int64()
			if err != nil || ms <= 0 {
				t.Fatalf("PEXPIRETIME %s = %d, %v", key, ms, err)
			}
			return time.UnixMilli(ms)
		}
		slack := 5 * time.Second
		short := now.Add(time.Minute + retention)
		long := short.Add(oauth2store.UsedCodeRetention)
		if got := expiry("code:" + used); got.Before(long.Add(-slack)) || got.After(long.Add(slack)) {
			t.Errorf("used code's key expires at %v; want about %v (ExpiresAt + retention + UsedCodeRetention)", got, long)
		}
		if got := expiry("client:c1"); got.Before(long.Add(-slack)) {
			t.Errorf("client index expires at %v; want not before %v (it indexes the used code)", got, long)
		}
		if got := expiry("code:" + unused); got.Before(short.Add(-slack)) || got.After(short.Add(slack)) {
			t.Errorf("unused code's key expires at %v; want about %v (ExpiresAt + retention)", got, short)
		}
	})
}
