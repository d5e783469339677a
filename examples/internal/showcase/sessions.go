package showcase

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/djangosession"
	"github.com/reinhardt-go/auth/core/sessions/usersessions"
	"github.com/reinhardt-go/auth/stores/filestore"
	"github.com/reinhardt-go/auth/stores/memory"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// BackendName is the name session logins store for the model backend
// (Django's dotted path, so that a Django project sharing the sessions,
// -sessions django, recognises it).
const BackendName = djangosession.BackendName

// openSessions builds the session backend named by -sessions, the
// manager, the session authenticator with CSRF, and the endpoints.
func (a *App) openSessions(ctx context.Context) error {
	backend, err := a.sessionBackend(ctx, a.Config.Sessions)
	if err != nil {
		return fmt.Errorf("-sessions %s: %w", a.Config.Sessions, err)
	}
	backend = wrap(a.wrap.Sessions, backend)
	m := sessions.NewManager(backend)
	m.Cookie.Secure = a.Config.SecureCookies
	m.Logger = a.Logger
	a.Sessions = m
	prot, err := csrf.New(csrf.WithSecureCookie(a.Config.SecureCookies), csrf.WithTrustedProxies(a.Config.TrustedProxies...))
	if err != nil {
		return err
	}
	a.CSRF = prot
	a.SessionAuth = &sessions.SessionAuthentication{
		Backends: map[string]core.AuthBackend{BackendName: a.Backend},
		Secret:   a.Secret,
		Manager:  m,
		CSRF:     prot.Check,
		Events:   a.Events,
	}
	hooks := sessions.LoginHooks{
		RotateCSRF: func(r core.Request, w core.Response) error {
			_, err := prot.Rotate(r, w)
			return err
		},
		RecordLogin: a.Backend.RecordLogin,
		PasswordChanged: func(ctx context.Context, u core.BaseUser) error {
			return a.Tokens.LogoutAll(ctx, u.GetID())
		},
	}
	a.CSRFToken = prot.TokenEndpoint()
	a.Login = &sessions.LoginEndpoint{Auth: a.SessionAuth, Backend: a.Backend, BackendName: BackendName, Hooks: hooks, Guard: a.LoginGuard, SecondFactor: a.MFA, OTPGuard: a.OTPGuard,
		TrustedProxies: a.Config.TrustedProxies}
	a.Logout = &sessions.LogoutEndpoint{Auth: a.SessionAuth}
	a.PasswordChange = &sessions.PasswordChangeEndpoint{Auth: a.SessionAuth, Store: a.Store, Hooks: hooks, Guard: a.LoginGuard}
	return nil
}

// sessionBackend opens the backend of a -sessions value: db (Django's
// django_session table in the -db database, keys hashed), django (the
// same table in Django's own format, keys unhashed, signed with the
// secret as Django's SECRET_KEY), redis (-redis), file:DIR,
// memory, or cookie (AES-256-GCM under a key derived from the secret, with
// server-side generations — in Redis when -redis is set — so logout ends
// every copy of the cookie).
func (a *App) sessionBackend(_ context.Context, spec string) (sessions.SessionBackend, error) {
	switch {
	case spec == "db":
		return a.Store.Sessions(), nil
	case spec == "django":
		codec, err := djangosession.New(a.Secret)
		if err != nil {
			return nil, err
		}
		return sqlstore.NewDjangoSessionBackend(a.Store, codec)
	case spec == "redis":
		client, err := a.redis()
		if err != nil {
			return nil, err
		}
		return redisstore.NewSessionBackend(client, a.redisOpts...), nil
	case strings.HasPrefix(spec, "file:"):
		return filestore.NewFileSessionBackend(strings.TrimPrefix(spec, "file:"))
	case spec == "memory":
		b := memory.NewSessionBackend()
		a.closers = append(a.closers, b.Close)
		return b, nil
	case spec == "cookie":
		var gens sessions.GenerationStore
		if a.Config.Redis != "" {
			client, err := a.redis()
			if err != nil {
				return nil, err
			}
			gens = redisstore.NewCache(client, a.redisOpts...)
		} else {
			g := memory.NewGenerationStore()
			a.closers = append(a.closers, g.Close)
			gens = g
		}
		return sessions.NewCookieSessionBackend(gens, sessions.DeriveCookieKey(a.Secret))
	}
	return nil, fmt.Errorf("want db, django, redis, file:DIR, cookie or memory")
}

// userSessions is the session backend as a usersessions.Lister
// (memory, db, redis), nil for a backend that cannot list a user's
// sessions (cookie, file, django).
func (a *App) userSessions() usersessions.Lister {
	if a.Sessions == nil {
		return nil
	}
	l, _ := a.Sessions.Backend.(usersessions.Lister)
	return l
}

// redis returns the client of -redis, opened once. A "prefix" query
// parameter (not go-redis's) sets the key prefix of every Redis store
// (redisstore.WithPrefix), so that services or test runs sharing a Redis
// keep apart; the rest of the URL is go-redis's, a cluster URL (addr=
// parameters) giving a Cluster client.
func (a *App) redis() (redis.UniversalClient, error) {
	if a.redisClient != nil {
		return a.redisClient, nil
	}
	if a.Config.Redis == "" {
		return nil, fmt.Errorf("needs -redis redis://host:port/db")
	}
	raw := a.Config.Redis
	if u, err := url.Parse(raw); err == nil && u.Query().Has("prefix") {
		q := u.Query()
		a.redisOpts = []redisstore.Option{redisstore.WithPrefix(q.Get("prefix"))}
		q.Del("prefix")
		u.RawQuery = q.Encode()
		raw = u.String()
	}
	c, err := redisstore.Open(raw)
	if err != nil {
		return nil, err
	}
	a.redisClient = c
	a.closers = append(a.closers, c.Close)
	return c, nil
}

// sessionLoggedOutEverywhere ends a session that was logged in before the
// user's last "log out everywhere" (the valid-after stamp the token store
// keeps): the session counterpart of revoked refresh tokens.
type validAfterSessions struct {
	*sessions.SessionAuthentication
	validAfter func(ctx context.Context, userID string) (time.Time, error)
}

// Authenticate implements core.Authenticator.
func (v validAfterSessions) Authenticate(r core.Request) (*core.Identity, error) {
	id, err := v.SessionAuthentication.Authenticate(r)
	if err != nil || id == nil {
		return id, err
	}
	ctx := r.Context()
	stamp, err := v.validAfter(ctx, id.User.GetID())
	if err != nil {
		return nil, err
	}
	s := sessions.FromContext(ctx)
	if creds, ok := id.Credentials.(*sessions.SessionCredentials); ok && creds.Session() != nil {
		s = creds.Session()
	}
	if stamp.IsZero() {
		return id, nil
	}
	if s == nil {
		return nil, nil // cannot tell when it logged in: not trusted
	}
	login := s.Created()
	if ns, ok := sessions.GetAs[int64](s, sessions.LoginAtKey); ok {
		login = time.Unix(0, ns)
	}
	// A session Django logged in (-sessions django) has no login time: its
	// creation time stands in, which the Django-format backend infers from
	// Django's last save of it, at or after its login. A session zero
	// stamps say nothing of is not trusted.
	if login.IsZero() || login.Before(stamp) {
		if err := v.SessionAuthentication.Logout(ctx, s); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return id, nil
}
