package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
	"github.com/reinhardt-go/auth/core"
)

// Ping sends PING to c within ctx: to every master of a Cluster (a client
// whose keys live on several nodes is ready only when each answers), to
// the one server otherwise. An error wraps core.ErrStoreUnavailable. It
// is a readiness.Checker as readiness.CheckerFunc(func(ctx
// context.Context) error { return redisstore.Ping(ctx, c) }).
func Ping(ctx context.Context, c redis.UniversalClient) error {
	var err error
	if cc, ok := c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			return m.Ping(ctx).Err()
		})
	} else {
		err = c.Ping(ctx).Err()
	}
	if err != nil {
		return fmt.Errorf("redisstore: ping: %w: %w", core.ErrStoreUnavailable, err)
	}
	return nil
}
