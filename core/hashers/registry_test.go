package hashers_test

import (
	"context"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core/hashers"
)

func TestIdentify(t *testing.T) {
	reg := fastRegistry()
	hex32 := strings.Repeat("a", 32)
	hex40 := strings.Repeat("b", 40)
	for enc, want := range map[string]string{
		hex32:                   "unsalted_md5",
		"md5$$" + hex32:         "unsalted_md5",
		"sha1$$" + hex40:        "unsalted_sha1",
		"md5$salt$" + hex32:     "md5",
		"sha1$salt$" + hex40:    "sha1",
		"md5$$" + hex32 + "0":   "md5", // 38 characters: the legacy rule does not apply
		"sha1$$" + hex40 + "0":  "sha1",
		"argon2$argon2id$...":   "argon2",
		"pbkdf2_sha256$1$s$h":   "pbkdf2_sha256",
		"pbkdf2_sha1$1$s$h":     "pbkdf2_sha1",
		"bcrypt_sha256$$2b$...": "bcrypt_sha256",
		"bcrypt$$2b$...":        "bcrypt",
		"scrypt$1$s$1$1$h":      "scrypt",
	} {
		h, err := reg.Identify(enc)
		if err != nil || h.Algorithm() != want {
			t.Errorf("Identify(%q) = %v, %v; want %s", enc, h, err, want)
		}
	}
	// Django's test_bad_algorithm.
	for enc, alg := range map[string]string{
		"lolcat$salt$hash":            "lolcat",
		"":                            "",
		"nodollar":                    "nodollar",
		strings.Repeat("a", 31) + "$": strings.Repeat("a", 31), // 32 characters with a '$'
		"$argon2id$v=19":              "",
		"!" + strings.Repeat("x", 40): "!" + strings.Repeat("x", 40),
	} {
		_, err := reg.Identify(enc)
		want := "Unknown password hashing algorithm '" + alg + "'. Did you specify it in the PASSWORD_HASHERS setting?"
		if err == nil || err.Error() != want {
			t.Errorf("Identify(%q) error = %v, want %q", enc, err, want)
		}
		var uae *hashers.UnknownAlgorithmError
		if !errors.Is(err, hashers.ErrUnknownAlgorithm) || !errors.As(err, &uae) || uae.Algorithm != alg {
			t.Errorf("Identify(%q) error %v does not wrap ErrUnknownAlgorithm with %q", enc, err, alg)
		}
	}
	// Like Django >= 5.1, a registry without the unsalted hashers still
	// applies the legacy rules, so those strings are unknown.
	modern := hashers.New(fastArgon2(), fastPBKDF2(), hashers.NewMD5Hasher())
	if _, err := modern.Identify("md5$$" + hex32); err == nil || !strings.Contains(err.Error(), "'unsalted_md5'") {
		t.Errorf("Identify(md5$$...) without unsalted_md5: %v", err)
	}
}

func TestNewRegistry(t *testing.T) {
	a, b := fastArgon2(), fastPBKDF2()
	dup := hashers.NewArgon2Hasher()
	reg := hashers.New(a, nil, b, dup, hashers.NewMD5Hasher())
	if reg.Preferred() != a {
		t.Error("Preferred is not the first hasher")
	}
	if h, ok := reg.Get("argon2"); !ok || h != a {
		t.Error("a duplicate algorithm replaced the preferred hasher")
	}
	if _, ok := reg.Get("lolcat"); ok {
		t.Error("Get(lolcat) found something")
	}
	var algs []string
	for _, h := range reg.Hashers() {
		algs = append(algs, h.Algorithm())
	}
	if got := strings.Join(algs, ","); got != "argon2,pbkdf2_sha256,md5" {
		t.Errorf("Hashers() = %s", got)
	}
	if reg.Limiter() != nil {
		t.Error("Limiter() of a registry without limiters is not nil")
	}
	lim := hashers.NewLimiter(3)
	s := fastScrypt()
	s.Limiter = lim
	if hashers.New(b, s).Limiter() != lim {
		t.Error("Limiter() does not find the scrypt hasher's limiter")
	}
	defer func() {
		if recover() == nil {
			t.Error("New(nil) did not panic")
		}
	}()
	hashers.New(nil)
}

