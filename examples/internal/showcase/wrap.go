package showcase

import (
	"context"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/mfa"
	"github.com/reinhardt-go/auth/core/oauth2"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/core/tokens"
)

// TokenStore is what the token rotation manager keeps its state in: the
// blacklist and the refresh store, one value.
type TokenStore interface {
	tokens.TokenBlacklist
	tokens.RefreshStore
}

// StoreWrapper wraps the stores the App opens, each before anything uses
// it: the fault-injection tests put a store that fails, stalls or answers
// garbage between the app and each real store. A nil field leaves that
// store as it is. Users wraps the user lookups of authentication and
// login (the model backend and the JWT authenticator); registration,
// password reset and the admin listing use the database directly.
type StoreWrapper struct {
	Users    func(core.UserStore) core.UserStore
	Sessions func(sessions.SessionBackend) sessions.SessionBackend
	Tokens   func(TokenStore) TokenStore
	Throttle func(throttle.Store) throttle.Store
	MFA      func(mfa.Store) mfa.Store
	OAuth2   func(oauth2.Store) oauth2.Store
}

type storeWrapperKey struct{}

// WithStoreWrapper returns a context under which Open (and so Run) wraps
// its stores with w.
func WithStoreWrapper(ctx context.Context, w *StoreWrapper) context.Context {
	return context.WithValue(ctx, storeWrapperKey{}, w)
}

// wrapper is the StoreWrapper of ctx: an empty one when none was given.
func wrapper(ctx context.Context) *StoreWrapper {
	if w, ok := ctx.Value(storeWrapperKey{}).(*StoreWrapper); ok && w != nil {
		return w
	}
	return &StoreWrapper{}
}

// wrap applies f to v when f is set.
func wrap[T any](f func(T) T, v T) T {
	if f == nil {
		return v
	}
	return f(v)
}
