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
//
// A trusted request carrying the header more than once, or a value with a
// comma, is refused with ErrRemoteUserHeader: a proxy that appends its
// header to the client's instead of replacing it would otherwise let the
// client choose the user (behind a WSGI server Django sees the values
// joined by commas, a username no user has).
//
// The proxy's own login (a cookie, Kerberos, a client certificate) goes
// with every request the browser makes, cross-site ones too, as a session
// cookie does; so unsafe requests need the CSRF token and a same-origin
// Origin, as session-authenticated ones do. Set CSRF to the check; until
// it is set, unsafe requests this authenticator would authenticate are
// refused (ErrRemoteUserCSRFUnset), unless CSRFExempt says that no
// browser reaches the proxy.
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
	// CSRF, when set, is checked on every request this authenticator
	// authenticates, exactly as SessionAuthentication.CSRF is (DRF's
	// enforce_csrf): its error (a PermissionDenied("CSRF Failed: …"))
	// refuses the request, and checking safe methods is its job. Set it to
	// a csrf.Protector's CheckRequest. nil refuses unsafe requests with
	// ErrRemoteUserCSRFUnset, unless CSRFExempt is set.
	CSRF func(r Request) error
	// CSRFExempt, with CSRF nil, lets unsafe requests through without a
	// CSRF check: only for a proxy no browser reaches (service-to-service
	// traffic), where no ambient credential can be abused cross-site.
	// Default false.
	CSRFExempt bool
}

// ErrRemoteUserCSRFUnset refuses an unsafe request that remote-user
// authentication would authenticate while it has no CSRF check (CSRF nil)
// and is not CSRFExempt: fail closed rather than let a cross-site form
// act as the proxy's user. A 403, as DRF's CSRF failures are.
var ErrRemoteUserCSRFUnset = PermissionDenied("CSRF Failed: remote-user authentication has no CSRF check configured.")

// ErrRemoteUserHeader is the refusal of a request from a trusted proxy
// that carries the remote-user header more than once, or a value holding
// a comma: rendered 401 (403 without a challenge), as a failed
// authentication.
var ErrRemoteUserHeader = &AuthenticationError{
	Kind:   ErrInvalidCredentials,
	Detail: "Invalid remote user header. It must be sent once, with one username.",
	Code:   "authentication_failed",
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
// or an empty one, counts as absent; from a trusted one, a header sent
// more than once or a value with a comma is ErrRemoteUserHeader. A
// username the store does not know is created when CreateUser is set;
// otherwise, as for an inactive user, the request stays anonymous
// (Django's RemoteUserBackend returns None), so the next authenticator may
// try. An authenticated request then passes the CSRF check, when set.
func (a *RemoteUserAuthentication) Authenticate(r Request) (*Identity, error) {
	values := r.HeaderValues(a.header())
	if len(values) == 0 || !a.trustedPeer(r) {
		return nil, nil
	}
	if len(values) > 1 || strings.ContainsRune(values[0], ',') {
		return nil, ErrRemoteUserHeader
	}
	username := values[0]
	if username == "" {
		return nil, nil
	}
	ctx := r.Context()
	bu, err := LookUpUsername(ctx, a.Users, username)
	if err != nil {
		return nil, err
	}
	var u User
	if !isNil(bu) {
		u = bu
	} else if a.CreateUser != nil {
		if u, err = a.CreateUser(ctx, username); err != nil {
			return nil, err
		}
	}
	if isNil(u) || !u.IsActive() {
		return nil, nil
	}
	switch {
	case a.CSRF != nil:
		if err := a.CSRF(r); err != nil {
			return nil, err
		}
	case !a.CSRFExempt && !IsSafeMethod(r.Method()):
		return nil, ErrRemoteUserCSRFUnset
	}
	return &Identity{User: u, Method: "remote"}, nil
}

// RevokeIdentity implements IdentityRevoker: with ForceLogoutIfNoHeader,
// a "remote" identity is ended on a request without the header, where a
// header from an untrusted peer counts as absent.
func (a *RemoteUserAuthentication) RevokeIdentity(r Request, id *Identity) bool {
	return a.ForceLogoutIfNoHeader && id.Method == "remote" && (r.Header(a.header()) == "" || !a.trustedPeer(r))
}