func TestDefault(t *testing.T) {
	reg := hashers.Default()
	if hashers.Default() != reg {
		t.Error("Default() is not a singleton")
	}
	a, ok := reg.Preferred().(*hashers.Argon2Hasher)
	if !ok || a.Time != 2 || a.Memory != 19456 || a.Threads != 1 || a.KeyLen != 32 {
		t.Errorf("Preferred() = %#v, want the default Argon2Hasher", reg.Preferred())
	}
	var algs []string
	for _, h := range reg.Hashers() {
		algs = append(algs, h.Algorithm())
	}
	want := "argon2,pbkdf2_sha256,pbkdf2_sha1,bcrypt_sha256,bcrypt,scrypt,md5,sha1,unsalted_md5,unsalted_sha1"
	if got := strings.Join(algs, ","); got != want {
		t.Errorf("Default() hashers = %s, want %s", got, want)
	}
	lim := reg.Limiter()
	if lim == nil || lim.Capacity() != max(2, runtime.GOMAXPROCS(0)) {
		t.Errorf("Default().Limiter() capacity = %d, want max(2, GOMAXPROCS)", lim.Capacity())
	}
	// The budget admits every single computation the default Limits admit
	// (Django 6.1's argon2 m=102400 among them), and at least 4 preferred
	// hashes.
	if lim.MaxMemory != 256<<20 || lim.MaxWait != 0 {
		t.Errorf("Default limiter MaxMemory = %d, MaxWait = %v; want 256 MiB and the default", lim.MaxMemory, lim.MaxWait)
	}
	limiterOf := map[string]*hashers.Limiter{}
	for _, h := range reg.Hashers() {
		switch h := h.(type) {
		case *hashers.Argon2Hasher:
			limiterOf[h.Algorithm()] = h.Limiter
		case *hashers.ScryptHasher:
			limiterOf[h.Algorithm()] = h.Limiter
		case *hashers.PBKDF2Hasher:
			limiterOf[h.Algorithm()] = h.Limiter
		case *hashers.BcryptSHA256Hasher:
			limiterOf[h.Algorithm()] = h.Limiter
		case *hashers.BcryptHasher:
			limiterOf[h.Algorithm()] = h.Limiter
		}
	}
	if len(limiterOf) != 6 {
		t.Errorf("hashers with a Limiter field: %v", limiterOf)
	}
	for alg, l := range limiterOf {
		if l != lim {
			t.Errorf("%s does not use the Default limiter", alg)
		}
	}
	enc, err := reg.MakePassword(context.Background(), letmein)
	if err != nil || !argon2Default.MatchString(enc) {
		t.Errorf("MakePassword = %q, %v", enc, err)
	}
	ok, must, err := reg.VerifyPassword(context.Background(), letmein, enc)
	if !ok || must || err != nil {
		t.Errorf("VerifyPassword = %v, %v, %v", ok, must, err)
	}
}

