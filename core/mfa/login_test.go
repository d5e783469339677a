package mfa_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/mfa"
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
