package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/throttle"
)

// ThrottleStore is a throttle.Store in Redis, for throttles shared by
// every instance of a service: one string per key, Prefix+"throttle:"+key,
// holding the key's GCRA time (throttle.Rate.Apply) in Unix microseconds
// with a PX expiry at that time, after which the key has no state left
// and Redis drops it (no cleanup job). Hit and Refund are one Lua script
// each, one round trip, touching the one key they are given, so they are
// atomic per key and run on Redis Cluster too; Peek is one GET.
//
// Times are kept in microseconds because Lua's numbers are doubles, exact
// to 2^53: microseconds since 1970 fit, nanoseconds do not. Errors (Redis
// unreachable, a timeout, a done ctx) wrap core.ErrStoreUnavailable, so
// throttled requests fail closed. It is safe for concurrent use and does
// not own the client.
type ThrottleStore struct {
	client redis.UniversalClient
	prefix string
}

// NewThrottleStore returns a ThrottleStore over client with the options
// (WithPrefix).
func NewThrottleStore(client redis.UniversalClient, opts ...Option) *ThrottleStore {
	c := newConfig(opts)
	return &ThrottleStore{client: client, prefix: c.prefix + "throttle:"}
}

// throttleKeyLen is the longest key stored as it is; longer ones are
// stored as "sha256:" and their hex digest.
const throttleKeyLen = 200

func (t *ThrottleStore) key(key []byte) string {
	if len(key) <= throttleKeyLen {
		return t.prefix + string(key)
	}
	sum := sha256.Sum256(key)
	return t.prefix + "sha256:" + hex.EncodeToString(sum[:])
}

// hitScript is Rate.Apply in Lua. KEYS[1] the key; ARGV[1] now, ARGV[2]
// the interval, ARGV[3] the tolerance, all in microseconds. It returns
// {1, 0} and stores the new time when the hit is allowed, or {0, wait}
// and changes nothing.
var hitScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local base = math.max(tat, now)
local over = base - now - tonumber(ARGV[3])
if over > 0 then return {0, over} end
local nxt = base + tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.ceil((nxt - now) / 1000))
return {1, 0}
`)

// refundScript moves a key's time back by ARGV[2] microseconds, not
// before ARGV[1] (now); a key at or before now is left alone.
var refundScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat <= now then return 0 end
local nxt = math.max(tat - tonumber(ARGV[2]), now)
if nxt <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.ceil((nxt - now) / 1000))
end
return 1
`)

func micros(d time.Duration) int64 { return int64(d / time.Microsecond) }

func throttleErr(op string, ctx context.Context, err error) error {
	if ctx.Err() != nil && err == nil {
		err = ctx.Err()
	}
	return fmt.Errorf("redis throttle: %s: %w: %w", op, core.ErrStoreUnavailable, err)
}

// Hit implements throttle.Store.
func (t *ThrottleStore) Hit(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) (throttle.Result, error) {
	if err := ctx.Err(); err != nil {
		return throttle.Result{}, throttleErr("hit", ctx, err)
	}
	interval := rate.Interval()
	tolerance := rate.Period - interval
	res, err := hitScript.Run(ctx, t.client, []string{t.key(key)}, now.UnixMicro(), micros(interval), micros(tolerance)).Int64Slice()
	if err != nil {
		return throttle.Result{}, throttleErr("hit", ctx, err)
	}
	if len(res) != 2 {
		return throttle.Result{}, throttleErr("hit", ctx, errors.New("unexpected script reply"))
	}
	if res[0] == 1 {
		return throttle.Result{Allowed: true}, nil
	}
	return throttle.Result{Wait: time.Duration(res[1]) * time.Microsecond}, nil
}

// Peek implements throttle.Store.
func (t *ThrottleStore) Peek(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) (throttle.Result, error) {
	if err := ctx.Err(); err != nil {
		return throttle.Result{}, throttleErr("peek", ctx, err)
	}
	var tat int64
	v, err := t.client.Get(ctx, t.key(key)).Int64()
	switch {
	case errors.Is(err, redis.Nil):
	case err != nil:
		return throttle.Result{}, throttleErr("peek", ctx, err)
	default:
		tat = v * int64(time.Microsecond)
	}
	_, ok, wait := rate.Apply(tat, now.Truncate(time.Microsecond).UnixNano())
	return throttle.Result{Allowed: ok, Wait: wait}, nil
}

// Refund implements throttle.Store.
func (t *ThrottleStore) Refund(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return throttleErr("refund", ctx, err)
	}
	if err := refundScript.Run(ctx, t.client, []string{t.key(key)}, now.UnixMicro(), micros(rate.Interval())).Err(); err != nil {
		return throttleErr("refund", ctx, err)
	}
	return nil
}

var _ throttle.Store = (*ThrottleStore)(nil)
