package mfa_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/mfa"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/stores/memory"
)

// oneUser is a backend whose only user, "1", has the password "pw".
type oneUser struct{}

func (oneUser) Authenticate(_ context.Context, username, password string) (core.User, error) {
	if username == "alice" && password == "pw" {
		return &core.SimpleUser{ID: "1", Username: "alice", Active: true}, nil
	}
	return nil, nil
}

func (oneUser) GetUser(context.Context, string) (core.User, error) { return nil, nil }

func loginRequest() core.Request {
	return core.NewHTTPRequest(httptest.NewRequest("POST", "/api/token", nil))
}

// TestPasswordLoginSecondFactor: core.PasswordLogin with an
// MFAAuthentication as its second factor, for a user with MFA on.
func TestPasswordLoginSecondFactor(t *testing.T) {
	m, c := newMFA(t, mfa.NewMemoryStore())
	secret, recovery := enroll(t, m, c)
	c.add(30 * time.Second)
	login := core.PasswordLogin{Backend: oneUser{}, SecondFactor: m}
	for _, tc := range []struct {
		name, password, otp string
		want                error // nil: logged in
	}{
		{"no otp", "pw", "", core.ErrMFARequired},
		{"wrong password, right code", "nope", codeAt(t, secret, c.Now()), errNoUser},
		{"not a code", "pw", "12345", core.ErrInvalidOTP},
		{"the code confirm used", "pw", codeAt(t, secret, c.Now().Add(-30*time.Second)), core.ErrInvalidOTP},
		{"the current code", "pw", codeAt(t, secret, c.Now()), nil},
		{"the current code again", "pw", codeAt(t, secret, c.Now()), core.ErrInvalidOTP},
		{"a recovery code", "pw", recovery[0], nil},
		{"the recovery code again", "pw", recovery[0], core.ErrInvalidOTP},
	} {
		u, err := login.Authenticate(loginRequest(), "alice", tc.password, tc.otp)
		if err == nil && u == nil {
			err = errNoUser
		}
		if !errors.Is(err, tc.want) || (tc.want == nil && u.GetID() != "1") {
			t.Errorf("%s: %v, %v; want %v", tc.name, u, err, tc.want)
		}
	}
	// After Disable, the same login needs no code.
	if err := m.Disable(context.Background(), "1", recovery[1]); err != nil {
		t.Fatal(err)
	}
	if u, err := login.Authenticate(loginRequest(), "alice", "pw", ""); err != nil || u == nil {
		t.Fatalf("login after disabling: %v, %v", u, err)
	}
}

var errNoUser = errors.New("no user")

// FuzzLoginOTP: the otp field of a login comes from clients. Whatever it
// holds, core.PasswordLogin with MFA never panics, answers
// core.ErrInvalidOTP or core.ErrMFARequired for anything but the current
// code or an unused recovery code, and logs the user in at most once per
// code.
func FuzzLoginOTP(f *testing.F) {
	for _, s := range []string{"", " ", "123456", "abcd-efgh-ijkl-mnop", "ABCDEFGHIJKLMNOP", "0000000", "\x00", "１２３４５６"} {
		f.Add(s)
	}
	m, c := newMFA(f, mfa.NewMemoryStore())
	secret, recovery := enroll(f, m, c)
	c.add(30 * time.Second)
	current := codeAt(f, secret, c.Now())
	canonical := make([]string, len(recovery))
	for i, r := range recovery {
		_, canonical[i], _ = mfa.ParseOTP(r, 6)
	}
	login := core.PasswordLogin{Backend: oneUser{}, SecondFactor: m}
	f.Fuzz(func(t *testing.T, otp string) {
		u, err := login.Authenticate(loginRequest(), "alice", "pw", otp)
		if err != nil {
			if !errors.Is(err, core.ErrInvalidOTP) && !errors.Is(err, core.ErrMFARequired) {
				t.Fatalf("otp %q: %v", otp, err)
			}
			if errors.Is(err, core.ErrMFARequired) && otp != "" {
				t.Fatalf("otp %q: mfa_required for a sent otp", otp)
			}
			return
		}
		kind, v, perr := mfa.ParseOTP(otp, 6)
		switch {
		case u == nil || perr != nil:
			t.Fatalf("otp %q logged in as %v (parse error %v)", otp, u, perr)
		case kind == mfa.KindTOTP && v != current:
			t.Fatalf("otp %q accepted; the current code is %s", otp, current)
		case kind == mfa.KindRecovery && !slices.Contains(canonical, v):
			t.Fatalf("otp %q accepted as a recovery code", otp)
		}
	})
}

