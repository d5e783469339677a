package hashers_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/reinhardt-go/auth/core/hashers"
)

func TestScryptDefaults(t *testing.T) {
	h := hashers.NewScryptHasher()
	if h.N != 16384 || h.R != 8 || h.P != 5 || h.Algorithm() != "scrypt" {
		t.Errorf("NewScryptHasher() = %+v", h)
	}
	if testing.Short() || hashers.RaceEnabled {
		t.Log("skipping a real default-cost hash in -short and -race runs")
		return
	}
	zero := new(hashers.ScryptHasher)
	enc := mustHash(t, zero, letmein)
	if !regexp.MustCompile(`^scrypt\$16384\$[a-zA-Z0-9]{22}\$8\$5\$[A-Za-z0-9+/]{86}==$`).MatchString(enc) || !verify(t, zero, letmein, enc) {
		t.Errorf("encoding %q has the wrong shape or does not round-trip", enc)
	}
}

func TestScryptRoundTripAndMustUpdate(t *testing.T) {
	h := fastScrypt() // N=16, r=8, p=1
	enc := mustHash(t, h, letmein)
	if !verify(t, h, letmein, enc) || verify(t, h, letmeinz, enc) {
		t.Error("round trip failed")
	}
	const b64 = "$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
	for enc, want := range map[string]bool{
		"scrypt$16384$salt$8$5" + b64: false,
		"scrypt$32768$salt$8$5" + b64: false,
		"scrypt$16384$salt$8$1" + b64: true, // Django < 5.1
		"scrypt$8192$salt$8$5" + b64:  true,
		"scrypt$16384$salt$4$5" + b64: true,
		"scrypt$16384$salt$8" + b64:   false,
	} {
		for _, d := range []*hashers.ScryptHasher{hashers.NewScryptHasher(), new(hashers.ScryptHasher)} {
			if got := d.MustUpdate(enc); got != want {
				t.Errorf("MustUpdate(%q) = %v, want %v", enc, got, want)
			}
		}
	}
}

func TestScryptMalformedAndLimits(t *testing.T) {
	h := hashers.NewScryptHasher()
	const b64 = "$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
	for _, enc := range []string{
		"", "scrypt", "scrypt$16384$salt$8$5", "scrypt$16384$salt$8$5" + b64 + "$",
		"scrypt$16383$salt$8$5" + b64, "scrypt$1$salt$8$5" + b64, "scrypt$0$salt$8$5" + b64,
		"scrypt$016384$salt$8$5" + b64, "scrypt$16384$$8$5" + b64, "scrypt$16384$salt$0$5" + b64,
		"scrypt$16384$salt$8$0" + b64, "scrypt$16384$salt$8$5$AAAA", "scrypt$16384$salt$8$5" + b64[:len(b64)-2],
	} {
		ok, err := h.Verify(context.Background(), "pw", enc)
		if ok || !errors.Is(err, hashers.ErrMalformedHash) {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformedHash", enc, ok, err)
		}
	}
	for _, enc := range []string{
		"scrypt$1073741824$salt$8$5" + b64, // 1 TiB
		"scrypt$1048576$salt$8$5" + b64,    // 1 GiB: N within its cap, memory not
		"scrypt$16384$salt$2147483647$5" + b64,
		"scrypt$16384$salt$8$2147483647" + b64,
	} {
		ok, err := h.Verify(context.Background(), "pw", enc)
		if ok || !errors.Is(err, hashers.ErrLimitExceeded) {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrLimitExceeded", enc, ok, err)
		}
	}
	over := &hashers.ScryptHasher{N: 1 << 21}
	if _, err := over.Hash(context.Background(), "pw"); !errors.Is(err, hashers.ErrLimitExceeded) {
		t.Errorf("Hash above own limit: %v", err)
	}
	if _, err := (&hashers.ScryptHasher{N: 1000}).Hash(context.Background(), "pw"); !errors.Is(err, hashers.ErrMalformedHash) {
		t.Errorf("Hash with N=1000: %v", err)
	}
}
