package sessions

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"sort"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
)

// Django's session keys for the logged-in user (django.contrib.auth).
const (
	// SessionKey holds the user's id as a string (SESSION_KEY).
	SessionKey = "_auth_user_id"
	// BackendSessionKey holds the name of the backend that authenticated
	// the user (BACKEND_SESSION_KEY).
	BackendSessionKey = "_auth_user_backend"
	// HashSessionKey holds the user's session auth hash (HASH_SESSION_KEY).
	HashSessionKey = "_auth_user_hash"
)

// DefaultBackendName is the name under which NewSessionAuthentication
// registers its backend: the Go counterpart of Django's dotted path
// "django.contrib.auth.backends.ModelBackend".
const DefaultBackendName = "github.com/reinhardt-go/auth/core.ModelBackend"

// SessionAuthentication authenticates requests by their session, with
// Django's login(), logout(), get_user() and update_session_auth_hash()
// semantics and DRF's SessionAuthentication: it is a core.Authenticator
// (method "session") with no WWW-Authenticate challenge, so when it comes
// first, refusals are 403 as in DRF.
//
// The session comes from the request's context (the Manager's middleware
// put it there). Without one, and with Manager set, it is loaded from the
// request's cookie for reading only: a fallback-secret match is then
// accepted without rewriting the session, which nobody would commit.
type SessionAuthentication struct {
	// Backends are the authentication backends by the name Login stores in
	// the session (Django's AUTHENTICATION_BACKENDS). A session naming a
	// backend not in the map is anonymous, as in Django. Required.
	Backends map[string]core.AuthBackend
	// Secret is the site secret the session auth hash is keyed with
	// (Django's SECRET_KEY). Required.
	Secret []byte
	// FallbackSecrets are earlier secrets (SECRET_KEY_FALLBACKS): a session
	// whose hash was made with one is still accepted, and moved to a new
	// key and the current hash.
	FallbackSecrets [][]byte
	// Manager loads the session of a request that carries none in its
	// context. Optional.
	Manager *Manager
	// CSRF, when set, is DRF's enforce_csrf: it is called for every
	// request this authenticator authenticates, and its error (a
	// core.PermissionDenied("CSRF Failed: …")) refuses the request. The
	// core/csrf package provides it; checking safe methods is its job.
	CSRF func(r core.Request, s *Session) error
	// Events receives the session's security events: LoggedIn
	// (LoginEndpoint), LoggedOut (Logout), LoginFailed (the login's
	// PasswordLogin) and PasswordChanged (PasswordChangeEndpoint), as
	// Django's auth signals. nil: none.
	Events *events.Dispatcher
}

// NewSessionAuthentication returns the authenticator for users looked up
// by users (registered as DefaultBackendName), with session auth hashes
// keyed by secret.
func NewSessionAuthentication(secret []byte, users core.AuthBackend) *SessionAuthentication {
	return &SessionAuthentication{Backends: map[string]core.AuthBackend{DefaultBackendName: users}, Secret: secret}
}

// GetUser returns the user with id from the first backend that knows it
// ((nil, nil) for none): the reference's get_user.
func (a *SessionAuthentication) GetUser(ctx context.Context, id string) (core.User, error) {
	for _, name := range a.backendNames() {
		u, err := a.Backends[name].GetUser(ctx, id)
		if err != nil || u != nil {
			return u, err
		}
	}
	return nil, nil
}