// Django's test_unusable and test_is_password_usable.
func TestUnusablePassword(t *testing.T) {
	ctx := context.Background()
	reg := fastRegistry()
	enc := hashers.MakeUnusablePassword()
	if !regexp.MustCompile(`^![a-zA-Z0-9]{40}$`).MatchString(enc) {
		t.Errorf("MakeUnusablePassword() = %q", enc)
	}
	if hashers.IsPasswordUsable(enc) {
		t.Error("IsPasswordUsable(unusable) = true")
	}
	for _, pw := range []string{enc, "!", "", letmein, letmeinz} {
		if ok, err := reg.CheckPassword(ctx, pw, enc, nil); ok || err != nil {
			t.Errorf("CheckPassword(%q, unusable) = %v, %v", pw, ok, err)
		}
	}
	if _, err := reg.Identify(enc); err == nil || !strings.Contains(err.Error(), "Unknown password hashing algorith") {
		t.Errorf("Identify(unusable) error = %v", err)
	}
	if enc == hashers.MakeUnusablePassword() {
		t.Error("random password collision")
	}
	for _, e := range []string{"lètmein_badencoded", ""} {
		if !hashers.IsPasswordUsable(e) {
			t.Errorf("IsPasswordUsable(%q) = false", e)
		}
	}
	if hashers.IsPasswordUsable("!anything") {
		t.Error("IsPasswordUsable(!anything) = true")
	}
}

// Django's test_check_password_calls_make_password_to_fake_runtime: an
// unusable or unidentifiable encoding runs the preferred hasher once on a
// random 40-character string, and never verifies.
func TestVerifyPasswordFakesRuntime(t *testing.T) {
	ctx := context.Background()
	for _, enc := range []string{
		hashers.MakeUnusablePassword(),
		"lolcat$salt$hash",
		"",
		strings.Repeat("a", 40),
	} {
		pref := &countingHasher{inner: fastArgon2()}
		reg := hashers.New(pref, fastPBKDF2())
		ok, must, err := reg.VerifyPassword(ctx, letmein, enc)
		if ok || must || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v, %v; want false, false, nil", enc, ok, must, err)
		}
		if pref.verified != 0 {
			t.Errorf("%q: Verify called %d times", enc, pref.verified)
		}
		if len(pref.hashed) != 1 || !regexp.MustCompile(`^[a-zA-Z0-9]{40}$`).MatchString(pref.hashed[0]) {
			t.Errorf("%q: Hash calls %q, want one random 40-character string", enc, pref.hashed)
		}
	}
	// A failing fake step (here: a cancelled wait for the limiter) is reported.
	a := fastArgon2()
	a.Limiter = hashers.NewLimiter(1)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := hashers.New(a).VerifyPassword(cctx, "x", "lolcat$"); !errors.Is(err, hashers.ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("fake runtime with a cancelled context: %v", err)
	}
}

func TestSimulateCheck(t *testing.T) {
	pref := &countingHasher{inner: fastArgon2()}
	if err := hashers.New(pref).SimulateCheck(context.Background(), "guess"); err != nil {
		t.Fatal(err)
	}
	if len(pref.hashed) != 1 || pref.hashed[0] != "guess" {
		t.Errorf("Hash calls %q, want [guess]", pref.hashed)
	}
	if err := hashers.New(hashers.NewSHA1Hasher()).SimulateCheck(context.Background(), "x"); !errors.Is(err, hashers.ErrVerifyOnly) {
		t.Errorf("SimulateCheck with a verify-only preferred hasher: %v", err)
	}
}

// The empty string is a valid password (Django's test_simple, blank).
func TestEmptyPassword(t *testing.T) {
	ctx := context.Background()
	reg := fastRegistry()
	blank, err := reg.MakePassword(ctx, "")
	if err != nil || !hashers.IsPasswordUsable(blank) {
		t.Fatalf("MakePassword(\"\") = %q, %v", blank, err)
	}
	if ok, _ := reg.CheckPassword(ctx, "", blank, nil); !ok {
		t.Error(`CheckPassword("", blank) = false`)
	}
	if ok, _ := reg.CheckPassword(ctx, " ", blank, nil); ok {
		t.Error(`CheckPassword(" ", blank) = true`)
	}
}

type setterSpy struct {
	calls []string
	err   error
}

func (s *setterSpy) set(_ context.Context, password string) error {
	s.calls = append(s.calls, password)
	return s.err
}

