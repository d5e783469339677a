package passwordreset_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/passwordreset"
	"github.com/reinhardt-go/auth/internal/djangotest"
)

// djangoTokens runs Django 3.2's default_token_generator on user rows of
// Django's auth_user (an unsaved User with pk, password hash, last_login
// and email: exactly what the generator reads). Each call may name its own
// secret (Django 3.2 has no SECRET_KEY_FALLBACKS: the generator's secret
// attribute is set instead). The settings come from the environment:
// DJ_TIME_ZONE and DJ_USE_TZ.
const djangoTokens = `
import json, os, sys
from datetime import datetime, timezone
from django.conf import settings
settings.configure(SECRET_KEY="unused", USE_TZ=os.environ["DJ_USE_TZ"] == "1",
                   TIME_ZONE=os.environ["DJ_TIME_ZONE"],
                   INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"])
import django
django.setup()
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

def user(u):
    ll = u["last_login"]
    if ll is not None:
        ll = datetime.fromisoformat(ll)
        if settings.USE_TZ:
            ll = ll.astimezone(timezone.utc)  # as Django reads it from the database
    return User(pk=u["pk"], username="u%d" % u["pk"], password=u["password"], email=u["email"], last_login=ll)

def call(c):
    g = PasswordResetTokenGenerator()
    g.secret = c["secret"]
    op = c["op"]
    if op == "make":
        return {"token": g.make_token(user(c["user"])), "ts": g._num_seconds(g._now())}
    if op == "make_at":
        return g._make_token_with_timestamp(user(c["user"]), c["ts"], legacy=c.get("legacy", False))
    if op == "check":
        return g.check_token(user(c["user"]), c["token"])
    if op == "uid":
        pk = c["user"]["pk"]
        uid = urlsafe_base64_encode(force_bytes(pk))
        return {"uid": uid, "back": urlsafe_base64_decode(uid).decode()}
    raise ValueError(op)

json.dump([call(c) for c in json.load(sys.stdin)], sys.stdout)
`

type djangoUser struct {
	PK        int64   `json:"pk"`
	Password  string  `json:"password"`
	LastLogin *string `json:"last_login"`
	Email     string  `json:"email"`
}

type tokenCall struct {
	Op     string     `json:"op"`
	Secret string     `json:"secret"`
	User   djangoUser `json:"user"`
	TS     int64      `json:"ts,omitempty"`
	Legacy bool       `json:"legacy,omitempty"`
	Token  string     `json:"token,omitempty"`
}

// row is a user as Django and Go each hold it: Django's row shape and the
// same user as a core.DefaultUser.
type row struct {
	dj djangoUser
	gu *core.DefaultUser
}

func newRow(pk int64, password, email string, lastLogin *time.Time, naive bool) row {
	r := row{
		dj: djangoUser{PK: pk, Password: password, Email: email},
		gu: &core.DefaultUser{ID: pk, Username: "u", Password: password, Email: email, LastLogin: lastLogin},
	}
	if lastLogin != nil {
		layout := "2006-01-02T15:04:05.999999-07:00"
		if naive {
			layout = "2006-01-02T15:04:05.999999"
		}
		s := lastLogin.Format(layout)
		r.dj.LastLogin = &s
	}
	return r
}

func runTokens(t *testing.T, calls []tokenCall, env ...string) []any {
	t.Helper()
	var out []any
	djangotest.Run(t, djangoTokens, calls, &out, append([]string{"DJ_USE_TZ=1", "DJ_TIME_ZONE=UTC"}, env...)...)
	if len(out) != len(calls) {
		t.Fatalf("Django answered %d of %d calls", len(out), len(calls))
	}
	return out
}

