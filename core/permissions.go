package core

import (
	"context"
	"strings"
)

// AllowAny allows every request.
type AllowAny struct{}

// HasPermission allows every request.
func (AllowAny) HasPermission(context.Context, *PermissionContext) bool { return true }

// IsAuthenticated allows authenticated users.
type IsAuthenticated struct{}

// HasPermission allows an authenticated user.
func (IsAuthenticated) HasPermission(_ context.Context, pc *PermissionContext) bool {
	return pc.IsAuthenticated
}

// IsAdminUser allows staff users (DRF checks is_staff alone).
type IsAdminUser struct{}

// HasPermission allows a staff user.
func (IsAdminUser) HasPermission(_ context.Context, pc *PermissionContext) bool { return pc.IsAdmin }

// IsActiveUser allows authenticated users whose account is active.
type IsActiveUser struct{}

// HasPermission allows an authenticated, active user.
func (IsActiveUser) HasPermission(_ context.Context, pc *PermissionContext) bool {
	return pc.IsAuthenticated && pc.IsActive
}

// IsAuthenticatedOrReadOnly allows anyone to use a safe method (GET, HEAD,
// OPTIONS) and authenticated users everything.
type IsAuthenticatedOrReadOnly struct{}

// HasPermission allows a safe method to anyone, any method to an
// authenticated user.
func (IsAuthenticatedOrReadOnly) HasPermission(_ context.Context, pc *PermissionContext) bool {
	return IsSafeMethod(pc.Method()) || pc.IsAuthenticated
}

// HasPerm allows users that hold every listed Django permission
// ("app_label.codename"), directly or through a group. Users that do not
// implement PermissionsMixin hold none.
//
//	core.HasPerm{"blog.change_post"}
type HasPerm []string

// HasPermission allows a user that holds every permission of h.
func (h HasPerm) HasPermission(_ context.Context, pc *PermissionContext) bool {
	if !pc.IsAuthenticated {
		return false
	}
	pm, ok := pc.User.(PermissionsMixin)
	return ok && pm.HasPerms(h...)
}

// ModelPermissions is DRF's DjangoModelPermissions for one model: the
// method decides the permission needed (POST: add, PUT and PATCH: change,
// DELETE: delete, GET/HEAD/OPTIONS: none). Anonymous users are refused
// unless AnonReadOnly is set (DjangoModelPermissionsOrAnonReadOnly); a
// method outside the map is refused with 405. Build it with
// NewModelPermissions so the permission names are computed once.
type ModelPermissions struct {
	// AnonReadOnly lets anonymous users use safe methods.
	AnonReadOnly bool
	perms        map[string][]string
}

// NewModelPermissions returns the permissions of model in app, with DRF's
// perms_map.
func NewModelPermissions(app, model string) *ModelPermissions {
	p := func(action string) []string { return []string{app + "." + action + "_" + model} }
	return &ModelPermissions{perms: map[string][]string{
		"GET": {}, "OPTIONS": {}, "HEAD": {},
		"POST": p("add"), "PUT": p("change"), "PATCH": p("change"), "DELETE": p("delete"),
	}}
}

// PermsFor returns the permissions needed for method, and false when the
// method is not in the map.
func (m *ModelPermissions) PermsFor(method string) ([]string, bool) {
	perms, ok := m.perms[method]
	return perms, ok
}

// HasPermission allows a user that holds the permissions the request's
// method needs (PermsFor).
func (m *ModelPermissions) HasPermission(_ context.Context, pc *PermissionContext) bool {
	if !pc.IsAuthenticated && !(m.AnonReadOnly && IsSafeMethod(pc.Method())) {
		return false
	}
	perms, ok := m.perms[pc.Method()]
	if !ok {
		return false
	}
	if len(perms) == 0 {
		return true
	}
	pm, ok := pc.User.(PermissionsMixin)
	return ok && pm.HasPerms(perms...)
}

// DenialError is DRF's MethodNotAllowed (405) for a method outside the map
// when the map is consulted (authenticated users, or anyone with
// AnonReadOnly), else nil: the Engine then answers PermissionDenied, or
// NotAuthenticated for anonymous users.
func (m *ModelPermissions) DenialError(_ context.Context, pc *PermissionContext) error {
	if _, ok := m.perms[pc.Method()]; !ok && (pc.IsAuthenticated || m.AnonReadOnly) {
		return MethodNotAllowed(pc.Method())
	}
	return nil
}

// ObjectPermissionFunc turns a function into a permission that allows every
// request and decides per object: for checks such as "the author of the
// post".
type ObjectPermissionFunc func(ctx context.Context, pc *PermissionContext, obj any) bool

// HasPermission allows every request: the function decides per object.
func (ObjectPermissionFunc) HasPermission(context.Context, *PermissionContext) bool { return true }

// HasObjectPermission calls f.
func (f ObjectPermissionFunc) HasObjectPermission(ctx context.Context, pc *PermissionContext, obj any) bool {
	return f(ctx, pc, obj)
}

// PermissionFunc turns a function into a Permission.
type PermissionFunc func(ctx context.Context, pc *PermissionContext) bool

// HasPermission calls f.
func (f PermissionFunc) HasPermission(ctx context.Context, pc *PermissionContext) bool {
	return f(ctx, pc)
}

// WithMessage wraps p so that its refusal carries detail as the message
// (DRF's `message` attribute on a permission class).
func WithMessage(p Permission, detail string) Permission {
	return &messagePermission{Permission: p, err: PermissionDenied(detail)}
}

type messagePermission struct {
	Permission
	err error
}

func (m *messagePermission) HasObjectPermission(ctx context.Context, pc *PermissionContext, obj any) bool {
	return hasObjectPermission(ctx, m.Permission, pc, obj)
}

func (m *messagePermission) DenialError(context.Context, *PermissionContext) error { return m.err }

// String names a HasPerm for logs.
func (h HasPerm) String() string { return "HasPerm(" + strings.Join(h, ",") + ")" }
