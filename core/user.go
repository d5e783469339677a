package core

import (
	"context"
	"time"

	"github.com/reinhardt-go/auth/core/hashers"
)

// User is what every user, authenticated or not, can say about itself: the
// reference's User trait and the part of Django's user every request sees.
type User interface {
	// GetID is the primary key as a string (Django's value_to_string), ""
	// for the anonymous user.
	GetID() string
	// GetUsername is the value of the username field.
	GetUsername() string
	// IsAuthenticated is true for every real user, false for AnonymousUser.
	IsAuthenticated() bool
	// IsActive reports whether the account may log in.
	IsActive() bool
	// IsAdmin reports staff status (Django's is_staff).
	IsAdmin() bool
}

// BaseUser is Django's AbstractBaseUser: a user with a password and a last
// login. An application's own user type implements these methods over its
// own fields (see the MyUser example); the password operations are the
// package functions SetPassword, CheckPassword, SetUnusablePassword,
// HasUsablePassword and GetSessionAuthHash.
//
// A BaseUser may implement HasherChooser to pick its own password hashers;
// otherwise hashers.Default() (Argon2id) is used.
type BaseUser interface {
	User
	// UsernameField names the field used as the username ("username",
	// "email", ...): Django's USERNAME_FIELD.
	UsernameField() string
	// PasswordHash returns the encoded password ("" when none was set).
	PasswordHash() string
	// SetPasswordHash stores an encoded password.
	SetPasswordHash(encoded string)
	// GetLastLogin returns the last login time, the zero Time for never.
	GetLastLogin() time.Time
	// SetLastLogin records a login time.
	SetLastLogin(t time.Time)
}

// HasherChooser is implemented by user types that hash their passwords with
// their own hashers registry instead of hashers.Default(): the Go form of
// the reference's associated `type Hasher` with its Argon2 default.
type HasherChooser interface {
	PasswordHashers() *hashers.Registry
}

// FullUser is Django's AbstractUser: a BaseUser with the usual profile
// fields.
type FullUser interface {
	BaseUser
	GetEmail() string
	GetFirstName() string
	GetLastName() string
	IsStaff() bool
	IsSuperuser() bool
	GetDateJoined() time.Time
	// GetFullName is first and last name separated by a space, trimmed.
	GetFullName() string
	// GetShortName is the first name.
	GetShortName() string
}

// PermissionsMixin is Django's PermissionsMixin: permissions are
// "app_label.codename" strings held directly or through groups. Active
// superusers have every permission; inactive users have none.
type PermissionsMixin interface {
	IsSuperuser() bool
	HasPerm(perm string) bool
	// HasPerms is true when the user has every one of perms.
	HasPerms(perms ...string) bool
	// HasModulePerms is true when the user has any permission in app.
	HasModulePerms(app string) bool
	// GetUserPermissions is the user's own permissions.
	GetUserPermissions() []string
	// GetGroupPermissions is the permissions the user has through groups.
	GetGroupPermissions() []string
	// GetAllPermissions is the sorted union of both.
	GetAllPermissions() []string
}

// registryFor returns the hashers u hashes with: its own (HasherChooser),
// else fallback, else hashers.Default(). u may be nil.
func registryFor(u BaseUser, fallback *hashers.Registry) *hashers.Registry {
	if c, ok := u.(HasherChooser); ok {
		if r := c.PasswordHashers(); r != nil {
			return r
		}
	}
	if fallback != nil {
		return fallback
	}
	return hashers.Default()
}

// SetPassword hashes raw with the user's hashers (Argon2id by default) and
// stores the encoded result: Django's set_password.
func SetPassword(ctx context.Context, u BaseUser, raw string) error {
	encoded, err := registryFor(u, nil).MakePassword(ctx, raw)
	if err != nil {
		return err
	}
	u.SetPasswordHash(encoded)
	return nil
}

// CheckPassword reports whether raw is the user's password: Django's
// check_password. When it is, and the stored hash uses a weaker hasher or
// weaker parameters than the preferred one, the hash is upgraded in the
// user value (call the store to persist it; the ModelBackend does).
func CheckPassword(ctx context.Context, u BaseUser, raw string) (bool, error) {
	reg := registryFor(u, nil)
	return reg.CheckPassword(ctx, raw, u.PasswordHash(), func(ctx context.Context, pw string) error {
		return SetPassword(ctx, u, pw)
	})
}

// SetUnusablePassword stores Django's unusable password ("!" and 40 random
// characters), for accounts that log in by other means.
func SetUnusablePassword(u BaseUser) { u.SetPasswordHash(hashers.MakeUnusablePassword()) }

// HasUsablePassword is false after SetUnusablePassword. As in Django, an
// empty hash counts as usable (it simply never verifies).
func HasUsablePassword(u BaseUser) bool { return hashers.IsPasswordUsable(u.PasswordHash()) }
