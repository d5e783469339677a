package core

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// AnonymousUser is the user of a request that nobody authenticated. It is
// zero-size and has no permissions.
type AnonymousUser struct{}

// GetID is "": nobody.
func (AnonymousUser) GetID() string { return "" }

// GetUsername is "".
func (AnonymousUser) GetUsername() string { return "" }

// IsAuthenticated is false.
func (AnonymousUser) IsAuthenticated() bool { return false }

// IsActive is false.
func (AnonymousUser) IsActive() bool { return false }

// IsAdmin is false.
func (AnonymousUser) IsAdmin() bool { return false }

// IsSuperuser is false.
func (AnonymousUser) IsSuperuser() bool { return false }

// HasPerm is false: an anonymous user holds no permission.
func (AnonymousUser) HasPerm(string) bool { return false }

// HasPerms is false.
func (AnonymousUser) HasPerms(...string) bool { return false }

// HasModulePerms is false.
func (AnonymousUser) HasModulePerms(string) bool { return false }

// GetUserPermissions is nil.
func (AnonymousUser) GetUserPermissions() []string { return nil }

// GetGroupPermissions is nil.
func (AnonymousUser) GetGroupPermissions() []string { return nil }

// GetAllPermissions is nil.
func (AnonymousUser) GetAllPermissions() []string { return nil }

// SimpleUser is a small authenticated user with no password: the
// reference's SimpleUser (a UUID-style string id, username, email and two
// flags). It serializes to JSON.
type SimpleUser struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
	Active   bool   `json:"is_active"`
	Admin    bool   `json:"is_admin"`
}

// GetID is the user's ID.
func (u *SimpleUser) GetID() string { return u.ID }

// GetUsername is the user's Username.
func (u *SimpleUser) GetUsername() string { return u.Username }

// IsAuthenticated is true.
func (u *SimpleUser) IsAuthenticated() bool { return true }

// IsActive reports Active.
func (u *SimpleUser) IsActive() bool { return u.Active }

// IsAdmin reports Admin.
func (u *SimpleUser) IsAdmin() bool { return u.Admin }

// Group is a named set of permissions (Django's auth.Group).
type Group struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Permissions []string `json:"permissions,omitempty"`
}

// DefaultUser is Django's auth.User: a BaseUser, FullUser and
// PermissionsMixin ready to use, with the columns of Django's auth_user
// table. Password holds the encoded hash and is left out of JSON, so that
// serializing a user never leaks it.
type DefaultUser struct {
	ID              int64      `json:"id"`
	Username        string     `json:"username"`
	Email           string     `json:"email"`
	FirstName       string     `json:"first_name"`
	LastName        string     `json:"last_name"`
	Password        string     `json:"-"`
	LastLogin       *time.Time `json:"last_login"`
	Active          bool       `json:"is_active"`
	Staff           bool       `json:"is_staff"`
	Superuser       bool       `json:"is_superuser"`
	DateJoined      time.Time  `json:"date_joined"`
	UserPermissions []string   `json:"user_permissions"`
	Groups          []Group    `json:"groups"`
}

// GetID is the id in decimal.
func (u *DefaultUser) GetID() string { return strconv.FormatInt(u.ID, 10) }

// GetUsername is the username.
func (u *DefaultUser) GetUsername() string { return u.Username }

// IsAuthenticated is true.
func (u *DefaultUser) IsAuthenticated() bool { return true }

// IsActive is Django's is_active.
func (u *DefaultUser) IsActive() bool { return u.Active }

// IsAdmin is is_staff, as DRF's IsAdminUser reads it.
func (u *DefaultUser) IsAdmin() bool { return u.Staff }

// UsernameField is "username".
func (u *DefaultUser) UsernameField() string { return "username" }

// PasswordHash is the encoded password hash.
func (u *DefaultUser) PasswordHash() string { return u.Password }

// SetPasswordHash replaces the encoded password hash.
func (u *DefaultUser) SetPasswordHash(encoded string) { u.Password = encoded }

