package hashers_test

import (
	"context"
	"errors"
	"testing"

	"github.com/reinhardt-go/auth/core/hashers"
)

// Django's test_md5.
func TestMD5(t *testing.T) {
	h := hashers.NewMD5Hasher()
	enc := mustHash(t, h, letmein)
	if len(enc) != len("md5$")+22+1+32 {
		t.Errorf("encoding %q has the wrong shape", enc)
	}
	if !verify(t, h, letmein, enc) || verify(t, h, letmeinz, enc) || h.MustUpdate(enc) {
		t.Error("round trip failed")
	}
	blank := mustHash(t, h, "")
	if !verify(t, h, "", blank) || verify(t, h, " ", blank) {
		t.Error("blank password round trip failed")
	}
	if !h.MustUpdate("md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3") {
		t.Error("MustUpdate(7-character salt) = false")
	}
}

func TestVerifyOnlyHashers(t *testing.T) {
	for _, h := range []hashers.PasswordHasher{hashers.NewSHA1Hasher(), hashers.NewUnsaltedMD5Hasher(), hashers.NewUnsaltedSHA1Hasher()} {
		if _, err := h.Hash(context.Background(), "x"); !errors.Is(err, hashers.ErrVerifyOnly) {
			t.Errorf("%s.Hash error = %v, want ErrVerifyOnly", h.Algorithm(), err)
		}
		if _, ok := h.(hashers.SaltedHasher); ok {
			t.Errorf("%s implements SaltedHasher", h.Algorithm())
		}
	}
	for h, enc := range map[hashers.PasswordHasher]string{
		hashers.NewSHA1Hasher():         "sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8",
		hashers.NewUnsaltedMD5Hasher():  "88a434c88cca4e900f7874cd98123f43",
		hashers.NewUnsaltedSHA1Hasher(): "sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b",
	} {
		if !h.MustUpdate(enc) {
			t.Errorf("%s.MustUpdate = false: legacy formats are never current", h.Algorithm())
		}
	}
}

func TestLegacyMalformed(t *testing.T) {
	for h, encs := range map[hashers.PasswordHasher][]string{
		hashers.NewMD5Hasher(): {"", "md5", "md5$", "md5$$3f86d0d3d465b7b458c231bf3555c0e3",
			"md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e", "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3$",
			"sha1$seasalt$3f86d0d3d465b7b458c231bf3555c0e3"},
		hashers.NewSHA1Hasher(): {"", "sha1$$cff36ea83f5706ce9aa7454e63e431fc726b2dc8",
			"sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc"},
		hashers.NewUnsaltedMD5Hasher(): {"", "88a434c88cca4e900f7874cd98123f4", "md5$$88a434c88cca4e900f7874cd98123f4",
			"88a434c88cca4e900f7874cd9812$f43", "md5$x88a434c88cca4e900f7874cd98123f43"},
		hashers.NewUnsaltedSHA1Hasher(): {"", "6d138ca3ae545631b3abd71a4f076ce759c5700b",
			"sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700", "sha1$x6d138ca3ae545631b3abd71a4f076ce759c5700b"},
	} {
		for _, enc := range encs {
			ok, err := h.Verify(context.Background(), letmein, enc)
			if ok || !errors.Is(err, hashers.ErrMalformedHash) {
				t.Errorf("%s.Verify(%q) = %v, %v; want false, ErrMalformedHash", h.Algorithm(), enc, ok, err)
			}
			if h.MustUpdate(enc) {
				t.Errorf("%s.MustUpdate(%q) = true for a malformed encoding", h.Algorithm(), enc)
			}
		}
	}
	// Upper-case hex never matches (Django compares the lower-case string).
	if verify(t, hashers.NewUnsaltedMD5Hasher(), letmein, "88A434C88CCA4E900F7874CD98123F43") {
		t.Error("upper-case hex verified")
	}
}
