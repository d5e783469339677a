package hashers_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core/hashers"
)

// Vectors from Django's own test suite (tests/auth_tests/test_hashers.py).
func TestDjangoVectors(t *testing.T) {
	pbkdf2 := func(iter int) hashers.PasswordHasher {
		h := hashers.NewPBKDF2SHA256Hasher()
		h.Iterations = iter
		return h
	}
	pbkdf2sha1 := func(iter int) hashers.PasswordHasher {
		h := hashers.NewPBKDF2SHA1Hasher()
		h.Iterations = iter
		return h
	}
	scrypt := func(p int) hashers.PasswordHasher {
		h := hashers.NewScryptHasher()
		h.P = p
		return h
	}
	tests := []struct {
		name     string
		hasher   hashers.PasswordHasher
		password string
		salt     string // "" for verify-only vectors
		encoded  string
	}{
		{"H1", pbkdf2(600000), letmein, "seasalt", "pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA="},
		{"H2", pbkdf2(600000), letmein, "seasalt2", "pbkdf2_sha256$600000$seasalt2$OSllgFdJjYQjb0RfMzrx8u0XYl4Fkt+wKpI1yq4lZlo="},
		{"H3", pbkdf2sha1(600000), letmein, "seasalt2", "pbkdf2_sha1$600000$seasalt2$2CLsaL1MZhq6JOG6QOHtVbiopHE="},
		{"H4", pbkdf2(30000), letmein, "seasalt", "pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY="},
		{"H5", pbkdf2(30000), letmein, "seasalt2", "pbkdf2_sha256$30000$seasalt2$a75qzbogeVhNFeMqhdgyyoqGKpIzYUo651sq57RERew="},
		{"H6", pbkdf2sha1(30000), letmein, "seasalt2", "pbkdf2_sha1$30000$seasalt2$pMzU1zNPcydf6wjnJFbiVKwgULc="},
		{"H19", scrypt(1), letmein, "seasalt", "scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw=="},
		{"H20", scrypt(5), letmein, "seasalt", "scrypt$16384$seasalt$8$5$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q/1f/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw=="},
		{"H21", hashers.NewMD5Hasher(), letmein, "seasalt", "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3"},
		{"H22", hashers.NewSHA1Hasher(), letmein, "", "sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8"},
		{"H23", hashers.NewUnsaltedMD5Hasher(), letmein, "", "88a434c88cca4e900f7874cd98123f43"},
		{"H23 md5$$", hashers.NewUnsaltedMD5Hasher(), letmein, "", "md5$$88a434c88cca4e900f7874cd98123f43"},
		{"H24", hashers.NewUnsaltedSHA1Hasher(), letmein, "", "sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b"},
		{"H27", hashers.NewArgon2Hasher(), "secret", "", "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.salt != "" {
				if got := mustEncode(t, tt.hasher, tt.password, tt.salt); got != tt.encoded {
					t.Errorf("Encode(%q, %q) = %q, want %q", tt.password, tt.salt, got, tt.encoded)
				}
			}
			// For the expensive vectors (PBKDF2 at 600,000 iterations, scrypt
			// at p=5: seconds each under -race) an exact Encode already
			// proves the computation, and the verify path is exercised by
			// the cheap vectors; only the wrong password is re-checked.
			if tt.salt == "" || !expensive(tt.encoded) {
				if !verify(t, tt.hasher, tt.password, tt.encoded) {
					t.Errorf("Verify(%q) = false, want true", tt.password)
				}
			}
			if verify(t, tt.hasher, letmeinz, tt.encoded) {
				t.Errorf("Verify(%q) = true, want false", letmeinz)
			}
			if tt.name == "H27" && verify(t, tt.hasher, "wrong", tt.encoded) {
				t.Error(`Verify("wrong") = true, want false`)
			}
			// The registry identifies each vector and agrees.
			reg := hashers.New(tt.hasher)
			if h, err := reg.Identify(tt.encoded); err != nil || h != tt.hasher {
				t.Errorf("Identify = %v, %v; want %s", h, err, tt.hasher.Algorithm())
			}
		})
	}
}

