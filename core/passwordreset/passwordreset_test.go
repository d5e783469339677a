package passwordreset_test

import (
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/passwordreset"
)

var epoch2001 = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// at is the instant Django's _num_seconds reads as ts (with TIME_ZONE loc).
func at(ts int64, loc *time.Location) time.Time {
	return time.Date(2001, 1, 1, 0, 0, int(ts), 0, loc)
}

func newGenerator(t testing.TB, secret string) *passwordreset.Generator {
	t.Helper()
	g, err := passwordreset.New([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// alice is the user row of the vectors below.
func alice() *core.DefaultUser {
	ll := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	return &core.DefaultUser{ID: 42, Username: "alice", Password: "pbkdf2_sha256$260000$salt$hash=",
		Email: "alice@example.com", LastLogin: &ll, Active: true}
}

// TestVectors: the tokens Django 3.2.25's default_token_generator makes
// with SECRET_KEY "reset-secret" (_make_token_with_timestamp).
func TestVectors(t *testing.T) {
	g := newGenerator(t, "reset-secret")
	const ts = 700000000
	g.Now = func() time.Time { return at(ts, time.UTC) }
	for _, c := range []struct {
		name   string
		user   passwordreset.User
		legacy bool
		want   string
	}{
		{"sha256", alice(), false, "bkrfgg-4737cb189a8634d9bd831bbc142b9020"},
		{"legacy sha1", alice(), true, "bkrfgg-2af27c0daddd53d6864b"},
	} {
		if got := g.MakeTokenAt(c.user, ts, c.legacy); got != c.want {
			t.Errorf("%s: token %s, want %s", c.name, got, c.want)
		}
		if !g.CheckToken(c.user, c.want) {
			t.Errorf("%s: CheckToken(%s) = false", c.name, c.want)
		}
	}
	if got := g.MakeToken(alice()); got != "bkrfgg-4737cb189a8634d9bd831bbc142b9020" {
		t.Errorf("MakeToken = %s", got)
	}
	// Never logged in, no e-mail: Django's "7!unusable12345".
	bob := &core.DefaultUser{ID: 7, Username: "bob", Password: "!unusable"}
	if got := g.MakeTokenAt(bob, 12345, false); got != "9ix-ab811ec876087f7536b6052c49247bd9" {
		t.Errorf("bob: %s", got)
	}
}

type noEmailUser struct{ id, pw string }

func (u noEmailUser) GetID() string           { return u.id }
func (u noEmailUser) PasswordHash() string    { return u.pw }
func (u noEmailUser) GetLastLogin() time.Time { return time.Time{} }

func TestUserWithoutEmail(t *testing.T) {
	g := newGenerator(t, "reset-secret")
	g.Now = func() time.Time { return at(12345, time.UTC) }
	// The same token as a DefaultUser with an empty address: Django's ''.
	want := g.MakeToken(&core.DefaultUser{ID: 7, Password: "!unusable"})
	if got := g.MakeToken(noEmailUser{"7", "!unusable"}); got != want {
		t.Fatalf("token %s, want %s", got, want)
	}
}

// TestTokenDies: a token stops working when what Django hashes changes —
// the password, the last login, the e-mail, the pk — after the timeout,
// under another secret or key salt, and SHA-1 tokens when LegacySHA1 is
// off. Fallback secrets keep tokens alive across a key rotation.
func TestTokenDies(t *testing.T) {
	g := newGenerator(t, "reset-secret")
	now := at(800000000, time.UTC)
	g.Now = func() time.Time { return now }
	u := alice()
	tok := g.MakeToken(u)
	if !g.CheckToken(u, tok) {
		t.Fatal("fresh token refused")
	}
	changes := map[string]func(*core.DefaultUser){
		"password":   func(u *core.DefaultUser) { u.Password += "x" },
		"last login": func(u *core.DefaultUser) { ll := u.LastLogin.Add(time.Second); u.LastLogin = &ll },
		"first login": func(u *core.DefaultUser) {
			u.LastLogin = nil
		},
		"email": func(u *core.DefaultUser) { u.Email = "ALICE@example.com" },
		"pk":    func(u *core.DefaultUser) { u.ID = 43 },
	}
	for name, change := range changes {
		v := alice()
		change(v)
		if g.CheckToken(v, tok) {
			t.Errorf("token survives a change of %s", name)
		}
	}
	// Microseconds of the last login are not hashed (Django truncates them).
	v := alice()
	ll := v.LastLogin.Add(500 * time.Microsecond)
	v.LastLogin = &ll
	if !g.CheckToken(v, tok) {
		t.Error("token dies with the microseconds of the last login")
	}
	// Timeout: valid for exactly 259200 s, not one more.
	for _, c := range []struct {
		after time.Duration
		ok    bool
	}{{0, true}, {259200 * time.Second, true}, {259201 * time.Second, false}, {-time.Hour, true}} {
		g.Now = func() time.Time { return now.Add(c.after) }
		if got := g.CheckToken(u, tok); got != c.ok {
			t.Errorf("%s after: CheckToken = %v, want %v", c.after, got, c.ok)
		}
	}
	g.Now = func() time.Time { return now }
	g.Timeout = time.Hour
	g.Now = func() time.Time { return now.Add(time.Hour + time.Second) }
	if g.CheckToken(u, tok) {
		t.Error("Timeout not applied")
	}
	g.Timeout, g.Now = 0, func() time.Time { return now }

	other := newGenerator(t, "another-secret")
	other.Now = g.Now
	if other.CheckToken(u, tok) {
		t.Error("token checks under another secret")
	}
	other.Fallbacks = [][]byte{[]byte("reset-secret")}
	if !other.CheckToken(u, tok) {
		t.Error("token of a fallback secret refused")
	}
	if other.MakeToken(u) == tok {
		t.Error("a fallback secret made a token")
	}
	salted := newGenerator(t, "reset-secret")
	salted.Now, salted.KeySalt = g.Now, "myapp.tokens.ActivationTokenGenerator"
	if salted.CheckToken(u, tok) {
		t.Error("token checks under another key salt")
	}
	legacy := g.MakeTokenAt(u, 800000000, true)
	if !g.CheckToken(u, legacy) {
		t.Error("SHA-1 token refused (Django 3.2 accepts it)")
	}
	g.LegacySHA1 = false
	if g.CheckToken(u, legacy) {
		t.Error("SHA-1 token accepted with LegacySHA1 off")
	}
}

// TestLegacyDayToken: a token of Django before 3.1 counts days since 2001
// (fewer than 4 base-36 digits); Django 3.2 reads it as that day at the
// current time of day, so it lasts until the timeout from then.
func TestLegacyDayToken(t *testing.T) {
	g := newGenerator(t, "reset-secret")
	u := alice()
	const day = 9000 // 2025-08-22
	tok := g.MakeTokenAt(u, day, true)
	if len(strings.Split(tok, "-")[0]) >= 4 {
		t.Fatalf("not a day token: %s", tok)
	}
	for _, c := range []struct {
		daysLater int
		ok        bool
	}{{0, true}, {3, true}, {4, false}} {
		g.Now = func() time.Time { return at(int64(day+c.daysLater)*86400+5*3600, time.UTC) }
		if got := g.CheckToken(u, tok); got != c.ok {
			t.Errorf("%d days later: %v, want %v", c.daysLater, got, c.ok)
		}
	}
}

func TestCheckTokenMalformed(t *testing.T) {
	g := newGenerator(t, "reset-secret")
	const ts = 700000000
	g.Now = func() time.Time { return at(ts, time.UTC) }
	u := alice()
	good := g.MakeToken(u)
	_, hash, _ := strings.Cut(good, "-")
	for _, bad := range []string{
		"", "-", good + "-", "-" + good, good + "0", good[:len(good)-1], strings.ToUpper(good),
		"0" + good, "+" + good, " " + good, "BKRFGG-" + hash, "bkr_fgg-" + hash, "bkrfgh-" + hash,
		"zzzzzzzzzzzzzz-" + hash, "zzzzzzzzzzzzz-" + hash, "1y2p0ij32e8e8-" + hash, "-1-" + hash,
		"bkrfgg", "bkrfgg-", "bkrfgg-" + strings.Repeat("0", 32),
	} {
		if g.CheckToken(u, bad) {
			t.Errorf("CheckToken(%q) = true", bad)
		}
	}
	if g.CheckToken(nil, good) {
		t.Error("nil user")
	}
	if _, err := passwordreset.New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
	// A Generator not made by New has no secret: it makes no token and
	// checks none, rather than an HMAC under an empty key.
	var zero passwordreset.Generator
	zero.Now = g.Now
	if tok := zero.MakeToken(u); tok != "" || zero.CheckToken(u, zero.MakeTokenAt(u, ts, false)) {
		t.Errorf("zero Generator made %q or checked an empty-key token", tok)
	}
}

func TestTimeZone(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	utc := newGenerator(t, "reset-secret")
	local := newGenerator(t, "reset-secret")
	local.TimeZone = chicago
	instant := time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC) // 07:00 in Chicago (CDT)
	utc.Now = func() time.Time { return instant }
	local.Now = utc.Now
	a, b := strings.Split(utc.MakeToken(alice()), "-")[0], strings.Split(local.MakeToken(alice()), "-")[0]
	if a == b {
		t.Fatalf("TIME_ZONE ignored: %s", a)
	}
	u := alice()
	if got := local.MakeToken(u); got != local.MakeTokenAt(u, int64(time.Date(2024, 7, 1, 7, 0, 0, 0, time.UTC).Sub(epoch2001)/time.Second), false) {
		t.Fatalf("timestamp not on Chicago's wall clock: %s", got)
	}
}

func TestUID(t *testing.T) {
	// Django's urlsafe_base64_encode(force_bytes(pk)).
	for pk, want := range map[string]string{"42": "NDI", "ü-123": "w7wtMTIz", "1": "MQ", "123": "MTIz"} {
		if got := passwordreset.EncodeUID(pk); got != want {
			t.Errorf("EncodeUID(%q) = %s, want %s", pk, got, want)
		}
		if got, err := passwordreset.DecodeUID(want); err != nil || got != pk {
			t.Errorf("DecodeUID(%s) = %q, %v", want, got, err)
		}
	}
	for _, bad := range []string{"", "NDI=", "N DI", "ND+", "ND/", "N\nDI", "M", "_w", "MR", strings.Repeat("A", passwordreset.MaxUIDLength+4)} {
		if got, err := passwordreset.DecodeUID(bad); err == nil {
			t.Errorf("DecodeUID(%q) = %q, want ErrBadUID", bad, got)
		}
	}
}
