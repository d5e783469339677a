package showcase

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/reinhardt-go/auth/core"
)

// UserFields are the fields of a user the API shows.
type UserFields struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	IsActive    bool   `json:"is_active"`
	IsStaff     bool   `json:"is_staff"`
	IsSuperuser bool   `json:"is_superuser"`
}

func userFields(u *core.DefaultUser) UserFields {
	return UserFields{u.ID, u.Username, u.Email, u.FirstName, u.LastName, u.Active, u.Staff, u.Superuser}
}

// Me is the body of GET /api/me.
type Me struct {
	UserFields
	Permissions []string `json:"permissions"`
	Auth        string   `json:"auth"`
	// MFA is true when the user has TOTP on.
	MFA bool `json:"mfa"`
}

// LogoutAllPermissions guards /api/auth/logout-all.
var LogoutAllPermissions = []core.Permission{core.IsAuthenticated{}}

// MePermissions guards /api/me.
var MePermissions = []core.Permission{core.IsAuthenticated{}}

// Me is GET /api/me for the request's identity.
func (a *App) Me(ctx context.Context) (int, any, error) {
	id := core.IdentityFromContext(ctx)
	u, ok := id.User.(*core.DefaultUser)
	if !ok {
		return 0, nil, core.ErrPermissionDenied
	}
	perms := u.GetAllPermissions()
	if u.Superuser && u.Active {
		// Django's ModelBackend gives an active superuser every permission.
		all, err := a.allPermissions(ctx)
		if err != nil {
			return 0, nil, err
		}
		perms = all
	}
	if perms == nil {
		perms = []string{}
	}
	on, err := a.MFA.Enabled(ctx, u.GetID())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, Me{UserFields: userFields(u), Permissions: perms, Auth: id.Method, MFA: on}, nil
}

// UserSummary is one user of GET /api/admin/users.
type UserSummary struct {
	UserFields
	DateJoined time.Time  `json:"date_joined"`
	LastLogin  *time.Time `json:"last_login"`
}

// AdminPermissions guards /api/admin/users.
var AdminPermissions = []core.Permission{core.IsAdminUser{}}

// AdminUsers is GET /api/admin/users.
func (a *App) AdminUsers(ctx context.Context) (int, any, error) {
	users, err := a.Store.ListUsers(ctx)
	if err != nil {
		return 0, nil, err
	}
	out := make([]UserSummary, 0, len(users))
	for _, u := range users {
		out = append(out, UserSummary{userFields(u), u.DateJoined.UTC(), u.LastLogin})
	}
	return http.StatusOK, out, nil
}

// Health is GET /healthz: 200 {"status":"ok"} while the process serves
// (liveness). It asks no store: a database or Redis that is down makes
// /readyz (Ready) answer 503 and the requests that need it fail closed,
// but must not get the process restarted by a liveness probe, which would
// not bring the store back.
func (a *App) Health(context.Context) (int, any, error) {
	return http.StatusOK, map[string]string{"status": "ok"}, nil
}

// NotFound is the body of every path the contract does not serve.
func NotFound() error { return core.ErrNotFound }

// allPermissions is every permission in the database, sorted.
func (a *App) allPermissions(ctx context.Context) ([]string, error) {
	rows, err := a.Store.ReadDB().QueryContext(ctx, `SELECT ct.app_label, p.codename FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id`)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var app, code string
		if err := rows.Scan(&app, &code); err != nil {
			return nil, unavailable(err)
		}
		out = append(out, app+"."+code)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(err)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// View is one path of the API and what answers another method on it:
// DRF's 405 (after authentication and the view's permissions, Perms),
// with Allow listing the methods the path takes.
type View struct {
	// Path is the full path, ":id" standing for the post id (net/http
	// writes it "{id}").
	Path  string
	Perms []core.Permission
	Allow string
}

// Views are the API's paths, for the 405 routes every example registers.
var Views = []View{
	{"/api/auth/register", nil, "POST"},
	{"/api/me", MePermissions, "GET, HEAD"},
	{"/api/admin/users", AdminPermissions, "GET, HEAD"},
	{"/api/posts", PostsPermissions, "GET, HEAD, POST"},
	{"/api/posts/:id", PostsPermissions, "GET, HEAD, PUT, DELETE"},
	{"/api/auth/logout-all", LogoutAllPermissions, "POST"},
	{"/api/token", nil, "POST"},
	{"/api/token/refresh", nil, "POST"},
	{"/api/token/verify", nil, "POST"},
	{"/api/token/blacklist", nil, "POST"},
	{"/api/auth/csrf", nil, "GET, HEAD"},
	{"/api/auth/login", nil, "POST"},
	{"/api/auth/logout", nil, "POST"},
	{"/api/auth/password/change", MePermissions, "POST"},
	{"/api/auth/password/reset", nil, "POST"},
	{"/api/auth/password/reset/confirm", nil, "POST"},
	{"/api/mfa/totp/enroll", MePermissions, "POST"},
	{"/api/mfa/totp/confirm", MePermissions, "POST"},
	{"/api/mfa/totp/disable", MePermissions, "POST"},
	{"/api/mfa/recovery-codes", MePermissions, "POST"},
}
