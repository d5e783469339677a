package hashers_test

import (
	"context"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/hashers"
)

// fuzzLimits are tiny, so that no fuzzed (valid) hash can take more than a
// few milliseconds.
var fuzzLimits = hashers.Limits{
	MaxArgon2Memory:     64,
	MaxArgon2Time:       2,
	MaxArgon2Threads:    4,
	MaxKeyLen:           64,
	MaxPBKDF2Iterations: 100,
	MaxBcryptCost:       4,
	MaxScryptN:          16,
	MaxScryptR:          2,
	MaxScryptP:          2,
	MaxScryptMemory:     4096,
}

func fuzzRegistry() *hashers.Registry {
	return hashers.New(
		&hashers.Argon2Hasher{Time: 1, Memory: 8, Threads: 1, KeyLen: 16, Limits: fuzzLimits},
		&hashers.PBKDF2Hasher{Iterations: 10, Limits: fuzzLimits},
		func() *hashers.PBKDF2Hasher {
			h := hashers.NewPBKDF2SHA1Hasher()
			h.Iterations, h.Limits = 10, fuzzLimits
			return h
		}(),
		&hashers.BcryptSHA256Hasher{Rounds: 4, Limits: fuzzLimits},
		&hashers.BcryptHasher{Rounds: 4, Limits: fuzzLimits},
		&hashers.ScryptHasher{N: 2, R: 1, P: 1, Limits: fuzzLimits},
		hashers.NewMD5Hasher(), hashers.NewSHA1Hasher(), hashers.NewUnsaltedMD5Hasher(), hashers.NewUnsaltedSHA1Hasher(),
	)
}

// FuzzIdentifyAndVerify feeds arbitrary encodings and passwords through
// Identify, VerifyPassword, CheckPassword and every hasher's Verify and
// MustUpdate: nothing may panic, every error must wrap one of the package's
// sentinels, and huge parameters must be refused quickly.
func FuzzIdentifyAndVerify(f *testing.F) {
	reg := fuzzRegistry()
	ctx := context.Background()
	for _, enc := range []string{
		"", "!", "lolcat$salt$hash", "88a434c88cca4e900f7874cd98123f43", "md5$$88a434c88cca4e900f7874cd98123f43",
		"sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b", "sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8",
		"md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3",
		"pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY=",
		"pbkdf2_sha256$10$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY=",
		"pbkdf2_sha1$30000$seasalt2$pMzU1zNPcydf6wjnJFbiVKwgULc=",
		"scrypt$16384$seasalt$8$5$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q/1f/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw==",
		"scrypt$2$seasalt$1$1$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q/1f/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw==",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2id$v=19$m=4294967295,t=4294967295,p=255$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg",
		"argon2$argon2d$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"bcrypt_sha256$$2b$06$DuRiwgveWxIeRy16Z0CrvuBvRziVZ32A3rxlq8lUcYVm3h6NWxht2",
		"bcrypt_sha256$$2b$04$DuRiwgveWxIeRy16Z0CrvuBvRziVZ32A3rxlq8lUcYVm3h6NWxht2",
		"bcrypt$$2y$31$ZwHzPHKegzmDMagFff5WSecPF1KTZ3wytFRigsW85TeLa6EzgyG3.",
	} {
		f.Add(enc, "lètmein")
	}
	f.Fuzz(func(t *testing.T, encoded, password string) {
		start := time.Now()
		check := func(what string, err error) {
			if err != nil && !isKnownError(err) {
				t.Errorf("%s(%q): error %v wraps no sentinel", what, encoded, err)
			}
		}
		h, err := reg.Identify(encoded)
		check("Identify", err)
		if (h == nil) == (err == nil) {
			t.Fatalf("Identify(%q) = %v, %v", encoded, h, err)
		}
		ok, must, err := reg.VerifyPassword(ctx, password, encoded)
		check("VerifyPassword", err)
		if err != nil && (ok || must) {
			t.Errorf("VerifyPassword(%q) = %v, %v with error %v", encoded, ok, must, err)
		}
		if !hashers.IsPasswordUsable(encoded) && ok {
			t.Errorf("unusable %q verified", encoded)
		}
		called := false
		ok2, err := reg.CheckPassword(ctx, password, encoded, func(context.Context, string) error {
			called = true
			return nil
		})
		check("CheckPassword", err)
		if ok2 != ok || called != (ok && must) {
			t.Errorf("CheckPassword(%q) = %v (setter %v), VerifyPassword = %v, %v", encoded, ok2, called, ok, must)
		}
		for _, h := range reg.Hashers() {
			_, err := h.Verify(ctx, password, encoded)
			check(h.Algorithm()+".Verify", err)
			h.MustUpdate(encoded)
			if hr, ok := h.(hashers.RuntimeHardener); ok {
				hr.HardenRuntime(ctx, password, encoded)
			}
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q took %v", encoded, d)
		}
	})
}
