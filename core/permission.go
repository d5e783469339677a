package core

import "context"

// Permission is DRF's BasePermission: it decides whether a request may
// proceed. HasPermission runs on every request the permission guards.
type Permission interface {
	HasPermission(ctx context.Context, pc *PermissionContext) bool
}

// ObjectPermission is the optional object-level half of a Permission
// (DRF's has_object_permission), run only when a handler checks a specific
// object (Engine.CheckObjectPermissions). A Permission that does not
// implement it allows every object, as DRF's base class does.
type ObjectPermission interface {
	HasObjectPermission(ctx context.Context, pc *PermissionContext, obj any) bool
}

// Denier is optionally implemented by a permission that wants its own
// error when it refuses: a custom message (DRF's `message` attribute), 405
// for a method it does not know, or 404 to hide an object.
type Denier interface {
	DenialError(ctx context.Context, pc *PermissionContext) error
}

// Checker is optionally implemented by a Permission whose refusal is its
// own error, decided in the same step as the check: a throttle that
// records the hit and answers 429 with the wait (ThrottledError), or 503
// when its store is down. Engine.CheckPermissions calls Check instead of
// HasPermission and returns its error as it is; nil allows the request.
type Checker interface {
	Check(ctx context.Context, pc *PermissionContext) error
}

// PermissionContext is what a permission sees: the request, its user and
// the authenticator's credentials (DRF's request.auth: token claims,
// OAuth2 scopes), with the reference's flags precomputed.
type PermissionContext struct {
	Request         Request
	User            User
	Credentials     any
	IsAuthenticated bool
	IsAdmin         bool
	IsActive        bool
}

// NewPermissionContext builds the context for r and the identity id (nil
// means anonymous).
func NewPermissionContext(r Request, id *Identity) *PermissionContext {
	pc := &PermissionContext{}
	pc.Reset(r, id)
	return pc
}

// Reset fills pc for r and id without allocating.
func (pc *PermissionContext) Reset(r Request, id *Identity) {
	var u User = AnonymousUser{}
	var creds any
	if id != nil && id.User != nil {
		u, creds = id.User, id.Credentials
	}
	*pc = PermissionContext{
		Request:         r,
		User:            u,
		Credentials:     creds,
		IsAuthenticated: u.IsAuthenticated(),
		IsAdmin:         u.IsAdmin(),
		IsActive:        u.IsActive(),
	}
}

// Method is the request's method, "" without a request.
func (pc *PermissionContext) Method() string {
	if pc.Request == nil {
		return ""
	}
	return pc.Request.Method()
}

// IsSafeMethod reports whether m is one of DRF's SAFE_METHODS (GET, HEAD,
// OPTIONS), compared exactly.
func IsSafeMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "OPTIONS" }

// hasObjectPermission runs p's object check, true when it has none.
func hasObjectPermission(ctx context.Context, p Permission, pc *PermissionContext, obj any) bool {
	if op, ok := p.(ObjectPermission); ok {
		return op.HasObjectPermission(ctx, pc, obj)
	}
	return true
}
