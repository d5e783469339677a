package mfa_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"image/png"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/reinhardt-go/auth/core/mfa"
)

var (
	key1 = bytes.Repeat([]byte{1}, 32)
	key2 = bytes.Repeat([]byte{2}, 32)
)

// clock is a settable clock, safe for concurrent reads.
type clock struct{ unix atomic.Int64 }

func (c *clock) Now() time.Time      { return time.Unix(c.unix.Load(), 0) }
func (c *clock) set(t time.Time)     { c.unix.Store(t.Unix()) }
func (c *clock) add(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

// start is a time in the middle of a 30-second step.
var start = time.Unix(1_800_000_015, 0)

func newMFA(t testing.TB, store mfa.Store, keys ...[]byte) (*mfa.MFAAuthentication, *clock) {
	t.Helper()
	if len(keys) == 0 {
		keys = [][]byte{key1}
	}
	m, err := mfa.New("Example App", store, keys...)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{}
	c.set(start)
	m.Now = c.Now
	return m, c
}

func codeAt(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enroll registers and confirms user "1" at the clock's time (consuming
// that step's code) and returns the secret and recovery codes.
func enroll(t testing.TB, m *mfa.MFAAuthentication, c *clock) (string, []string) {
	t.Helper()
	e, err := m.RegisterUser(context.Background(), "1", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := m.Confirm(context.Background(), "1", codeAt(t, e.Secret, c.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return e.Secret, codes
}

func TestNewRefusesBadConfig(t *testing.T) {
	s := mfa.NewMemoryStore()
	for name, f := range map[string]func() (*mfa.MFAAuthentication, error){
		"no issuer": func() (*mfa.MFAAuthentication, error) { return mfa.New("", s, key1) },
		"no store":  func() (*mfa.MFAAuthentication, error) { return mfa.New("x", nil, key1) },
		"no key":    func() (*mfa.MFAAuthentication, error) { return mfa.New("x", s) },
		"short key": func() (*mfa.MFAAuthentication, error) { return mfa.New("x", s, key1, make([]byte, 31)) },
	} {
		if _, err := f(); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	m, _ := newMFA(t, s)
	m.PastSteps = -1
	if _, err := m.RegisterUser(context.Background(), "1", "a"); err == nil {
		t.Error("a negative window was accepted")
	}
	var zero mfa.MFAAuthentication
	if _, err := zero.VerifyCode(context.Background(), "1", "123456"); err == nil {
		t.Error("a zero MFAAuthentication verified")
	}
}

func TestRegisterUser(t *testing.T) {
	m, _ := newMFA(t, mfa.NewMemoryStore())
	e, err := m.RegisterUser(context.Background(), "1", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	if err != nil || len(raw) < 20 {
		t.Fatalf("secret %q: %d bytes, %v; want at least 20", e.Secret, len(raw), err)
	}
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Example App:alice@example.com" || q.Get("issuer") != "Example App" || q.Get("secret") != e.Secret || q.Get("period") != "30" || q.Get("digits") != "6" || q.Get("algorithm") != "SHA1" {
		t.Fatalf("URL %q", e.URL)
	}
	img, err := png.Decode(bytes.NewReader(e.QRCodePNG))
	if err != nil || img.Bounds().Dx() != mfa.DefaultQRSize {
		t.Fatalf("QR code: %v, %v", img, err)
	}
	// Two registrations never share a secret, and the stored secret is
	// not the secret.
	e2, err := m.RegisterUser(context.Background(), "1", "alice@example.com")
	if err != nil || e2.Secret == e.Secret {
		t.Fatalf("second registration: %v, same secret %v", err, e2.Secret == e.Secret)
	}
	rec, err := m.Store.Get(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(rec.Secret, e2.Secret) || bytes.Contains([]byte(rec.Secret), raw) || rec.Confirmed {
		t.Fatalf("stored record %+v holds the secret or is confirmed", rec)
	}
	if on, err := m.Enabled(context.Background(), "1"); on || err != nil {
		t.Fatalf("Enabled before Confirm = %v, %v", on, err)
	}
}

func TestConfirmAndVerify(t *testing.T) {
	ctx := context.Background()
	m, c := newMFA(t, mfa.NewMemoryStore())
	e, err := m.RegisterUser(ctx, "1", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.VerifyCode(ctx, "1", codeAt(t, e.Secret, c.Now())); !errors.Is(err, mfa.ErrNotEnrolled) {
		t.Fatalf("VerifyCode before Confirm: %v; want ErrNotEnrolled", err)
	}
	if _, err := m.Confirm(ctx, "1", "000000x"); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("Confirm(garbage): %v", err)
	}
	code := codeAt(t, e.Secret, c.Now())
	codes, err := m.Confirm(ctx, "1", code)
	if err != nil || len(codes) != mfa.RecoveryCodes {
		t.Fatalf("Confirm = %v, %v", codes, err)
	}
	if _, err := m.Confirm(ctx, "1", code); !errors.Is(err, mfa.ErrAlreadyEnrolled) {
		t.Fatalf("second Confirm: %v", err)
	}
	if _, err := m.RegisterUser(ctx, "1", "alice"); !errors.Is(err, mfa.ErrAlreadyEnrolled) {
		t.Fatalf("RegisterUser with MFA on: %v", err)
	}
	if on, _ := m.Enabled(ctx, "1"); !on {
		t.Fatal("Enabled = false after Confirm")
	}
	// The confirming code is consumed.
	if ok, err := m.VerifyCode(ctx, "1", code); ok || err != nil {
		t.Fatalf("the confirming code again = %v, %v; want false", ok, err)
	}
	c.add(30 * time.Second)
	code = codeAt(t, e.Secret, c.Now())
	if ok, err := m.VerifyCode(ctx, "1", code); !ok || err != nil {
		t.Fatalf("the next step's code = %v, %v; want true", ok, err)
	}
	if ok, err := m.VerifyCode(ctx, "1", code); ok || err != nil {
		t.Fatalf("replay = %v, %v; want false", ok, err)
	}
	if _, err := m.VerifyCode(ctx, "2", code); !errors.Is(err, mfa.ErrNotEnrolled) {
		t.Fatalf("another user: %v", err)
	}
}

func TestWindow(t *testing.T) {
	ctx := context.Background()
	m, c := newMFA(t, mfa.NewMemoryStore())
	secret, _ := enroll(t, m, c)
	c.add(10 * 30 * time.Second)
	now := c.Now()
	for _, tc := range []struct {
		name  string
		steps int
		want  bool
	}{
		{"two steps old", -2, false},
		{"next step", 1, false},
		{"previous step", -1, true},
		{"current step", 0, true},
	} {
		got, err := m.VerifyCode(ctx, "1", codeAt(t, secret, now.Add(time.Duration(tc.steps)*30*time.Second)))
		if got != tc.want || err != nil {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	// After the current step's code, the previous step's is refused even
	// though it is in the window: steps only move forward.
	c.add(30 * time.Second)
	m.FutureSteps = 1
	if ok, _ := m.VerifyCode(ctx, "1", codeAt(t, secret, c.Now().Add(30*time.Second))); !ok {
		t.Error("FutureSteps 1: the next step's code was refused")
	}
	if ok, _ := m.VerifyCode(ctx, "1", codeAt(t, secret, c.Now())); ok {
		t.Error("a step before the last accepted one was accepted")
	}
}

func TestConcurrentSubmissions(t *testing.T) {
	ctx := context.Background()
	m, c := newMFA(t, mfa.NewMemoryStore())
	secret, _ := enroll(t, m, c)
	c.add(30 * time.Second)
	code := codeAt(t, secret, c.Now())
	var wins atomic.Int64
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := m.VerifyOTP(ctx, "1", code)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("10 concurrent submissions of one code: %d accepted; want 1", wins.Load())
	}
}

func TestRecoveryCodes(t *testing.T) {
	ctx := context.Background()
	m, c := newMFA(t, mfa.NewMemoryStore())
	_, codes := enroll(t, m, c)
	seen := map[string]bool{}
	for _, rc := range codes {
		if k, _, err := mfa.ParseOTP(rc, 6); k != mfa.KindRecovery || err != nil || seen[rc] {
			t.Fatalf("recovery code %q: %v, %v, duplicate %v", rc, k, err, seen[rc])
		}
		seen[rc] = true
	}
	if ok, err := m.VerifyCode(ctx, "1", codes[0]); ok || err != nil {
		t.Fatalf("VerifyCode(recovery code) = %v, %v; want false", ok, err)
	}
	if ok, err := m.VerifyOTP(ctx, "1", strings.ToUpper(codes[0])); !ok || err != nil {
		t.Fatalf("VerifyOTP(recovery code, upper case) = %v, %v; want true", ok, err)
	}
	if ok, _ := m.VerifyOTP(ctx, "1", codes[0]); ok {
		t.Fatal("a recovery code worked twice")
	}
	if ok, err := m.VerifyRecoveryCode(ctx, "1", strings.ReplaceAll(codes[1], "-", "")); !ok || err != nil {
		t.Fatalf("VerifyRecoveryCode without dashes = %v, %v", ok, err)
	}
	if rec, _ := m.Store.Get(ctx, "1"); rec.RecoveryCodes != mfa.RecoveryCodes-2 {
		t.Fatalf("%d codes left; want %d", rec.RecoveryCodes, mfa.RecoveryCodes-2)
	}
	fresh, err := m.NewRecoveryCodes(ctx, "1")
	if err != nil || len(fresh) != mfa.RecoveryCodes {
		t.Fatal(fresh, err)
	}
	if ok, _ := m.VerifyOTP(ctx, "1", codes[2]); ok {
		t.Fatal("an old recovery code works after NewRecoveryCodes")
	}
	if ok, _ := m.VerifyOTP(ctx, "1", fresh[9]); !ok {
		t.Fatal("a new recovery code does not work")
	}
}

func TestDisable(t *testing.T) {
	ctx := context.Background()
	m, c := newMFA(t, mfa.NewMemoryStore())
	secret, codes := enroll(t, m, c)
	if err := m.Disable(ctx, "1", "123456"); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("Disable with a wrong code: %v", err)
	}
	if err := m.Disable(ctx, "1", codeAt(t, secret, c.Now())); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("Disable with the used confirming code: %v", err)
	}
	if on, _ := m.Enabled(ctx, "1"); !on {
		t.Fatal("a refused Disable turned MFA off")
	}
	if err := m.Disable(ctx, "1", codes[3]); err != nil {
		t.Fatalf("Disable with a recovery code: %v", err)
	}
	if on, _ := m.Enabled(ctx, "1"); on {
		t.Fatal("MFA still on after Disable")
	}
	if err := m.Disable(ctx, "1", codes[4]); !errors.Is(err, mfa.ErrNotEnrolled) {
		t.Fatalf("Disable twice: %v", err)
	}
	// Enrolling again works and makes new codes.
	_, again := enroll(t, m, c)
	if ok, _ := m.VerifyOTP(ctx, "1", codes[5]); ok {
		t.Fatal("a recovery code of the old enrollment works")
	}
	if len(again) != mfa.RecoveryCodes {
		t.Fatal(again)
	}
}

func TestKeyRotation(t *testing.T) {
	ctx := context.Background()
	store := mfa.NewMemoryStore()
	old, c := newMFA(t, store, key1)
	secret, _ := enroll(t, old, c)
	// Rotated: key2 encrypts, key1 still decrypts.
	rotated, _ := newMFA(t, store, key2, key1)
	rotated.Now = c.Now
	c.add(30 * time.Second)
	if ok, err := rotated.VerifyCode(ctx, "1", codeAt(t, secret, c.Now())); !ok || err != nil {
		t.Fatalf("after rotation = %v, %v; want true", ok, err)
	}
	// Without the old key the secret does not decrypt: an error, not a
	// false "wrong code".
	dropped, _ := newMFA(t, store, key2)
	dropped.Now = c.Now
	c.add(30 * time.Second)
	if ok, err := dropped.VerifyCode(ctx, "1", codeAt(t, secret, c.Now())); ok || err == nil {
		t.Fatalf("without the old key = %v, %v; want an error", ok, err)
	}
	// A new enrollment under the rotated ring uses key2 only.
	if err := rotated.Disable(ctx, "1", codeAt(t, secret, c.Now())); err != nil {
		t.Fatal(err)
	}
	secret, _ = enroll(t, rotated, c)
	c.add(30 * time.Second)
	if ok, err := dropped.VerifyCode(ctx, "1", codeAt(t, secret, c.Now())); !ok || err != nil {
		t.Fatalf("re-enrolled, key2 only = %v, %v; want true", ok, err)
	}
}

func TestSecretBoundToUser(t *testing.T) {
	ctx := context.Background()
	store := mfa.NewMemoryStore()
	m, c := newMFA(t, store)
	secret, _ := enroll(t, m, c)
	rec, _ := store.Get(ctx, "1")
	// User 2's row gets user 1's ciphertext: it does not decrypt for 2.
	if err := store.Begin(ctx, mfa.Record{UserID: "2", Secret: rec.Secret}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := store.Confirm(ctx, "2", 1, nil); !ok {
		t.Fatal("Confirm")
	}
	c.add(30 * time.Second)
	if ok, err := m.VerifyCode(ctx, "2", codeAt(t, secret, c.Now())); ok || err == nil {
		t.Fatalf("a copied ciphertext = %v, %v; want an error", ok, err)
	}
	// A tampered ciphertext does not decrypt either.
	tampered := []byte(rec.Secret)
	tampered[len(tampered)-2] ^= 1
	if err := store.Delete(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	_ = store.Begin(ctx, mfa.Record{UserID: "2", Secret: string(tampered)})
	_, _ = store.Confirm(ctx, "2", 1, nil)
	if ok, err := m.VerifyCode(ctx, "2", codeAt(t, secret, c.Now())); ok || err == nil {
		t.Fatalf("a tampered ciphertext = %v, %v; want an error", ok, err)
	}
}

func TestParseOTP(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind mfa.Kind
		out  string
	}{
		{"123456", mfa.KindTOTP, "123456"},
		{"abcd-efgh-ijkl-mn23", mfa.KindRecovery, "abcdefghijklmn23"},
		{"ABCDEFGHIJKLMN23", mfa.KindRecovery, "abcdefghijklmn23"},
		{"12345", 0, ""},
		{"1234567", 0, ""},
		{" 123456", 0, ""},
		{"12345６", 0, ""},
		{"", 0, ""},
		{"abcd-efgh-ijkl-mn2", 0, ""},
		{"abcd-efgh-ijkl-mn231", 0, ""},
		{"abcd-efghijkl-mn23", 0, ""},
		{"abcd--efgh-ijkl-mn23", 0, ""},
		{"-abcdefghijklmn23", 0, ""},
		{"abcdefghijklmn23-", 0, ""},
		{"abcd-efgh-ijkl-mn01", 0, ""},
		{strings.Repeat("1", 65), 0, ""},
	} {
		k, out, err := mfa.ParseOTP(tc.in, 6)
		if k != tc.kind || out != tc.out || (err == nil) != (tc.kind != 0) {
			t.Errorf("ParseOTP(%q) = %v, %q, %v; want %v, %q", tc.in, k, out, err, tc.kind, tc.out)
		}
	}
}

// FuzzParseOTP: the otp field comes from clients. ParseOTP never panics,
// accepts only the two formats, and its canonical recovery form parses to
// itself.
func FuzzParseOTP(f *testing.F) {
	for _, s := range []string{"123456", "12345678", "abcd-efgh-ijkl-mnop", "ABCDEFGHIJKLMNOP", "", "-", "abcd-", "１２３４５６"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, out, err := mfa.ParseOTP(s, 6)
		switch {
		case err != nil:
			if k != 0 || out != "" {
				t.Fatalf("error with a result: %v %q", k, out)
			}
		case k == mfa.KindTOTP:
			if out != s || len(s) != 6 || strings.Trim(s, "0123456789") != "" {
				t.Fatalf("TOTP %q from %q", out, s)
			}
		case k == mfa.KindRecovery:
			if len(out) != 16 || strings.Trim(out, "abcdefghijklmnopqrstuvwxyz234567") != "" || strings.ReplaceAll(strings.ToLower(s), "-", "") != out {
				t.Fatalf("recovery %q from %q", out, s)
			}
			if k2, out2, err := mfa.ParseOTP(out, 6); k2 != k || out2 != out || err != nil {
				t.Fatalf("canonical %q does not parse to itself", out)
			}
		default:
			t.Fatalf("kind %v without error", k)
		}
	})
}

// BenchmarkVerifyCode: a wrong code (the whole window computed, nothing
// stored) and a right one (a step consumed), with the memory store.
func BenchmarkVerifyCode(b *testing.B) {
	ctx := context.Background()
	m, c := newMFA(b, mfa.NewMemoryStore())
	secret, _ := enroll(b, m, c)
	b.Run("wrong", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ok, err := m.VerifyCode(ctx, "1", "000000"); ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("right", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			c.add(30 * time.Second)
			code := codeAt(b, secret, c.Now())
			b.StartTimer()
			if ok, err := m.VerifyCode(ctx, "1", code); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
}
