package throttle_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/stores/memory"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func TestParseRate(t *testing.T) {
	good := map[string]throttle.Rate{
		"100/hour":  {100, time.Hour},
		"5/m":       {5, time.Minute},
		"10/min":    {10, time.Minute},
		"3/sec":     {3, time.Second},
		"1/d":       {1, 24 * time.Hour},
		"7/minutes": {7, time.Minute},
		"2/hxyz":    {2, time.Hour}, // DRF reads only the first letter
		"010/s":     {10, time.Second},
	}
	for s, want := range good {
		got, err := throttle.ParseRate(s)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "100", "/hour", "100/", "100/x", "100/Hour", "0/s", "-1/s", "+1/s", " 1/s", "1/ s", "1 /s", "1/s/s", "1.5/s", "1e3/s", "1_0/s", "99999999999/s", "1000000001/s", "١/s", "100/5m"} {
		if r, err := throttle.ParseRate(s); !errors.Is(err, throttle.ErrBadRate) {
			t.Errorf("ParseRate(%q) = %v, %v; want ErrBadRate", s, r, err)
		}
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"100/hour", "5/m", "0/s", "1/s/s", "", "/", "1000000000/d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := throttle.ParseRate(s)
		if err != nil {
			if !errors.Is(err, throttle.ErrBadRate) {
				t.Fatalf("error %v does not wrap ErrBadRate", err)
			}
			return
		}
		if r.N < 1 || r.Interval() <= 0 || r.Period < time.Second {
			t.Fatalf("ParseRate(%q) = %+v: not applicable", s, r)
		}
		num, period, _ := strings.Cut(s, "/")
		if strings.Trim(num, "0123456789") != "" || period == "" || !strings.Contains("smhd", period[:1]) {
			t.Fatalf("ParseRate(%q) accepted a rate DRF refuses", s)
		}
		// A fresh key allows exactly N hits at one instant.
		for i := range r.N {
			if i > 3 {
				break
			}
			next, ok, _ := r.Apply(0, 1)
			if !ok || next <= 1 {
				t.Fatalf("%+v: first hit refused", r)
			}
		}
	})
}

func TestThrottledRendering(t *testing.T) {
	for _, tc := range []struct {
		wait   time.Duration
		detail string
		retry  string
	}{
		{200 * time.Millisecond, "Request was throttled. Expected available in 1 second.", "1"},
		{time.Second, "Request was throttled. Expected available in 1 second.", "1"},
		{time.Second + time.Nanosecond, "Request was throttled. Expected available in 2 seconds.", "2"},
		{30 * time.Second, "Request was throttled. Expected available in 30 seconds.", "30"},
		{0, "Request was throttled.", ""},
	} {
		rec := httptest.NewRecorder()
		if err := core.WriteError(core.NewHTTPResponse(rec), core.Throttled(tc.wait), `Basic realm="api"`); err != nil {
			t.Fatal(err)
		}
		want := `{"detail":"` + tc.detail + `"}`
		if rec.Code != http.StatusTooManyRequests || rec.Body.String() != want || rec.Header().Get("Retry-After") != tc.retry || rec.Header().Get("WWW-Authenticate") != "" {
			t.Errorf("wait %v: %d %q Retry-After %q; want 429 %q Retry-After %q", tc.wait, rec.Code, rec.Body.String(), rec.Header().Get("Retry-After"), want, tc.retry)
		}
	}
}

// request is an anonymous or authenticated request from remote with the
// given X-Forwarded-For.
func request(remote, xff string, u core.User) *core.PermissionContext {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = remote
	if xff != "" {
		r.Header.Set("X-Forwarded-For", xff)
	}
	var id *core.Identity
	if u != nil {
		id = &core.Identity{User: u}
	}
	return core.NewPermissionContext(core.NewHTTPRequest(r), id)
}

