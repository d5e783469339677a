package showcase

import (
	"context"
	"time"

	"github.com/reinhardt-go/auth/core/mfa"
	"github.com/reinhardt-go/auth/core/oauth2"
	"github.com/reinhardt-go/auth/stores/redisstore"
)

// tokenStore returns the store of the blacklist, the refresh families and
// the valid-after stamps: Redis with -redis, else the database's
// simplejwt tables.
func (a *App) tokenStore() (TokenStore, error) {
	if a.Config.Redis == "" {
		return a.Store.Tokens(), nil
	}
	c, err := a.redis()
	if err != nil {
		return nil, err
	}
	return redisstore.NewTokenStore(c, a.redisOpts...), nil
}

// oauth2Store returns the OAuth2 provider's store: with -redis the codes
// and tokens in Redis and the applications in the database (where
// authctl createapplication registers them), else all in the database.
func (a *App) oauth2Store() (oauth2.Store, error) {
	if a.Config.Redis == "" {
		return a.Store.OAuth2(), nil
	}
	c, err := a.redis()
	if err != nil {
		return nil, err
	}
	return redisstore.NewOAuth2Store(c, a.Store.OAuth2(), a.redisOpts...), nil
}

// mfaStore returns the store of the TOTP enrollments: the database's,
// with -redis behind Redis for the last-used steps and the recovery-code
// gates.
func (a *App) mfaStore() (mfa.Store, error) {
	if a.Config.Redis == "" {
		return a.Store.MFA(), nil
	}
	c, err := a.redis()
	if err != nil {
		return nil, err
	}
	return redisstore.NewMFAStore(c, a.Store.MFA(), a.redisOpts...), nil
}

// RedisCleanupInterval is how often, with -redis, the showcase removes
// the expired blacklist entries, refresh tokens and OAuth2 codes and
// tokens from Redis (authctl clearsessions cleans the database's): Redis
// expires most of them itself, but the blacklist and the indexes that
// Stats and Cleanup use are kept until then.
const RedisCleanupInterval = time.Hour

// startRedisCleanup runs the Redis stores' cleanup every
// RedisCleanupInterval until Close. Instances sharing the Redis may all
// run it: each batch is one atomic script.
func (a *App) startRedisCleanup(oauthStore oauth2.Store) {
	if a.Config.Redis == "" {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(RedisCleanupInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := a.Tokens.Cleanup(ctx); err != nil {
				a.Logger.Warn("redis cleanup of the token store", "err", err)
			}
			if _, err := oauthStore.CleanupExpired(ctx, time.Now()); err != nil {
				a.Logger.Warn("redis cleanup of the OAuth2 store", "err", err)
			}
		}
	}()
	// First of the closers: stopped before the client it uses is closed.
	a.closers = append([]func() error{func() error { cancel(); <-done; return nil }}, a.closers...)
}
