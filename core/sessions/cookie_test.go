package sessions_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/stores/memory"
)

func newCookieBackend(t *testing.T, gens sessions.GenerationStore, keys ...[]byte) *sessions.CookieSessionBackend {
	t.Helper()
	b, err := sessions.NewCookieSessionBackend(gens, keys...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCookieBackend(t *testing.T) {
	ctx := context.Background()
	gens := memory.NewGenerationStore()
	defer gens.Close()
	key := sessions.DeriveCookieKey(testSecret)
	b := newCookieBackend(t, gens, key)
	rec := sessions.Record{Data: []byte(`{"secret":"value"}`), Expiry: time.Now().Add(time.Hour)}
	id, err := b.SaveClient(ctx, sessions.GenerateKey(), rec)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(id), "secret") || len(id) > maxCookieSize {
		t.Errorf("cookie %q", id)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(string(id))
	if bytes.Contains(raw, []byte("secret")) {
		t.Error("the data is in clear")
	}

	// The plain Save refuses: its cookie would never reach the client.
	if err := b.Save(ctx, id, rec); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Save = %v; want errors.ErrUnsupported", err)
	}

	// Another name, another namespace, a changed expiry, a foreign key.
	other := newCookieBackend(t, gens, key)
	other.CookieName = "othercookie"
	if _, found, _ := other.Load(ctx, id); found {
		t.Error("a cookie loaded under another cookie name")
	}
	if _, found, _ := b.Load(sessions.WithNamespace(ctx, "tenant:x:"), id); found {
		t.Error("a cookie loaded in another namespace")
	}
	moved := bytes.Clone(raw)
	binary.BigEndian.PutUint64(moved[1:], uint64(time.Now().Add(24*time.Hour).UnixMilli()))
	if _, found, _ := b.Load(ctx, sessions.SessionID(base64.RawURLEncoding.EncodeToString(moved))); found {
		t.Error("a cookie with its expiry extended loaded")
	}
	if _, found, _ := newCookieBackend(t, gens, sessiontest.RandomKey()).Load(ctx, id); found {
		t.Error("a cookie loaded under another key")
	}

	// Key rotation: the new key encrypts, the old one still decrypts.
	rotated := newCookieBackend(t, gens, sessiontest.RandomKey(), key)
	got, found, err := rotated.Load(ctx, id)
	if err != nil || !found || string(got.Data) != string(rec.Data) {
		t.Fatalf("the old key no longer decrypts: %v, %v", found, err)
	}
	id2, err := sessions.SaveRecord(ctx, rotated, id, sessions.Record{Data: []byte("v2"), Expiry: rec.Expiry, Version: got.Version})
	if err != nil {
		t.Fatal(err)
	}
	if _, found, _ := b.Load(ctx, id2); found {
		t.Error("a cookie sealed with the new key opened with the old key only")
	}

	// An older cookie of a live session still loads its older data (so
	// parallel requests do not log each other out), but cannot save.
	if old, found, _ := rotated.Load(ctx, id); !found || string(old.Data) != string(rec.Data) {
		t.Error("an older cookie of a live session does not load")
	} else if _, err := rotated.SaveClient(ctx, id, sessions.Record{Data: []byte("stale"), Expiry: rec.Expiry, Version: old.Version}); !errors.Is(err, sessions.ErrConflict) {
		t.Errorf("a save from an older cookie: %v; want ErrConflict", err)
	}

	// Delete by any cookie of the session ends all of them.
	if err := rotated.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, c := range []sessions.SessionID{id, id2} {
		if _, found, _ := rotated.Load(ctx, c); found {
			t.Error("a cookie of a deleted session still loads")
		}
	}
	if gens.Len() != 0 {
		t.Errorf("%d generation entries left", gens.Len())
	}

	// Size.
	_, err = b.SaveClient(ctx, sessions.GenerateKey(), sessions.Record{Data: make([]byte, b.MaxData()+1), Expiry: rec.Expiry})
	if !errors.Is(err, sessions.ErrTooLarge) || !strings.Contains(err.Error(), "4096") {
		t.Errorf("an oversized cookie: %v", err)
	}
	big, err := b.SaveClient(ctx, sessions.GenerateKey(), sessions.Record{Data: make([]byte, b.MaxData()), Expiry: rec.Expiry})
	if err != nil || len(big) > maxCookieSize {
		t.Errorf("the largest session makes a %d-byte cookie: %v", len(big), err)
	}
	if gens.Len() != 1 {
		t.Errorf("a refused save left a generation entry (%d)", gens.Len())
	}

	// Ids that are neither keys nor cookies.
	if _, err := b.SaveClient(ctx, "garbage", rec); !errors.Is(err, core.ErrInvalidInput) {
		t.Errorf("SaveClient(garbage) = %v", err)
	}
	if err := b.Delete(ctx, "garbage"); err != nil {
		t.Errorf("Delete(garbage) = %v", err)
	}

	// Constructor checks.
	if _, err := sessions.NewCookieSessionBackend(nil, key); err == nil {
		t.Error("no generation store accepted")
	}
	if _, err := sessions.NewCookieSessionBackend(gens); err == nil {
		t.Error("no key accepted")
	}
	if _, err := sessions.NewCookieSessionBackend(gens, []byte("short")); err == nil {
		t.Error("a short key accepted")
	}
	if !bytes.Equal(sessions.DeriveCookieKey(testSecret), key) || bytes.Equal(sessions.DeriveCookieKey([]byte("other")), key) || len(key) != 32 {
		t.Error("DeriveCookieKey")
	}
}