// rawRequest is a core.Request from remote with X-Forwarded-For xff.
func rawRequest(remote, xff string) core.Request {
	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = remote
	if xff != "" {
		r.Header.Set("X-Forwarded-For", xff)
	}
	return core.NewHTTPRequest(r)
}

func clock() throttle.Option { return throttle.WithClock(func() time.Time { return t0 }) }

func check(t *testing.T, th *throttle.Throttle, pc *core.PermissionContext) error {
	t.Helper()
	return (&core.Engine{}).CheckPermissions(context.Background(), pc, th)
}

func TestConfigurationErrors(t *testing.T) {
	s := memory.NewThrottleStore(0)
	if _, err := throttle.AnonRateThrottle("100/hr/", s); !errors.Is(err, throttle.ErrBadRate) {
		t.Errorf("malformed rate: %v", err)
	}
	if _, err := throttle.UserRateThrottle("100/hour", nil); err == nil {
		t.Error("no store accepted")
	}
	if _, err := throttle.ScopedRateThrottle("", "1/s", s); err == nil {
		t.Error("empty scope accepted")
	}
	if _, err := throttle.NewLoginThrottle("10", s); !errors.Is(err, throttle.ErrBadRate) {
		t.Errorf("malformed login rate: %v", err)
	}
}

func TestAnonRateThrottle(t *testing.T) {
	th, err := throttle.AnonRateThrottle("2/min", memory.NewThrottleStore(0), clock())
	if err != nil {
		t.Fatal(err)
	}
	alice := &core.DefaultUser{ID: 1, Username: "alice", Active: true}
	for range 5 {
		if err := check(t, th, request("192.0.2.1:1000", "", alice)); err != nil {
			t.Fatalf("authenticated request throttled by the anon throttle: %v", err)
		}
	}
	for i := range 2 {
		if err := check(t, th, request("192.0.2.1:1000", "", nil)); err != nil {
			t.Fatalf("anonymous request %d: %v", i+1, err)
		}
	}
	var te *core.ThrottledError
	if err := check(t, th, request("192.0.2.1:2000", "", nil)); !errors.As(err, &te) || te.Wait != 30 {
		t.Fatalf("3rd anonymous request: %v; want throttled with 30 s", err)
	}
	// Untrusted peer: a forged X-Forwarded-For changes nothing.
	if err := check(t, th, request("192.0.2.1:3000", "198.51.100.7", nil)); !errors.As(err, &te) {
		t.Fatalf("forged X-Forwarded-For: %v; want throttled", err)
	}
	if err := check(t, th, request("192.0.2.2:1000", "", nil)); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

func TestTrustedProxy(t *testing.T) {
	proxies, _ := core.ParseCIDRs("10.0.0.0/8")
	th, err := throttle.AnonRateThrottle("1/min", memory.NewThrottleStore(0), clock(), throttle.WithTrustedProxies(proxies))
	if err != nil {
		t.Fatal(err)
	}
	if err := check(t, th, request("10.0.0.1:1", "198.51.100.7", nil)); err != nil {
		t.Fatal(err)
	}
	if err := check(t, th, request("10.0.0.2:1", "198.51.100.8", nil)); err != nil {
		t.Fatalf("another client behind the proxy: %v", err)
	}
	if err := check(t, th, request("10.0.0.3:1", "198.51.100.7", nil)); err == nil {
		t.Fatal("the same client behind another proxy was not throttled")
	}
}

func TestUserAndScopedRateThrottle(t *testing.T) {
	s := memory.NewThrottleStore(0)
	user, _ := throttle.UserRateThrottle("1/h", s, clock())
	uploads, _ := throttle.ScopedRateThrottle("uploads", "1/h", s, clock())
	alice := &core.DefaultUser{ID: 1, Username: "alice", Active: true}
	bob := &core.DefaultUser{ID: 2, Username: "bob", Active: true}
	if err := check(t, user, request("192.0.2.1:1", "", alice)); err != nil {
		t.Fatal(err)
	}
	// Keyed by user id, not address.
	if err := check(t, user, request("192.0.2.9:1", "", alice)); err == nil {
		t.Fatal("alice from another address was not throttled")
	}
	if err := check(t, user, request("192.0.2.1:1", "", bob)); err != nil {
		t.Fatalf("bob from alice's address: %v", err)
	}
	if err := check(t, user, request("192.0.2.1:1", "", nil)); err != nil {
		t.Fatalf("anonymous from alice's address: %v", err)
	}
	// Another scope has its own counters.
	if err := check(t, uploads, request("192.0.2.1:1", "", alice)); err != nil {
		t.Fatalf("scope uploads: %v", err)
	}
	if err := check(t, uploads, request("192.0.2.1:1", "", alice)); err == nil {
		t.Fatal("second upload was not throttled")
	}
	if !user.HasPermission(context.Background(), request("192.0.2.50:1", "", nil)) || user.HasPermission(context.Background(), request("192.0.2.50:1", "", nil)) {
		t.Fatal("HasPermission does not follow Check")
	}
}

// downStore fails every call.
type downStore struct{}

func (downStore) Hit(context.Context, []byte, throttle.Rate, time.Time) (throttle.Result, error) {
	return throttle.Result{Allowed: true}, errors.New("connection refused")
}

func (downStore) Peek(context.Context, []byte, throttle.Rate, time.Time) (throttle.Result, error) {
	return throttle.Result{Allowed: true}, errors.New("connection refused")
}

func (downStore) Refund(context.Context, []byte, throttle.Rate, time.Time) error {
	return errors.New("connection refused")
}

func TestStoreDownFailsClosed(t *testing.T) {
	th, _ := throttle.UserRateThrottle("100/s", downStore{})
	err := check(t, th, request("192.0.2.1:1", "", nil))
	if !errors.Is(err, core.ErrStoreUnavailable) || core.ToAPIError(err).Status != http.StatusServiceUnavailable {
		t.Fatalf("store down: %v; want 503", err)
	}
	lt, _ := throttle.NewLoginThrottle("", downStore{})
	if err := lt.Check(context.Background(), netip.MustParseAddr("192.0.2.1"), "alice"); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatalf("login check with the store down: %v", err)
	}
	if _, err := lt.Attempt(context.Background(), netip.MustParseAddr("192.0.2.1"), "alice"); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatalf("login attempt with the store down: %v", err)
	}
	if _, err := lt.Begin(rawRequest("192.0.2.1:1", ""), "alice"); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatalf("login guard with the store down: %v", err)
	}
}

