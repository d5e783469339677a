package hashers_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core/hashers"
)

func TestBcryptDefaults(t *testing.T) {
	if h := hashers.NewBcryptSHA256Hasher(); h.Rounds != 12 || h.Algorithm() != "bcrypt_sha256" {
		t.Errorf("NewBcryptSHA256Hasher() = %+v", h)
	}
	if h := hashers.NewBcryptHasher(); h.Rounds != 12 || h.Algorithm() != "bcrypt" {
		t.Errorf("NewBcryptHasher() = %+v", h)
	}
	// The zero value's effective cost is 12.
	zero := new(hashers.BcryptSHA256Hasher)
	if !zero.MustUpdate("bcrypt_sha256$$2b$11$DuRiwgveWxIeRy16Z0CrvuBvRziVZ32A3rxlq8lUcYVm3h6NWxht2") ||
		zero.MustUpdate("bcrypt_sha256$$2b$12$DuRiwgveWxIeRy16Z0CrvuBvRziVZ32A3rxlq8lUcYVm3h6NWxht2") {
		t.Error("the zero value's cost is not 12")
	}
	if testing.Short() || hashers.RaceEnabled {
		t.Log("skipping a real cost-12 hash in -short and -race runs")
		return
	}
	enc := mustHash(t, zero, letmein)
	if !regexp.MustCompile(`^bcrypt_sha256\$\$2b\$12\$[./A-Za-z0-9]{53}$`).MatchString(enc) || !verify(t, zero, letmein, enc) {
		t.Errorf("zero-value encoding %q has the wrong shape or does not round-trip", enc)
	}
}

func TestBcryptRoundTrip(t *testing.T) {
	for _, h := range []hashers.PasswordHasher{fastBcryptSHA256(), fastBcrypt()} {
		for _, pw := range []string{letmein, "", " ", "パスワード🔑"} {
			enc := mustHash(t, h, pw)
			re := regexp.MustCompile(`^` + h.Algorithm() + `\$\$2b\$04\$[./A-Za-z0-9]{53}$`)
			if !re.MatchString(enc) {
				t.Errorf("%s: encoding %q does not match %v", h.Algorithm(), enc, re)
			}
			if !verify(t, h, pw, enc) || verify(t, h, pw+"x", enc) {
				t.Errorf("%s: round trip of %q failed", h.Algorithm(), pw)
			}
			// $2a$ (golang.org/x/crypto) and $2y$ (PHP) spellings verify too.
			for _, prefix := range []string{"$2a$", "$2y$"} {
				alt := replaceOnce(enc, "$2b$", prefix)
				if !verify(t, h, pw, alt) || verify(t, h, pw+"x", alt) {
					t.Errorf("%s: %s variant failed", h.Algorithm(), prefix)
				}
			}
			if h.MustUpdate(enc) {
				t.Errorf("%s: MustUpdate(fresh) = true", h.Algorithm())
			}
		}
	}
}

// bcrypt uses 72 bytes at most: Hash refuses longer passwords (pyca/bcrypt
// >= 5) and Verify never matches them.
func TestBcryptPasswordLength(t *testing.T) {
	ctx := context.Background()
	h := fastBcrypt()
	pw72 := strings.Repeat("é", 36)
	enc := mustHash(t, h, pw72)
	if !verify(t, h, pw72, enc) {
		t.Error("72-byte password does not verify")
	}
	if _, err := h.Hash(ctx, pw72+"x"); !errors.Is(err, hashers.ErrPasswordTooLong) {
		t.Errorf("Hash(73 bytes) error = %v, want ErrPasswordTooLong", err)
	}
	if ok, err := h.Verify(ctx, pw72+"x", enc); ok || err != nil {
		t.Errorf("Verify(73 bytes) = %v, %v; want false, nil (no truncation)", ok, err)
	}
	if _, err := h.Hash(ctx, "a\x00b"); !errors.Is(err, hashers.ErrUnsupported) {
		t.Errorf("Hash(NUL) error = %v, want ErrUnsupported", err)
	}
	if ok, err := h.Verify(ctx, "a\x00b", enc); ok || err != nil {
		t.Errorf("Verify(NUL) = %v, %v; want false, nil", ok, err)
	}
	// bcrypt_sha256 has no such limit.
	s := fastBcryptSHA256()
	encs := mustHash(t, s, pw72+"x\x00y")
	if !verify(t, s, pw72+"x\x00y", encs) || verify(t, s, pw72, encs) {
		t.Error("bcrypt_sha256 long/NUL password round trip failed")
	}
}

