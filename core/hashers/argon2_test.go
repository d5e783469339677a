package hashers_test

import (
	"context"
	"encoding/base64"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/hashers"
	"golang.org/x/crypto/argon2"
)

var argon2Default = regexp.MustCompile(`^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{30}\$[A-Za-z0-9+/]{43}$`)

// Django's test_argon2, with the default parameters.
func TestArgon2Default(t *testing.T) {
	h := hashers.NewArgon2Hasher()
	if h.Time != 2 || h.Memory != 19456 || h.Threads != 1 || h.KeyLen != 32 || h.Limits != hashers.DefaultLimits() || h.Limiter != nil {
		t.Errorf("NewArgon2Hasher() = %+v", h)
	}
	enc := mustHash(t, h, letmein)
	if !argon2Default.MatchString(enc) {
		t.Errorf("encoding %q does not match %v", enc, argon2Default)
	}
	// The salt is a Django salt(): 22 characters of [a-zA-Z0-9], used as ASCII.
	salt, err := base64.RawStdEncoding.DecodeString(strings.Split(enc, "$")[4])
	if err != nil || !regexp.MustCompile(`^[a-zA-Z0-9]{22}$`).Match(salt) {
		t.Errorf("salt %q, %v is not a Django salt", salt, err)
	}
	if !verify(t, h, letmein, enc) || verify(t, h, letmeinz, enc) {
		t.Error("round trip failed")
	}
	if h.MustUpdate(enc) {
		t.Error("MustUpdate(fresh hash) = true")
	}
	// Blank passwords.
	blank := mustHash(t, h, "")
	if !verify(t, h, "", blank) || verify(t, h, " ", blank) {
		t.Error("blank password round trip failed")
	}
	// Two hashes of one password differ (random salt).
	if mustHash(t, h, letmein) == enc {
		t.Error("two hashes are identical")
	}
	// The zero value is the default hasher.
	if zero := new(hashers.Argon2Hasher); !verify(t, zero, letmein, enc) || !argon2Default.MatchString(mustHash(t, zero, "x")) {
		t.Error("zero Argon2Hasher differs from NewArgon2Hasher")
	}
}

// The library's Encode equals argon2.IDKey with the same inputs, for several
// parameter sets, and argon2i encodings made with argon2.Key verify.
func TestArgon2MatchesXCrypto(t *testing.T) {
	ctx := context.Background()
	for _, p := range []struct {
		t, m   uint32
		p      uint8
		keyLen uint32
	}{{1, 8, 1, 4}, {1, 64, 2, 16}, {3, 96, 3, 32}, {2, 256, 4, 100}} {
		h := &hashers.Argon2Hasher{Time: p.t, Memory: p.m, Threads: p.p, KeyLen: p.keyLen}
		enc := mustEncode(t, h, "pw", "somesalt")
		want := argon2.IDKey([]byte("pw"), []byte("somesalt"), p.t, p.m, p.p, p.keyLen)
		fields := strings.Split(enc, "$")
		if got, _ := base64.RawStdEncoding.DecodeString(fields[5]); string(got) != string(want) {
			t.Errorf("%+v: Encode tag %x, argon2.IDKey %x", p, got, want)
		}
		if !verify(t, h, "pw", enc) || verify(t, h, "pW", enc) {
			t.Errorf("%+v: round trip failed", p)
		}
		// argon2i with the same parameters.
		tag := argon2.Key([]byte("pw"), []byte("somesalt"), p.t, p.m, p.p, p.keyLen)
		fields[1], fields[5] = "argon2i", base64.RawStdEncoding.EncodeToString(tag)
		enci := strings.Join(fields, "$")
		if ok, err := h.Verify(ctx, "pw", enci); !ok || err != nil {
			t.Errorf("%+v: Verify(argon2i) = %v, %v", p, ok, err)
		}
		if !h.MustUpdate(enci) {
			t.Errorf("%+v: MustUpdate(argon2i) = false", p)
		}
	}
}

func TestArgon2EncodeInvalidSalt(t *testing.T) {
	h := fastArgon2()
	for _, salt := range []string{"", "sea$salt", "short", "1234567"} {
		if _, err := h.Encode(context.Background(), "password", salt); !errors.Is(err, hashers.ErrInvalidSalt) {
			t.Errorf("Encode(salt %q) error = %v, want ErrInvalidSalt", salt, err)
		}
	}
}

