package ginauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"
	ginauth "github.com/reinhardt-go/auth/adapters/gin"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/memory"
)

// A Gin service from scratch (docs/getting-started.md): users, simplejwt's
// token endpoint, the Bearer authenticator and then the session cookie,
// sessions and CSRF as middleware, and a route guarded by a DRF
// permission class.
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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(ginauth.Sessions(manager), ginauth.CSRF(protector))
	r.POST("/api/token", ginauth.Endpoint(&tokens.ObtainPairEndpoint{Manager: rotation, Backend: backend}))
	api := r.Group("/api", ginauth.Middleware(engine))
	api.GET("/me", ginauth.Require(core.IsAuthenticated{}), func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"username": ginauth.User(c).GetUsername(), "auth": ginauth.Identity(c).Method})
	})

	srv := httptest.NewServer(r)
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