// GetLastLogin is the last login, the zero time for none.
func (u *DefaultUser) GetLastLogin() time.Time {
	if u.LastLogin == nil {
		return time.Time{}
	}
	return *u.LastLogin
}

// SetLastLogin records a login at t.
func (u *DefaultUser) SetLastLogin(t time.Time) { u.LastLogin = &t }

// GetEmail is the email address.
func (u *DefaultUser) GetEmail() string { return u.Email }

// GetFirstName is the first name.
func (u *DefaultUser) GetFirstName() string { return u.FirstName }

// GetLastName is the last name.
func (u *DefaultUser) GetLastName() string { return u.LastName }

// IsStaff is Django's is_staff.
func (u *DefaultUser) IsStaff() bool { return u.Staff }

// IsSuperuser is Django's is_superuser.
func (u *DefaultUser) IsSuperuser() bool { return u.Superuser }

// GetDateJoined is when the user was created.
func (u *DefaultUser) GetDateJoined() time.Time { return u.DateJoined }

// GetFullName is Django's get_full_name: "first last", trimmed.
func (u *DefaultUser) GetFullName() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// GetShortName is the first name.
func (u *DefaultUser) GetShortName() string { return u.FirstName }

// HasPerm follows Django: an inactive user has no permission, an active
// superuser has all, anyone else needs it directly or through a group.
func (u *DefaultUser) HasPerm(perm string) bool {
	if !u.Active {
		return false
	}
	if u.Superuser {
		return true
	}
	if slices.Contains(u.UserPermissions, perm) {
		return true
	}
	for i := range u.Groups {
		if slices.Contains(u.Groups[i].Permissions, perm) {
			return true
		}
	}
	return false
}

// HasPerms is true when the user has every permission in perms.
func (u *DefaultUser) HasPerms(perms ...string) bool {
	for _, p := range perms {
		if !u.HasPerm(p) {
			return false
		}
	}
	return true
}

// HasModulePerms is true when the user has any permission of app.
func (u *DefaultUser) HasModulePerms(app string) bool {
	if !u.Active {
		return false
	}
	if u.Superuser {
		return true
	}
	if hasPrefixIn(u.UserPermissions, app) {
		return true
	}
	for i := range u.Groups {
		if hasPrefixIn(u.Groups[i].Permissions, app) {
			return true
		}
	}
	return false
}

// hasPrefixIn reports whether a permission's app label (the text before
// its first dot, as Django reads it) is app.
func hasPrefixIn(perms []string, app string) bool {
	for _, p := range perms {
		if label, _, ok := strings.Cut(p, "."); ok && label == app {
			return true
		}
	}
	return false
}

// GetUserPermissions returns the user's own permissions (sorted, no
// duplicates); none for an inactive user, as in Django.
func (u *DefaultUser) GetUserPermissions() []string {
	if !u.Active {
		return nil
	}
	return sortedSet(u.UserPermissions)
}

// GetGroupPermissions returns the permissions the user has through groups.
func (u *DefaultUser) GetGroupPermissions() []string {
	if !u.Active {
		return nil
	}
	var all []string
	for _, g := range u.Groups {
		all = append(all, g.Permissions...)
	}
	return sortedSet(all)
}

// GetAllPermissions returns every permission of the user, sorted. For a
// superuser this is only the permissions actually granted; HasPerm still
// passes for any permission.
func (u *DefaultUser) GetAllPermissions() []string {
	if !u.Active {
		return nil
	}
	all := slices.Clone(u.UserPermissions)
	for _, g := range u.Groups {
		all = append(all, g.Permissions...)
	}
	return sortedSet(all)
}

func sortedSet(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// Interface checks.
var (
	_ User             = AnonymousUser{}
	_ PermissionsMixin = AnonymousUser{}
	_ User             = (*SimpleUser)(nil)
	_ FullUser         = (*DefaultUser)(nil)
	_ PermissionsMixin = (*DefaultUser)(nil)
)
