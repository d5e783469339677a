package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
)

// The reference README's "HTTP Basic Authentication".
func ExampleHTTPBasicAuth() {
	ctx := context.Background()
	auth := core.NewHTTPBasicAuth()
	if err := auth.AddUser(ctx, "alice", "secret123"); err != nil {
		panic(err)
	}

	// A request with a Basic auth header is authenticated.
	r := httptest.NewRequest("GET", "/", nil)
	r.SetBasicAuth("alice", "secret123")
	id, err := auth.Authenticate(core.NewHTTPRequest(r))
	fmt.Println(id.User.GetUsername(), id.Method, err)

	r.SetBasicAuth("alice", "wrong")
	_, err = auth.Authenticate(core.NewHTTPRequest(r))
	fmt.Println(err, errors.Is(err, core.ErrInvalidCredentials))
	// Output:
	// alice basic <nil>
	// Invalid username/password. true
}

// The reference README's "User Implementations".
func ExampleSimpleUser() {
	user := &core.SimpleUser{
		ID:       "6f1c0e3a-9d2b-4c59-8f5e-0b7d1a2c3e4f",
		Username: "john",
		Email:    "john@example.com",
		Active:   true,
		Admin:    false,
	}
	fmt.Println(user.IsAuthenticated(), user.IsAdmin())

	var anon core.User = core.AnonymousUser{}
	fmt.Println(anon.IsAuthenticated())
	// Output:
	// true false
	// false
}

// MyUser is the reference README's own user model, keyed by email. Go does
// not allow a field and a method of one name, so the Rust field
// password_hash is Password here.
type MyUser struct {
	ID        string
	Email     string
	Password  *string
	LastLogin *time.Time
	Active    bool
}

func (u *MyUser) GetID() string            { return u.ID }
func (u *MyUser) GetUsername() string      { return u.Email }
func (u *MyUser) IsAuthenticated() bool    { return true }
func (u *MyUser) IsActive() bool           { return u.Active }
func (u *MyUser) IsAdmin() bool            { return false }
func (u *MyUser) UsernameField() string    { return "email" }
func (u *MyUser) SetPasswordHash(h string) { u.Password = &h }
func (u *MyUser) SetLastLogin(t time.Time) { u.LastLogin = &t }
func (u *MyUser) PasswordHash() string {
	if u.Password == nil {
		return ""
	}
	return *u.Password
}
func (u *MyUser) GetLastLogin() time.Time {
	if u.LastLogin == nil {
		return time.Time{}
	}
	return *u.LastLogin
}

// The reference README's "BaseUser Trait (AbstractBaseUser equivalent)".
func Example_baseUser() {
	ctx := context.Background()
	user := &MyUser{ID: "0c2b6f0e", Email: "alice@example.com", Active: true}

	// The password is hashed with Argon2id: MyUser does not choose hashers
	// of its own (see HasherChooser).
	if err := core.SetPassword(ctx, user, "securepass123"); err != nil {
		panic(err)
	}
	ok, err := core.CheckPassword(ctx, user, "securepass123")
	fmt.Println(ok, err)
	fmt.Println(user.PasswordHash()[:21])
	fmt.Println(user.UsernameField(), user.GetUsername())
	// Output:
	// true <nil>
	// argon2$argon2id$v=19$
	// email alice@example.com
}

// The reference README's "FullUser Trait (AbstractUser equivalent)".
func ExampleDefaultUser_GetFullName() {
	user := &core.DefaultUser{
		ID:         1,
		Username:   "alice",
		Email:      "alice@example.com",
		FirstName:  "Alice",
		LastName:   "Smith",
		Active:     true,
		DateJoined: time.Now(),
	}
	fmt.Println(user.GetFullName())
	fmt.Println(user.GetShortName())
	// Output:
	// Alice Smith
	// Alice
}

// The reference README's "PermissionsMixin Trait".
func ExampleDefaultUser_HasPerm() {
	user := &core.DefaultUser{
		ID:              2,
		Username:        "bob",
		Email:           "bob@example.com",
		FirstName:       "Bob",
		LastName:        "Johnson",
		Active:          true,
		Staff:           true,
		UserPermissions: []string{"blog.add_post", "blog.change_post"},
		Groups:          []core.Group{{Name: "editors", Permissions: []string{"blog.delete_post"}}},
	}
	fmt.Println(user.HasPerm("blog.add_post"))
	fmt.Println(user.HasModulePerms("blog"))
	fmt.Println(user.HasPerm("blog.delete_post")) // through the group
	fmt.Println(user.HasPerm("shop.refund"))
	fmt.Println(user.GetAllPermissions())
	// Output:
	// true
	// true
	// true
	// false
	// [blog.add_post blog.change_post blog.delete_post]
}