// Django's test_upgrade, test_no_upgrade and test_no_upgrade_on_incorrect_pass.
func TestCheckPasswordUpgrade(t *testing.T) {
	ctx := context.Background()
	sha1, md5 := fastPBKDF2SHA1(), hashers.NewMD5Hasher()
	reg := hashers.New(fastPBKDF2(), sha1, md5)
	for _, h := range []hashers.PasswordHasher{sha1, md5} {
		enc := mustHash(t, h, letmein)
		var spy setterSpy
		if ok, err := reg.CheckPassword(ctx, letmein, enc, spy.set); !ok || err != nil {
			t.Errorf("%s: CheckPassword = %v, %v", h.Algorithm(), ok, err)
		}
		if len(spy.calls) != 1 || spy.calls[0] != letmein {
			t.Errorf("%s: setter calls %q, want one with the password", h.Algorithm(), spy.calls)
		}
		spy.calls = nil
		if ok, err := reg.CheckPassword(ctx, "WRONG", enc, spy.set); ok || err != nil {
			t.Errorf("%s: CheckPassword(WRONG) = %v, %v", h.Algorithm(), ok, err)
		}
		if len(spy.calls) != 0 {
			t.Errorf("%s: setter called on a wrong password", h.Algorithm())
		}
	}
	// No upgrade for a current hash.
	enc, _ := reg.MakePassword(ctx, letmein)
	var spy setterSpy
	if ok, _ := reg.CheckPassword(ctx, letmein, enc, spy.set); !ok || len(spy.calls) != 0 {
		t.Errorf("current hash: ok=%v, setter calls %q", ok, spy.calls)
	}
	// A nil setter is fine.
	if ok, err := reg.CheckPassword(ctx, letmein, mustHash(t, md5, letmein), nil); !ok || err != nil {
		t.Errorf("nil setter: %v, %v", ok, err)
	}
	// A setter error is returned, with the (correct) result.
	spy = setterSpy{err: errors.New("database down")}
	ok, err := reg.CheckPassword(ctx, letmein, mustHash(t, md5, letmein), spy.set)
	if !ok || err == nil || !strings.Contains(err.Error(), "database down") {
		t.Errorf("failing setter: %v, %v", ok, err)
	}
}

// Django's test_pbkdf2_upgrade: changing the iteration count upgrades on the
// next correct check only.
func TestCheckPasswordPBKDF2IterationUpgrade(t *testing.T) {
	ctx := context.Background()
	old := &hashers.PBKDF2Hasher{Iterations: 1}
	enc := mustHash(t, old, "letmein")
	if !strings.HasPrefix(enc, "pbkdf2_sha256$1$") {
		t.Fatalf("encoding %q", enc)
	}
	var spy setterSpy
	if ok, _ := hashers.New(old).CheckPassword(ctx, "letmein", enc, spy.set); !ok || len(spy.calls) != 0 {
		t.Errorf("same iterations: ok=%v, setter calls %q", ok, spy.calls)
	}
	cur := hashers.New(&hashers.PBKDF2Hasher{Iterations: 6})
	if ok, _ := cur.CheckPassword(ctx, "wrong", enc, spy.set); ok || len(spy.calls) != 0 {
		t.Errorf("wrong password: ok=%v, setter calls %q", ok, spy.calls)
	}
	if ok, _ := cur.CheckPassword(ctx, "letmein", enc, spy.set); !ok || len(spy.calls) != 1 {
		t.Errorf("more iterations: ok=%v, setter calls %q", ok, spy.calls)
	}
}

