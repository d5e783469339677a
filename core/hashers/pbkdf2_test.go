package hashers_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/reinhardt-go/auth/core/hashers"
)

func TestPBKDF2Defaults(t *testing.T) {
	const b64 = "$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	for _, tt := range []struct {
		h   *hashers.PBKDF2Hasher
		alg string
	}{
		{hashers.NewPBKDF2SHA256Hasher(), "pbkdf2_sha256"},
		{hashers.NewPBKDF2SHA1Hasher(), "pbkdf2_sha1"},
		{new(hashers.PBKDF2Hasher), "pbkdf2_sha256"},
	} {
		if tt.h.Algorithm() != tt.alg {
			t.Errorf("Algorithm() = %q, want %q", tt.h.Algorithm(), tt.alg)
		}
		if tt.h.Iterations != 1_500_000 && tt.h.Iterations != 0 {
			t.Errorf("%s: Iterations = %d", tt.alg, tt.h.Iterations)
		}
		// The effective default is 1,500,000 (also for the zero value).
		if !tt.h.MustUpdate(tt.alg+"$1499999$abcdefghijklmnopqrstuv"+b64) || tt.h.MustUpdate(tt.alg+"$1500000$abcdefghijklmnopqrstuv"+b64) {
			t.Errorf("%s: default iterations are not 1,500,000", tt.alg)
		}
	}
	if testing.Short() || hashers.RaceEnabled {
		t.Log("skipping a real 1,500,000-iteration hash in -short and -race runs")
		return
	}
	h := new(hashers.PBKDF2Hasher)
	enc := mustHash(t, h, letmein)
	re := regexp.MustCompile(`^pbkdf2_sha256\$1500000\$[a-zA-Z0-9]{22}\$[A-Za-z0-9+/]{43}=$`)
	if !re.MatchString(enc) || !verify(t, h, letmein, enc) || h.MustUpdate(enc) {
		t.Errorf("default encoding %q does not match %v or does not round-trip", enc, re)
	}
}

func TestPBKDF2RoundTrip(t *testing.T) {
	for _, h := range []*hashers.PBKDF2Hasher{fastPBKDF2(), fastPBKDF2SHA1()} {
		for _, pw := range []string{letmein, "", " ", "パスワード🔑", long100} {
			enc := mustHash(t, h, pw)
			if !verify(t, h, pw, enc) || verify(t, h, pw+"x", enc) {
				t.Errorf("%s: round trip of %q failed", h.Algorithm(), pw)
			}
		}
		// Unicode salts are used as UTF-8 bytes.
		enc := mustEncode(t, h, letmein, "sél")
		if !verify(t, h, letmein, enc) {
			t.Errorf("%s: unicode salt round trip failed", h.Algorithm())
		}
	}
}

// Django's test_encode_invalid_salt.
func TestEncodeInvalidSalt(t *testing.T) {
	for _, h := range []hashers.SaltedHasher{fastPBKDF2(), fastPBKDF2SHA1(), hashers.NewMD5Hasher(), fastScrypt(), fastArgon2()} {
		for _, salt := range []string{"", "sea$salt"} {
			_, err := h.Encode(context.Background(), "password", salt)
			if !errors.Is(err, hashers.ErrInvalidSalt) {
				t.Errorf("%T.Encode(salt %q) error = %v, want ErrInvalidSalt", h, salt, err)
			}
			if err != nil && !regexp.MustCompile(`salt must be provided and cannot contain \$`).MatchString(err.Error()) {
				t.Errorf("error %q lacks Django's message", err)
			}
		}
	}
}

func TestPBKDF2MustUpdate(t *testing.T) {
	h := fastPBKDF2() // 1000 iterations
	const b64 = "$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	for enc, want := range map[string]bool{
		"pbkdf2_sha256$1000$abcdefghijklmnopqrstuv" + b64:                   false,
		"pbkdf2_sha256$2000$abcdefghijklmnopqrstuv" + b64:                   false, // stronger: kept (Django would re-hash)
		"pbkdf2_sha256$999$abcdefghijklmnopqrstuv" + b64:                    true,
		"pbkdf2_sha256$1000$abcdefghijklmnopqrstu" + b64:                    true,  // 21 characters
		"pbkdf2_sha256$1000$iodizedsalt" + b64:                              true,  // Django's weak salt
		"pbkdf2_sha256$1000$éééééééééééééééééééééé" + b64:                   false, // 22 characters, 44 bytes
		"pbkdf2_sha256$1000$éééééééééééééééééééé" + b64:                     true,  // 20 characters, 40 bytes
		"pbkdf2_sha256$x$abcdefghijklmnopqrstuv" + b64:                      false, // malformed
		"pbkdf2_sha1$1$abcdefghijklmnopqrstuv$AAAAAAAAAAAAAAAAAAAAAAAAAAA=": false,
	} {
		if got := h.MustUpdate(enc); got != want {
			t.Errorf("MustUpdate(%q) = %v, want %v", enc, got, want)
		}
	}
}

func TestPBKDF2Malformed(t *testing.T) {
	h := fastPBKDF2()
	good := mustEncode(t, h, "pw", "salt")
	if !verify(t, h, "pw", good) {
		t.Fatal("round trip failed")
	}
	hash := good[len("pbkdf2_sha256$1000$salt$"):]
	for _, enc := range []string{
		"", "pbkdf2_sha256", "pbkdf2_sha256$", "pbkdf2_sha256$1000", "pbkdf2_sha256$1000$salt",
		"pbkdf2_sha1$1000$salt$" + hash, // wrong algorithm for this hasher
		"pbkdf2_sha256$$salt$" + hash,
		"pbkdf2_sha256$0$salt$" + hash,
		"pbkdf2_sha256$01000$salt$" + hash,
		"pbkdf2_sha256$+1000$salt$" + hash,
		"pbkdf2_sha256$ 1000$salt$" + hash,
		"pbkdf2_sha256$1e3$salt$" + hash,
		"pbkdf2_sha256$99999999999$salt$" + hash,
		"pbkdf2_sha256$1000$$" + hash,
		"pbkdf2_sha256$1000$salt$",
		"pbkdf2_sha256$1000$salt$" + hash[:43],
		"pbkdf2_sha256$1000$salt$" + hash + "=",
		"pbkdf2_sha256$1000$salt$" + hash + "$",
		"pbkdf2_sha256$1000$salt$" + hash[:42] + "B=", // non-zero trailing bits
		"pbkdf2_sha256$1000$salt$" + hash[:20] + "\n" + hash[21:],
	} {
		ok, err := h.Verify(context.Background(), "pw", enc)
		if ok || !errors.Is(err, hashers.ErrMalformedHash) {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformedHash", enc, ok, err)
		}
	}
	ok, err := h.Verify(context.Background(), "pw", "pbkdf2_sha256$20000001$salt$"+hash)
	if ok || !errors.Is(err, hashers.ErrLimitExceeded) {
		t.Errorf("Verify(20000001 iterations) = %v, %v; want ErrLimitExceeded", ok, err)
	}
	over := &hashers.PBKDF2Hasher{Iterations: 2000, Limits: hashers.Limits{MaxPBKDF2Iterations: 1500}}
	if _, err := over.Hash(context.Background(), "pw"); !errors.Is(err, hashers.ErrLimitExceeded) {
		t.Errorf("Hash above own limit: %v, want ErrLimitExceeded", err)
	}
	if ok, err := over.Verify(context.Background(), "pw", good); !ok || err != nil {
		t.Errorf("Verify within the limit = %v, %v", ok, err)
	}
}