// fail counts a failed login: an attempt never marked as succeeded.
func fail(t *testing.T, lt *throttle.LoginThrottle, ip netip.Addr, username string) {
	t.Helper()
	if _, err := lt.Attempt(context.Background(), ip, username); err != nil {
		t.Fatalf("attempt for %s from %s: %v", username, ip, err)
	}
}

func TestLoginThrottle(t *testing.T) {
	now := t0
	lt, err := throttle.NewLoginThrottle("5/min", memory.NewThrottleStore(0), throttle.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ip := netip.MustParseAddr("192.0.2.1")
	for range 5 {
		fail(t, lt, ip, "alice")
	}
	var te *core.ThrottledError
	if _, err := lt.Attempt(ctx, ip, "alice"); !errors.As(err, &te) || te.Wait != 12 {
		t.Fatalf("6th attempt: %v; want throttled, 12 s", err)
	}
	if err := lt.Check(ctx, ip, "alice"); !errors.As(err, &te) || te.Wait != 12 {
		t.Fatalf("Check after 5 failures: %v; want throttled, 12 s", err)
	}
	// The username's count holds from another address and in other case.
	if _, err := lt.Attempt(ctx, netip.MustParseAddr("198.51.100.1"), "ALICE"); !errors.As(err, &te) {
		t.Fatalf("alice from another address: %v", err)
	}
	// A refused attempt counted nothing: 198.51.100.1 still has its budget.
	if err := lt.Check(ctx, netip.MustParseAddr("198.51.100.1"), "bob"); err != nil {
		t.Fatalf("a refused attempt used up its address's budget: %v", err)
	}
	// Case variants as user creation judges them (core.FoldUsername):
	// U+212A KELVIN SIGN and U+017F LONG S fold with k and s, which
	// lower-casing alone does not do.
	if err := lt.Check(ctx, netip.MustParseAddr("198.51.100.2"), "\u212aari\u017fa"); err != nil {
		t.Fatalf("karisa before any failure: %v", err)
	}
	for i := range 5 {
		fail(t, lt, netip.AddrFrom4([4]byte{198, 51, 100, byte(10 + i)}), "karisa")
	}
	if _, err := lt.Attempt(ctx, netip.MustParseAddr("198.51.100.2"), "\u212aari\u017fa"); !errors.As(err, &te) {
		t.Fatalf("a case variant of karisa from another address: %v", err)
	}
	// The address's count holds for another username.
	if _, err := lt.Attempt(ctx, ip, "bob"); !errors.As(err, &te) {
		t.Fatalf("bob from the attacker's address: %v", err)
	}
	now = now.Add(12 * time.Second)
	if err := lt.Check(ctx, ip, "alice"); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

// TestLoginThrottleSuccessIsFree: an attempt whose credentials were
// right takes its count back, so a user who logs in often is never
// throttled, while failures still are.
func TestLoginThrottleSuccessIsFree(t *testing.T) {
	lt, err := throttle.NewLoginThrottle("3/min", memory.NewThrottleStore(0), throttle.WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ip := netip.MustParseAddr("192.0.2.1")
	for i := range 20 {
		a, err := lt.Attempt(ctx, ip, "alice")
		if err != nil {
			t.Fatalf("successful login %d: %v", i+1, err)
		}
		if err := a.Succeeded(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.Succeeded(ctx); err != nil { // a second call does nothing
			t.Fatal(err)
		}
	}
	for range 3 {
		fail(t, lt, ip, "alice")
	}
	var te *core.ThrottledError
	if _, err := lt.Attempt(ctx, ip, "alice"); !errors.As(err, &te) {
		t.Fatalf("4th failure at 3/min after 20 successes: %v; want throttled", err)
	}
}

// TestLoginThrottleConcurrent: guesses sent at once are counted before
// any password is checked, so no more than the rate get through, however
// many arrive together.
func TestLoginThrottleConcurrent(t *testing.T) {
	lt, err := throttle.NewLoginThrottle("5/min", memory.NewThrottleStore(0))
	if err != nil {
		t.Fatal(err)
	}
	var allowed, throttled atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Go(func() {
			<-start
			_, err := lt.Begin(rawRequest("192.0.2.1:1", ""), "alice")
			var te *core.ThrottledError
			switch {
			case err == nil:
				allowed.Add(1)
			case errors.As(err, &te):
				throttled.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if allowed.Load() != 5 || throttled.Load() != 45 {
		t.Fatalf("50 concurrent guesses at 5/min: %d let through, %d throttled; want 5 and 45", allowed.Load(), throttled.Load())
	}
}

// TestLoginThrottleForgedForwardedFor: X-Forwarded-For from an untrusted
// peer is not believed, so rotating it does not reset the address count;
// from a trusted proxy it names the client.
func TestLoginThrottleForgedForwardedFor(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	lt, err := throttle.NewLoginThrottle("5/min", memory.NewThrottleStore(0), throttle.WithTrustedProxies(proxies))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		r := rawRequest("203.0.113.9:4000", netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}).String())
		if _, err := lt.Begin(r, fmt.Sprintf("user%d", i)); err != nil {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	var te *core.ThrottledError
	r := rawRequest("203.0.113.9:4000", "192.0.2.200")
	if _, err := lt.Begin(r, "user99"); !errors.As(err, &te) {
		t.Fatalf("6th guess from an untrusted peer with a new X-Forwarded-For: %v; want throttled", err)
	}
	// Behind the trusted proxy, each forwarded client has its own count.
	for i := range 6 {
		r := rawRequest("10.1.2.3:4000", netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}).String())
		if _, err := lt.Begin(r, fmt.Sprintf("other%d", i)); err != nil {
			t.Fatalf("client %d behind the proxy: %v", i, err)
		}
	}
}

// TestCheckAllocs asserts that an allowed request allocates nothing in
// the throttle and the memory store.
func TestCheckAllocs(t *testing.T) {
	th, _ := throttle.AnonRateThrottle("1000000000/s", memory.NewThrottleStore(0))
	pc := request("192.0.2.1:1234", "", nil)
	ctx := context.Background()
	if err := th.Check(ctx, pc); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if err := th.Check(ctx, pc); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("allowed check: %v allocations, want 0", allocs)
	}
}

func BenchmarkCheck(b *testing.B) {
	th, _ := throttle.AnonRateThrottle("1000000000/s", memory.NewThrottleStore(0))
	pc := request("192.0.2.1:1234", "", nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := th.Check(ctx, pc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckParallel(b *testing.B) {
	th, _ := throttle.AnonRateThrottle("1000000000/s", memory.NewThrottleStore(0))
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		pc := request("192.0.2.1:1234", "", nil)
		for pb.Next() {
			if err := th.Check(ctx, pc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestLoginThrottleAddresses: IPv6 clients count by their /64, an
// IPv4-mapped address as its IPv4 address, and a peer whose address
// cannot be told (a Unix socket) by username only, never in one address
// count shared by everyone.
func TestLoginThrottleAddresses(t *testing.T) {
	lt, err := throttle.NewLoginThrottle("2/min", memory.NewThrottleStore(0), clock())
	if err != nil {
		t.Fatal(err)
	}
	var te *core.ThrottledError
	fail(t, lt, netip.MustParseAddr("2001:db8:1:2::1"), "u1")
	fail(t, lt, netip.MustParseAddr("2001:db8:1:2:ffff::9"), "u2")
	if _, err := lt.Attempt(context.Background(), netip.MustParseAddr("2001:db8:1:2:abcd::5"), "u3"); !errors.As(err, &te) {
		t.Fatalf("a third address of the same /64: %v; want throttled", err)
	}
	fail(t, lt, netip.MustParseAddr("2001:db8:1:3::1"), "u4") // another /64
	fail(t, lt, netip.MustParseAddr("192.0.2.7"), "u5")
	fail(t, lt, netip.MustParseAddr("::ffff:192.0.2.7"), "u6")
	if _, err := lt.Attempt(context.Background(), netip.MustParseAddr("192.0.2.7"), "u7"); !errors.As(err, &te) {
		t.Fatalf("an IPv4 address after its IPv4-mapped form: %v; want throttled", err)
	}
	for i := range 5 {
		if _, err := lt.Begin(rawRequest("@", ""), fmt.Sprintf("socket%d", i)); err != nil {
			t.Fatalf("unix-socket peer, user %d: %v; the unknown address must not be one shared count", i, err)
		}
	}
	fail(t, lt, netip.Addr{}, "socket0")
	if _, err := lt.Begin(rawRequest("@", ""), "socket0"); !errors.As(err, &te) {
		t.Fatalf("unix-socket peer: the username count must still hold: %v", err)
	}
}

// TestOTPThrottle: wrong one-time passwords count per username at their
// own rate, apart from the login failures, and not per address.
func TestOTPThrottle(t *testing.T) {
	store := memory.NewThrottleStore(0)
	otp, err := throttle.NewOTPThrottle("", store, clock())
	if err != nil {
		t.Fatal(err)
	}
	login, err := throttle.NewLoginThrottle("", store, clock())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		fail(t, otp, netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), "alice")
	}
	var te *core.ThrottledError
	if _, err := otp.Attempt(context.Background(), netip.MustParseAddr("198.51.100.1"), "alice"); !errors.As(err, &te) || te.Wait != 6*60 {
		t.Fatalf("11th wrong code in an hour: %v; want throttled for 6 minutes", err)
	}
	if _, err := otp.Attempt(context.Background(), netip.MustParseAddr("192.0.2.1"), "bob"); err != nil {
		t.Fatalf("bob's code from a busy address: %v", err)
	}
	if err := login.Check(context.Background(), netip.MustParseAddr("192.0.2.1"), "alice"); err != nil {
		t.Fatalf("the code count used up the login count: %v", err)
	}
}

// BenchmarkLoginAttempt is the login throttle's cost per login on the
// memory store: a failure (counted in both counts) and a success (counted,
// then taken back), beside Check (two peeks) as the baseline.
func BenchmarkLoginAttempt(b *testing.B) {
	lt, _ := throttle.NewLoginThrottle("1000000000/s", memory.NewThrottleStore(0))
	ctx := context.Background()
	ip := netip.MustParseAddr("192.0.2.1")
	b.Run("check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := lt.Check(ctx, ip, "alice"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("failure", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := lt.Attempt(ctx, ip, "alice"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("success", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a, err := lt.Attempt(ctx, ip, "alice")
			if err != nil {
				b.Fatal(err)
			}
			if err := a.Succeeded(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestResetThrottle: reset requests count per address and per e-mail
// address (case variants together), apart from the login counts of the
// same address and of a username that is that e-mail address.
func TestResetThrottle(t *testing.T) {
	store := memory.NewThrottleStore(0)
	reset, err := throttle.NewResetThrottle("", store, clock())
	if err != nil {
		t.Fatal(err)
	}
	login, err := throttle.NewLoginThrottle("", store, clock())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := throttle.NewResetThrottle("often", store); err == nil {
		t.Fatal("a malformed rate was accepted")
	}
	ip := netip.MustParseAddr("192.0.2.1")
	for i := range 10 {
		fail(t, reset, netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}), "alice@example.com")
	}
	var te *core.ThrottledError
	if _, err := reset.Attempt(context.Background(), ip, "Alice@Example.COM"); !errors.As(err, &te) || te.Wait != 6*60 {
		t.Fatalf("11th request for one address in an hour: %v; want throttled for 6 minutes", err)
	}
	for i := range 10 {
		fail(t, reset, ip, "user"+strconv.Itoa(i)+"@example.com")
	}
	if _, err := reset.Attempt(context.Background(), ip, "bob@example.com"); !errors.As(err, &te) {
		t.Fatalf("11th request from one client in an hour: %v; want throttled", err)
	}
	if err := login.Check(context.Background(), ip, "alice@example.com"); err != nil {
		t.Fatalf("the reset counts used up the login counts: %v", err)
	}
}

// TestThrottledEventAddress: the Throttled event of an anonymous client
// behind a trusted proxy carries the address the throttle counted (from
// X-Forwarded-For), not the proxy's.
func TestThrottledEventAddress(t *testing.T) {
	var got []events.Event
	var mu sync.Mutex
	d := events.New(events.SubscriberFunc(func(_ context.Context, e events.Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e)
		return nil
	}))
	th, err := throttle.AnonRateThrottle("1/min", memory.NewThrottleStore(0), clock(),
		throttle.WithTrustedProxies([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}), throttle.WithEvents(d))
	if err != nil {
		t.Fatal(err)
	}
	pc := request("10.0.0.1:1234", "203.0.113.7", nil)
	if err := check(t, th, pc); err != nil {
		t.Fatal(err)
	}
	if err := check(t, th, pc); err == nil {
		t.Fatal("the second request in a minute was not throttled")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("%d events; want one Throttled", len(got))
	}
	if e, ok := got[0].(*events.Throttled); !ok || e.RemoteAddr != "203.0.113.7" {
		t.Errorf("event %#v; want Throttled from 203.0.113.7", got[0])
	}
}
