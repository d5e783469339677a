package core

import "context"

// And allows a request only when every permission allows it, evaluated in
// order and stopping at the first refusal. Its object check is the AND of
// the object checks (DRF does not re-run has_permission there).
func And(perms ...Permission) Permission { return andPerm(perms) }

// Or allows a request when any permission allows it, stopping at the first
// that does. Its object check follows DRF 3.14 and later: an object is
// allowed when some permission allows both the request and the object, so a
// request passing A's request check and B's object check alone is refused.
func Or(perms ...Permission) Permission { return orPerm(perms) }

// Not inverts p, for the request and for objects. As in DRF, Not of a
// permission without an object check refuses every object.
func Not(p Permission) Permission { return notPerm{p} }

type andPerm []Permission

func (a andPerm) HasPermission(ctx context.Context, pc *PermissionContext) bool {
	for _, p := range a {
		if !p.HasPermission(ctx, pc) {
			return false
		}
	}
	return true
}

func (a andPerm) HasObjectPermission(ctx context.Context, pc *PermissionContext, obj any) bool {
	for _, p := range a {
		if !hasObjectPermission(ctx, p, pc, obj) {
			return false
		}
	}
	return true
}

// DenialError reports the error of the first member that refuses.
func (a andPerm) DenialError(ctx context.Context, pc *PermissionContext) error {
	for _, p := range a {
		if !p.HasPermission(ctx, pc) {
			if d, ok := p.(Denier); ok {
				return d.DenialError(ctx, pc)
			}
			return nil
		}
	}
	return nil
}

type orPerm []Permission

func (o orPerm) HasPermission(ctx context.Context, pc *PermissionContext) bool {
	for _, p := range o {
		if p.HasPermission(ctx, pc) {
			return true
		}
	}
	return false
}

func (o orPerm) HasObjectPermission(ctx context.Context, pc *PermissionContext, obj any) bool {
	for _, p := range o {
		if p.HasPermission(ctx, pc) && hasObjectPermission(ctx, p, pc, obj) {
			return true
		}
	}
	return false
}

type notPerm struct{ p Permission }

func (n notPerm) HasPermission(ctx context.Context, pc *PermissionContext) bool {
	return !n.p.HasPermission(ctx, pc)
}

func (n notPerm) HasObjectPermission(ctx context.Context, pc *PermissionContext, obj any) bool {
	return !hasObjectPermission(ctx, n.p, pc, obj)
}
