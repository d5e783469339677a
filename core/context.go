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

// Anonymous is the identity of an unauthenticated request.
var anonymous = &Identity{User: AnonymousUser{}}

type identityKey struct{}

// WithIdentity returns a context carrying id.
func WithIdentity(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFromContext returns the identity in ctx, or the anonymous one.
func IdentityFromContext(ctx context.Context) *Identity {
	if id, ok := ctx.Value(identityKey{}).(*Identity); ok && id != nil && id.User != nil {
		return id
	}
	return anonymous
}

// UserFromContext returns the current user: AnonymousUser when the request
// was not authenticated.
func UserFromContext(ctx context.Context) User { return IdentityFromContext(ctx).User }

// UserAs returns the current user as the application's own type, so that
// handlers need no type assertion: u, ok := core.UserAs[*core.DefaultUser](ctx).
func UserAs[T User](ctx context.Context) (T, bool) {
	u, ok := UserFromContext(ctx).(T)
	return u, ok
}
