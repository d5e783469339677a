package hashers_test

import (
	"context"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/hashers"
	"golang.org/x/crypto/argon2"
)

// BenchmarkArgon2Overhead alternates Hash and a raw argon2.IDKey call, so
// both see the same machine load, and reports the time ratio hash/raw
// (1.00 means no overhead; the target is within 2%). The bench module's
// BenchmarkArgon2 compares the two as sub-benchmarks, with their CPU time,
// for docs/benchmarks.md.
func BenchmarkArgon2Overhead(b *testing.B) {
	h := hashers.NewArgon2Hasher()
	ctx := context.Background()
	salt := []byte("abcdefghijklmnopqrstuv")
	var lib, raw time.Duration
	timeLib := func() {
		t0 := time.Now()
		if _, err := h.Hash(ctx, "my_password"); err != nil {
			b.Fatal(err)
		}
		lib += time.Since(t0)
	}
	timeRaw := func() {
		t0 := time.Now()
		argon2.IDKey([]byte("my_password"), salt, hashers.DefaultArgon2Time, hashers.DefaultArgon2Memory,
			hashers.DefaultArgon2Threads, hashers.DefaultArgon2KeyLen)
		raw += time.Since(t0)
	}
	for i := 0; b.Loop(); i++ {
		// Alternate the order so neither side always runs first.
		if i%2 == 0 {
			timeLib()
			timeRaw()
		} else {
			timeRaw()
			timeLib()
		}
	}
	if raw > 0 {
		b.ReportMetric(float64(lib)/float64(raw), "hash/raw")
	}
}

// BenchmarkArgon2OverheadLimited is BenchmarkArgon2Overhead with the hasher
// under a Limiter configured like Default's (slots and memory budget).
func BenchmarkArgon2OverheadLimited(b *testing.B) {
	h := hashers.NewArgon2Hasher()
	h.Limiter = hashers.NewLimiter(2)
	h.Limiter.MaxMemory = 256 << 20
	ctx := context.Background()
	salt := []byte("abcdefghijklmnopqrstuv")
	var lib, raw time.Duration
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		if i%2 == 0 {
			if _, err := h.Hash(ctx, "my_password"); err != nil {
				b.Fatal(err)
			}
			lib += time.Since(t0)
			t0 = time.Now()
			argon2.IDKey([]byte("my_password"), salt, hashers.DefaultArgon2Time, hashers.DefaultArgon2Memory,
				hashers.DefaultArgon2Threads, hashers.DefaultArgon2KeyLen)
			raw += time.Since(t0)
		} else {
			argon2.IDKey([]byte("my_password"), salt, hashers.DefaultArgon2Time, hashers.DefaultArgon2Memory,
				hashers.DefaultArgon2Threads, hashers.DefaultArgon2KeyLen)
			raw += time.Since(t0)
			t0 = time.Now()
			if _, err := h.Hash(ctx, "my_password"); err != nil {
				b.Fatal(err)
			}
			lib += time.Since(t0)
		}
	}
	if raw > 0 {
		b.ReportMetric(float64(lib)/float64(raw), "hash/raw")
	}
}

// BenchmarkSimulateCheckPBKDF2 is SimulateCheck after a real check against
// a Django pbkdf2_sha256 hash (1,500,000 iterations): it costs what
// BenchmarkPBKDF2SHA256 costs, not one Argon2id hash.
func BenchmarkSimulateCheckPBKDF2(b *testing.B) {
	ctx := context.Background()
	p := hashers.NewPBKDF2SHA256Hasher()
	reg := hashers.New(hashers.NewArgon2Hasher(), p)
	if _, _, err := reg.VerifyPassword(ctx, "wrong", mustHash(b, p, "right")); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := reg.SimulateCheck(ctx, "guess"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkArgon2Verify(b *testing.B) {
	h := hashers.NewArgon2Hasher()
	ctx := context.Background()
	enc := mustHash(b, h, "my_password")
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := h.Verify(ctx, "my_password", enc); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkPBKDF2SHA256(b *testing.B) {
	h := hashers.NewPBKDF2SHA256Hasher() // 1,500,000 iterations
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "my_password"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBcryptSHA256(b *testing.B) {
	h := hashers.NewBcryptSHA256Hasher() // cost 12
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "my_password"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScrypt(b *testing.B) {
	h := hashers.NewScryptHasher()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "my_password"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefuseHugeArgon2 measures refusing a stored m=4294967295.
func BenchmarkRefuseHugeArgon2(b *testing.B) {
	h := hashers.NewArgon2Hasher()
	ctx := context.Background()
	const enc = "argon2$argon2id$v=19$m=4294967295,t=2,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Verify(ctx, "x", enc); err == nil {
			b.Fatal("accepted")
		}
	}
}
