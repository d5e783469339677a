package djangosession_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/djangosession"
	"github.com/reinhardt-go/auth/core/signing"
)

var secret = []byte("django-session-secret-key-for-the-codec-tests")

func newCodec(t testing.TB, k []byte, opts ...djangosession.Option) *djangosession.Codec {
	t.Helper()
	c, err := djangosession.New(k, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sameJSON(t *testing.T, got, want []byte) {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatalf("%s: %v", want, err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("got %s, want %s", got, want)
	}
}

const login = `{"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend",` +
	`"_auth_user_hash":"0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0","name":"Zoë 😀 <b>"}`

func TestRoundTrip(t *testing.T) {
	for _, opts := range [][]djangosession.Option{nil, {djangosession.WithLegacyEncoding()}} {
		c := newCodec(t, secret, opts...)
		for _, data := range []string{login, `{}`, `{"cart":[` + strings.Repeat(`"item",`, 300) + `"x"]}`} {
			enc, err := c.Encode([]byte(data))
			if err != nil {
				t.Fatal(err)
			}
			if strings.ContainsFunc(enc, func(r rune) bool { return r > 127 }) {
				t.Errorf("not ASCII: %s", enc)
			}
			got, err := c.Decode(enc)
			if err != nil {
				t.Fatalf("Decode(%s) = %v", enc, err)
			}
			sameJSON(t, got, []byte(data))
		}
	}
	// A large repetitive session is compressed, as Django's.
	big, _ := newCodec(t, secret).Encode([]byte(`{"k":"` + strings.Repeat("ab", 500) + `"}`))
	if !strings.HasPrefix(big, ".") {
		t.Errorf("not compressed: %s", big)
	}
}

func TestDecodeRefuses(t *testing.T) {
	c := newCodec(t, secret)
	good, _ := c.Encode([]byte(login))
	legacy, _ := newCodec(t, secret, djangosession.WithLegacyEncoding()).Encode([]byte(login))
	raw, _ := base64.StdEncoding.DecodeString(legacy)
	forged := base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), `"42"`, `"1"`, 1)))
	otherKey, _ := newCodec(t, []byte("another key")).Encode([]byte(login))
	otherClass, _ := newCodec(t, secret, djangosession.WithClassName("CustomStore")).Encode([]byte(login))
	notObject, _ := signing.Dumps(secret, []int{1}, false, signing.WithSalt("django.contrib.sessions.SessionStore"))
	for name, s := range map[string]string{
		"empty":           "",
		"tampered":        strings.Replace(good, good[len(good)/2:len(good)/2+1], "~", 1),
		"legacy forged":   forged,
		"legacy no colon": base64.StdEncoding.EncodeToString([]byte("abc")),
		"other key":       otherKey,
		"other class":     otherClass,
		"not an object":   notObject,
		"garbage":         "!!!!",
		"huge":            strings.Repeat("A", 2<<20),
	} {
		if got, err := c.Decode(s); !errors.Is(err, djangosession.ErrCorrupt) {
			t.Errorf("%s: Decode = %s, %v; want ErrCorrupt", name, got, err)
		}
	}
	if _, err := c.Encode([]byte(`[1]`)); err == nil {
		t.Error("Encode of a non-object succeeded")
	}
	if _, err := c.Encode([]byte(`{"k":"` + strings.Repeat("x", sessions.MaxDataSize) + `"}`)); !errors.Is(err, sessions.ErrTooLarge) {
		t.Errorf("Encode over MaxDataSize: %v", err)
	}
}

func TestFallbackKeys(t *testing.T) {
	oldKey, newKey := []byte("old-session-key"), []byte("new-session-key")
	for _, legacy := range []bool{false, true} {
		var opts []djangosession.Option
		if legacy {
			opts = append(opts, djangosession.WithLegacyEncoding())
		}
		fromOld, _ := newCodec(t, oldKey, opts...).Encode([]byte(login))
		rotated := newCodec(t, newKey, djangosession.WithFallbackKeys(oldKey))
		if got, err := rotated.Decode(fromOld); err != nil {
			t.Errorf("legacy=%v: the fallback key's session refused: %v", legacy, err)
		} else {
			sameJSON(t, got, []byte(login))
		}
		if _, err := newCodec(t, newKey).Decode(fromOld); err == nil {
			t.Errorf("legacy=%v: decoded without the fallback key", legacy)
		}
	}
}
