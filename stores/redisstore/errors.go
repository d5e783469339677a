package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/reinhardt-go/auth/core"
)

// storeErr wraps a failure of Redis (or a done ctx) with
// core.ErrStoreUnavailable, so that the request fails closed. what names
// the store, op the operation; the error of a done ctx is kept
// (errors.Is(err, context.Canceled) holds).
func storeErr(what, op string, ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		err = cerr
	}
	return fmt.Errorf("redis %s: %s: %w: %w", what, op, core.ErrStoreUnavailable, err)
}

// checkCtx returns storeErr for a done ctx, nil otherwise: every method
// checks before it sends anything.
func checkCtx(what, op string, ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return storeErr(what, op, ctx, err)
	}
	return nil
}

// fromMicros is the time of a count of microseconds since 1970 (UTC), the
// zero time for 0: how the stores keep times, exact in Lua's doubles.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