func TestBcryptMustUpdate(t *testing.T) {
	h := &hashers.BcryptSHA256Hasher{Rounds: 5}
	for enc, want := range map[string]bool{
		"bcrypt_sha256$$2b$05$DuRiwgveWxIeRy16Z0CrvuBvRziVZ32A3rxlq8lUcYVm3h6NWxht2": false,
		"bcrypt_sha256$$2b$06$DuRiwgveWxIeRy16Z0CrvuBvRziVZ32A3rxlq8lUcYVm3h6NWxht2": false, // stronger: kept
		"bcrypt_sha256$$2b$04$DuRiwgveWxIeRy16Z0CrvuBvRziVZ32A3rxlq8lUcYVm3h6NWxht2": true,
		"bcrypt_sha256$$2b$04$short":                                          false,
		"bcrypt$$2b$04$DuRiwgveWxIeRy16Z0CrvuBvRziVZ32A3rxlq8lUcYVm3h6NWxht2": false,
	} {
		if got := h.MustUpdate(enc); got != want {
			t.Errorf("MustUpdate(%q) = %v, want %v", enc, got, want)
		}
	}
}

func TestBcryptMalformed(t *testing.T) {
	const good = "bcrypt_sha256$$2b$06$DuRiwgveWxIeRy16Z0CrvuBvRziVZ32A3rxlq8lUcYVm3h6NWxht2"
	h := hashers.NewBcryptSHA256Hasher()
	if !verify(t, h, letmein, good) {
		t.Fatal("the Django-made hash does not verify")
	}
	for _, enc := range []string{
		"", "bcrypt_sha256", "bcrypt_sha256$", "bcrypt$" + good[len("bcrypt_sha256$"):],
		replaceOnce(good, "$2b$", "$2x$"),
		replaceOnce(good, "$2b$", "$2$"),
		replaceOnce(good, "$2b$", "$3b$"),
		replaceOnce(good, "$06$", "$03$"),
		replaceOnce(good, "$06$", "$32$"),
		replaceOnce(good, "$06$", "$6$"),
		replaceOnce(good, "$06$", "$+6$"),
		replaceOnce(good, "$06$", "$06#"),
		good + "x",
		good[:len(good)-1],
		replaceOnce(good, "DuRi", "Du!i"),
		replaceOnce(good, "Crvu", "Crvv"), // non-canonical last salt character
		good[:len(good)-1] + "3",          // non-canonical last hash character
	} {
		ok, err := h.Verify(context.Background(), letmein, enc)
		if ok || !errors.Is(err, hashers.ErrMalformedHash) {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformedHash", enc, ok, err)
		}
	}
	for _, cost := range []string{"17", "31"} {
		ok, err := h.Verify(context.Background(), letmein, replaceOnce(good, "$06$", "$"+cost+"$"))
		if ok || !errors.Is(err, hashers.ErrLimitExceeded) {
			t.Errorf("Verify(cost %s) = %v, %v; want ErrLimitExceeded", cost, ok, err)
		}
	}
	for _, bad := range []*hashers.BcryptHasher{{Rounds: 3}, {Rounds: 32}, {Rounds: 17}} {
		if _, err := bad.Hash(context.Background(), "x"); err == nil || !isKnownError(err) {
			t.Errorf("Hash with Rounds %d: %v, want an error", bad.Rounds, err)
		}
	}
}