// Django's test_argon2_upgrade, with this package's rule: weaker parameters
// upgrade, stronger ones and a different lane count do not.
func TestCheckPasswordArgon2ParamsUpgrade(t *testing.T) {
	ctx := context.Background()
	cur := hashers.New(&hashers.Argon2Hasher{Time: 2, Memory: 64, Threads: 2, KeyLen: 32})
	for _, tt := range []struct {
		name    string
		old     *hashers.Argon2Hasher
		upgrade bool
	}{
		{"same", &hashers.Argon2Hasher{Time: 2, Memory: 64, Threads: 2}, false},
		{"weaker time cost", &hashers.Argon2Hasher{Time: 1, Memory: 64, Threads: 2}, true},
		{"weaker memory cost", &hashers.Argon2Hasher{Time: 2, Memory: 32, Threads: 2}, true},
		{"shorter tag", &hashers.Argon2Hasher{Time: 2, Memory: 64, Threads: 2, KeyLen: 16}, true},
		{"fewer lanes (Django would upgrade)", &hashers.Argon2Hasher{Time: 2, Memory: 64, Threads: 1}, false},
		{"stronger (Django would downgrade)", &hashers.Argon2Hasher{Time: 3, Memory: 128, Threads: 4}, false},
	} {
		enc := mustHash(t, tt.old, "secret")
		var spy setterSpy
		if ok, err := cur.CheckPassword(ctx, "wrong", enc, spy.set); ok || err != nil || len(spy.calls) != 0 {
			t.Errorf("%s: wrong password: %v, %v, %d setter calls", tt.name, ok, err, len(spy.calls))
		}
		ok, err := cur.CheckPassword(ctx, "secret", enc, spy.set)
		if !ok || err != nil || (len(spy.calls) == 1) != tt.upgrade {
			t.Errorf("%s: %v, %v, setter calls %d, want upgrade=%v", tt.name, ok, err, len(spy.calls), tt.upgrade)
		}
	}
	// A weak salt (Django's "iodizedsalt") is upgraded too.
	enc := mustEncode(t, &hashers.Argon2Hasher{Time: 2, Memory: 64, Threads: 2}, "secret", "iodizedsalt")
	var spy setterSpy
	if ok, _ := cur.CheckPassword(ctx, "secret", enc, spy.set); !ok || len(spy.calls) != 1 {
		t.Errorf("weak salt: ok=%v, setter calls %d", ok, len(spy.calls))
	}
}

// harden_runtime runs only for a wrong password against an outdated hash of
// the preferred algorithm.
func TestVerifyPasswordHardensRuntime(t *testing.T) {
	ctx := context.Background()
	old := mustHash(t, &hashers.PBKDF2Hasher{Iterations: 1}, "letmein")
	cur := mustHash(t, &hashers.PBKDF2Hasher{Iterations: 6}, "letmein")
	md5 := mustHash(t, hashers.NewMD5Hasher(), "letmein")
	for _, tt := range []struct {
		name, password, encoded string
		want                    int
	}{
		{"wrong, outdated", "wrong", old, 1},
		{"right, outdated", "letmein", old, 0},
		{"wrong, current", "wrong", cur, 0},
		{"wrong, other algorithm", "wrong", md5, 0},
	} {
		pref := &countingHasher{inner: &hashers.PBKDF2Hasher{Iterations: 6}}
		md5h := &countingHasher{inner: hashers.NewMD5Hasher()}
		reg := hashers.New(pref, md5h)
		if _, _, err := reg.VerifyPassword(ctx, tt.password, tt.encoded); err != nil {
			t.Fatal(err)
		}
		if got := pref.hardened + md5h.hardened; got != tt.want {
			t.Errorf("%s: HardenRuntime calls = %d, want %d", tt.name, got, tt.want)
		}
	}
	// must_update is reported whatever the password.
	reg := hashers.New(&hashers.PBKDF2Hasher{Iterations: 6}, hashers.NewMD5Hasher())
	for _, enc := range []string{old, md5} {
		for _, pw := range []string{"letmein", "wrong"} {
			if _, must, _ := reg.VerifyPassword(ctx, pw, enc); !must {
				t.Errorf("VerifyPassword(%q, %q) mustUpdate = false", pw, enc)
			}
		}
	}
}

