package djangosession_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions/djangosession"
	"github.com/reinhardt-go/auth/internal/djangotest"
)

// djangoSessions runs Django 3.2's SessionStore (the database backend's
// class; encode and decode need no database) with the key of each call.
// "login" makes the session Django's login() leaves for a user with that
// password hash: the three login keys, the session auth hash Django
// computes, and an expiry.
const djangoSessions = `
import json, sys
from django.conf import settings
settings.configure(SECRET_KEY="replaced-per-call",
                   INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"])
import django
django.setup()
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore

def call(c):
    settings.SECRET_KEY = c["key"]
    s = SessionStore()
    op = c["op"]
    if op == "encode":
        return s.encode(c["data"])
    if op == "legacy_encode":
        return s._legacy_encode(c["data"])
    if op == "decode":
        return s.decode(c["data"])
    if op == "login":
        u = User(pk=c["pk"], username="u", password=c["password"])
        d = {"_auth_user_id": str(u.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
             "_auth_user_hash": u.get_session_auth_hash(), "_session_expiry": 1209600}
        return {"data": d, "session_data": s.encode(d)}
    raise ValueError(op)

json.dump([call(c) for c in json.load(sys.stdin)], sys.stdout)
`

type sessionCall struct {
	Op       string `json:"op"`
	Key      string `json:"key"`
	Data     any    `json:"data,omitempty"`
	PK       int64  `json:"pk,omitempty"`
	Password string `json:"password,omitempty"`
}

func runSessions(t *testing.T, calls []sessionCall) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	djangotest.Run(t, djangoSessions, calls, &out)
	if len(out) != len(calls) {
		t.Fatalf("Django answered %d of %d calls", len(out), len(calls))
	}
	return out
}

var sessionValues = []string{
	login,
	`{}`,
	`{"cart":[` + strings.Repeat(`{"sku":"A-1","qty":2},`, 100) + `{"sku":"Z","qty":1}],"_session_expiry":3600}`,
	`{"text":"ünïcødé 😀 </script>&","n":12345678901234,"f":0.5,"nested":{"a":[true,false,null]}}`,
}

// TestDjangoSessionsDecodeHere: session data Django 3.2 writes (its
// format, compressed when long, and the pre-3.1 format) decodes here to
// the same object; the session Django's login() leaves carries the
// session auth hash core.GetSessionAuthHash computes.
func TestDjangoSessionsDecodeHere(t *testing.T) {
	k := string(secret)
	var calls []sessionCall
	for _, v := range sessionValues {
		calls = append(calls,
			sessionCall{Op: "encode", Key: k, Data: json.RawMessage(v)},
			sessionCall{Op: "legacy_encode", Key: k, Data: json.RawMessage(v)})
	}
	const pw = "pbkdf2_sha256$260000$salt$aGFzaA=="
	calls = append(calls, sessionCall{Op: "login", Key: k, PK: 42, Password: pw})
	out := runSessions(t, calls)
	c := newCodec(t, secret)
	for i, v := range sessionValues {
		for j := range 2 {
			var sd string
			if err := json.Unmarshal(out[2*i+j], &sd); err != nil {
				t.Fatal(err)
			}
			if i == 2 && j == 0 && !strings.HasPrefix(sd, ".") {
				t.Errorf("Django did not compress: %s", sd)
			}
			got, err := c.Decode(sd)
			if err != nil {
				t.Fatalf("Decode(Django's %s) = %v", sd, err)
			}
			sameJSON(t, got, []byte(v))
		}
	}
	var lg struct {
		Data        json.RawMessage `json:"data"`
		SessionData string          `json:"session_data"`
	}
	if err := json.Unmarshal(out[len(out)-1], &lg); err != nil {
		t.Fatal(err)
	}
	got, err := c.Decode(lg.SessionData)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got, lg.Data)
	var keys struct {
		ID      string `json:"_auth_user_id"`
		Backend string `json:"_auth_user_backend"`
		Hash    string `json:"_auth_user_hash"`
	}
	json.Unmarshal(got, &keys)
	u := &core.DefaultUser{ID: 42, Password: pw}
	if keys.ID != "42" || keys.Hash != core.GetSessionAuthHash(u, secret) {
		t.Errorf("Django's login session %+v; our session auth hash %s", keys, core.GetSessionAuthHash(u, secret))
	}
}

// TestSessionsDecodeInDjango: what Encode writes, in either format,
// Django 3.2's SessionStore.decode reads to the same object; under
// another key, tampered or of another class, Django reads an empty
// session, as Decode refuses it here.
func TestSessionsDecodeInDjango(t *testing.T) {
	k := string(secret)
	var calls []sessionCall
	var want []string
	for _, v := range sessionValues {
		for _, opts := range [][]djangosession.Option{nil, {djangosession.WithLegacyEncoding()}} {
			sd, err := newCodec(t, secret, opts...).Encode([]byte(v))
			if err != nil {
				t.Fatal(err)
			}
			calls = append(calls, sessionCall{Op: "decode", Key: k, Data: sd},
				sessionCall{Op: "decode", Key: "another key", Data: sd})
			want = append(want, v, `{}`)
		}
	}
	other, _ := newCodec(t, secret, djangosession.WithClassName("CustomStore")).Encode([]byte(login))
	good, _ := newCodec(t, secret).Encode([]byte(login))
	calls = append(calls, sessionCall{Op: "decode", Key: k, Data: other},
		sessionCall{Op: "decode", Key: k, Data: tamper(good)})
	want = append(want, `{}`, `{}`)
	for i, got := range runSessions(t, calls) {
		t.Run("", func(t *testing.T) { sameJSON(t, got, []byte(want[i])) })
	}
	if _, err := newCodec(t, secret).Decode(tamper(good)); err == nil {
		t.Error("tampered session decoded here")
	}
}

// TestFallbackKeysDjango: with the key rotated, sessions Django wrote with
// the old key (either format) still decode here; ours Django reads with
// the new key only.
func TestFallbackKeysDjango(t *testing.T) {
	const oldKey, newKey = "old-session-secret-key-before-rotation", "new-session-secret-key-after-rotation"
	out := runSessions(t, []sessionCall{
		{Op: "encode", Key: oldKey, Data: json.RawMessage(login)},
		{Op: "legacy_encode", Key: oldKey, Data: json.RawMessage(login)},
	})
	rotated := newCodec(t, []byte(newKey), djangosession.WithFallbackKeys([]byte(oldKey)))
	for _, o := range out {
		var sd string
		json.Unmarshal(o, &sd)
		got, err := rotated.Decode(sd)
		if err != nil {
			t.Fatalf("Django's session of the old key: %v", err)
		}
		sameJSON(t, got, []byte(login))
	}
	ours, _ := rotated.Encode([]byte(login))
	back := runSessions(t, []sessionCall{{Op: "decode", Key: newKey, Data: ours}, {Op: "decode", Key: oldKey, Data: ours}})
	sameJSON(t, back[0], []byte(login))
	sameJSON(t, back[1], []byte(`{}`))
}

// tamper changes one character in the middle of s.
func tamper(s string) string {
	i := len(s) / 2
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}
