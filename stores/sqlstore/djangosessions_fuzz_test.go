package sqlstore

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/djangosession"
)

// FuzzDjangoSessionRow: a row's session_data, whatever it holds, never
// panics the Django-format backend's decoding: it is refused, or it is a
// JSON object with a creation time, without the version entry, at a
// version of 1 or more. Seeds are rows of this backend and of Django
// (no version, an odd one, the old format), signed with the key.
func FuzzDjangoSessionRow(f *testing.F) {
	codec, err := djangosession.New([]byte("fuzz-django-session-secret-key"))
	if err != nil {
		f.Fatal(err)
	}
	legacy, err := djangosession.New([]byte("fuzz-django-session-secret-key"), djangosession.WithLegacyEncoding())
	if err != nil {
		f.Fatal(err)
	}
	for _, data := range []string{
		`{"_auth_user_id":"1","_session_version":3,"_session_created":1700000000}`,
		`{"_auth_user_id":"1"}`,
		`{"_session_version":"x"}`, `{"_session_version":-1}`, `{"_session_version":1e99}`,
		`{"_session_created":"soon","k":[1,{"a":null}]}`, `{}`,
	} {
		for _, c := range []*djangosession.Codec{codec, legacy} {
			text, err := c.Encode([]byte(data))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(text)
		}
	}
	f.Add("")
	f.Add(".eJyrVkpUsjKsBQAHtgHi:1:x")
	b := &DjangoSessionBackend{codec: codec, Now: func() time.Time { return time.Unix(1700000000, 0) }}
	exp := time.Unix(1700003600, 0)
	f.Fuzz(func(t *testing.T, text string) {
		data, version, ok := b.decodeRow(text, exp)
		if !ok {
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil || m == nil {
			t.Fatalf("decodeRow(%q) = %s, not a JSON object", text, data)
		}
		if _, has := m[DjangoVersionKey]; has || version == 0 || m[createdKey] == nil {
			t.Fatalf("decodeRow(%q) = %s, version %d", text, data, version)
		}
		// What Load returns a Manager opens.
		m2 := sessions.NewManager(fixedBackend{data: data, exp: exp})
		m2.Now = b.Now
		if _, err := m2.Open(context.Background(), "abcdefgh"); err != nil {
			t.Fatalf("Open of %s: %v", data, err)
		}
	})
}

// fixedBackend loads one record under any id.
type fixedBackend struct {
	data []byte
	exp  time.Time
}

func (f fixedBackend) Load(context.Context, sessions.SessionID) (sessions.Record, bool, error) {
	return sessions.Record{Data: f.data, Expiry: f.exp, Version: 1}, true, nil
}
func (fixedBackend) Save(context.Context, sessions.SessionID, sessions.Record) error { return nil }
func (fixedBackend) Delete(context.Context, sessions.SessionID) error                { return nil }
func (fixedBackend) Exists(context.Context, sessions.SessionID) (bool, error)        { return true, nil }
