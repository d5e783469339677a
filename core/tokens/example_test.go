package tokens_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/memory"
)

// The reference's blacklist and rotation snippet, in Go: InMemoryBlacklist
// is memory.Blacklist, InMemoryRefreshStore memory.RefreshStore, and
// rotate_token is Refresh of the pair IssuePair made.
func Example() {
	ctx := context.Background()

	// Token blacklist
	blacklist := memory.NewBlacklist()
	expiresAt := time.Now().Add(24 * time.Hour)
	if err := blacklist.Blacklist(ctx, "old_token", expiresAt, tokens.Logout); err != nil {
		panic(err)
	}
	ok, err := blacklist.IsBlacklisted(ctx, "old_token")
	fmt.Println("old_token blacklisted:", ok, err)

	// Token rotation
	refreshStore := memory.NewRefreshStore()
	rotationManager := tokens.NewTokenRotationManager(blacklist, refreshStore)
	jwtAuth, err := jwtauth.New([]byte("a secret of at least thirty-two bytes"),
		jwtauth.WithRevocation(rotationManager.Revocation()))
	if err != nil {
		panic(err)
	}
	rotationManager.JWT = jwtAuth

	user := &core.SimpleUser{ID: "user123", Username: "john_doe", Active: true}
	pair, err := rotationManager.IssuePair(ctx, user)
	if err != nil {
		panic(err)
	}
	newPair, err := rotationManager.Refresh(ctx, pair.Refresh)
	if err != nil {
		panic(err)
	}
	fmt.Println("rotated:", newPair.Refresh != pair.Refresh)

	// The old refresh token is spent: presenting it again is refused and
	// ends the whole family, the new pair included.
	_, err = rotationManager.Refresh(ctx, pair.Refresh)
	var te *jwtauth.TokenError
	fmt.Println("reuse:", errors.As(err, &te), te.Message)
	_, err = jwtAuth.VerifyAccess(ctx, newPair.Access)
	fmt.Println("new access token revoked:", errors.Is(err, jwtauth.ErrRevoked))

	stats, _ := blacklist.Stats(ctx)
	fmt.Println("blacklisted:", stats.Total, "logout:", stats.ByReason[tokens.Logout], "rotated:", stats.ByReason[tokens.Rotated])
	// Output:
	// old_token blacklisted: true <nil>
	// rotated: true
	// reuse: true Token is blacklisted
	// new access token revoked: true
	// blacklisted: 2 logout: 1 rotated: 1
}

// The token endpoints mounted on net/http (the adapters do this for each
// framework), answering as simplejwt's views.
func Example_endpoints() {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	pw := "correct horse battery staple"
	if _, err := users.CreateUser(ctx, "alice", &pw, nil); err != nil {
		panic(err)
	}
	backend := core.NewModelBackend(users)

	m := tokens.NewTokenRotationManager(memory.NewBlacklist(), memory.NewRefreshStore())
	j, err := jwtauth.New([]byte("a secret of at least thirty-two bytes"), jwtauth.WithRevocation(m.Revocation()))
	if err != nil {
		panic(err)
	}
	m.JWT, m.Users = j, backend

	mux := http.NewServeMux()
	mount := func(pattern string, ep core.Endpoint) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			resp := core.NewHTTPResponse(w)
			if err := ep.Serve(resp, core.NewHTTPRequest(r)); err != nil {
				challenge := ""
				var c core.Challenger
				if errors.As(err, &c) {
					challenge = c.Challenge()
				}
				_ = core.WriteError(resp, err, challenge)
			}
		})
	}
	mount("/api/token", &tokens.ObtainPairEndpoint{Manager: m, Backend: backend})
	mount("/api/token/refresh", &tokens.RefreshEndpoint{Manager: m})

	call := func(path, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewBufferString(body))
		r.Header.Set("Content-Type", "application/json")
		mux.ServeHTTP(rec, r)
		return rec
	}
	rec := call("/api/token", `{"username":"alice","password":"wrong"}`)
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
	rec = call("/api/token", `{"username":"alice","password":"`+pw+`"}`)
	body := rec.Body.String()
	fmt.Println(rec.Code, strings.HasPrefix(body, `{"refresh":"`))
	refresh := body[len(`{"refresh":"`):strings.Index(body, `","access"`)]
	rec = call("/api/token/refresh", `{"refresh":"`+refresh+`"}`)
	fmt.Println(rec.Code, strings.HasPrefix(rec.Body.String(), `{"access":"`))
	rec = call("/api/token/refresh", `{"refresh":"`+refresh+`"}`)
	fmt.Println(rec.Code, rec.Body)
	// Output:
	// 401 Bearer realm="api" {"detail":"No active account found with the given credentials"}
	// 200 true
	// 200 true
	// 401 {"detail":"Token is blacklisted","code":"token_not_valid"}
}
