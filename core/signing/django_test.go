package signing_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/signing"
	"github.com/reinhardt-go/auth/internal/djangotest"
)

// djangoSigning runs Django 3.2's django.core.signing on a list of calls
// and answers, for each, {"ok": result} or {"err": exception class name}.
// Django 3.2 has no SECRET_KEY_FALLBACKS: every call passes its key.
const djangoSigning = `
import json, sys
from django.conf import settings
settings.configure(SECRET_KEY="unused-the-calls-pass-their-key")
from django.core import signing

def call(c):
    k = c["kind"]
    if k == "sign":
        return signing.Signer(c["key"], salt=c.get("salt"), sep=c.get("sep", ":"), algorithm=c.get("alg")).sign(c["value"])
    if k == "unsign":
        return signing.Signer(c["key"], salt=c.get("salt"), sep=c.get("sep", ":"), algorithm=c.get("alg")).unsign(c["value"])
    if k == "tsign":
        return signing.TimestampSigner(c["key"], salt=c.get("salt"), algorithm=c.get("alg")).sign(c["value"])
    if k == "tunsign":
        return signing.TimestampSigner(c["key"], salt=c.get("salt"), algorithm=c.get("alg")).unsign(c["value"], max_age=c.get("max_age"))
    if k == "dumps":
        return signing.dumps(c["value"], key=c["key"], compress=c.get("compress", False), salt=c.get("salt", "django.core.signing"))
    if k == "loads":
        return signing.loads(c["value"], key=c["key"], max_age=c.get("max_age"), salt=c.get("salt", "django.core.signing"))
    raise ValueError(k)

out = []
for c in json.load(sys.stdin):
    try:
        out.append({"ok": call(c)})
    except signing.BadSignature as e:
        out.append({"err": type(e).__name__})
json.dump(out, sys.stdout)
`

type djangoCall struct {
	Kind     string   `json:"kind"`
	Key      string   `json:"key"`
	Value    any      `json:"value"`
	Salt     string   `json:"salt,omitempty"`
	Sep      string   `json:"sep,omitempty"`
	Alg      string   `json:"alg,omitempty"`
	Compress bool     `json:"compress,omitempty"`
	MaxAge   *float64 `json:"max_age,omitempty"`
}

type djangoResult struct {
	OK  any    `json:"ok"`
	Err string `json:"err"`
}

func runDjango(t *testing.T, calls []djangoCall) []djangoResult {
	t.Helper()
	var out []djangoResult
	djangotest.Run(t, djangoSigning, calls, &out)
	if len(out) != len(calls) {
		t.Fatalf("Django answered %d of %d calls", len(out), len(calls))
	}
	return out
}

// djangoValues are the objects signed both ways: what sessions and reset
// links carry, non-ASCII and HTML-special text, and large repetitive data
// that compresses.
var djangoValues = []any{
	"hello",
	map[string]any{"_auth_user_id": "42", "_auth_user_backend": "django.contrib.auth.backends.ModelBackend", "n": float64(3)},
	map[string]any{"text": "ünïcødé 😀 <script>&amp;", "list": []any{float64(1), nil, true, false, "x"}},
	map[string]any{"big": strings.Repeat("compress me ", 200)},
	[]any{},
}

// TestDjangoSignsGoLoads: what Django 3.2 signs — plain, timestamped,
// dumps with and without compression, legacy SHA-1, with another salt
// and separator — verifies and loads here; tampered values do not.
func TestDjangoSignsGoLoads(t *testing.T) {
	const k = "django-secret-key-for-the-interop-test"
	var calls []djangoCall
	for _, v := range djangoValues {
		calls = append(calls,
			djangoCall{Kind: "dumps", Key: k, Value: v},
			djangoCall{Kind: "dumps", Key: k, Value: v, Compress: true},
			djangoCall{Kind: "dumps", Key: k, Value: v, Compress: true, Salt: "django.contrib.sessions.SessionStore"})
	}
	calls = append(calls,
		djangoCall{Kind: "sign", Key: k, Value: "plain ü value"},
		djangoCall{Kind: "sign", Key: k, Value: "sha1 value", Alg: "sha1"},
		djangoCall{Kind: "sign", Key: k, Value: "salted", Salt: "my.salt", Sep: "/"},
		djangoCall{Kind: "tsign", Key: k, Value: "timestamped"},
		djangoCall{Kind: "tsign", Key: k, Value: "timestamped sha1", Alg: "sha1"})
	res := runDjango(t, calls)

	for i, v := range djangoValues {
		for j, opts := range [][]signing.Option{nil, nil, {signing.WithSalt("django.contrib.sessions.SessionStore")}} {
			r := res[3*i+j]
			s := r.OK.(string)
			if j > 0 && i == 3 && !strings.HasPrefix(s, ".") {
				t.Errorf("Django did not compress %v", s)
			}
			var got any
			if err := signing.Loads([]byte(k), s, &got, time.Minute, opts...); err != nil {
				t.Errorf("Loads(%s) = %v", s, err)
				continue
			}
			if fmt.Sprint(got) != fmt.Sprint(v) {
				t.Errorf("Loads(%s) = %v, want %v", s, got, v)
			}
			if err := signing.Loads([]byte("another key"), s, &got, 0, opts...); !errors.Is(err, signing.ErrBadSignature) {
				t.Errorf("another key loads Django's %s: %v", s, err)
			}
			if err := signing.Loads([]byte(k), tamper(s), &got, 0, opts...); !errors.Is(err, signing.ErrBadSignature) {
				t.Errorf("tampered %s loads: %v", s, err)
			}
		}
	}
	n := 3 * len(djangoValues)
	for _, c := range []struct {
		signed string
		want   string
		opts   []signing.Option
	}{
		{res[n].OK.(string), "plain ü value", nil},
		{res[n+1].OK.(string), "sha1 value", nil},
		{res[n+2].OK.(string), "salted", []signing.Option{signing.WithSalt("my.salt"), signing.WithSeparator("/")}},
	} {
		s := mustSigner(t, []byte(k), c.opts...)
		if v, err := s.Unsign(c.signed); err != nil || v != c.want {
			t.Errorf("Unsign(%s) = %q, %v", c.signed, v, err)
		}
	}
	if _, err := mustSigner(t, []byte(k), signing.WithoutLegacySHA1()).Unsign(res[n+1].OK.(string)); err == nil {
		t.Error("WithoutLegacySHA1 accepted Django's SHA-1 signature")
	}
	ts, err := signing.NewTimestampSigner([]byte(k))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"timestamped", "timestamped sha1"} {
		if v, err := ts.Unsign(res[n+3+i].OK.(string), time.Minute); err != nil || v != want {
			t.Errorf("TimestampSigner.Unsign(%s) = %q, %v", res[n+3+i].OK, v, err)
		}
	}
}

