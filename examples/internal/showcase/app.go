package showcase

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/redis/go-redis/v9"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/events/promevents"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/mail"
	"github.com/reinhardt-go/auth/core/mfa"
	"github.com/reinhardt-go/auth/core/oauth2"
	"github.com/reinhardt-go/auth/core/passwordreset"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/redisstore"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// App is the showcase's shared state. Build it with Open; Close it when the
// server stops.
type App struct {
	Config   Config
	Store    *sqlstore.Store
	Engine   *core.Engine
	Posts    *Posts
	Metrics  *Metrics
	Register core.Endpoint
	// Events receives the security events of every part of the showcase;
	// Audit (the database's reinhardt_audit_event) and the counters of
	// /metrics subscribe to it.
	Events *events.Dispatcher
	Audit  *sqlstore.AuditLog
	// JWT signs and verifies the access and refresh tokens.
	JWT *jwtauth.JWTAuth
	// Tokens issues, rotates and revokes them (simplejwt's views and
	// blacklist app), over the database's token tables.
	Tokens *tokens.TokenRotationManager
	// Backend checks usernames and passwords.
	Backend *core.ModelBackend
	// TokenObtain, TokenRefresh, TokenVerify, TokenBlacklist and LogoutAll
	// are the token endpoints.
	TokenObtain, TokenRefresh, TokenVerify, TokenBlacklist, LogoutAll core.Endpoint
	// Sessions is the session middleware (-sessions picks its backend);
	// SessionAuth logs users in and out Django's way; CSRF protects
	// session-authenticated unsafe requests.
	Sessions    *sessions.Manager
	SessionAuth *sessions.SessionAuthentication
	CSRF        *csrf.Protector
	// CSRFToken, Login, Logout and PasswordChange are the session
	// endpoints.
	CSRFToken, Login, Logout, PasswordChange core.Endpoint
	// LoginGuard throttles failed logins (-login-rate) on every path that
	// checks a password or a one-time code; OTPGuard also counts wrong
	// one-time codes per username (throttle.DefaultOTPRate); MFA is TOTP
	// with recovery codes, required at login for the users who turned it
	// on.
	LoginGuard, OTPGuard *throttle.LoginThrottle
	MFA                  *mfa.MFAAuthentication
	// MFAEnroll, MFAConfirm, MFADisable and MFARecoveryCodes are the
	// /api/mfa endpoints.
	MFAEnroll, MFAConfirm, MFADisable, MFARecoveryCodes core.Endpoint
	// PasswordReset and PasswordResetConfirm are Django's password reset
	// as JSON; Mail queues their mail (-smtp, or the log).
	PasswordReset, PasswordResetConfirm core.Endpoint
	Mail                                *mail.Queue
	Logger                              *slog.Logger

	// OAuth2 is the OAuth2 provider with OpenID Connect (the /o/…
	// endpoints, the consent page, the Bearer authenticator), over the
	// database's OAuth2 tables.
	OAuth2 *oauth2.Provider
	// JWKS serves /.well-known/jwks.json: the JWT public keys and the
	// id_token key.
	JWKS core.Endpoint
	// LoginPage is GET and POST /accounts/login, LogoutPage POST
	// /accounts/logout: the HTML session login. They are among the HTML
	// pages of PageRoutes.
	LoginPage, LogoutPage core.Endpoint
	// Ready is GET /readyz: 200 when the database and Redis (with -redis)
	// answer within a second, 503 naming the one that does not.
	Ready core.Endpoint

	pages []PageRoute

	closers      []func() error
	resetRequest *passwordreset.RequestEndpoint
	redisClient  redis.UniversalClient
	redisOpts    []redisstore.Option // the key prefix of -redis's prefix parameter
	wrap         *StoreWrapper       // WithStoreWrapper's, or an empty one
	users        core.UserStore      // the users of authentication and login
	// Secret is the site secret key (HS256 tokens, cookie signing, CSRF).
	Secret []byte
	// DemoCredentials holds "username", "password" pairs created by the
	// demo seed on this start (empty when the database had users).
	DemoCredentials [][2]string
	// DemoClients are the demo OAuth2 clients registered on this start,
	// with their secrets (empty for the public one).
	DemoClients []oauth2.Credentials
}