func TestVerifyPasswordErrors(t *testing.T) {
	ctx := context.Background()
	reg := fastRegistry()
	for enc, want := range map[string]error{
		"pbkdf2_sha256$abc":                    hashers.ErrMalformedHash,
		"argon2$argon2id$v=19$m=1,t=1,p=1$x$y": hashers.ErrMalformedHash,
		"argon2$argon2d$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q":           hashers.ErrUnsupported,
		"argon2$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q": hashers.ErrLimitExceeded,
	} {
		ok, must, err := reg.VerifyPassword(ctx, "pw", enc)
		if ok || must || !errors.Is(err, want) {
			t.Errorf("VerifyPassword(%q) = %v, %v, %v; want %v", enc, ok, must, err, want)
		}
		var spy setterSpy
		if ok, err := reg.CheckPassword(ctx, "pw", enc, spy.set); ok || !errors.Is(err, want) || len(spy.calls) != 0 {
			t.Errorf("CheckPassword(%q) = %v, %v", enc, ok, err)
		}
	}
	if _, err := hashers.New(hashers.NewUnsaltedMD5Hasher()).MakePassword(ctx, "x"); !errors.Is(err, hashers.ErrVerifyOnly) {
		t.Errorf("MakePassword with a verify-only preferred hasher: %v", err)
	}
}

// S1: a stored hash of an installed algorithm that cannot be verified costs
// the fake runtime (the same work as an unknown algorithm), and the error
// wraps ErrUnverifiable and the cause without quoting the hash.
func TestVerifyPasswordUnverifiableCostsARealCheck(t *testing.T) {
	ctx := context.Background()
	const salt, digest = "c2Vhc2FsdHNlYXNhbHQ", "YC9+jJCrQhs5R6db7LlN8Q"
	for enc, cause := range map[string]error{
		"pbkdf2_sha256$garbage":                           hashers.ErrMalformedHash,
		"pbkdf2_sha256$1000$seasaltseasalt$notbase64!!!!": hashers.ErrMalformedHash,
		// Django's own H26 vector (argon2i version 16, no "v=").
		"argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg": hashers.ErrUnsupported,
		"argon2$argon2d$v=19$m=8,t=1,p=1$" + salt + "$" + digest:                                                                        hashers.ErrUnsupported,
		"argon2$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + digest:                                                              hashers.ErrLimitExceeded,
		"bcrypt$$2b$31$ZwHzPHKegzmDMagFff5WSecPF1KTZ3wytFRigsW85TeLa6EzgyG3.":                                                           hashers.ErrLimitExceeded,
		"scrypt$1073741824$seasaltseasalt$8$5$" + strings.Repeat("A", 86) + "==":                                                        hashers.ErrLimitExceeded,
	} {
		pref := &countingHasher{inner: fastArgon2()}
		reg := hashers.New(pref, fastPBKDF2(), fastBcrypt(), fastScrypt())
		ok, must, err := reg.VerifyPassword(ctx, letmein, enc)
		if ok || must || !errors.Is(err, hashers.ErrUnverifiable) || !errors.Is(err, cause) {
			t.Errorf("VerifyPassword(%q) = %v, %v, %v; want false, false, ErrUnverifiable and %v", enc, ok, must, err, cause)
		}
		// The fake runtime ran: one hash of a random 40-character string
		// with the preferred hasher (no real check has happened yet).
		if len(pref.hashed) != 1 || !regexp.MustCompile(`^[a-zA-Z0-9]{40}$`).MatchString(pref.hashed[0]) {
			t.Errorf("%q: Hash calls %q, want the fake runtime's one", enc, pref.hashed)
		}
		var spy setterSpy
		ok, err = reg.CheckPassword(ctx, letmein, enc, spy.set)
		if ok || !errors.Is(err, hashers.ErrUnverifiable) || !errors.Is(err, cause) || len(spy.calls) != 0 {
			t.Errorf("CheckPassword(%q) = %v, %v", enc, ok, err)
		}
		if len(pref.hashed) != 2 {
			t.Errorf("%q: CheckPassword did not run the fake runtime", enc)
		}
		// No salt or digest in the message (numeric parameters may be
		// quoted).
		for _, part := range strings.Split(enc, "$")[1:] {
			if len(part) >= 6 && !strings.HasPrefix(part, "argon2") && !strings.HasPrefix(part, "m=") &&
				strings.Trim(part, "0123456789") != "" && strings.Contains(err.Error(), part) {
				t.Errorf("error %q quotes %q of the stored hash", err, part)
			}
		}
	}
	// Operational errors are not ErrUnverifiable: a busy limiter during the
	// fake runtime is reported as ErrBusy only.
	a := fastArgon2()
	a.Limiter = hashers.NewLimiter(1)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err := hashers.New(a).VerifyPassword(cctx, "x", "argon2$argon2d$v=19$m=8,t=1,p=1$"+salt+"$"+digest)
	if !errors.Is(err, hashers.ErrBusy) || errors.Is(err, hashers.ErrUnverifiable) {
		t.Errorf("unverifiable hash with a busy limiter: %v, want ErrBusy only", err)
	}
	if !errors.Is(hashers.ErrInvalidSalt, hashers.ErrInvalidSalt) || hashers.ErrInvalidSalt.Error() != "salt must be provided and cannot contain $." {
		t.Errorf("ErrInvalidSalt = %q, want Django's message", hashers.ErrInvalidSalt)
	}
}

