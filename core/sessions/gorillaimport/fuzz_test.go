package gorillaimport_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/gorillaimport"
	"github.com/reinhardt-go/auth/stores/memory"
)

// cookieRequest is a request that carries one cookie, value as is (no
// parsing in between); Adopt reads nothing else.
type cookieRequest struct {
	core.Request
	name, value string
}

func (r cookieRequest) Cookie(name string) string {
	if name == r.name {
		return r.value
	}
	return ""
}

func (r cookieRequest) Context() context.Context { return context.Background() }

// FuzzAdopt: no cookie value a client makes up, nor a gorilla cookie
// changed or signed with another key, panics or is imported, in gob or
// JSON.
func FuzzAdopt(f *testing.F) {
	seen := memory.NewSessionCache()
	defer seen.Close()
	var importers []*gorillaimport.Importer
	for _, format := range []gorillaimport.Format{gorillaimport.Gob, gorillaimport.JSON} {
		imp, err := gorillaimport.New(gorillaimport.Config{
			CookieName: cookieName, KeyPairs: [][]byte{hashKey2, blockKey2, hashKey, nil},
			Format: format, Seen: seen, Logger: slog.New(slog.DiscardHandler),
		})
		if err != nil {
			f.Fatal(err)
		}
		importers = append(importers, imp)
	}
	m := sessions.NewManager(memory.NewSessionBackend())

	valid := gorillaCookie(f, map[any]any{"user_id": 1, "theme": "dark"}, hashKey)
	f.Add(valid[:len(valid)-2])
	f.Add(valid[2:])
	f.Add(valid + "A")
	f.Add(gorillaCookie(f, map[any]any{"user_id": 1}, otherKey))
	f.Add(gorillaJSONCookie(f, map[string]any{"user_id": 1}, otherKey))
	f.Add(gorillaCookie(f, map[any]any{"user_id": 1}, hashKey2, blockKey))
	f.Add("")
	f.Add("MTc5NjYyNTIyNnx8")
	f.Add("||")
	f.Fuzz(func(t *testing.T, value string) {
		if value == valid {
			t.Skip("the one authentic cookie")
		}
		for _, imp := range importers {
			s := m.New()
			cookies, adopted, err := imp.Adopt(context.Background(), cookieRequest{name: cookieName, value: value}, s)
			if err != nil || adopted || cookies != nil || s.Len() != 0 {
				t.Fatalf("%q: adopted=%v err=%v cookies=%v values=%d", value, adopted, err, cookies, s.Len())
			}
		}
	})
}