// Open opens and migrates the database, loads or generates the secret,
// seeds the demo data and builds the engine.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*App, error) {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if path, ok := strings.CutPrefix(cfg.DB, "sqlite:"); ok && path != "" && !strings.HasPrefix(path, ":memory:") && !strings.HasPrefix(path, "file:") {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("database directory: %w", err)
		}
	}
	store, err := sqlstore.Open(ctx, cfg.DB, sqlstore.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	store.LockTimeout = cfg.LockTimeout
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer(cfg.Addr, cfg.Addr)
	}
	a := &App{Config: cfg, Store: store, Logger: logger, Metrics: NewMetrics(), wrap: wrapper(ctx)}
	if err := a.setup(ctx); err != nil {
		_ = a.Close() // what setup started (the mail queue's workers, …) and the store
		return nil, err
	}
	return a, nil
}

func (a *App) setup(ctx context.Context) error {
	if err := a.Store.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := migrateShowcase(ctx, a.Store, a.Logger); err != nil {
		return fmt.Errorf("migrate showcase tables: %w", err)
	}
	if err := a.loadSecret(ctx); err != nil {
		return err
	}
	if err := ensureBlogPermissions(ctx, a.Store); err != nil {
		return err
	}
	if a.Config.Demo {
		if err := a.seedDemo(ctx); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	a.users = wrap(a.wrap.Users, core.UserStore(a.Store))
	a.Backend = core.NewModelBackend(a.users)
	a.Backend.Logger = a.Logger
	if err := a.openEvents(); err != nil {
		return err
	}
	if err := a.openLoginThrottle(); err != nil {
		return err
	}
	if err := a.openMFA(); err != nil {
		return err
	}
	ts, err := a.tokenStore()
	if err != nil {
		return fmt.Errorf("-redis: %w", err)
	}
	ts = wrap(a.wrap.Tokens, ts)
	a.Tokens = tokens.NewTokenRotationManager(ts, ts)
	a.Tokens.Events = a.Events
	jwt, err := newJWT(a.Config, a.Secret, a.Tokens.Revocation())
	if err != nil {
		return err
	}
	a.JWT = jwt
	a.Tokens.JWT, a.Tokens.Users = jwt, a.Backend
	a.TokenObtain = &tokens.ObtainPairEndpoint{Manager: a.Tokens, Backend: a.Backend, Guard: a.LoginGuard, SecondFactor: a.MFA, OTPGuard: a.OTPGuard}
	a.TokenRefresh = &tokens.RefreshEndpoint{Manager: a.Tokens}
	a.TokenVerify = &tokens.VerifyEndpoint{Manager: a.Tokens}
	a.TokenBlacklist = &tokens.BlacklistEndpoint{Manager: a.Tokens}
	a.LogoutAll = &tokens.LogoutAllEndpoint{Manager: a.Tokens}
	if err := a.openSessions(ctx); err != nil {
		return err
	}
	if err := a.openPasswordReset(); err != nil {
		return err
	}
	if err := a.openOAuth2(ctx); err != nil {
		return err
	}
	if a.Config.Demo && len(a.DemoCredentials) > 0 {
		if err := a.seedDemoClients(ctx); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	a.Posts = &Posts{store: a.Store}
	a.Register = &core.RegistrationEndpoint{Users: a.Store}
	a.Engine = a.newEngine()
	a.openPages()
	a.Ready = a.newReadiness()
	return nil
}

// openEvents makes the dispatcher of the security events, with the audit
// log in the database and a counter per kind on /metrics.
func (a *App) openEvents() error {
	a.Events = events.New()
	a.Events.Logger = a.Logger
	a.Audit = a.Store.AuditLog()
	a.Events.Subscribe(a.Audit)
	return promevents.Subscribe(a.Metrics.Registry, a.Events)
}

// MFAIssuer names the showcase in authenticator apps.
const MFAIssuer = "reinhardt-auth showcase"

// openLoginThrottle builds the login throttle (-login-rate) and the
// one-time code throttle, with their counters in Redis with -redis, else
// in the database, so that every replica counts together, and client
// addresses by -trusted-proxies.
func (a *App) openLoginThrottle() error {
	var store throttle.Store = a.Store.Throttle()
	if a.Config.Redis != "" {
		c, err := a.redis()
		if err != nil {
			return fmt.Errorf("-redis: %w", err)
		}
		store = redisstore.NewThrottleStore(c, a.redisOpts...)
	}
	store = wrap(a.wrap.Throttle, store)
	opt := throttle.WithTrustedProxies(a.Config.TrustedProxies)
	lt, err := throttle.NewLoginThrottle(a.Config.LoginRate, store, opt, throttle.WithEvents(a.Events))
	if err != nil {
		return fmt.Errorf("-login-rate: %w", err)
	}
	ot, err := throttle.NewOTPThrottle("", store, opt, throttle.WithEvents(a.Events))
	if err != nil {
		return err
	}
	a.LoginGuard, a.OTPGuard = lt, ot
	return nil
}

// openMFA builds TOTP (enrollments in the database, secrets encrypted
// under a key derived from -secret; with -redis the last-used steps and
// recovery-code gates in Redis) and the MFA endpoints, whose codes
// count in both throttles.
func (a *App) openMFA() error {
	store, err := a.mfaStore()
	if err != nil {
		return fmt.Errorf("-redis: %w", err)
	}
	store = wrap(a.wrap.MFA, store)
	m, err := mfa.New(MFAIssuer, store, a.Secret)
	if err != nil {
		return fmt.Errorf("TOTP needs a secret of at least %d bytes (-secret): %w", mfa.MinKeyLen, err)
	}
	m.Events = a.Events
	a.MFA = m
	a.MFAEnroll = &mfa.EnrollEndpoint{MFA: m}
	codes := core.Guards(a.LoginGuard, a.OTPGuard)
	a.MFAConfirm = &mfa.ConfirmEndpoint{MFA: m, Guard: codes}
	a.MFADisable = &mfa.DisableEndpoint{MFA: m, Guard: codes}
	a.MFARecoveryCodes = &mfa.RecoveryCodesEndpoint{MFA: m, Guard: codes}
	return nil
}

// Close stops the stores' background work and closes the database.
func (a *App) Close() error {
	for _, c := range a.closers {
		_ = c()
	}
	return a.Store.Close()
}

// newEngine builds the authenticators in docs/showcase.md's order: Bearer JWT,
// Bearer OAuth2 access token (a bearer that is not shaped like a JWT),
// Basic, the session cookie, then the remote-user header when enabled. The
// JWT authenticator comes first, so its challenge, `Bearer realm="api"`,
// is every 401's.
func (a *App) newEngine() *core.Engine {
	ts := a.Tokens.RefreshStore()
	auths := []core.Authenticator{
		jwtauth.NewAuthentication(a.JWT, jwtauth.StoreUsers(a.users)),
		a.OAuth2.Authentication(),
		&core.BasicAuthentication{Backend: a.Backend, Guard: a.LoginGuard, SecondFactor: a.MFA, Events: a.Events},
		validAfterSessions{SessionAuthentication: a.SessionAuth, validAfter: ts.ValidAfter},
	}
	if a.Config.RemoteUserHeader != "" {
		// The proxy's login is ambient in the browser, as the session
		// cookie is: the same CSRF check.
		remote := core.NewRemoteUserAuthentication(a.Config.RemoteUserHeader, a.Store, a.Config.TrustedProxies...)
		remote.CSRF = a.CSRF.CheckRequest
		auths = append(auths, remote)
	}
	e := core.NewEngine(auths...)
	e.Logger = a.Logger
	return e
}

// loadSecret takes -secret, or the secret kept in the database, or makes
// one, keeps it, and warns. A key that fails Django's check
// security.W009 (core.WeakSecretKey) is used, with a warning.
func (a *App) loadSecret(ctx context.Context) error {
	if err := a.readSecret(ctx); err != nil {
		return err
	}
	if core.WeakSecretKey(string(a.Secret)) {
		a.Logger.Warn(core.WeakSecretKeyWarning, "check", "security.W009")
	}
	return nil
}

func (a *App) readSecret(ctx context.Context) error {
	if a.Config.Secret != "" {
		a.Secret = []byte(a.Config.Secret)
		return nil
	}
	v, state, err := a.keptSetting(ctx, "secret_key", func() (string, error) { return core.NewSecretKey(), nil })
	if err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	switch state {
	case settingMade:
		a.Logger.Warn("no -secret given: generated a secret key and kept it in the database; set REINHARDT_SECRET_KEY in production")
	case settingRaced:
		a.Logger.Warn("no -secret given: using the secret key another process kept in the database just now")
	default:
		a.Logger.Warn("no -secret given: using the secret key kept in the database")
	}
	a.Secret = []byte(v)
	return nil
}

// How keptSetting found its value.
type settingState int

const (
	settingKept  settingState = iota // read from the database
	settingMade                      // made by this process and kept
	settingRaced                     // made by another process that kept it first
)

// keptSetting returns the value of the reinhardt_settings row name, making
// it with make and keeping it when the row is missing. Replicas starting
// together on a new database each make one; the first kept wins, and
// every replica uses that one.
func (a *App) keptSetting(ctx context.Context, name string, make func() (string, error)) (string, settingState, error) {
	read := func() (string, error) {
		var v string
		err := a.Store.DB().QueryRowContext(ctx, a.Store.Rebind(`SELECT value FROM reinhardt_settings WHERE name = ?`), name).Scan(&v)
		return v, err
	}
	v, err := read()
	if err == nil {
		return v, settingKept, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("load: %w", err)
	}
	made, err := make()
	if err != nil {
		return "", 0, err
	}
	insert := `INSERT INTO reinhardt_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`
	if a.Store.Dialect() == sqlstore.MySQL {
		insert = `INSERT INTO reinhardt_settings (name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = name`
	}
	res, err := a.Store.DB().ExecContext(ctx, a.Store.Rebind(insert), name, made)
	if err != nil {
		return "", 0, fmt.Errorf("store: %w", err)
	}
	state := settingRaced
	if n, _ := res.RowsAffected(); n == 1 {
		state = settingMade
	}
	if v, err = read(); err != nil {
		return "", 0, fmt.Errorf("load: %w", err)
	}
	return v, state, nil
}

// blogPermissions are the permissions Django creates for blog.Post.
var blogPermissions = [][2]string{
	{"add_post", "Can add post"}, {"change_post", "Can change post"},
	{"delete_post", "Can delete post"}, {"view_post", "Can view post"},
}

func ensureBlogPermissions(ctx context.Context, s *sqlstore.Store) error {
	for _, p := range blogPermissions {
		if _, err := s.EnsurePermission(ctx, "blog", "post", p[0], p[1]); err != nil {
			return fmt.Errorf("permission blog.%s: %w", p[0], err)
		}
	}
	return nil
}

// seedDemo creates admin and alice with random passwords on a database
// without users, and an "editors" group holding blog.change_post and
// blog.delete_post. Of replicas starting together on a new database, the
// one that creates admin seeds; the others find admin taken and leave it.
func (a *App) seedDemo(ctx context.Context) error {
	var users int
	err := a.Store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM auth_user LIMIT 1) AS t`).Scan(&users)
	if err != nil || users > 0 {
		return err
	}
	adminPW, alicePW := demoPassword(), demoPassword()
	if _, err := a.Store.CreateSuperuser(ctx, "admin", &adminPW, map[string]any{"email": "admin@example.com"}); errors.Is(err, core.ErrDuplicateUsername) {
		return nil
	} else if err != nil {
		return err
	}
	if _, err := a.Store.CreateUser(ctx, "alice", &alicePW, map[string]any{"email": "alice@example.com", "first_name": "Alice"}); err != nil {
		return err
	}
	gid, err := a.Store.CreateGroup(ctx, "editors")
	if err != nil && !errors.Is(err, sqlstore.ErrDuplicateGroup) {
		return err
	}
	if err == nil {
		for _, code := range []string{"change_post", "delete_post"} {
			pid, err := a.Store.EnsurePermission(ctx, "blog", "post", code, "")
			if err != nil {
				return err
			}
			if err := a.Store.AddGroupPermission(ctx, gid, pid); err != nil {
				return err
			}
		}
	}
	a.DemoCredentials = [][2]string{{"admin", adminPW}, {"alice", alicePW}}
	return nil
}

// demoPassword is 26 random base32 characters (128 bits).
func demoPassword() string { return rand.Text() }
