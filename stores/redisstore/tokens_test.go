package redisstore_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// TestTokenStoreConformance runs the token-store suite (blacklist,
// refresh families with the Consume race, valid-after stamps, the
// rotation manager over the store) on Redis and on the Redis Cluster.
func TestTokenStoreConformance(t *testing.T) {
	onRedisAndCluster(t, func(t *testing.T, c redis.UniversalClient) {
		storetest.TestTokenStores(t, func(t *testing.T) (tokens.TokenBlacklist, tokens.RefreshStore) {
			s := redisstore.NewTokenStore(c, redisstore.WithPrefix(testPrefix(t, c)))
			return s, s
		})
	})
}
