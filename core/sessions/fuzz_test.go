package sessions_test

import (
	"context"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/stores/memory"
)

func FuzzJSONDecode(f *testing.F) { sessiontest.FuzzSerializer(f, sessions.JSON) }

// TestDecodersRefuseLargeInput: the JSON decoders refuse input over
// MaxDataSize before decoding it.
func TestDecodersRefuseLargeInput(t *testing.T) { sessiontest.TestRefusesLargeInput(t, jsonCase) }

// FuzzCookieDecode: the cookie backend never panics on a client's cookie
// and never loads one it did not seal.
func FuzzCookieDecode(f *testing.F) {
	ctx := context.Background()
	gens := memory.NewGenerationStore(memory.WithSessionCleanupInterval(0))
	b, err := sessions.NewCookieSessionBackend(gens, sessions.DeriveCookieKey(testSecret))
	if err != nil {
		f.Fatal(err)
	}
	valid, err := b.SaveClient(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte(`{"a":1}`), Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(valid))
	f.Add(string(valid[:len(valid)-3]))
	f.Add(string(sessions.GenerateKey()))
	f.Add("")
	f.Fuzz(func(t *testing.T, id string) {
		rec, found, err := b.Load(ctx, sessions.SessionID(id))
		if err != nil {
			t.Fatal(err)
		}
		if found && id != string(valid) {
			t.Fatalf("loaded a cookie it did not seal: %q -> %q", id, rec.Data)
		}
		_ = b.Delete(ctx, sessions.SessionID(id+"x"))
	})
}
