package hashers

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// RFC 6070 PBKDF2-HMAC-SHA1 vectors (RFC 6070) through the package's
// PBKDF2 path.
func TestPBKDF2RFC6070(t *testing.T) {
	tests := []struct {
		password, salt string
		iterations     int
		keyLen         int
		want           string
	}{
		{"password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
		{"password", "salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
		{"password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"},
		{"password", "salt", 16777216, 20, "eefe3d61cd4da4e4e9945b3d6ba2158c2634e984"},
		{"passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
		{"pass\x00word", "sa\x00lt", 4096, 16, "56fa6aa75548099dcc37d7f03425e0c3"},
	}
	for _, tt := range tests {
		if tt.iterations > 1_000_000 && (testing.Short() || raceEnabled) {
			t.Logf("skipping the %d-iteration row in -short and -race runs (about 2 s normally, a minute under -race)", tt.iterations)
			continue
		}
		got, err := pbkdf2Key(sha1.New, tt.password, []byte(tt.salt), tt.iterations, tt.keyLen)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got) != tt.want {
			t.Errorf("PBKDF2(%q, %q, %d) = %x, want %s", tt.password, tt.salt, tt.iterations, got, tt.want)
		}
	}
	// The hasher's own derive (SHA-1 variant) gives the same key.
	h := NewPBKDF2SHA1Hasher()
	got, err := h.derive("password", "salt", 4096)
	if err != nil || hex.EncodeToString(got) != "4b007901b765489abead49d926f721d065a429c1" {
		t.Errorf("derive = %x, %v", got, err)
	}
}

type call struct {
	password, salt string
	iterations     int
}

// Django's test_pbkdf2_harden_runtime: encoded with 1 iteration, hasher at
// 6: one extra computation with 5 iterations.
func TestPBKDF2HardenRuntime(t *testing.T) {
	ctx := context.Background()
	old := &PBKDF2Hasher{Iterations: 1}
	encoded, err := old.Hash(ctx, "letmein")
	if err != nil {
		t.Fatal(err)
	}
	var calls []call
	h := &PBKDF2Hasher{Iterations: 6}
	h.onDerive = func(password, salt string, iterations int) {
		calls = append(calls, call{password, salt, iterations})
	}
	h.HardenRuntime(ctx, "wrong_password", encoded)
	salt := strings.Split(encoded, "$")[2]
	if want := []call{{"wrong_password", salt, 5}}; !reflect.DeepEqual(calls, want) {
		t.Errorf("calls = %v, want %v", calls, want)
	}
	// Nothing to add when the stored hash is as strong or stronger.
	calls = nil
	(&PBKDF2Hasher{Iterations: 1, onDerive: h.onDerive}).HardenRuntime(ctx, "x", encoded)
	(&PBKDF2Hasher{Iterations: 6, onDerive: h.onDerive}).HardenRuntime(ctx, "x", "garbage")
	if len(calls) != 0 {
		t.Errorf("calls = %v, want none", calls)
	}
}

// Django's test_bcrypt_harden_runtime: rounds 4 -> 6 is 4 times the work,
// so 3 extra computations with the original salt (data[:29]).
func TestBcryptHardenRuntime(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		old    PasswordHasher
		harden func(onHarden func(password, salt string)) RuntimeHardener
	}{
		{"bcrypt", &BcryptHasher{Rounds: 4}, func(f func(string, string)) RuntimeHardener {
			return &BcryptHasher{Rounds: 6, onHarden: f}
		}},
		{"bcrypt_sha256", &BcryptSHA256Hasher{Rounds: 4}, func(f func(string, string)) RuntimeHardener {
			return &BcryptSHA256Hasher{Rounds: 6, onHarden: f}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			encoded, err := tt.old.Hash(ctx, "letmein")
			if err != nil {
				t.Fatal(err)
			}
			var calls []call
			h := tt.harden(func(password, salt string) { calls = append(calls, call{password, salt, 0}) })
			h.HardenRuntime(ctx, "wrong_password", encoded)
			_, data, _ := strings.Cut(encoded, "$")
			c := call{"wrong_password", data[:29], 0}
			if want := []call{c, c, c}; !reflect.DeepEqual(calls, want) {
				t.Errorf("calls = %v, want %v", calls, want)
			}
			// A cancelled context stops the loop.
			calls = nil
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			h.HardenRuntime(cctx, "wrong_password", encoded)
			if len(calls) != 0 {
				t.Errorf("calls with a cancelled context = %d, want 0", len(calls))
			}
		})
	}
}

func TestSaltRules(t *testing.T) {
	if want := int(math.Ceil(saltEntropy / math.Log2(float64(len(randomStringChars))))); saltLength != want {
		t.Errorf("saltLength = %d, want ceil(128/log2(62)) = %d", saltLength, want)
	}
	for n, want := range map[int]bool{0: true, 11: true, 21: true, 22: false, 40: false} {
		if got := mustUpdateSalt(n); got != want {
			t.Errorf("mustUpdateSalt(%d) = %v, want %v", n, got, want)
		}
	}
	seen := map[rune]bool{}
	for range 200 {
		s := randomString(saltLength)
		if len(s) != saltLength {
			t.Fatalf("len(salt) = %d", len(s))
		}
		for _, r := range s {
			if !strings.ContainsRune(randomStringChars, r) {
				t.Fatalf("salt %q has %q outside Django's alphabet", s, r)
			}
			seen[r] = true
		}
	}
	if len(seen) != len(randomStringChars) {
		t.Errorf("4400 random characters used only %d of 62 symbols", len(seen))
	}
	if randomString(0) != "" {
		t.Error("randomString(0) not empty")
	}
}

func TestParseDecimal(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "1": true, "19": true, "4294967295": true, "18446744073709551615": true,
		"": false, "01": false, "00": false, "+1": false, "-1": false, " 1": false, "1 ": false,
		"1_000": false, "0x10": false, "１": false, "18446744073709551616": false, "99999999999999999999": false,
	} {
		if _, ok := parseDecimal(s, math.MaxUint64); ok != want {
			t.Errorf("parseDecimal(%q) ok = %v, want %v", s, ok, want)
		}
	}
	if _, ok := parseDecimal("11", 10); ok {
		t.Error("parseDecimal above max accepted")
	}
}

