package showcase

import (
	"flag"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// Config is the showcase's configuration: docs/showcase.md's flags.
type Config struct {
	Addr             string
	DB               string
	Secret           string
	Demo             bool
	SecureCookies    bool
	RemoteUserHeader string
	TrustedProxies   []netip.Prefix
	// JWTAlg is HS256 (signed with the secret) or RS256, ES256 or EdDSA
	// (signed with the PEM private key in JWTKey; the public key is then
	// served as JWKS).
	JWTAlg     string
	JWTKey     string
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// Sessions names the session backend: db, django, redis, file:DIR,
	// cookie or memory.
	Sessions string
	// Redis is the URL of -redis (go-redis's cluster URL, with addr=
	// parameters, for a Cluster): the blacklist, refresh families and
	// valid-after stamps, OAuth2 codes and tokens, throttle counters,
	// TOTP steps and cookie-session generations live there, and sessions
	// with -sessions redis.
	Redis string
	// Timeouts are the server's connection timeouts.
	Timeouts Timeouts
	// LoginRate is -login-rate: failed logins allowed per client address
	// and per username (DRF's rate string, default throttle.DefaultLoginRate).
	LoginRate string
	// SMTP is -smtp: smtp://host:port (mail.NewSMTP's URL) for outgoing
	// mail; empty writes each mail to the log.
	SMTP string
	// ResetRate is -reset-rate: password-reset requests allowed per client
	// address and per e-mail address (default throttle.DefaultResetRate).
	ResetRate string
	// Issuer is the OpenID Connect issuer (-issuer): "" means
	// http://<addr>, with the port the server listens on (DefaultIssuer).
	Issuer string
	// LockTimeout bounds the wait for the database's migration lock when
	// another process is migrating (sqlstore.Store.LockTimeout).
	LockTimeout time.Duration
	// RequestTimeout is -request-timeout: the deadline of each request's
	// context, so that a store that does not answer (stopped, paused,
	// unreachable) fails the request with 503 by then instead of holding
	// it (default DefaultRequestTimeout).
	RequestTimeout time.Duration
}

// Timeouts bound how long a connection may take or sit idle, so that a
// client that sends a malformed request (an LF-only request line fasthttp
// never finishes reading), sends it slowly or sends nothing is dropped.
type Timeouts struct {
	// ReadHeader bounds reading a request's line and headers, from the
	// connection's first byte or the end of the previous response
	// (-read-header-timeout, default DefaultReadHeaderTimeout).
	ReadHeader time.Duration
	// Read bounds reading a whole request, body included (-read-timeout,
	// default DefaultReadTimeout).
	Read time.Duration
	// Write bounds writing a response (-write-timeout, default
	// DefaultWriteTimeout).
	Write time.Duration
	// Idle bounds how long a kept-alive connection waits for its next
	// request (-idle-timeout, default DefaultIdleTimeout).
	Idle time.Duration
}

// The default timeouts.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	// DefaultRequestTimeout is -request-timeout's default.
	DefaultRequestTimeout = 5 * time.Second
)

// Defaults of the flags.
const (
	DefaultAddr = "127.0.0.1:8000"
	DefaultDB   = "sqlite:var/showcase.sqlite3"
)

