package hashers

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// deriveLog records every PBKDF2 computation of a hasher (its onDerive hook).
type deriveLog struct {
	mu    sync.Mutex
	calls []call
}

func (d *deriveLog) hook(password, salt string, iterations int) {
	d.mu.Lock()
	d.calls = append(d.calls, call{password, salt, iterations})
	d.mu.Unlock()
}

func (d *deriveLog) take() []call {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.calls
	d.calls = nil
	return c
}

func iterationsOf(calls []call) []int {
	var n []int
	for _, c := range calls {
		n = append(n, c.iterations)
	}
	return n
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mustHashInternal(t *testing.T, h PasswordHasher, password string) string {
	t.Helper()
	enc, err := h.Hash(context.Background(), password)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// The dummy work of SimulateCheck and of the fake runtime follows the work
// parameters of the stored hashes actually verified, not the preferred
// hasher's: observed through the PBKDF2 computations (iterations, salt,
// password) that each check performs.
func TestSimulationFollowsStoredHashes(t *testing.T) {
	ctx := context.Background()
	var log deriveLog
	pbkdf2 := &PBKDF2Hasher{Iterations: 1000, onDerive: log.hook}
	argon := &Argon2Hasher{Time: 1, Memory: 64, Threads: 1, KeyLen: 32}
	reg := New(argon, pbkdf2, NewMD5Hasher())

	// Before any real check: one hash with the preferred hasher (argon2),
	// no PBKDF2 work.
	if err := reg.SimulateCheck(ctx, "guess"); err != nil {
		t.Fatal(err)
	}
	if c := log.take(); len(c) != 0 || reg.sim.Load() != nil {
		t.Fatalf("before any real check: PBKDF2 calls %v, template %v", c, reg.sim.Load())
	}

	// A stored hash as Django would have it, with another iteration count
	// than any hasher of the registry.
	stored := mustHashInternal(t, &PBKDF2Hasher{Iterations: 1234}, "right")
	storedSalt := strings.Split(stored, "$")[2]
	storedDigest := strings.Split(stored, "$")[3]
	if ok, err := reg.CheckPassword(ctx, "wrong", stored, nil); ok || err != nil {
		t.Fatalf("CheckPassword(wrong) = %v, %v", ok, err)
	}
	real := log.take()
	if !equalInts(iterationsOf(real), []int{1234}) {
		t.Fatalf("real check: iterations %v, want [1234]", iterationsOf(real))
	}

	tmpl := reg.sim.Load()
	if tmpl == nil || tmpl.hasher != pbkdf2 || tmpl.pinned {
		t.Fatalf("template after a real check: %+v", tmpl)
	}
	if strings.Contains(tmpl.dummy, storedSalt) || strings.Contains(tmpl.dummy, storedDigest) {
		t.Fatalf("the dummy %q keeps part of the real hash %q", tmpl.dummy, stored)
	}

	// Unknown user: the same work as the wrong password above, with the
	// submitted password but another, random salt of the same length.
	if err := reg.SimulateCheck(ctx, "guess"); err != nil {
		t.Fatal(err)
	}
	sim := log.take()
	if len(sim) != 1 || sim[0].iterations != real[0].iterations || sim[0].password != "guess" ||
		sim[0].salt == storedSalt || len(sim[0].salt) != len(storedSalt) {
		t.Fatalf("SimulateCheck: PBKDF2 calls %+v, want one of 1234 iterations with a fresh %d-character salt", sim, len(storedSalt))
	}

	// The fake runtime of VerifyPassword does the same work: unusable,
	// unknown algorithm, and unverifiable encodings (S1).
	for _, enc := range []string{MakeUnusablePassword(), "lolcat$salt$hash", "pbkdf2_sha256$garbage",
		"pbkdf2_sha256$99999999$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="} {
		_, _, err := reg.VerifyPassword(ctx, "guess", enc)
		if strings.HasPrefix(enc, "pbkdf2") != errors.Is(err, ErrUnverifiable) {
			t.Errorf("VerifyPassword(%q) error = %v", enc, err)
		}
		if got := iterationsOf(log.take()); !equalInts(got, []int{1234}) {
			t.Errorf("fake runtime for %q: iterations %v, want [1234]", enc, got)
		}
	}

	// Verifying another hash with the same parameters keeps the template
	// (no rebuild, no allocation of a new dummy).
	same := mustHashInternal(t, &PBKDF2Hasher{Iterations: 1234}, "other")
	if _, _, err := reg.VerifyPassword(ctx, "x", same); err != nil {
		t.Fatal(err)
	}
	if reg.sim.Load() != tmpl {
		t.Error("the template was rebuilt although the parameters did not change")
	}
	log.take()

	// New parameters: the dummy follows.
	stored2 := mustHashInternal(t, &PBKDF2Hasher{Iterations: 2500}, "right")
	if _, _, err := reg.VerifyPassword(ctx, "right", stored2); err != nil {
		t.Fatal(err)
	}
	log.take()
	if err := reg.SimulateCheck(ctx, "guess"); err != nil {
		t.Fatal(err)
	}
	if got := iterationsOf(log.take()); !equalInts(got, []int{2500}) {
		t.Errorf("after a 2500-iteration check: iterations %v, want [2500]", got)
	}

	// Hashes without a work factor (md5) and failed checks leave the
	// template alone.
	before := reg.sim.Load()
	if _, _, err := reg.VerifyPassword(ctx, "x", mustHashInternal(t, NewMD5Hasher(), "y")); err != nil {
		t.Fatal(err)
	}
	_, _, _ = reg.VerifyPassword(ctx, "x", "pbkdf2_sha256$7$garbage")
	if reg.sim.Load() != before {
		t.Error("an md5 or unverifiable check changed the template")
	}
	log.take()
}

// A wrong password against an outdated hash of the preferred algorithm costs
// Verify plus HardenRuntime; the simulation does exactly the same.
func TestSimulationHardensLikeARealCheck(t *testing.T) {
	ctx := context.Background()
	var log deriveLog
	reg := New(&PBKDF2Hasher{Iterations: 3000, onDerive: log.hook})
	old := mustHashInternal(t, &PBKDF2Hasher{Iterations: 1000}, "right")
	if ok, _, err := reg.VerifyPassword(ctx, "wrong", old); ok || err != nil {
		t.Fatal(ok, err)
	}
	real := iterationsOf(log.take())
	if !equalInts(real, []int{1000, 2000}) {
		t.Fatalf("real check: %v, want [1000 2000]", real)
	}
	if err := reg.SimulateCheck(ctx, "guess"); err != nil {
		t.Fatal(err)
	}
	if sim := iterationsOf(log.take()); !equalInts(sim, real) {
		t.Errorf("SimulateCheck: %v, want %v", sim, real)
	}
}

// SetSimulation pins the dummy's cost; real checks then leave it alone until
// SetSimulation("") unpins it.
func TestSetSimulation(t *testing.T) {
	ctx := context.Background()
	var log deriveLog
	pbkdf2 := &PBKDF2Hasher{Iterations: 1000, onDerive: log.hook}
	reg := New(&Argon2Hasher{Time: 1, Memory: 64, Threads: 1}, pbkdf2, NewMD5Hasher(), &BcryptHasher{Rounds: 4})

	// A Django database of pbkdf2_sha256 hashes: pin its cost from the start.
	sample := "pbkdf2_sha256$4321$seasaltseasaltseasalt1$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	if err := reg.SetSimulation(sample); err != nil {
		t.Fatal(err)
	}
	if tmpl := reg.sim.Load(); tmpl == nil || !tmpl.pinned || strings.Contains(tmpl.dummy, "seasalt") {
		t.Fatalf("template %+v", tmpl)
	}
	check := func(what string, want int) {
		t.Helper()
		log.take()
		if err := reg.SimulateCheck(ctx, "guess"); err != nil {
			t.Fatal(err)
		}
		if got := iterationsOf(log.take()); !equalInts(got, []int{want}) {
			t.Errorf("%s: SimulateCheck iterations %v, want [%d]", what, got, want)
		}
	}
	check("pinned", 4321)
	other := mustHashInternal(t, &PBKDF2Hasher{Iterations: 1234}, "x")
	if _, _, err := reg.VerifyPassword(ctx, "x", other); err != nil {
		t.Fatal(err)
	}
	check("pinned, after a real check", 4321)

	if err := reg.SetSimulation(""); err != nil {
		t.Fatal(err)
	}
	check("unpinned, before the next real check", 4321)
	if _, _, err := reg.VerifyPassword(ctx, "x", other); err != nil {
		t.Fatal(err)
	}
	check("unpinned, after a real check", 1234)

	// Refused samples change nothing, and the error does not quote them.
	before := reg.sim.Load()
	for sample, want := range map[string]error{
		"lolcat$seasalt$secretdigest":                  ErrUnknownAlgorithm,
		"nodollarsecretdigest":                         ErrUnknownAlgorithm,
		"!seasaltsecretdigest":                         ErrUnknownAlgorithm,
		"md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3": ErrUnsupported,
		"pbkdf2_sha256$seasalt$secretdigest":           ErrMalformedHash,
		"pbkdf2_sha256$99999999$seasalt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=": ErrLimitExceeded,
		"bcrypt$$2b$31$ZwHzPHKegzmDMagFff5WSecPF1KTZ3wytFRigsW85TeLa6EzgyG3.":         ErrLimitExceeded,
		"argon2$argon2d$v=19$m=8,t=1,p=1$c2Vhc2FsdHNlYXNhbHQ$YC9+jJCrQhs5R6db7LlN8Q":  ErrUnsupported,
	} {
		err := reg.SetSimulation(sample)
		if !errors.Is(err, want) {
			t.Errorf("SetSimulation(%q) = %v, want %v", sample, err, want)
		}
		if err != nil && (strings.Contains(err.Error(), "seasalt") || strings.Contains(err.Error(), "secretdigest") ||
			strings.Contains(err.Error(), "c2VhcHNhbHQ")) {
			t.Errorf("SetSimulation error %q quotes the sample", err)
		}
	}
	if reg.sim.Load() != before {
		t.Error("a refused sample changed the template")
	}
}

// Every dummy has exactly the parameters it was made for, verifies without
// error (so it does the full work) and never matches.
func TestSimDummies(t *testing.T) {
	ctx := context.Background()
	argonI := "argon2$argon2i$v=19$m=96,t=3,p=3$" + encodeRawB64([]byte("somesaltsomesalt")) + "$" + encodeRawB64(make([]byte, 20))
	for _, tt := range []struct {
		h       simulator
		samples []string
	}{
		{&Argon2Hasher{Time: 1, Memory: 64, Threads: 1}, []string{
			mustHashInternal(t, &Argon2Hasher{Time: 2, Memory: 128, Threads: 2, KeyLen: 16}, "x"), argonI}},
		{&PBKDF2Hasher{}, []string{mustHashInternal(t, &PBKDF2Hasher{Iterations: 7}, "x"),
			"pbkdf2_sha256$3$iodizedsalt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}},
		{NewPBKDF2SHA1Hasher(), []string{mustHashInternal(t, &PBKDF2Hasher{Iterations: 9, sha1: true}, "x")}},
		{&BcryptSHA256Hasher{}, []string{mustHashInternal(t, &BcryptSHA256Hasher{Rounds: 5}, "x")}},
		{&BcryptHasher{}, []string{mustHashInternal(t, &BcryptHasher{Rounds: 4}, "x")}},
		{&ScryptHasher{}, []string{mustHashInternal(t, &ScryptHasher{N: 32, R: 2, P: 3}, "x")}},
	} {
		for _, sample := range tt.samples {
			w, err := tt.h.simParams(sample)
			if err != nil {
				t.Fatalf("%s: simParams(%q): %v", tt.h.Algorithm(), sample, err)
			}
			for range 20 {
				dummy := tt.h.simDummy(w)
				if w2, err := tt.h.simParams(dummy); err != nil || w2 != w {
					t.Fatalf("%s: dummy %q has parameters %v, %v; want %v", tt.h.Algorithm(), dummy, w2, err, w)
				}
				if tt.h.MustUpdate(dummy) != tt.h.MustUpdate(sample) {
					t.Errorf("%s: MustUpdate(dummy %q) differs from the sample's", tt.h.Algorithm(), dummy)
				}
				if ok, err := tt.h.Verify(ctx, "x", dummy); ok || err != nil {
					t.Fatalf("%s: Verify(dummy %q) = %v, %v", tt.h.Algorithm(), dummy, ok, err)
				}
				if dummy == tt.h.simDummy(w) {
					t.Fatalf("%s: two dummies are equal", tt.h.Algorithm())
				}
			}
		}
	}
}

// Real checks with changing parameters and simulated checks run
// concurrently (meant for -race).
func TestSimulationConcurrent(t *testing.T) {
	ctx := context.Background()
	reg := New(&Argon2Hasher{Time: 1, Memory: 32, Threads: 1}, &PBKDF2Hasher{Iterations: 10}, &BcryptHasher{Rounds: 4})
	encs := []string{
		mustHashInternal(t, &PBKDF2Hasher{Iterations: 11}, "pw"),
		mustHashInternal(t, &PBKDF2Hasher{Iterations: 12}, "pw"),
		mustHashInternal(t, &Argon2Hasher{Time: 1, Memory: 16, Threads: 1}, "pw"),
		mustHashInternal(t, &BcryptHasher{Rounds: 4}, "pw"),
	}
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			var err error
			switch i % 4 {
			case 0:
				err = reg.SimulateCheck(ctx, "guess")
			case 1:
				_, _, err = reg.VerifyPassword(ctx, "guess", "lolcat$x")
			case 2:
				if i%8 == 2 {
					err = reg.SetSimulation(encs[i%len(encs)])
				} else {
					err = reg.SetSimulation("")
				}
			default:
				_, _, err = reg.VerifyPassword(ctx, "pw", encs[i%len(encs)])
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// HardenRuntime runs under the hasher's Limiter: with no slot to be had
// within MaxWait it does no work.
func TestHardenRuntimeUsesLimiter(t *testing.T) {
	lim := NewLimiter(1)
	lim.MaxWait = 10 * time.Millisecond
	if err := lim.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer lim.Release()
	cctx := context.Background()

	var log deriveLog
	old := mustHashInternal(t, &PBKDF2Hasher{Iterations: 1}, "pw")
	(&PBKDF2Hasher{Iterations: 6, Limiter: lim, onDerive: log.hook}).HardenRuntime(cctx, "wrong", old)
	if c := log.take(); len(c) != 0 {
		t.Errorf("PBKDF2 HardenRuntime without a slot derived %v", c)
	}
	oldB := mustHashInternal(t, &BcryptHasher{Rounds: 4}, "pw")
	hardened := 0
	(&BcryptHasher{Rounds: 6, Limiter: lim, onHarden: func(string, string) { hardened++ }}).HardenRuntime(cctx, "wrong", oldB)
	if hardened != 0 {
		t.Errorf("bcrypt HardenRuntime without a slot ran %d times", hardened)
	}
}
