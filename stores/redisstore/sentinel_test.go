package redisstore_test

import (
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/mfa/mfastore"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/storetest"
	"github.com/reinhardt-go/auth/stores/storetest/mfatest"
	"github.com/reinhardt-go/auth/stores/storetest/oauth2test"
)

// TestSentinel runs the conformance suites of every store (sessions,
// tokens, OAuth2, MFA steps, throttling) through a redis.NewFailoverClient
// that finds its primary by asking a Sentinel, the same suites the single
// server and the Cluster pass; each suite's stores have key prefixes of
// their own on the one primary.
func TestSentinel(t *testing.T) {
	c, _ := startSentinel(t, 0)
	t.Run("SessionBackend", func(t *testing.T) {
		storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
			return redisstore.NewSessionBackend(c, redisstore.WithPrefix(testPrefix(t, c)))
		})
	})
	t.Run("TokenStore", func(t *testing.T) {
		storetest.TestTokenStores(t, func(t *testing.T) (tokens.TokenBlacklist, tokens.RefreshStore) {
			s := redisstore.NewTokenStore(c, redisstore.WithPrefix(testPrefix(t, c)))
			return s, s
		})
	})
	t.Run("OAuth2Store", func(t *testing.T) {
		oauth2test.TestStore(t, func(t *testing.T) oauth2store.Store {
			return redisstore.NewOAuth2Store(c, nil, redisstore.WithPrefix(testPrefix(t, c)),
				redisstore.WithClock(func() time.Time { return oauth2SuiteNow }))
		})
	})
	t.Run("MFAStore", func(t *testing.T) {
		mfatest.TestMFAStore(t, func(t *testing.T) mfastore.Store {
			return redisstore.NewMFAStore(c, sqliteStore(t).MFA(), redisstore.WithPrefix(testPrefix(t, c)))
		})
	})
	t.Run("ThrottleStore", func(t *testing.T) {
		storetest.TestThrottleStore(t, func(t *testing.T) throttle.Store {
			return redisstore.NewThrottleStore(c, redisstore.WithPrefix(testPrefix(t, c)))
		})
	})
}
