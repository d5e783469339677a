package redisstore_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core/mfa/mfastore"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/redisstore"
)

// roundTrips is a go-redis hook that counts what the client sends: each
// command processed alone and each pipeline (or MULTI) is one round trip.
// A script's first EVALSHA on a server that does not know it yet costs a
// second (the EVAL go-redis falls back to), once per script.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// countedClient returns a client of its own for REINHARDT_TEST_REDIS with
// a roundTrips hook.
func countedClient(b *testing.B) (redis.UniversalClient, *roundTrips) {
	c := redisClient(b)
	h := &roundTrips{}
	c.AddHook(h)
	return c, h
}

// benchSeq numbers the operations of every benchmark run, so that the
// runs of one benchmark (b.N = 1 first, then more) never meet each
// other's records.
var benchSeq atomic.Int64

// benchOp runs op b.N times, with fresh numbers i, after prepare (not
// timed, not counted) made what op i needs for i in [from, from+n), and
// reports the round trips per operation.
func benchOp(b *testing.B, h *roundTrips, prepare func(from, n int), op func(i int) error) {
	b.Helper()
	from := int(benchSeq.Add(int64(b.N))) - b.N
	if prepare != nil {
		prepare(from, b.N)
	}
	before := h.n.Load()
	b.ResetTimer()
	for i := from; i < from+b.N; i++ {
		if err := op(i); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(h.n.Load()-before)/float64(b.N), "roundtrips/op")
}

// BenchmarkTokenStore: each TokenStore operation against a real Redis,
// with its round trips per operation (one each).
func BenchmarkTokenStore(b *testing.B) {
	c, h := countedClient(b)
	ctx := context.Background()
	s := redisstore.NewTokenStore(c, redisstore.WithPrefix(testPrefix(b, c)))
	exp := time.Now().Add(time.Hour)
	id := func(kind string, i int) string { return kind + strconv.Itoa(i) }
	issue := func(from, n int) {
		for i := from; i < from+n; i++ {
			if err := s.Issue(ctx, tokens.RefreshRecord{JTI: id("jti", i), Family: id("fam", i), UserID: "1", IssuedAt: time.Now(), ExpiresAt: exp}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("Blacklist", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error { return s.Blacklist(ctx, id("bl", i), exp, tokens.Logout) })
	})
	b.Run("IsBlacklisted", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error { _, err := s.IsBlacklisted(ctx, id("bl", i)); return err })
	})
	b.Run("Issue", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error {
			return s.Issue(ctx, tokens.RefreshRecord{JTI: id("new", i), Family: "f", UserID: "1", IssuedAt: time.Now(), ExpiresAt: exp})
		})
	})
	b.Run("Consume", func(b *testing.B) {
		benchOp(b, h, issue, func(i int) error { _, err := s.Consume(ctx, id("jti", i)); return err })
	})
	b.Run("TokenState", func(b *testing.B) {
		benchOp(b, h, issue, func(i int) error { _, err := s.TokenState(ctx, id("jti", i), id("fam", i), "1"); return err })
	})
	b.Run("RevokeFamily", func(b *testing.B) {
		benchOp(b, h, issue, func(i int) error { return s.RevokeFamily(ctx, id("fam", i), tokens.Logout) })
	})
	b.Run("SetValidAfter", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error { return s.SetValidAfter(ctx, id("u", i), time.Now()) })
	})
	b.Run("ValidAfter", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error { _, err := s.ValidAfter(ctx, id("u", i)); return err })
	})
}

