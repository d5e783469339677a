package jwtauth_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

// The reference README's "Complete Authentication Flow": Basic
// authentication, a JWT for the user, the token verified on the next
// request, and a permission check.
func Example_completeAuthenticationFlow() {
	ctx := context.Background()

	// 1. Set up JWT authentication.
	jwtAuth, _ := jwtauth.New([]byte("secret-key-of-at-least-thirty-two-bytes"))

	// 2. Set up Basic authentication with a user.
	basicAuth := core.NewHTTPBasicAuth()
	_ = basicAuth.AddUser(ctx, "alice", "password123")

	// 3. Authenticate the user and generate a JWT.
	r := httptest.NewRequest("POST", "/login", nil)
	r.SetBasicAuth("alice", "password123")
	id, _ := basicAuth.Authenticate(core.NewHTTPRequest(r))
	user := id.User
	token, _ := jwtAuth.GenerateToken(user.GetID(), user.GetUsername())

	// 4. Verify the token on subsequent requests.
	claims, _ := jwtAuth.VerifyToken(token)
	fmt.Println(claims.Username)

	// 5. Check permissions.
	permission := core.IsAuthenticated{}
	context := &core.PermissionContext{
		Request:         core.NewHTTPRequest(httptest.NewRequest("GET", "/api/posts", nil)),
		IsAuthenticated: true,
		IsAdmin:         user.IsAdmin(),
		IsActive:        user.IsActive(),
	}
	if permission.HasPermission(ctx, context) {
		fmt.Println("access granted")
	}
	// Output:
	// alice
	// access granted
}