// TestGoSignsDjangoLoads: what this package signs, Django 3.2 verifies
// and loads to the same value, and refuses when tampered, with another
// key or when older than max_age.
func TestGoSignsDjangoLoads(t *testing.T) {
	const k = "go-secret-key-for-the-interop-test"
	var calls []djangoCall
	var want []any
	for _, v := range djangoValues {
		for _, compress := range []bool{false, true} {
			s, err := signing.Dumps([]byte(k), v, compress)
			if err != nil {
				t.Fatal(err)
			}
			calls = append(calls, djangoCall{Kind: "loads", Key: k, Value: s})
			want = append(want, v)
			calls = append(calls, djangoCall{Kind: "loads", Key: k, Value: tamper(s)})
			want = append(want, "BadSignature")
		}
	}
	plain := mustSigner(t, []byte(k)).Sign("plain ü value")
	sha1 := mustSigner(t, []byte(k), signing.WithAlgorithm(signing.SHA1)).Sign("sha1 value")
	salted := mustSigner(t, []byte(k), signing.WithSalt("my.salt"), signing.WithSeparator("/")).Sign("salted")
	ts, _ := signing.NewTimestampSigner([]byte(k))
	ts.SetNow(func() int64 { return time.Now().Unix() - 3600 }) // signed an hour ago
	old := ts.Sign("old")
	hour, minute := 3700.0, 60.0
	calls = append(calls,
		djangoCall{Kind: "unsign", Key: k, Value: plain},
		djangoCall{Kind: "unsign", Key: k, Value: sha1},
		djangoCall{Kind: "unsign", Key: k, Value: salted, Salt: "my.salt", Sep: "/"},
		djangoCall{Kind: "unsign", Key: "another key", Value: plain},
		djangoCall{Kind: "tunsign", Key: k, Value: old, MaxAge: &hour},
		djangoCall{Kind: "tunsign", Key: k, Value: old, MaxAge: &minute})
	want = append(want, "plain ü value", "sha1 value", "salted", "BadSignature", "old", "SignatureExpired")
	for i, r := range runDjango(t, calls) {
		got := r.OK
		if r.Err != "" {
			got = r.Err
		}
		if fmt.Sprint(got) != fmt.Sprint(want[i]) {
			t.Errorf("Django %s(%v) = %v, want %v", calls[i].Kind, calls[i].Value, got, want[i])
		}
	}
}

// TestFallbackKeysDjango: with the key rotated (the new key first, the old
// as a fallback, Django's SECRET_KEY_FALLBACKS), what Django signed with
// the old key still loads here; what is signed here Django loads with the
// new key and not with the old one. Django 3.2 has no fallbacks, so its
// side passes each key explicitly.
func TestFallbackKeysDjango(t *testing.T) {
	const oldKey, newKey = "the-old-secret-key-before-rotation", "the-new-secret-key-after-rotation"
	value := map[string]any{"_auth_user_id": "7"}
	res := runDjango(t, []djangoCall{
		{Kind: "dumps", Key: oldKey, Value: value, Compress: true},
		{Kind: "sign", Key: oldKey, Value: "plain"},
	})
	rotated := []signing.Option{signing.WithFallbackKeys([]byte(oldKey))}
	var got map[string]any
	if err := signing.Loads([]byte(newKey), res[0].OK.(string), &got, 0, rotated...); err != nil || got["_auth_user_id"] != "7" {
		t.Fatalf("Django's value under the fallback key: %v, %v", got, err)
	}
	if err := signing.Loads([]byte(newKey), res[0].OK.(string), &got, 0); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("loaded without the fallback key: %v", err)
	}
	if v, err := mustSigner(t, []byte(newKey), rotated...).Unsign(res[1].OK.(string)); err != nil || v != "plain" {
		t.Fatalf("Django's Signer value under the fallback key: %q, %v", v, err)
	}

	ours, err := signing.Dumps([]byte(newKey), value, false, rotated...)
	if err != nil {
		t.Fatal(err)
	}
	back := runDjango(t, []djangoCall{
		{Kind: "loads", Key: newKey, Value: ours},
		{Kind: "loads", Key: oldKey, Value: ours},
	})
	if fmt.Sprint(back[0].OK) != fmt.Sprint(value) || back[1].Err != "BadSignature" {
		t.Fatalf("Django on ours: new key %+v, old key %+v", back[0], back[1])
	}
}

// tamper changes one character of the payload of a signed value.
func tamper(s string) string {
	i := len(s) / 3
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}
