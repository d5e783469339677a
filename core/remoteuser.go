package core

import (
	"context"
	"net/netip"
	"strings"
)

// RemoteUserAuthentication trusts a header set by an authenticating
// reverse proxy (Django's RemoteUserMiddleware and RemoteUserBackend). The
// header is believed only on requests whose immediate peer is inside one
// of TrustedProxies; from anywhere else it is ignored, so a client cannot
// name itself. With no TrustedProxies it never authenticates.
type RemoteUserAuthentication struct {
	// Header is the request header carrying the username; "" means
	// "REMOTE_USER", the reference's default.
	Header string
	// TrustedProxies are the peers allowed to set Header.
	TrustedProxies []netip.Prefix
	// Users looks the user up by username.
	Users UserStore
	// CreateUser, when set, creates a user the store does not know
	// (Django's create_unknown_user); nil means unknown users are refused.
	CreateUser func(ctx context.Context, username string) (User, error)
	// ForceLogoutIfNoHeader ends an identity established by this
	// authenticator (a session made from the header) on a request that no
	// longer carries the header: Django's RemoteUserMiddleware. When false
	// such identities persist (PersistentRemoteUserMiddleware).
	ForceLogoutIfNoHeader bool
}

// NewRemoteUserAuthentication returns the authenticator for header (""
// means REMOTE_USER) over users, trusting the given proxies.
func NewRemoteUserAuthentication(header string, users UserStore, trusted ...netip.Prefix) *RemoteUserAuthentication {
	return &RemoteUserAuthentication{Header: header, Users: users, TrustedProxies: trusted}
}

func (a *RemoteUserAuthentication) header() string {
	if a.Header == "" {
		return "REMOTE_USER"
	}
	return a.Header
}

// trustedPeer reports whether the request came from a trusted proxy.
func (a *RemoteUserAuthentication) trustedPeer(r Request) bool {
	peer, ok := PeerAddr(r.RemoteAddr())
	return ok && InPrefixes(peer, a.TrustedProxies)
}

// Authenticate implements Authenticator. A header from an untrusted peer,
// or an empty one, counts as absent. A username the store does not know is
// created when CreateUser is set and refused otherwise; an inactive user
// is refused.
func (a *RemoteUserAuthentication) Authenticate(r Request) (*Identity, error) {
	username := strings.TrimSpace(r.Header(a.header()))
	if username == "" || !a.trustedPeer(r) {
		return nil, nil
	}
	ctx := r.Context()
	bu, err := a.Users.UserByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	var u User
	if bu != nil {
		u = bu
	} else if a.CreateUser != nil {
		if u, err = a.CreateUser(ctx, username); err != nil {
			return nil, err
		}
	}
	if u == nil {
		return nil, NewAuthError(ErrUserNotFound, "Invalid username/password.")
	}
	if !u.IsActive() {
		return nil, NewAuthError(ErrInvalidCredentials, msgBasicInactive)
	}
	return &Identity{User: u, Method: "remote"}, nil
}

// RevokeIdentity implements IdentityRevoker: with ForceLogoutIfNoHeader,
// a "remote" identity on a request from a trusted proxy without the header
// is ended.
func (a *RemoteUserAuthentication) RevokeIdentity(r Request, id *Identity) bool {
	return a.ForceLogoutIfNoHeader && id.Method == "remote" && r.Header(a.header()) == ""
}