// The reference README's "DefaultUser Struct" with DefaultUserManager.
func ExampleDefaultUserManager() {
	ctx := context.Background()
	manager := core.NewDefaultUserManager()

	// Create a regular user.
	user, err := manager.CreateUser(ctx, "alice", new("securepass123"), nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(user.Username, user.Active, user.Staff)

	// Create a superuser.
	admin, err := manager.CreateSuperuser(ctx, "admin", new("adminsecret"), map[string]any{"email": "admin@EXAMPLE.com"})
	if err != nil {
		panic(err)
	}
	fmt.Println(admin.Staff, admin.Superuser, admin.Email)

	_, err = manager.CreateUser(ctx, "alice", nil, nil)
	fmt.Println(err)
	// Output:
	// alice true false
	// true true admin@example.com
	// A user with that username already exists.
}

func ExampleNormalizeEmail() {
	fmt.Println(core.NormalizeEmail("normal@DOMAIN.COM"))
	fmt.Println(core.NormalizeUsername("iamthe\u2126") == "iamthe\u03a9")
	// Output:
	// normal@domain.com
	// true
}

// The reference README's "Composite Authentication".
func ExampleCompositeAuthBackend() {
	ctx := context.Background()
	database := core.NewDefaultUserManager()
	_, _ = database.CreateUser(ctx, "alice", new("password"), nil)
	directory := core.NewDefaultUserManager() // stands in for LDAP
	_, _ = directory.CreateUser(ctx, "bob", new("password"), nil)

	composite := core.NewCompositeAuthBackend()
	composite.AddBackend(core.NewModelBackend(database))
	composite.AddBackend(core.NewModelBackend(directory))

	// Tries the database first, then the directory.
	for _, name := range []string{"alice", "bob", "carol"} {
		user, err := composite.Authenticate(ctx, name, "password")
		fmt.Println(name, user != nil, err)
	}
	// Output:
	// alice true <nil>
	// bob true <nil>
	// carol false <nil>
}

// The reference README's "Built-in Permission Classes".
func ExampleIsAuthenticated() {
	ctx := context.Background()
	request := core.NewHTTPRequest(httptest.NewRequest("GET", "/api/posts", nil))
	permission := core.IsAuthenticated{}
	context := &core.PermissionContext{
		Request:         request,
		IsAuthenticated: true,
		IsAdmin:         false,
		IsActive:        true,
	}
	fmt.Println(permission.HasPermission(ctx, context))

	// Composition with DRF's operators: & | ~ are And, Or, Not.
	readOrStaff := core.Or(core.IsAuthenticatedOrReadOnly{}, core.IsAdminUser{})
	fmt.Println(readOrStaff.HasPermission(ctx, core.NewPermissionContext(request, nil)))
	// Output:
	// true
	// true
}

// The reference README's "Error Handling": every error kind is visible to
// errors.Is, and the engine renders DRF's bodies and status codes.
func ExampleAuthenticationError() {
	err := fmt.Errorf("verify: %w", core.NewAuthError(core.ErrInvalidToken, "Token is invalid"))
	fmt.Println(errors.Is(err, core.ErrInvalidToken), errors.Is(err, core.ErrUserNotFound))
	var authErr *core.AuthenticationError
	fmt.Println(errors.As(err, &authErr), authErr.Detail)

	engine := core.NewEngine(core.NewHTTPBasicAuth())
	rec := httptest.NewRecorder()
	_ = engine.WriteError(core.NewHTTPResponse(rec), err)
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body.String())
	// Output:
	// true false
	// true Token is invalid
	// 401 Basic realm="api" {"detail":"Token is invalid"}
}

// The reference README's "Remote User Authentication".
func ExampleRemoteUserAuthentication() {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	_, _ = users.CreateUser(ctx, "alice", nil, nil)
	proxy := netip.MustParsePrefix("10.0.0.0/8")

	// Standard configuration.
	auth := core.NewRemoteUserAuthentication("REMOTE_USER", users, proxy)
	// With force logout.
	auth.ForceLogoutIfNoHeader = true

	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.5:41000" // the authenticating proxy
	r.Header.Set("REMOTE_USER", "alice")
	id, err := auth.Authenticate(core.NewHTTPRequest(r))
	fmt.Println(id.User.GetUsername(), id.Method, err)

	r.RemoteAddr = "203.0.113.9:5555" // anyone else: the header is ignored
	id, err = auth.Authenticate(core.NewHTTPRequest(r))
	fmt.Println(id == nil, err)
	// Output:
	// alice remote <nil>
	// true <nil>
}

// MyAuthBackend is the reference README's "Custom Authentication Backend".
type MyAuthBackend struct {
	mu     sync.RWMutex
	users  map[string]myEntry // by username
	hasher hashers.PasswordHasher
}

type myEntry struct {
	hash string
	user *core.SimpleUser
}

func (b *MyAuthBackend) Authenticate(ctx context.Context, username, password string) (core.User, error) {
	b.mu.RLock()
	e, ok := b.users[username]
	b.mu.RUnlock()
	if !ok {
		return nil, nil
	}
	match, err := b.hasher.Verify(ctx, password, e.hash)
	if err != nil || !match {
		return nil, err
	}
	return e.user, nil
}

func (b *MyAuthBackend) GetUser(_ context.Context, id string) (core.User, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, e := range b.users {
		if e.user.ID == id {
			return e.user, nil
		}
	}
	return nil, nil
}

func Example_customAuthBackend() {
	ctx := context.Background()
	hasher := hashers.NewArgon2Hasher()
	hash, _ := hasher.Hash(ctx, "s3cret")
	backend := &MyAuthBackend{hasher: hasher, users: map[string]myEntry{
		"alice": {hash: hash, user: &core.SimpleUser{ID: "u-1", Username: "alice", Active: true}},
	}}
	var _ core.AuthBackend = backend

	// Plug it into DRF-style Basic authentication.
	engine := core.NewEngine(&core.BasicAuthentication{Backend: backend})
	r := httptest.NewRequest("GET", "/", nil)
	r.SetBasicAuth("alice", "s3cret")
	id, err := engine.Authenticate(core.NewHTTPRequest(r))
	fmt.Println(id.User.GetID(), err)
	u, _ := backend.GetUser(ctx, "u-1")
	fmt.Println(u.GetUsername())
	// Output:
	// u-1 <nil>
	// alice
}