func rows() []row {
	ll := time.Date(2025, 11, 30, 23, 59, 58, 987654000, time.UTC)
	paris := time.FixedZone("CET", 3600)
	ll2 := time.Date(2026, 1, 2, 3, 4, 5, 0, paris) // 02:04:05 UTC
	return []row{
		newRow(1, "pbkdf2_sha256$260000$Zs3cQFxfOSBVuQzmzn4wDx$vbzXqqbNRGyJnqsC0uQfh2ttxZ2ByICmIIeUMY1ZxMU=", "alice@example.com", &ll, false),
		newRow(2, "argon2$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$AAAA", "", nil, false),
		newRow(987654321, "!unusableXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "Ünïcode@exämple.com", &ll2, false),
	}
}

// TestDjangoTokensCheckHere: tokens Django's default_token_generator makes
// (now, SHA-256; SHA-1 as Django before 3.1; an expired one) check here,
// and stop checking when the password or the last login changes.
func TestDjangoTokensCheckHere(t *testing.T) {
	const secret = "django-secret-key-for-password-reset-tokens"
	var calls []tokenCall
	now := time.Now()
	nowTS := int64(now.UTC().Sub(epoch2001) / time.Second)
	for _, r := range rows() {
		calls = append(calls,
			tokenCall{Op: "make", Secret: secret, User: r.dj},
			tokenCall{Op: "make_at", Secret: secret, User: r.dj, TS: nowTS - 3600, Legacy: true},
			tokenCall{Op: "make_at", Secret: secret, User: r.dj, TS: nowTS - 259200 - 60},
			tokenCall{Op: "uid", User: r.dj, Secret: secret})
	}
	out := runTokens(t, calls)
	g := newGenerator(t, secret)
	for i, r := range rows() {
		made := out[4*i].(map[string]any)
		tok, legacy, expired := made["token"].(string), out[4*i+1].(string), out[4*i+2].(string)
		if !g.CheckToken(r.gu, tok) {
			t.Errorf("user %d: Django's token %s refused", r.dj.PK, tok)
		}
		// Byte for byte: the token made here at Django's second is Django's.
		at := newGenerator(t, secret)
		ts := int64(made["ts"].(float64))
		at.Now = func() time.Time { return epoch2001.Add(time.Duration(ts) * time.Second) }
		if got := at.MakeToken(r.gu); got != tok {
			t.Errorf("user %d: made %s here, Django %s", r.dj.PK, got, tok)
		}
		if !g.CheckToken(r.gu, legacy) {
			t.Errorf("user %d: Django's SHA-1 token %s refused", r.dj.PK, legacy)
		}
		if g.CheckToken(r.gu, expired) {
			t.Errorf("user %d: Django's expired token %s accepted", r.dj.PK, expired)
		}
		changed := *r.gu
		changed.Password += "changed"
		if g.CheckToken(&changed, tok) {
			t.Errorf("user %d: token survives a password change", r.dj.PK)
		}
		changed = *r.gu
		later := now.Add(time.Minute)
		changed.LastLogin = &later
		if g.CheckToken(&changed, tok) {
			t.Errorf("user %d: token survives a login", r.dj.PK)
		}
		uid := out[4*i+3].(map[string]any)
		if got := passwordreset.EncodeUID(r.gu.GetID()); got != uid["uid"] {
			t.Errorf("uid %s, Django %s", got, uid["uid"])
		}
		if pk, err := passwordreset.DecodeUID(uid["uid"].(string)); err != nil || pk != r.gu.GetID() {
			t.Errorf("DecodeUID(%s) = %q, %v", uid["uid"], pk, err)
		}
	}
}

// TestTokensCheckInDjango: tokens made here pass Django's check_token, SHA-1
// ones too; Django refuses them after a password change, a login, an
// e-mail change or the timeout.
func TestTokensCheckInDjango(t *testing.T) {
	const secret = "go-secret-key-for-password-reset-tokens"
	g := newGenerator(t, secret)
	type want struct {
		call tokenCall
		ok   bool
		what string
	}
	var cases []want
	for _, r := range rows() {
		tok := g.MakeToken(r.gu)
		nowTS := int64(time.Now().UTC().Sub(epoch2001) / time.Second)
		changedPW, later, otherEmail := r.dj, r.dj, r.dj
		changedPW.Password += "changed"
		s := "2026-06-01T00:00:00+00:00"
		later.LastLogin = &s
		otherEmail.Email = "other@example.com"
		cases = append(cases,
			want{tokenCall{Op: "check", Secret: secret, User: r.dj, Token: tok}, true, "ours"},
			want{tokenCall{Op: "check", Secret: secret, User: r.dj, Token: g.MakeTokenAt(r.gu, nowTS-7200, true)}, true, "ours, SHA-1"},
			want{tokenCall{Op: "check", Secret: secret, User: changedPW, Token: tok}, false, "after a password change"},
			want{tokenCall{Op: "check", Secret: secret, User: later, Token: tok}, false, "after a login"},
			want{tokenCall{Op: "check", Secret: secret, User: otherEmail, Token: tok}, false, "after an e-mail change"},
			want{tokenCall{Op: "check", Secret: secret, User: r.dj, Token: g.MakeTokenAt(r.gu, nowTS-259200-60, false)}, false, "expired"},
			want{tokenCall{Op: "check", Secret: "another secret", User: r.dj, Token: tok}, false, "another secret"})
	}
	calls := make([]tokenCall, len(cases))
	for i, c := range cases {
		calls[i] = c.call
	}
	for i, got := range runTokens(t, calls) {
		if got != cases[i].ok {
			t.Errorf("user %d, %s: Django check_token = %v, want %v", cases[i].call.User.PK, cases[i].what, got, cases[i].ok)
		}
	}
}

// TestFallbackSecretsDjango: after a key rotation (the new secret first,
// the old one a fallback, Django's SECRET_KEY_FALLBACKS), a token Django
// made with the old secret still checks here; ours is Django's under the
// new secret and not under the old.
func TestFallbackSecretsDjango(t *testing.T) {
	const oldSecret, newSecret = "old-secret-key-before-the-rotation", "new-secret-key-after-the-rotation"
	r := rows()[0]
	g := newGenerator(t, newSecret)
	g.Fallbacks = [][]byte{[]byte(oldSecret)}
	ours := g.MakeToken(r.gu)
	out := runTokens(t, []tokenCall{
		{Op: "make", Secret: oldSecret, User: r.dj},
		{Op: "check", Secret: newSecret, User: r.dj, Token: ours},
		{Op: "check", Secret: oldSecret, User: r.dj, Token: ours},
	})
	theirs := out[0].(map[string]any)["token"].(string)
	if !g.CheckToken(r.gu, theirs) {
		t.Errorf("Django's token of the old secret refused with it as a fallback")
	}
	if newGenerator(t, newSecret).CheckToken(r.gu, theirs) {
		t.Errorf("Django's token of the old secret accepted without the fallback")
	}
	if out[1] != true || out[2] != false {
		t.Errorf("Django on ours: new secret %v, old secret %v", out[1], out[2])
	}
}

// TestTimeZoneDjango: Django counts the timestamp on the wall clock of
// TIME_ZONE and, with USE_TZ = False, writes the last login in it too;
// with TimeZone and NaiveDatetimes set alike the tokens are Django's byte
// for byte.
func TestTimeZoneDjango(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		if djangotest.Required() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	if _, err := os.Stat("/usr/share/zoneinfo/America/Chicago"); err != nil {
		t.Skip("Python needs the system time zone database:", err)
	}
	const secret = "django-secret-key-for-password-reset-tokens"
	for _, naive := range []bool{false, true} {
		ll := time.Date(2026, 3, 8, 1, 30, 0, 0, chicago) // the night CDT starts
		r := newRow(5, "md5$salt$0123456789abcdef0123456789abcdef", "tz@example.com", &ll, naive)
		useTZ := "1"
		if naive {
			useTZ = "0"
		}
		out := runTokens(t, []tokenCall{{Op: "make", Secret: secret, User: r.dj}},
			"TZ=America/Chicago", "DJ_TIME_ZONE=America/Chicago", "DJ_USE_TZ="+useTZ)
		made := out[0].(map[string]any)
		tok, ts := made["token"].(string), int64(made["ts"].(float64))

		g := newGenerator(t, secret)
		g.TimeZone, g.NaiveDatetimes = chicago, naive
		// Our clock reads Chicago's wall clock as Django's does.
		if d := g.MakeToken(r.gu); !near(t, strings.Split(d, "-")[0], ts) {
			t.Errorf("naive=%v: our timestamp %s is not Django's %d", naive, d, ts)
		}
		g.Now = func() time.Time { return at(ts, chicago) }
		if got := g.MakeToken(r.gu); got != tok {
			t.Errorf("naive=%v: made %s here, Django %s", naive, got, tok)
		}
		if !g.CheckToken(r.gu, tok) {
			t.Errorf("naive=%v: Django's token refused", naive)
		}
	}
}

// near reports whether the base-36 timestamp b36 is within 5 s of ts.
func near(t *testing.T, b36 string, ts int64) bool {
	t.Helper()
	var n int64
	for _, c := range b36 {
		d := strings.IndexRune("0123456789abcdefghijklmnopqrstuvwxyz", c)
		n = n*36 + int64(d)
	}
	return n-ts <= 5 && ts-n <= 5
}