// ParseFlags reads the flags from args; each flag falls back to its
// environment variable (getenv), then to its default.
func ParseFlags(name string, args []string, getenv func(string) string) (Config, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var c Config
	var proxies string
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", env("REINHARDT_ADDR", DefaultAddr), "listen address (REINHARDT_ADDR)")
	fs.StringVar(&c.DB, "db", env("REINHARDT_DB", DefaultDB), "sqlite:PATH, postgres://… or mysql://user:pass@host:port/db (REINHARDT_DB)")
	fs.StringVar(&c.Secret, "secret", env("REINHARDT_SECRET_KEY", ""), "secret key (REINHARDT_SECRET_KEY); generated once and kept in the database when empty")
	fs.BoolVar(&c.Demo, "demo", env("REINHARDT_DEMO", "true") == "true", "create demo users on an empty database (REINHARDT_DEMO)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", env("REINHARDT_SECURE_COOKIES", "false") == "true", "mark the session and CSRF cookies Secure (off: the showcase serves plain HTTP; the cookies arrive with sessions)")
	fs.StringVar(&c.RemoteUserHeader, "remote-user-header", env("REINHARDT_REMOTE_USER_HEADER", ""), "header carrying the remote user (off when empty)")
	fs.StringVar(&proxies, "trusted-proxies", env("REINHARDT_TRUSTED_PROXIES", ""), "comma-separated CIDRs allowed to set the remote-user header")
	fs.StringVar(&c.JWTAlg, "jwt-alg", env("REINHARDT_JWT_ALG", "HS256"), "JWT algorithm: HS256, RS256, ES256 or EdDSA")
	fs.StringVar(&c.JWTKey, "jwt-key", env("REINHARDT_JWT_KEY", ""), "PEM file of the private key for RS256, ES256 or EdDSA")
	fs.StringVar(&c.Redis, "redis", env("REINHARDT_REDIS", ""), "redis://host:port/db (a Cluster: redis://host:p1?addr=host:p2&addr=host:p3): blacklist, refresh families, OAuth2 codes and tokens, throttle counters, TOTP steps and cookie-session generations live in Redis, and sessions with -sessions redis")
	fs.StringVar(&c.Sessions, "sessions", env("REINHARDT_SESSIONS", "db"), "session backend: db (django_session, keys hashed), django (django_session in Django's format, shared with a Django project whose SECRET_KEY is -secret), redis, file:DIR, cookie or memory")
	fs.StringVar(&c.Issuer, "issuer", env("REINHARDT_ISSUER", ""), "the OpenID Connect issuer, an absolute http(s) URL (REINHARDT_ISSUER); default http://<addr>")
	fs.StringVar(&c.LoginRate, "login-rate", env("REINHARDT_LOGIN_RATE", throttle.DefaultLoginRate), "failed logins allowed per client address and per username on every login path (DRF's rate: 10/min, 100/hour)")
	fs.StringVar(&c.SMTP, "smtp", env("REINHARDT_SMTP", ""), "smtp://host:port for outgoing mail (password reset); empty: each mail is written to the log (REINHARDT_SMTP)")
	fs.StringVar(&c.ResetRate, "reset-rate", env("REINHARDT_RESET_RATE", throttle.DefaultResetRate), "password-reset requests allowed per client address and per e-mail address (DRF's rate)")
	lockTimeout, err := sqlstore.LockTimeoutFromEnv(getenv)
	if err != nil {
		return c, err
	}
	fs.DurationVar(&c.LockTimeout, "lock-timeout", lockTimeout, "how long to wait for the migration lock while another process migrates the database; then exit naming the holder (REINHARDT_LOCK_TIMEOUT)")
	fs.DurationVar(&c.AccessTTL, "access-ttl", 5*time.Minute, "access token lifetime")
	fs.DurationVar(&c.RefreshTTL, "refresh-ttl", 24*time.Hour, "refresh token lifetime")
	fs.DurationVar(&c.Timeouts.ReadHeader, "read-header-timeout", DefaultReadHeaderTimeout, "longest wait for a request's line and headers (a new or kept-alive connection)")
	fs.DurationVar(&c.Timeouts.Read, "read-timeout", DefaultReadTimeout, "longest read of a whole request, body included")
	fs.DurationVar(&c.Timeouts.Write, "write-timeout", DefaultWriteTimeout, "longest write of a response")
	fs.DurationVar(&c.Timeouts.Idle, "idle-timeout", DefaultIdleTimeout, "longest wait of a kept-alive connection for its next request")
	requestTimeout := DefaultRequestTimeout
	if v := getenv("REINHARDT_REQUEST_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("REINHARDT_REQUEST_TIMEOUT: %w", err)
		}
		requestTimeout = d
	}
	fs.DurationVar(&c.RequestTimeout, "request-timeout", requestTimeout, "deadline of each request's store calls: a database or Redis that does not answer by then gives 503 (REINHARDT_REQUEST_TIMEOUT)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	for name, d := range map[string]time.Duration{"-request-timeout": c.RequestTimeout, "-read-header-timeout": c.Timeouts.ReadHeader, "-read-timeout": c.Timeouts.Read, "-write-timeout": c.Timeouts.Write, "-idle-timeout": c.Timeouts.Idle} {
		if d <= 0 {
			return c, fmt.Errorf("%s must be positive (a server without it keeps idle and malformed clients forever)", name)
		}
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if _, err := throttle.ParseRate(c.LoginRate); err != nil {
		return c, fmt.Errorf("-login-rate: %w", err)
	}
	if _, err := throttle.ParseRate(c.ResetRate); err != nil {
		return c, fmt.Errorf("-reset-rate: %w", err)
	}
	p, err := core.ParseCIDRs(proxies)
	if err != nil {
		return c, fmt.Errorf("-trusted-proxies: %w", err)
	}
	c.TrustedProxies = p
	if c.LockTimeout <= 0 {
		return c, fmt.Errorf("-lock-timeout must be positive")
	}
	if c.RemoteUserHeader != "" && len(c.TrustedProxies) == 0 {
		return c, fmt.Errorf("-remote-user-header needs -trusted-proxies (the header is believed only from those peers)")
	}
	return c, nil
}

// DefaultIssuer is the issuer of a server listening on addr (the
// listener's address, whose port is the real one when -addr asked for
// port 0) for -addr cfgAddr: "http://" and cfgAddr's host (localhost for
// an empty or unspecified one, which no client can connect to) with
// addr's port.
func DefaultIssuer(cfgAddr, addr string) string {
	host, _, err := net.SplitHostPort(cfgAddr)
	if err != nil {
		host = cfgAddr
	}
	if ip, err := netip.ParseAddr(host); host == "" || (err == nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + host
	}
	return "http://" + net.JoinHostPort(host, port)
}

// MaxHeaderBytes makes request headers over 64 KiB answer 431 (net/http
// allows 4 KiB of slack over http.Server.MaxHeaderBytes).
const MaxHeaderBytes = 64<<10 - 4096