// BenchmarkOAuth2Store: each OAuth2Store operation on codes and tokens
// against a real Redis, with its round trips per operation (one each).
func BenchmarkOAuth2Store(b *testing.B) {
	c, h := countedClient(b)
	ctx := context.Background()
	s := redisstore.NewOAuth2Store(c, nil, redisstore.WithPrefix(testPrefix(b, c)))
	now := time.Now()
	hash := func(kind string, i int) string { return oauth2store.HashToken(kind + strconv.Itoa(i)) }
	tok := func(kind, name string, i int) oauth2store.Token {
		return oauth2store.Token{Hash: hash(name, i), Kind: kind, ClientID: "c1", UserID: "42", Scopes: []string{"read"},
			ExpiresAt: now.Add(time.Hour), FamilyID: "fam" + strconv.Itoa(i), IssuedAt: now}
	}
	code := func(i int) oauth2store.Code {
		return oauth2store.Code{Hash: hash("code", i), ClientID: "c1", UserID: "42", Scopes: []string{"read"}, ExpiresAt: now.Add(time.Minute)}
	}
	saveCodes := func(from, n int) {
		for i := from; i < from+n; i++ {
			if err := s.SaveCode(ctx, code(i)); err != nil {
				b.Fatal(err)
			}
		}
	}
	savePairs := func(from, n int) {
		for i := from; i < from+n; i++ {
			if err := s.SaveTokens(ctx, tok(oauth2store.KindAccess, "a", i), tok(oauth2store.KindRefresh, "r", i)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("SaveCode", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error { return s.SaveCode(ctx, code(i)) })
	})
	b.Run("ConsumeCode", func(b *testing.B) {
		benchOp(b, h, saveCodes, func(i int) error { _, _, err := s.ConsumeCode(ctx, hash("code", i), now); return err })
	})
	b.Run("SaveTokens", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error {
			return s.SaveTokens(ctx, tok(oauth2store.KindAccess, "sa", i), tok(oauth2store.KindRefresh, "sr", i))
		})
	})
	b.Run("Token", func(b *testing.B) {
		benchOp(b, h, savePairs, func(i int) error { _, _, err := s.Token(ctx, hash("a", i), now); return err })
	})
	b.Run("RotateRefreshToken", func(b *testing.B) {
		benchOp(b, h, savePairs, func(i int) error {
			_, _, err := s.RotateRefreshToken(ctx, hash("r", i), "c1", now, tok(oauth2store.KindAccess, "a2-", i), tok(oauth2store.KindRefresh, "r2-", i))
			return err
		})
	})
	b.Run("RevokeToken", func(b *testing.B) {
		benchOp(b, h, savePairs, func(i int) error { _, err := s.RevokeToken(ctx, hash("r", i), "c1"); return err })
	})
}

// BenchmarkMFAStore: the two single-use steps in Redis: AdvanceStep once
// the user's step is there (one round trip, the durable store not
// touched), and a recovery code presented again (refused by Redis's gate
// in one round trip).
func BenchmarkMFAStore(b *testing.B) {
	c, h := countedClient(b)
	ctx := context.Background()
	db := sqliteStoreB(b)
	s := redisstore.NewMFAStore(c, db.MFA(), redisstore.WithPrefix(testPrefix(b, c)))
	if err := s.Begin(ctx, mfastore.Record{UserID: "1", Secret: "s", CreatedAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	if ok, err := s.Confirm(ctx, "1", 1, []string{"used"}); err != nil || !ok {
		b.Fatal("Confirm", ok, err)
	}
	if _, err := s.ConsumeRecoveryCode(ctx, "1", "used"); err != nil {
		b.Fatal(err)
	}
	b.Run("AdvanceStep", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error { _, err := s.AdvanceStep(ctx, "1", int64(i)+2); return err })
	})
	b.Run("ConsumeRecoveryCode/again", func(b *testing.B) {
		benchOp(b, h, nil, func(int) error { _, err := s.ConsumeRecoveryCode(ctx, "1", "used"); return err })
	})
}

// BenchmarkThrottleStore: Hit, Peek and Refund, one round trip each.
func BenchmarkThrottleStore(b *testing.B) {
	c, h := countedClient(b)
	ctx := context.Background()
	s := redisstore.NewThrottleStore(c, redisstore.WithPrefix(testPrefix(b, c)))
	r := throttle.Rate{N: 1000, Period: time.Second}
	key := func(i int) []byte { return []byte("203.0.113." + strconv.Itoa(i%256)) }
	b.Run("Hit", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error { _, err := s.Hit(ctx, key(i), r, time.Now()); return err })
	})
	b.Run("Peek", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error { _, err := s.Peek(ctx, key(i), r, time.Now()); return err })
	})
	b.Run("Refund", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error { return s.Refund(ctx, key(i), r, time.Now()) })
	})
}

// BenchmarkCache: the session cache's Get and CompareAndSet, one round
// trip each.
func BenchmarkCache(b *testing.B) {
	c, h := countedClient(b)
	ctx := context.Background()
	cache := redisstore.NewCache(c, redisstore.WithPrefix(testPrefix(b, c)))
	val := make([]byte, 512)
	b.Run("CompareAndSet", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error {
			_, err := cache.CompareAndSet(ctx, strconv.Itoa(i), val, time.Hour, 0)
			return err
		})
	})
	b.Run("Get", func(b *testing.B) {
		benchOp(b, h, nil, func(i int) error { _, _, _, err := cache.Get(ctx, strconv.Itoa(i)); return err })
	})
}
