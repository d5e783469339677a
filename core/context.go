package core

import "context"

// Identity is what authentication learned about a request: the user (never
// nil: AnonymousUser when nobody authenticated), the method that
// authenticated it ("basic", "session", "jwt", "oauth2", "remote"; "" for
// anonymous) and the authenticator's credentials (DRF's request.auth: the
// token claims, for instance), which may be nil.
type Identity struct {
	User        User
	Method      string
	Credentials any
}

// Anonymous returns a new identity of an unauthenticated request. Each
// call returns its own value, so a handler that changes it changes nobody
// else's.
func Anonymous() *Identity { return &Identity{User: AnonymousUser{}} }

type stateKey struct{}

// requestState is what the adapters' middleware leaves in a request's
// context: one value, so that it costs one allocation.
type requestState struct {
	id     *Identity
	engine *Engine
}

// WithIdentity returns a context carrying id.
func WithIdentity(ctx context.Context, id *Identity) context.Context {
	return WithAuth(ctx, EngineFromContext(ctx), id)
}

// WithAuth returns a context carrying the engine that authenticated the
// request and the identity it found; adapters call it once per request.
func WithAuth(ctx context.Context, e *Engine, id *Identity) context.Context {
	return context.WithValue(ctx, stateKey{}, &requestState{id: id, engine: e})
}

// IdentityFromContext returns the identity in ctx, or a new anonymous one.
func IdentityFromContext(ctx context.Context) *Identity {
	if st, ok := ctx.Value(stateKey{}).(*requestState); ok && st.id != nil && st.id.User != nil {
		return st.id
	}
	return Anonymous()
}

// UserFromContext returns the current user: AnonymousUser when the request
// was not authenticated.
func UserFromContext(ctx context.Context) User {
	if st, ok := ctx.Value(stateKey{}).(*requestState); ok && st.id != nil && st.id.User != nil {
		return st.id.User
	}
	return AnonymousUser{}
}

// EngineFromContext returns the engine that authenticated the request, or
// nil when no adapter middleware ran.
func EngineFromContext(ctx context.Context) *Engine {
	if st, ok := ctx.Value(stateKey{}).(*requestState); ok {
		return st.engine
	}
	return nil
}

// UserAs returns the current user as the application's own type, so that
// handlers need no type assertion: u, ok := core.UserAs[*core.DefaultUser](ctx).
func UserAs[T User](ctx context.Context) (T, bool) {
	u, ok := UserFromContext(ctx).(T)
	return u, ok
}
