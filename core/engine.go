package core

import (
	"context"
	"log/slog"
	"net/http"
)

// Engine runs a request's authenticators in order and its permissions, and
// renders failures the way DRF does. Configure it once and share it; it is
// safe for concurrent use as long as its fields are not changed after the
// first request.
type Engine struct {
	// Authenticators run in order; the first that recognises its scheme
	// decides (DRF's authentication_classes). The first one's challenge is
	// the WWW-Authenticate of every 401.
	Authenticators []Authenticator
	// MaxBodyBytes caps request bodies read by the core's endpoints;
	// 0 means DefaultMaxBodyBytes (1 MiB).
	MaxBodyBytes int64
	// Logger receives authentication failures and store errors at Debug and
	// Warn levels; nil means slog.Default(). Credentials are never logged.
	Logger *slog.Logger
}

// ErrAuthorizationHeader is the refusal of a request that carries the
// Authorization header more than once: rendered 401 (403 without a
// challenge), as a failed authentication, whichever credentials the
// headers hold. Authenticators read the first value, and a proxy or
// another framework in the path may read the last, so such a request is
// never authenticated with either. Django behind a WSGI server that joins
// repeated headers with a comma refuses it too (DRF's "should not contain
// spaces").
var ErrAuthorizationHeader = &AuthenticationError{
	Kind:   ErrInvalidCredentials,
	Detail: "Invalid Authorization header. It must be sent once.",
	Code:   "authentication_failed",
}

// NewEngine returns an Engine running auths in the order given.
func NewEngine(auths ...Authenticator) *Engine { return &Engine{Authenticators: auths} }

// Challenge is the WWW-Authenticate value of the first authenticator, ""
// when it has none (DRF then answers 403 instead of 401).
func (e *Engine) Challenge() string {
	if len(e.Authenticators) == 0 {
		return ""
	}
	if c, ok := e.Authenticators[0].(Challenger); ok {
		return c.Challenge()
	}
	return ""
}

func (e *Engine) logger() *slog.Logger {
	if e.Logger != nil {
		return e.Logger
	}
	return slog.Default()
}

// Authenticate runs the authenticators and returns the identity of r: the
// first authenticator that recognises its scheme decides; when none does,
// the anonymous identity. An error means credentials were present and
// wrong, or a store failed; the request must then be answered with
// WriteError and go no further (fail closed). A request with more than
// one Authorization header is refused with ErrAuthorizationHeader before
// any authenticator runs.
func (e *Engine) Authenticate(r Request) (*Identity, error) {
	if headerCount(r, "Authorization") > 1 {
		e.logFailure(r.Context(), ErrAuthorizationHeader)
		return nil, ErrAuthorizationHeader
	}
	for i, a := range e.Authenticators {
		id, err := a.Authenticate(r)
		if err != nil {
			e.logFailure(r.Context(), err)
			return nil, err
		}
		if id == nil {
			continue
		}
		if id.User == nil {
			id.User = AnonymousUser{}
		}
		if e.revoked(r, i, id) {
			return Anonymous(), nil
		}
		return id, nil
	}
	return Anonymous(), nil
}

func (e *Engine) revoked(r Request, by int, id *Identity) bool {
	for i, a := range e.Authenticators {
		if i == by {
			continue
		}
		if rv, ok := a.(IdentityRevoker); ok && rv.RevokeIdentity(r, id) {
			if l, ok := id.Credentials.(Logouter); ok {
				if err := l.Logout(r.Context()); err != nil {
					e.logger().WarnContext(r.Context(), "auth: ending revoked identity failed", "error", err)
				}
			}
			return true
		}
	}
	return false
}

func (e *Engine) logFailure(ctx context.Context, err error) {
	if ToAPIError(err).Status >= 500 {
		e.logger().WarnContext(ctx, "auth: authentication failed closed", "error", err)
		return
	}
	e.logger().DebugContext(ctx, "auth: credentials refused", "error", err)
}

// CheckPermissions runs every permission's request check, in order (DRF's
// check_permissions). It returns nil when all allow; otherwise the error
// to render: NotAuthenticated when the engine has authenticators and the
// request was not authenticated, else the permission's own error (Denier)
// or PermissionDenied. A permission that implements Checker (a throttle)
// is run through Check, and its error is returned as it is.
func (e *Engine) CheckPermissions(ctx context.Context, pc *PermissionContext, perms ...Permission) error {
	for _, p := range perms {
		if c, ok := p.(Checker); ok {
			if err := c.Check(ctx, pc); err != nil {
				return err
			}
			continue
		}
		if !p.HasPermission(ctx, pc) {
			return e.denied(ctx, pc, p)
		}
	}
	return nil
}

// CheckObjectPermissions runs every permission's object check for obj
// (DRF's check_object_permissions): handlers call it once they hold the
// object. Errors are as for CheckPermissions.
func (e *Engine) CheckObjectPermissions(ctx context.Context, pc *PermissionContext, obj any, perms ...Permission) error {
	for _, p := range perms {
		if !hasObjectPermission(ctx, p, pc, obj) {
			return e.denied(ctx, pc, p)
		}
	}
	return nil
}

// denied is DRF's permission_denied. An error a permission raises while
// checking (405 for an unknown method, 404 to hide an object) comes first,
// as it does in DRF; then NotAuthenticated for an anonymous request when
// there are authenticators; then the permission's own message or
// PermissionDenied.
func (e *Engine) denied(ctx context.Context, pc *PermissionContext, p Permission) error {
	var custom error
	if d, ok := p.(Denier); ok {
		custom = d.DenialError(ctx, pc)
		if custom != nil && ToAPIError(custom).Status != http.StatusForbidden {
			return custom
		}
	}
	if len(e.Authenticators) > 0 && !pc.IsAuthenticated {
		return ErrNotAuthenticated
	}
	if custom != nil {
		return custom
	}
	return ErrPermissionDenied
}

// WriteError renders err with the engine's challenge (see the package
// function WriteError).
func (e *Engine) WriteError(w Response, err error) error {
	return WriteError(w, err, e.Challenge())
}

// headerCount is the number of values of the named header r has: through
// HeaderCount when r has it (the Fiber adapter's request, whose
// HeaderValues copies every value), else len(HeaderValues).
func headerCount(r Request, name string) int {
	if c, ok := r.(interface{ HeaderCount(name string) int }); ok {
		return c.HeaderCount(name)
	}
	return len(r.HeaderValues(name))
}