// Weaker hashes are upgraded; stronger ones are not (deliberately unlike
// Django, which re-hashes whenever the parameters differ).
func TestArgon2MustUpdate(t *testing.T) {
	tag32 := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	tag16 := base64.RawStdEncoding.EncodeToString(make([]byte, 16))
	salt22 := base64.RawStdEncoding.EncodeToString([]byte("abcdefghijklmnopqrstuv"))
	salt21 := base64.RawStdEncoding.EncodeToString([]byte("abcdefghijklmnopqrstu"))
	h := hashers.NewArgon2Hasher()
	for _, tt := range []struct {
		name, encoded string
		want          bool
	}{
		{"same", "argon2$argon2id$v=19$m=19456,t=2,p=1$" + salt22 + "$" + tag32, false},
		{"Django 6.1 default (stronger m, p=8)", "argon2$argon2id$v=19$m=102400,t=2,p=8$" + salt22 + "$" + tag32, false},
		{"more passes", "argon2$argon2id$v=19$m=19456,t=3,p=1$" + salt22 + "$" + tag32, false},
		{"more lanes", "argon2$argon2id$v=19$m=19456,t=2,p=4$" + salt22 + "$" + tag32, false},
		{"longer tag", "argon2$argon2id$v=19$m=19456,t=2,p=1$" + salt22 + "$" + tag32 + tag32, false},
		{"less memory", "argon2$argon2id$v=19$m=19455,t=2,p=1$" + salt22 + "$" + tag32, true},
		{"fewer passes", "argon2$argon2id$v=19$m=65536,t=1,p=1$" + salt22 + "$" + tag32, true},
		{"shorter tag (argon2-cffi < 21.2)", "argon2$argon2id$v=19$m=102400,t=2,p=8$" + salt22 + "$" + tag16, true},
		{"weak salt (21 bytes)", "argon2$argon2id$v=19$m=19456,t=2,p=1$" + salt21 + "$" + tag32, true},
		{"argon2i", "argon2$argon2i$v=19$m=19456,t=2,p=1$" + salt22 + "$" + tag32, true},
		{"argon2d", "argon2$argon2d$v=19$m=19456,t=2,p=1$" + salt22 + "$" + tag32, true},
		{"version 16", "argon2$argon2id$m=19456,t=2,p=1$" + salt22 + "$" + tag32, true},
		{"malformed", "argon2$argon2id$v=19$m=1,t=2$x$y", false},
		{"bad salt encoding", "argon2$argon2id$v=19$m=19456,t=2,p=1$!!$" + tag32, false},
		{"other algorithm", "pbkdf2_sha256$1$salt$hash", false},
	} {
		if got := h.MustUpdate(tt.encoded); got != tt.want {
			t.Errorf("%s: MustUpdate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestArgon2Malformed(t *testing.T) {
	const good = "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q"
	h := hashers.NewArgon2Hasher()
	if !verify(t, h, "secret", good) {
		t.Fatal("the reference vector does not verify")
	}
	for _, enc := range []string{
		"", "argon2", "argon2$", "argon2$$", "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2x$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=20$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=019$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$t=1,m=8,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=8,t=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=8,t=1,p=1,k=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=08,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=8,t=+1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=8,t=0,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=8,t=1,p=0$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=7,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=15,t=1,p=2$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ=$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHR$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2Fs$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=8,t=1,p=1$$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNh\nbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8R",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q==",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+j",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q$",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q$extra$fields",
		"argon2$argon2i$v=19$m=99999999999,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
	} {
		ok, err := h.Verify(context.Background(), "secret", enc)
		if ok || !errors.Is(err, hashers.ErrMalformedHash) {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformedHash", enc, ok, err)
		}
	}
}

// Stored parameters beyond the limits are refused before anything is
// allocated: m=4294967295 (4 TiB) must not be attempted.
func TestArgon2HugeParametersRefusedFast(t *testing.T) {
	h := hashers.NewArgon2Hasher()
	salt := "c2FsdHNhbHQ"
	for _, tt := range []struct{ name, encoded string }{
		{"m", "argon2$argon2id$v=19$m=4294967295,t=2,p=1$" + salt + "$YC9+jJCrQhs5R6db7LlN8Q"},
		{"t", "argon2$argon2id$v=19$m=19456,t=4294967295,p=1$" + salt + "$YC9+jJCrQhs5R6db7LlN8Q"},
		{"p", "argon2$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$YC9+jJCrQhs5R6db7LlN8Q"},
		{"tag", "argon2$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + strings.Repeat("A", 1372)},
		{"all", "argon2$argon2id$v=19$m=4294967295,t=4294967295,p=4294967295$" + salt + "$YC9+jJCrQhs5R6db7LlN8Q"},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		ok, err := h.Verify(context.Background(), "secret", tt.encoded)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if ok || !errors.Is(err, hashers.ErrLimitExceeded) {
			t.Errorf("%s: Verify = %v, %v; want false, ErrLimitExceeded", tt.name, ok, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<10 {
			t.Errorf("%s: refusing allocated %d bytes", tt.name, alloc)
		}
		if elapsed > time.Second {
			t.Errorf("%s: refusing took %v", tt.name, elapsed)
		}
	}
	// Limits are per hasher: a tighter limit refuses the default parameters.
	small := &hashers.Argon2Hasher{Limits: hashers.Limits{MaxArgon2Memory: 1024}}
	if _, err := small.Hash(context.Background(), "x"); !errors.Is(err, hashers.ErrLimitExceeded) {
		t.Errorf("Hash above own limit: %v, want ErrLimitExceeded", err)
	}
	if _, err := small.Verify(context.Background(), "x", mustHash(t, fastArgon2(), "x")); err != nil {
		t.Errorf("Verify within the limit: %v", err)
	}
	for _, bad := range []*hashers.Argon2Hasher{
		{KeyLen: 2000}, {KeyLen: 3}, {Memory: 8, Threads: 2},
	} {
		if _, err := bad.Hash(context.Background(), "x"); err == nil || !isKnownError(err) {
			t.Errorf("Hash with %+v: %v, want an error", bad, err)
		}
	}
}
