package core_test

import (
	"context"
	"errors"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/internal/faultstore"
)

// TestWrongUserFromStore: a user store that answers a lookup with another
// user (faultstore's garbage: another id and username) fails the lookup
// as a store failure, in the model backend's login and get_user and in
// the JWT authenticator's lookup, so nobody is authenticated as someone
// else.
func TestWrongUserFromStore(t *testing.T) {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	pw := "a-long-enough-password"
	alice, err := users.CreateUser(ctx, "alice", &pw, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sw faultstore.Switch
	store := faultstore.Users{UserStore: users, S: &sw}
	b := core.NewModelBackend(store)
	sw.Set("Users.UserByID", faultstore.Garbage)
	sw.Set("Users.UserByUsername", faultstore.Garbage)

	if u, err := b.GetUser(ctx, alice.GetID()); u != nil || !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("GetUser = %v, %v; want a store failure", u, err)
	}
	if u, err := b.Authenticate(ctx, "alice", pw); u != nil || !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Authenticate = %v, %v; want a store failure", u, err)
	}
	if u, err := jwtauth.StoreUsers(store).GetUser(ctx, alice.GetID()); u != nil || !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("jwtauth.StoreUsers.GetUser = %v, %v; want a store failure", u, err)
	}
	sw.Reset()
	if u, err := b.GetUser(ctx, alice.GetID()); err != nil || u == nil || u.GetID() != alice.GetID() {
		t.Errorf("GetUser of a sound store = %v, %v", u, err)
	}
}
