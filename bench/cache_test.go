package bench_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/memory"
)

// BenchmarkCacheBound fills each in-process cache of the library with
// 1, 2 and 4 times as many distinct entries as its bound and reports the
// heap the cache holds afterwards (cache-bytes, after a garbage
// collection, with everything but the cache released) and its bound
// (entries-max). Past 1x, cache-bytes must stay flat: the cache evicts
// instead of growing. Sub-benchmarks cache=C/fill=F:
//
//   - cache=jwt-verified: jwtauth's verified-token cache
//     (jwtauth.DefaultCacheSize entries), filled by verifying access
//     tokens of GenerateToken (about 300 bytes each);
//   - cache=token-family: the rotation manager's memo of each token's
//     family by jti (tokens.FamilyMemoSize entries), filled by the
//     revocation hook on claims with distinct jtis.
//
// An iteration is one whole fill, with a new cache; run it with
// -benchtime 1x.
func BenchmarkCacheBound(b *testing.B) {
	caches := []struct {
		name  string
		bound int
		fill  func(b *testing.B, entries int) any // returns the cache, to keep alive
	}{
		{"jwt-verified", jwtauth.DefaultCacheSize, fillJWTCache},
		{"token-family", tokens.FamilyMemoSize, fillFamilyMemo},
	}
	for _, c := range caches {
		for _, times := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("cache=%s/fill=%dx", c.name, times), func(b *testing.B) {
				var held uint64
				for b.Loop() {
					b.StopTimer()
					base := heapInUse()
					b.StartTimer()
					cache := c.fill(b, times*c.bound)
					b.StopTimer()
					held = heapInUse() - min(base, heapInUse())
					runtime.KeepAlive(cache)
					b.StartTimer()
				}
				b.ReportMetric(float64(held), "cache-bytes")
				b.ReportMetric(float64(c.bound), "entries-max")
			})
		}
	}
}

// heapInUse is the bytes of live heap objects after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// fillJWTCache verifies entries distinct access tokens with one JWTAuth
// and returns it.
func fillJWTCache(b *testing.B, entries int) any {
	j, err := jwtauth.New(randomKey())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := range entries {
		token, err := j.GenerateToken(strconv.Itoa(i+1), "user"+strconv.Itoa(i+1))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := j.VerifyAccess(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
	return j
}

// fillFamilyMemo has the revocation hook of one rotation manager (over
// the memory stores) check entries claims with distinct jtis and returns
// the manager.
func fillFamilyMemo(b *testing.B, entries int) any {
	m := tokens.NewTokenRotationManager(memory.NewBlacklist(), memory.NewRefreshStore())
	hook := m.Revocation()
	ctx := context.Background()
	exp := jwt.NewNumericDate(time.Now().Add(time.Hour))
	for i := range entries {
		c := &jwtauth.Claims{TokenType: jwtauth.AccessToken, UserID: strconv.Itoa(i + 1), Extra: map[string]any{}}
		c.ID, c.ExpiresAt = jwtauth.NewJTI(), exp
		if revoked, err := hook.Revoked(ctx, c); err != nil || revoked {
			b.Fatal(revoked, err)
		}
	}
	return m
}
