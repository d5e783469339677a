package sqlstore_test

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/djangosession"
	"github.com/reinhardt-go/auth/core/signing"
	"github.com/reinhardt-go/auth/internal/djangotest"
)

// TestLegacySessionAuthHash: Django 3.2's get_user accepts a session
// whose _auth_user_hash is the SHA-1 session auth hash
// (_legacy_get_session_auth_hash: sessions of Django before 3.1, and every
// login of a 3.1/3.2 project on DEFAULT_HASHING_ALGORITHM = 'sha1', the
// transition setting djangosession.WithLegacyEncoding exists for). So does
// SessionAuthentication, leaving the session as it is: flushing it would
// delete the shared django_session row and log the user out of Django.
func TestLegacySessionAuthHash(t *testing.T) {
	djangotest.Require(t)
	ctx := testCtx(t)
	path := filepath.Join(t.TempDir(), "shared.sqlite3")
	s := openURL(t, "sqlite:"+path)
	const pw = "a-long-pass-phrase"
	alice, err := s.CreateUser(ctx, "alice", new(pw), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The session a Django 3.2 login writes under DEFAULT_HASHING_ALGORITHM = 'sha1'.
	legacyHash := hex.EncodeToString(signing.SaltedHMAC(signing.SHA1,
		"django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", []byte(alice.PasswordHash()), []byte(djangoSecret)))
	key := sessions.SessionID("abcdefghijklmnopqrstuvwxyz012345")
	data := fmt.Sprintf(`{%q:%q,%q:%q,%q:%q}`, sessions.SessionKey, fmt.Sprint(alice.ID),
		sessions.BackendSessionKey, djangosession.BackendName, sessions.HashSessionKey, legacyHash)
	b := djangoBackend(t, s, djangoCodec(t, djangoSecret))
	if err := b.Save(ctx, key, sessions.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	project := djangotest.Project{DB: djangotest.DB{SQLite: path}, Secret: djangoSecret, PBKDF2Iterations: fastIterations}
	if out := djangotest.Sessions(t, project, djangotest.SessionCall{Op: "get_user", Key: string(key)}); out[0].User != "alice" {
		t.Fatalf("Django 3.2's get_user of the legacy-hash session: %+v; want alice", out[0])
	}
	g := newGoSide(t, s, djangoSecret)
	if got := g.me(string(key)); got != "alice" {
		t.Errorf("the session Django 3.2 logs alice in with is %q here", got)
	}
	if out := djangotest.Sessions(t, project, djangotest.SessionCall{Op: "get_user", Key: string(key)}); out[0].User != "alice" {
		t.Errorf("after one request here Django's session of alice is %+v (flushed here)", out[0])
	}
}
