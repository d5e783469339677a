package redisstore_test

import (
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
