package core

import (
	"context"
	"time"
)

// Authenticator is DRF's BaseAuthentication: it inspects a request and
//
//   - returns (nil, nil) when its scheme is absent, so the next
//     authenticator tries;
//   - returns the identity when the credentials are good;
//   - returns an error when credentials of its scheme are present and
//     wrong (an *AuthenticationError, rendered 401/403), or when a store it
//     needs failed (wrapping ErrStoreUnavailable: the request fails closed).
type Authenticator interface {
	Authenticate(r Request) (*Identity, error)
}

// Challenger is implemented by authenticators that have a WWW-Authenticate
// challenge (DRF's authenticate_header), such as `Basic realm="api"`.
// The Engine uses the challenge of its first authenticator.
type Challenger interface {
	Challenge() string
}

// IdentityRevoker is implemented by authenticators that can end an identity
// another authenticator established: RemoteUserAuthentication with
// ForceLogoutIfNoHeader ends a "remote" identity when the proxy stops
// sending the header. When it returns true the request becomes anonymous;
// if the identity's Credentials implement Logouter, Logout is called.
type IdentityRevoker interface {
	RevokeIdentity(r Request, id *Identity) bool
}

// Logouter is implemented by credentials that can be ended (a session).
type Logouter interface {
	Logout(ctx context.Context) error
}

// AuthBackend is a Django authentication backend: username and password to
// a user, and user lookup by id (for sessions).
//
// Authenticate returns (nil, nil) when the credentials do not match a user
// this backend knows or the user may not log in (inactive), the user when
// they match, and an error only for a failure of the backend itself (wrap
// ErrStoreUnavailable), which stops the search: the caller fails closed.
// GetUser returns (nil, nil) for an unknown id.
type AuthBackend interface {
	Authenticate(ctx context.Context, username, password string) (User, error)
	GetUser(ctx context.Context, id string) (User, error)
}

// UserStore is the persistence a ModelBackend needs. Every method honours
// ctx. A user that does not exist is (nil, nil), never an error; an error
// means the store failed and wraps ErrStoreUnavailable.
type UserStore interface {
	// UserByID returns the user whose GetID() is id.
	UserByID(ctx context.Context, id string) (BaseUser, error)
	// UserByUsername returns the user whose username field equals username
	// exactly (no normalization, no case folding, as Django's
	// get_by_natural_key).
	UserByUsername(ctx context.Context, username string) (BaseUser, error)
	// SetPasswordHash persists a new encoded password for the user id (the
	// upgrade on login, a password change).
	SetPasswordHash(ctx context.Context, id, encoded string) error
	// SetLastLogin persists the last login time of the user id.
	SetLastLogin(ctx context.Context, id string, t time.Time) error
}

// PasswordHashReplacer is a UserStore that can replace a password hash
// only if it is still the one the caller read: what makes a single-use
// credential that dies with the password (a password-reset link) single
// use under concurrency.
//
// ReplacePasswordHash stores encoded as the password of the user id when
// the stored one is old, in one atomic step, and reports whether it did:
// false (and no error) when the stored hash is another or the user does
// not exist. An error means the store failed and wraps
// ErrStoreUnavailable.
type PasswordHashReplacer interface {
	ReplacePasswordHash(ctx context.Context, id, old, encoded string) (bool, error)
}
