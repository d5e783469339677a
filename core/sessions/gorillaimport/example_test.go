package gorillaimport_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"

	gsessions "github.com/gorilla/sessions"
	httpauth "github.com/reinhardt-go/auth/adapters/stdhttp"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/gorillaimport"
	"github.com/reinhardt-go/auth/stores/memory"
)

// A service that kept its logged-in user's id under "user_id" in a
// gorilla/sessions cookie moves to this library: the old cookie logs the
// user in here once, and the response swaps it for sessionid.
func Example() {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	alice, _ := users.CreateUser(ctx, "alice", new("a-long-pass-phrase"), nil)
	backend := core.NewModelBackend(users)
	auth := sessions.NewSessionAuthentication([]byte("the-site-secret-key-of-50-characters-or-more-012345"), backend)
	manager := sessions.NewManager(memory.NewSessionBackend())

	oldHashKey := []byte("the-old-gorilla-hash-key-of-32-bytes-or-more-0123")
	seen := memory.NewSessionCache() // Redis (redisstore) when there are several instances
	defer seen.Close()
	importer, err := gorillaimport.New(gorillaimport.Config{
		CookieName: "session-name",
		KeyPairs:   [][]byte{oldHashKey, nil},
		Seen:       seen,
		Map:        gorillaimport.LoginUser(auth, "user_id", ""),
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	manager.Adopt = importer.Adopt

	mux := http.NewServeMux()
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, httpauth.User(r).GetUsername())
	})
	h := manager.Handler(httpauth.Middleware(core.NewEngine(auth))(mux))

	// The cookie the old service's gorilla store set for alice.
	store := gsessions.NewCookieStore(oldHashKey)
	r := httptest.NewRequest("GET", "/me", nil)
	w := httptest.NewRecorder()
	old, _ := store.Get(r, "session-name")
	old.Values["user_id"] = 1 // alice's id
	_ = old.Save(r, w)
	fmt.Println("alice's id:", alice.GetID())

	r = httptest.NewRequest("GET", "/me", nil)
	r.AddCookie(w.Result().Cookies()[0])
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println("logged in:", w.Body.String())
	for _, c := range w.Result().Cookies() {
		fmt.Printf("cookie %s expired: %v\n", c.Name, c.MaxAge < 0)
	}
	fmt.Printf("%+v\n", importer.Stats())
	// Output:
	// alice's id: 1
	// logged in: alice
	// cookie sessionid expired: false
	// cookie session-name expired: true
	// {Imported:1 Rejected:0 Unimportable:0 Replayed:0}
}
