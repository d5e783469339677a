package httpauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	httpauth "github.com/reinhardt-go/auth/adapters/stdhttp"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/memory"
)

// A net/http service from scratch (docs/getting-started.md): users,
// simplejwt's token endpoint, the Bearer authenticator and then the
// session cookie, sessions and CSRF as middleware, and a route guarded by
// a DRF permission class.
func Example_gettingStarted() {
	ctx := context.Background()
	secret := []byte("an example secret key of 32 bytes or more") // from a secret store in production

	users := core.NewDefaultUserManager() // stores/sqlstore keeps them in Django's tables
	if _, err := users.CreateUser(ctx, "alice", new("a-long-pass-phrase"), nil); err != nil {
		panic(err)
	}
	backend := core.NewModelBackend(users)

	rotation := tokens.NewTokenRotationManager(memory.NewBlacklist(), memory.NewRefreshStore())
	jwt, err := jwtauth.New(secret, jwtauth.WithRevocation(rotation.Revocation()))
	if err != nil {
		panic(err)
	}
	rotation.JWT, rotation.Users = jwt, backend

	protector, err := csrf.New()
	if err != nil {
		panic(err)
	}
	manager := sessions.NewManager(memory.NewSessionBackend())
	sessionAuth := sessions.NewSessionAuthentication(secret, backend)
	sessionAuth.Manager, sessionAuth.CSRF = manager, protector.Check
	engine := core.NewEngine(jwtauth.NewAuthentication(jwt, backend), sessionAuth)

	mux := http.NewServeMux()
	mux.Handle("POST /api/token", httpauth.Endpoint(&tokens.ObtainPairEndpoint{Manager: rotation, Backend: backend}))
	api := httpauth.Middleware(engine)
	mux.Handle("GET /api/me", api(httpauth.Require(core.IsAuthenticated{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"username": httpauth.User(r).GetUsername(), "auth": httpauth.Identity(r).Method})
	}))))
	handler := httpauth.Sessions(manager)(httpauth.CSRF(protector)(mux))

	srv := httptest.NewServer(handler)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/api/token", "application/json",
		strings.NewReader(`{"username":"alice","password":"a-long-pass-phrase"}`))
	if err != nil {
		panic(err)
	}
	var pair struct{ Access, Refresh string }
	_ = json.NewDecoder(resp.Body).Decode(&pair)
	resp.Body.Close()
	for _, access := range []string{"", pair.Access} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/me", nil)
		if access != "" {
			req.Header.Set("Authorization", "Bearer "+access)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 401 {"detail":"Authentication credentials were not provided."}
	// 200 {"auth":"jwt","username":"alice"}
}