func expensive(encoded string) bool {
	return strings.Contains(encoded, "$600000$") || strings.HasPrefix(encoded, "scrypt$16384$seasalt$8$5$")
}

// H24: the bare hex digest of an unsalted SHA-1 must not verify.
func TestUnsaltedSHA1BareHexDoesNotVerify(t *testing.T) {
	const encoded = "sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b"
	h := hashers.NewUnsaltedSHA1Hasher()
	ok, err := h.Verify(context.Background(), letmein, encoded[6:])
	if ok || !errors.Is(err, hashers.ErrMalformedHash) {
		t.Errorf("Verify(bare hex) = %v, %v; want false, ErrMalformedHash", ok, err)
	}
	// Through the default registry the bare digest names no algorithm, so
	// the check fails like any unknown hash.
	reg := fastRegistry()
	if _, err := reg.Identify(encoded[6:]); !errors.Is(err, hashers.ErrUnknownAlgorithm) {
		t.Errorf("Identify(bare hex) error = %v, want ErrUnknownAlgorithm", err)
	}
	ok, must, err := reg.VerifyPassword(context.Background(), letmein, encoded[6:])
	if ok || must || err != nil {
		t.Errorf("VerifyPassword(bare hex) = %v, %v, %v; want false, false, nil", ok, must, err)
	}
}

// H26: argon2i v=16 (no "v=") is refused with a clear ErrUnsupported.
func TestArgon2LegacyVersionRefused(t *testing.T) {
	const h26 = "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg"
	h := hashers.NewArgon2Hasher()
	for _, password := range []string{"secret", "wrong", letmeinz} {
		ok, err := h.Verify(context.Background(), password, h26)
		if ok || !errors.Is(err, hashers.ErrUnsupported) {
			t.Fatalf("Verify(%q, H26) = %v, %v; want false, ErrUnsupported", password, ok, err)
		}
		for _, want := range []string{"version 16", "version 19 (0x13)", "golang.org/x/crypto/argon2"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	}
	// The same with an explicit v=16.
	v16 := strings.Replace(h26, "argon2i$", "argon2i$v=16$", 1)
	if _, err := h.Verify(context.Background(), "secret", v16); !errors.Is(err, hashers.ErrUnsupported) {
		t.Errorf("Verify(v=16) error = %v, want ErrUnsupported", err)
	}
	// Through a registry the error is reported, not hidden behind false.
	ok, must, err := hashers.New(h).VerifyPassword(context.Background(), "secret", h26)
	if ok || must || !errors.Is(err, hashers.ErrUnsupported) {
		t.Errorf("VerifyPassword(H26) = %v, %v, %v; want false, false, ErrUnsupported", ok, must, err)
	}
	// A legacy hash would need upgrading if it could be verified.
	if !h.MustUpdate(h26) {
		t.Error("MustUpdate(H26) = false, want true")
	}
}

func TestArgon2dRefused(t *testing.T) {
	enc := "argon2$argon2d$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q"
	_, err := hashers.NewArgon2Hasher().Verify(context.Background(), "secret", enc)
	if !errors.Is(err, hashers.ErrUnsupported) || !strings.Contains(err.Error(), "argon2d") {
		t.Errorf("Verify(argon2d) error = %v, want ErrUnsupported mentioning argon2d", err)
	}
}

// Django's test_bcrypt_sha256: a 100-character password is not truncated to
// 72.
func TestBcryptSHA256LongPassword(t *testing.T) {
	h := fastBcryptSHA256()
	enc := mustHash(t, h, long100)
	if !strings.HasPrefix(enc, "bcrypt_sha256$$2b$04$") || len(enc) != len("bcrypt_sha256$")+60 {
		t.Errorf("encoding %q has the wrong shape", enc)
	}
	if !verify(t, h, long100, enc) {
		t.Error("Verify(long) = false")
	}
	if verify(t, h, long100[:72], enc) {
		t.Error("Verify(long[:72]) = true: the password was truncated")
	}
	if verify(t, h, letmeinz, enc) {
		t.Error("Verify(lètmeinz) = true")
	}
}