func TestLimitsResolved(t *testing.T) {
	if got := (Limits{}).resolved(); got != DefaultLimits() {
		t.Errorf("zero Limits resolve to %+v, want the defaults", got)
	}
	l := Limits{MaxArgon2Memory: 1, MaxPBKDF2Iterations: 2}.resolved()
	if l.MaxArgon2Memory != 1 || l.MaxPBKDF2Iterations != 2 || l.MaxBcryptCost != DefaultMaxBcryptCost {
		t.Errorf("partial Limits resolve to %+v", l)
	}
}

// TestLimiterServesAfterShedding: when a release sheds the waiter at the
// front of the queue (it could not have its memory in time), a smaller
// waiter behind it that fits is served by that release, not the next.
func TestLimiterServesAfterShedding(t *testing.T) {
	l := &Limiter{slots: 3, MaxMemory: 100}
	l.meanRun.Store(int64(time.Second))
	l.mu.Lock()
	defer l.mu.Unlock()
	l.take(60) // holds most of the memory
	l.take(0)  // the holder whose release is tested
	big := &limiterWaiter{memory: 60, ready: make(chan struct{}), deadline: time.Now().Add(time.Millisecond)}
	small := &limiterWaiter{memory: 10, ready: make(chan struct{})}
	l.queue.PushBack(big)
	l.queue.PushBack(small)
	l.give(0)
	select {
	case <-big.ready:
		if !big.refused {
			t.Error("the big waiter was served; want it refused (it does not fit, and its deadline is too near)")
		}
	default:
		t.Error("the big waiter is still queued; want it refused")
	}
	select {
	case <-small.ready:
		if small.refused {
			t.Error("the small waiter was refused; want it served")
		}
	default:
		t.Error("the small waiter is still queued after the big one ahead of it was shed")
	}
}
