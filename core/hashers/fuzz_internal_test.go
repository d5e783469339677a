package hashers

import (
	"strconv"
	"strings"
	"testing"
)

// Per-format decoders: none may panic, and whatever parses must print back to
// the same string (the parsers accept only canonical encodings).

func FuzzParseArgon2(f *testing.F) {
	for _, s := range []string{
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0",
		"argon2$argon2d$v=16$m=4294967295,t=0,p=256$$",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseArgon2(s)
		if err != nil {
			return
		}
		if p.version == argon2Version && p.String() != s {
			t.Errorf("parseArgon2(%q) prints back as %q", s, p.String())
		}
		if err := p.check(Limits{}); err == nil {
			if p.memory > DefaultMaxArgon2Memory || p.time > DefaultMaxArgon2Time || p.threads < 1 || p.time < 1 {
				t.Errorf("check accepted %+v", p)
			}
		}
	})
}

func FuzzParsePBKDF2(f *testing.F) {
	for _, s := range []string{
		"pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=",
		"pbkdf2_sha256$0$$", "pbkdf2_sha256$01$s$h$x",
	} {
		f.Add(s)
	}
	h := NewPBKDF2SHA256Hasher()
	f.Fuzz(func(t *testing.T, s string) {
		e, err := h.parse(s)
		if err != nil {
			return
		}
		if back := "pbkdf2_sha256$" + strconv.Itoa(e.iterations) + "$" + e.salt + "$" + e.hash; back != s {
			t.Errorf("parse(%q) prints back as %q", s, back)
		}
		if e.iterations < 1 || e.salt == "" || strings.Contains(e.salt, "$") {
			t.Errorf("parse(%q) = %+v", s, e)
		}
	})
}

func FuzzParseScrypt(f *testing.F) {
	for _, s := range []string{
		"scrypt$16384$seasalt$8$5$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q/1f/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw==",
		"scrypt$1073741824$s$2147483647$2147483647$",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseScrypt(s)
		if err != nil {
			return
		}
		back := "scrypt$" + strconv.Itoa(e.n) + "$" + e.salt + "$" + strconv.Itoa(e.r) + "$" + strconv.Itoa(e.p) + "$" + e.hash
		if back != s {
			t.Errorf("parseScrypt(%q) prints back as %q", s, back)
		}
		if err := e.check(Limits{}); err == nil && 128*uint64(e.n)*uint64(e.r) > DefaultMaxScryptMemory {
			t.Errorf("check accepted %+v", e)
		}
	})
}

func FuzzParseBcrypt(f *testing.F) {
	for _, s := range []string{
		"bcrypt_sha256$$2b$06$DuRiwgveWxIeRy16Z0CrvuBvRziVZ32A3rxlq8lUcYVm3h6NWxht2",
		"bcrypt_sha256$$2y$99$DuRiwgveWxIeRy16Z0CrvuBvRziVZ32A3rxlq8lUcYVm3h6NWxht2",
	} {
		f.Add(s)
	}
	c := NewBcryptSHA256Hasher().core()
	f.Fuzz(func(t *testing.T, s string) {
		mcf, cost, err := c.parse(s)
		if err != nil {
			return
		}
		if "bcrypt_sha256$"+mcf != s || cost < 4 || cost > 31 || len(mcf) != bcryptMCFLen {
			t.Errorf("parse(%q) = %q, %d", s, mcf, cost)
		}
	})
}

func FuzzParseLegacy(f *testing.F) {
	for _, s := range []string{
		"md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3", "sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8",
		"88a434c88cca4e900f7874cd98123f43", "md5$$88a434c88cca4e900f7874cd98123f43",
		"sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if salt, digest, err := parseSalted("md5", s, 32); err == nil && "md5$"+salt+"$"+digest != s {
			t.Errorf("parseSalted(%q) = %q, %q", s, salt, digest)
		}
		if d, err := unsaltedMD5Digest(s); err == nil && len(d) != 32 {
			t.Errorf("unsaltedMD5Digest(%q) = %q", s, d)
		}
		if d, err := unsaltedSHA1Digest(s); err == nil && "sha1$$"+d != s {
			t.Errorf("unsaltedSHA1Digest(%q) = %q", s, d)
		}
	})
}