// Public behaviour of the simulation template: after a real check against a
// pbkdf2 hash, SimulateCheck verifies (rather than hashes) with the pbkdf2
// hasher, and SetSimulation pins it from the start.
func TestSimulateCheckFollowsStoredAlgorithm(t *testing.T) {
	ctx := context.Background()
	stored := mustHash(t, &hashers.PBKDF2Hasher{Iterations: 2000}, "right")
	fresh := func() *hashers.Registry {
		return hashers.New(fastArgon2(), fastPBKDF2(), fastBcrypt())
	}
	// Pinning from the start with a sample (e.g. a row of a Django
	// database); the sample's salt and digest play no part.
	reg := fresh()
	if err := reg.SetSimulation(stored); err != nil {
		t.Fatal(err)
	}
	if err := reg.SimulateCheck(ctx, "guess"); err != nil {
		t.Fatal(err)
	}
	// A bcrypt check does not move a pinned template; bcrypt dummies work.
	if _, _, err := reg.VerifyPassword(ctx, "x", mustHash(t, fastBcrypt(), "y")); err != nil {
		t.Fatal(err)
	}
	if err := reg.SetSimulation(mustHash(t, fastBcrypt(), "z")); err != nil {
		t.Fatal(err)
	}
	if err := reg.SimulateCheck(ctx, strings.Repeat("x", 100)); err != nil {
		t.Errorf("SimulateCheck with a bcrypt template and a long password: %v", err)
	}
	if err := reg.SetSimulation("md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3"); !errors.Is(err, hashers.ErrUnknownAlgorithm) {
		t.Errorf("SetSimulation(md5 not installed) = %v", err)
	}
}

// TestVerifyPasswordRefusesNUL: a NUL after the password does not match a
// PBKDF2 hash of the password (HMAC pads its key with NULs), whoever
// calls VerifyPassword.
func TestVerifyPasswordRefusesNUL(t *testing.T) {
	r := hashers.Default()
	ctx := context.Background()
	encoded, err := (&hashers.PBKDF2Hasher{Iterations: 1000, Limits: hashers.DefaultLimits()}).Hash(ctx, "secret")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := r.VerifyPassword(ctx, "secret", encoded); !ok || err != nil {
		t.Fatalf("the password itself: %v, %v", ok, err)
	}
	for _, pw := range []string{"secret\x00", "secret\x00\x00", "\x00"} {
		if ok, _, err := r.VerifyPassword(ctx, pw, encoded); ok || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}