// TestPasswordLoginGuards: a right password without a code (mfa_required)
// uses up no budget; wrong codes count in the login guard and in the
// slower OTP guard; a right code takes both back.
func TestPasswordLoginGuards(t *testing.T) {
	m, c := newMFA(t, mfa.NewMemoryStore())
	secret, _ := enroll(t, m, c)
	c.add(30 * time.Second)
	store := memory.NewThrottleStore(0)
	guard, err := throttle.NewLoginThrottle("3/hour", store, throttle.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	otpGuard, err := throttle.NewOTPThrottle("2/hour", store, throttle.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	login := core.PasswordLogin{Backend: oneUser{}, SecondFactor: m, Guard: guard, OTPGuard: otpGuard}
	for range 10 {
		if _, err := login.Authenticate(loginRequest(), "alice", "pw", ""); !errors.Is(err, core.ErrMFARequired) {
			t.Fatalf("no otp: %v", err)
		}
	}
	if u, err := login.Authenticate(loginRequest(), "alice", "pw", codeAt(t, secret, c.Now())); err != nil || u == nil {
		t.Fatalf("after ten mfa_required answers the right code: %v, %v", u, err)
	}
	for i := range 2 {
		if _, err := login.Authenticate(loginRequest(), "alice", "pw", "12345"); !errors.Is(err, core.ErrInvalidOTP) {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	var te *core.ThrottledError
	c.add(30 * time.Second)
	if _, err := login.Authenticate(loginRequest(), "alice", "pw", codeAt(t, secret, c.Now())); !errors.As(err, &te) || te.Wait < 29*60 {
		t.Fatalf("a code after 2 wrong ones at 2/hour: %v; want throttled for about half an hour", err)
	}
	// The login guard took back the password attempt the OTP guard
	// refused: two failures counted of three, so the password is still
	// checked, twice.
	for range 2 {
		if _, err := login.Authenticate(loginRequest(), "alice", "pw", ""); !errors.Is(err, core.ErrMFARequired) {
			t.Fatalf("the password alone after the OTP guard refused: %v", err)
		}
	}
}

// TestGuards: core.Guards counts an attempt in every guard, takes it back
// from the ones that counted when another refuses, and from all on
// success.
func TestGuards(t *testing.T) {
	store := memory.NewThrottleStore(0)
	now := func() time.Time { return start }
	a, _ := throttle.NewLoginThrottle("1/min", store, throttle.WithClock(now))
	b, _ := throttle.NewOTPThrottle("2/min", store, throttle.WithClock(now))
	g := core.Guards(a, nil, b)
	at, err := g.Begin(loginRequest(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := at.Succeeded(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Begin(loginRequest(), "alice"); err != nil { // counted, a failure
		t.Fatalf("first failure: %v", err)
	}
	var te *core.ThrottledError
	if _, err := g.Begin(loginRequest(), "alice"); !errors.As(err, &te) {
		t.Fatalf("second attempt at 1/min: %v; want throttled", err)
	}
	// b counted once (the failure); the refused attempt was taken back
	// from it, so it still has one.
	if _, err := b.Begin(loginRequest(), "alice"); err != nil {
		t.Fatalf("b after a's refusal: %v; want its count taken back", err)
	}
}

// post serves ep a POST with body as alice (user "1"), authenticated.
func post(t *testing.T, ep core.Endpoint, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/mfa", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req = req.WithContext(core.WithIdentity(req.Context(), &core.Identity{User: &core.SimpleUser{ID: "1", Username: "alice", Active: true}, Method: "jwt"}))
	rec := httptest.NewRecorder()
	if err := ep.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
		if werr := core.WriteError(core.NewHTTPResponse(rec), err, ""); werr != nil {
			t.Fatal(werr)
		}
	}
	return rec
}

// TestRecoveryCodesNeedACode: new recovery codes are a way to turn MFA
// off, so once the enrollment is no longer fresh they need a current code
// (a stolen session alone cannot get them), and wrong codes count.
func TestRecoveryCodesNeedACode(t *testing.T) {
	m, c := newMFA(t, mfa.NewMemoryStore())
	secret, recovery := enroll(t, m, c)
	guard, _ := throttle.NewOTPThrottle("2/hour", memory.NewThrottleStore(0), throttle.WithClock(c.Now))
	ep := &mfa.RecoveryCodesEndpoint{MFA: m, Guard: guard}
	if rec := post(t, ep, ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"codes":[`) {
		t.Fatalf("right after enrolling: %d %s", rec.Code, rec.Body)
	}
	c.add(mfa.DefaultFreshEnrollment + time.Minute)
	for _, tc := range []struct {
		body string
		code int
		want string
	}{
		{"", 400, `{"code":["This field is required."]}`},
		{`{"code":"12345"}`, 400, `{"code":["The code is wrong, expired or already used."]}`},
		{`{"code":"` + recovery[0] + `"}`, 400, `{"code":["The code is wrong, expired or already used."]}`}, // replaced by the first call
		{`{"code":"` + codeAt(t, secret, c.Now()) + `"}`, 429, ""},                                          // two wrong codes at 2/hour
	} {
		rec := post(t, ep, tc.body)
		if rec.Code != tc.code || (tc.want != "" && strings.TrimSpace(rec.Body.String()) != tc.want) {
			t.Errorf("body %s: %d %s; want %d %s", tc.body, rec.Code, rec.Body, tc.code, tc.want)
		}
	}
	ep.Guard = nil
	if rec := post(t, ep, `{"code":"`+codeAt(t, secret, c.Now())+`"}`); rec.Code != 200 {
		t.Fatalf("with the current code: %d %s", rec.Code, rec.Body)
	}
}

// TestCodeEndpointsCounted: wrong codes on confirm and disable count
// against the guard like wrong codes at login.
func TestCodeEndpointsCounted(t *testing.T) {
	m, c := newMFA(t, mfa.NewMemoryStore())
	guard, _ := throttle.NewOTPThrottle("2/hour", memory.NewThrottleStore(0), throttle.WithClock(c.Now))
	if rec := post(t, &mfa.EnrollEndpoint{MFA: m}, ""); rec.Code != 200 {
		t.Fatalf("enroll: %d %s", rec.Code, rec.Body)
	}
	confirm := &mfa.ConfirmEndpoint{MFA: m, Guard: guard}
	for range 2 {
		if rec := post(t, confirm, `{"code":"12345"}`); rec.Code != 400 {
			t.Fatalf("wrong confirm code: %d %s", rec.Code, rec.Body)
		}
	}
	if rec := post(t, confirm, `{"code":"123456"}`); rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("third confirm code at 2/hour: %d %s", rec.Code, rec.Body)
	}
	disable := &mfa.DisableEndpoint{MFA: m, Guard: guard}
	if rec := post(t, disable, `{"code":"123456"}`); rec.Code != 429 {
		t.Fatalf("disable after two wrong codes: %d %s", rec.Code, rec.Body)
	}
}