func (a *SessionAuthentication) backendNames() []string {
	names := make([]string, 0, len(a.Backends))
	for n := range a.Backends {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ErrBackendRequired is Login's error when several backends are configured
// and none is named (Django's ValueError).
var ErrBackendRequired = errors.New("You have multiple authentication backends configured and therefore must provide the `backend` argument or set the `backend` attribute on the user.")

// Login logs u in to session s, as Django's login() does: when the session
// belongs to another user, or to this user with a different session auth
// hash (another password), it is flushed (new key, no data); when it
// belongs to nobody it gets a new key and keeps its data (against session
// fixation); when it already belongs to u with the same hash it is left
// as is. The user's id, the backend's name (backend; "" means the only
// configured one) and the session auth hash are then stored, and the
// session starts a new lifetime.
func (a *SessionAuthentication) Login(ctx context.Context, s *Session, u core.BaseUser, backend string) error {
	if s == nil {
		return errors.New("sessions: Login needs a session (is the session middleware installed?)")
	}
	if backend == "" {
		if len(a.Backends) != 1 {
			return ErrBackendRequired
		}
		backend = a.backendNames()[0]
	} else if _, ok := a.Backends[backend]; !ok {
		return fmt.Errorf("sessions: Login: no authentication backend named %q", backend)
	}
	h := core.GetSessionAuthHash(u, a.Secret)
	if storedID, ok := GetAs[string](s, SessionKey); ok {
		storedHash, _ := GetAs[string](s, HashSessionKey)
		if storedID != u.GetID() || (h != "" && !equalHash(storedHash, h)) {
			if err := s.Flush(ctx); err != nil {
				return err
			}
		}
	} else if err := s.CycleKey(ctx); err != nil {
		return err
	}
	s.Set(SessionKey, u.GetID())
	s.Set(BackendSessionKey, backend)
	s.Set(HashSessionKey, h)
	s.created = s.m.now() // a new absolute lifetime from login on
	return nil
}

// Logout ends session s, as Django's logout() does: the session is
// flushed (data cleared, stored session deleted, a new key at the next
// save). Every copy of its cookie stops working. A session that had a
// user emits an events.LoggedOut to Events.
func (a *SessionAuthentication) Logout(ctx context.Context, s *Session) error {
	if s == nil {
		return nil
	}
	id, _ := GetAs[string](s, SessionKey)
	if err := s.Flush(ctx); err != nil {
		return err
	}
	if id != "" {
		// Django's user_logged_out, for a session that had a user. ctx
		// from core.EventContext gives the event the client's address.
		e := &events.LoggedOut{Method: events.MethodSession}
		e.UserID = id
		a.Events.Emit(ctx, e)
	}
	return nil
}

// UpdateSessionAuthHash keeps session s logged in after u's password
// changed, as Django's update_session_auth_hash() does: the session gets a
// new key, and when it belongs to u its hash becomes u's new one. Every
// other session of u stops matching and is logged out at its next
// request.
func (a *SessionAuthentication) UpdateSessionAuthHash(ctx context.Context, s *Session, u core.BaseUser) error {
	if err := s.CycleKey(ctx); err != nil {
		return err
	}
	if id, ok := GetAs[string](s, SessionKey); ok && id == u.GetID() {
		s.Set(HashSessionKey, core.GetSessionAuthHash(u, a.Secret))
	}
	return nil
}

// Authenticate implements core.Authenticator with Django's get_user(): a
// session without a logged-in user, naming an unknown backend, or whose
// user no longer exists or is inactive is (nil, nil), so the next
// authenticator tries. The stored session auth hash is compared in
// constant time with the user's: a match authenticates, as does Django
// 3.2's legacy SHA-1 hash (core.LegacySessionAuthHash, left as it is); a
// match with a
// fallback secret authenticates and moves the session to a new key and the
// current hash; anything else (the password changed) flushes the session,
// and the request is anonymous. Errors are store failures (fail closed)
// and the CSRF check's refusal.
func (a *SessionAuthentication) Authenticate(r core.Request) (*core.Identity, error) {
	ctx := r.Context()
	s := FromContext(ctx)
	readOnly := false
	if s == nil {
		if a.Manager == nil {
			return nil, nil
		}
		// Open, not Load: a session read here is never committed, so
		// the Manager's Adopt hook, which may spend an old cookie, must
		// not run.
		var err error
		if s, err = a.Manager.Open(ctx, SessionID(r.Cookie(a.Manager.cookieName()))); err != nil {
			return nil, err
		}
		readOnly = true
	}
	id, ok := GetAs[string](s, SessionKey)
	if !ok {
		return nil, nil
	}
	name, _ := GetAs[string](s, BackendSessionKey)
	backend, ok := a.Backends[name]
	if !ok {
		return nil, nil
	}
	u, err := backend.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if u == nil || !u.IsActive() {
		return nil, nil
	}
	if bu, ok := u.(core.BaseUser); ok {
		stored, _ := GetAs[string](s, HashSessionKey)
		switch {
		case stored != "" && equalHash(stored, core.GetSessionAuthHash(bu, a.Secret)):
		case len(stored) == legacyHashLen && equalHash(stored, core.LegacySessionAuthHash(bu, a.Secret)):
			// Django 3.2's get_user accepts the SHA-1 hash of Django
			// before 3.1 (and of DEFAULT_HASHING_ALGORITHM = 'sha1') and
			// leaves it: rewriting it would log the user out of a Django
			// project on that setting, which shares this session.
		case stored != "" && a.matchesFallback(stored, bu):
			if !readOnly {
				if err := s.CycleKey(ctx); err != nil {
					return nil, err
				}
				s.Set(HashSessionKey, core.GetSessionAuthHash(bu, a.Secret))
			}
		default:
			if err := s.Flush(ctx); err != nil {
				return nil, err
			}
			return nil, nil
		}
	}
	if a.CSRF != nil {
		if err := a.CSRF(r, s); err != nil {
			return nil, err
		}
	}
	return &core.Identity{User: u, Method: "session", Credentials: &SessionCredentials{session: s, auth: a}}, nil
}

func (a *SessionAuthentication) matchesFallback(stored string, u core.BaseUser) bool {
	for _, secret := range a.FallbackSecrets {
		if equalHash(stored, core.GetSessionAuthHash(u, secret)) {
			return true
		}
	}
	return false
}

// legacyHashLen is the length of a SHA-1 session auth hash in hex.
const legacyHashLen = 40

func equalHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// SessionCredentials are the Credentials of a session identity (DRF's
// request.auth): the session, and logging out of it.
type SessionCredentials struct {
	session *Session
	auth    *SessionAuthentication
}

// Session returns the session that authenticated the request.
func (c *SessionCredentials) Session() *Session { return c.session }

// Logout implements core.Logouter: it logs the session out (Logout).
func (c *SessionCredentials) Logout(ctx context.Context) error { return c.auth.Logout(ctx, c.session) }

var (
	_ core.Authenticator = (*SessionAuthentication)(nil)
	_ core.Logouter      = (*SessionCredentials)(nil)
)
