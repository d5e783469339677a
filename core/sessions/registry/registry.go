package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/reinhardt-go/auth/core/sessions"
)

// OpenConfig is what a BackendFactory gets: the parsed spec and the
// dependencies the caller passed to Registry.Open.
type OpenConfig struct {
	// Spec is the spec as given ("redis://cache:6379/0", "file:/var/sessions").
	Spec string
	// Scheme is the spec's scheme, lower case: the text before the first
	// ":" ("redis", "file"), or the whole spec when it has none
	// ("memory", "cookie", "db").
	Scheme string
	// Rest is what follows "scheme:" ("//cache:6379/0", "/var/sessions"),
	// "" for a bare name.
	Rest string
	// URL is the spec parsed as a URL when it has the form
	// "scheme://…", nil otherwise.
	URL *url.URL
	// Secret is the site secret (WithSecret): the cookie backend derives
	// its keys from it. FallbackSecrets are earlier ones, still read.
	Secret          []byte
	FallbackSecrets [][]byte
	// Cache is the Cache given with WithCache: the cookie backend's
	// GenerationStore, or CacheSessionBackend's cache.
	Cache sessions.Cache
	// Logger is the logger given with WithLogger, slog.Default() if none.
	Logger *slog.Logger

	deps map[reflect.Type]any
}

// OpenOption passes a dependency to Registry.Open.
type OpenOption func(*OpenConfig)

// WithSecret gives the factories the site secret, and earlier ones.
func WithSecret(secret []byte, fallbacks ...[]byte) OpenOption {
	return func(c *OpenConfig) { c.Secret, c.FallbackSecrets = secret, fallbacks }
}

// WithCache gives the factories a Cache.
func WithCache(cache sessions.Cache) OpenOption {
	return func(c *OpenConfig) { c.Cache = cache }
}

// WithLogger gives the factories a logger.
func WithLogger(l *slog.Logger) OpenOption {
	return func(c *OpenConfig) { c.Logger = l }
}

// WithDependency gives the factories a value of type T — a *sql.DB, a
// redis.UniversalClient, a directory — found with Dependency[T]. One value
// per type; a later one replaces an earlier one. This is how factories
// of stores that core/sessions cannot import get what they need.
func WithDependency[T any](v T) OpenOption {
	return func(c *OpenConfig) {
		if c.deps == nil {
			c.deps = map[reflect.Type]any{}
		}
		c.deps[reflect.TypeFor[T]()] = v
	}
}

// Dependency returns the value of type T given with WithDependency.
func Dependency[T any](c *OpenConfig) (T, bool) {
	v, ok := c.deps[reflect.TypeFor[T]()].(T)
	return v, ok
}

// BackendFactory opens a backend from its spec. A backend that holds
// resources (connections, a goroutine) implements io.Closer; the
// caller of Open closes it.
type BackendFactory func(ctx context.Context, cfg *OpenConfig) (sessions.SessionBackend, error)

// Registry opens session backends by name or URL — "memory", "cookie",
// "db", "file:/var/lib/sessions", "redis://cache:6379/0",
// "sqlite:var/app.db", "postgres://…" — from the factories registered on
// it: the Go counterpart of the reference's dependency-injection
// registration of session backends.
//
// core/sessions does not import the stores (they import it), and nothing
// registers itself at init time: the application wires the stores it
// links in, so that a binary holds only the backends it uses and two
// registries never share state:
//
//	reg := registry.New() // "cookie" and "cache" built in
//	reg.Register("memory", func(ctx context.Context, cfg *registry.OpenConfig) (sessions.SessionBackend, error) {
//		return memory.NewSessionBackend(), nil
//	})
//	reg.Register("redis", redisstore.SessionFactory)
//	reg.Register("db", func(ctx context.Context, cfg *registry.OpenConfig) (sessions.SessionBackend, error) {
//		return sqlstore.NewSessionBackend(db), nil // the application's database
//	})
//	backend, err := reg.Open(ctx, flagSessions, registry.WithSecret(secret), registry.WithCache(gens))
//
// A Registry is safe for concurrent use.
type Registry struct {
	mu        sync.RWMutex
	factories map[string]BackendFactory
}

// New returns a registry with the factories of the backends that
// live in this package:
//
//   - "cookie" or "cookie:NAME": CookieSessionBackend bound to the cookie
//     NAME (default "sessionid"), keys derived from WithSecret (the
//     current secret encrypts, fallbacks decrypt), generations in
//     WithCache.
//   - "cache" or "cache:PREFIX": CacheSessionBackend over WithCache, with
//     PREFIX (default "session:").
func New() *Registry {
	r := &Registry{factories: map[string]BackendFactory{}}
	r.Register("cookie", openCookieBackend)
	r.Register("cache", openCacheBackend)
	return r
}

// Register makes f open the specs of scheme (matched case-insensitively),
// replacing any factory registered for it before.
func (r *Registry) Register(scheme string, f BackendFactory) {
	if scheme == "" || f == nil {
		panic("sessions: Registry.Register needs a scheme and a factory")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.factories == nil {
		r.factories = map[string]BackendFactory{}
	}
	r.factories[strings.ToLower(scheme)] = f
}

// Schemes returns the registered schemes, sorted.
func (r *Registry) Schemes() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.factories))
	for s := range r.factories {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// ErrUnknownBackend is the error of Open for a scheme nobody registered.
var ErrUnknownBackend = errors.New("sessions: no session backend registered for this scheme")

// ParseSpec splits a backend spec into its scheme (lower case), the rest
// after "scheme:", and, for "scheme://…", the parsed URL.
func ParseSpec(spec string) (scheme, rest string, u *url.URL, err error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return "", "", nil, errors.New("sessions: empty session backend spec")
	}
	scheme, rest, _ = strings.Cut(spec, ":")
	scheme = strings.ToLower(scheme)
	if scheme == "" {
		return "", "", nil, fmt.Errorf("sessions: session backend spec %q has no scheme", redactSpec(spec))
	}
	if strings.HasPrefix(rest, "//") {
		if u, err = url.Parse(spec); err != nil {
			return "", "", nil, fmt.Errorf("sessions: session backend spec %q: invalid URL", redactSpec(spec))
		}
	}
	return scheme, rest, u, nil
}

// redactSpec hides the password of a URL spec, for messages.
func redactSpec(spec string) string {
	if u, err := url.Parse(spec); err == nil && u.User != nil {
		return u.Redacted()
	}
	if i := strings.Index(spec, "@"); i >= 0 && strings.Contains(spec[:i], "://") {
		return spec[:strings.Index(spec, "://")+3] + "xxxxx" + spec[i:]
	}
	return spec
}

// Open returns the backend spec names, made by the factory registered for
// its scheme with the dependencies opts give. Errors never show a
// password the spec holds.
func (r *Registry) Open(ctx context.Context, spec string, opts ...OpenOption) (sessions.SessionBackend, error) {
	scheme, rest, u, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	r.mu.RLock()
	f := r.factories[scheme]
	r.mu.RUnlock()
	if f == nil {
		return nil, fmt.Errorf("%w: %q (registered: %s)", ErrUnknownBackend, scheme, strings.Join(r.Schemes(), ", "))
	}
	cfg := &OpenConfig{Spec: spec, Scheme: scheme, Rest: rest, URL: u, Logger: slog.Default()}
	for _, o := range opts {
		o(cfg)
	}
	b, err := f(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("sessions: opening %q: %w", redactSpec(spec), err)
	}
	if b == nil {
		return nil, fmt.Errorf("sessions: opening %q: the factory returned no backend", redactSpec(spec))
	}
	return b, nil
}

func openCookieBackend(_ context.Context, cfg *OpenConfig) (sessions.SessionBackend, error) {
	if cfg.Cache == nil {
		return nil, errors.New("the cookie backend needs a sessions.GenerationStore (registry.WithCache)")
	}
	if len(cfg.Secret) == 0 {
		return nil, errors.New("the cookie backend needs the site secret (registry.WithSecret)")
	}
	keys := [][]byte{sessions.DeriveCookieKey(cfg.Secret)}
	for _, s := range cfg.FallbackSecrets {
		keys = append(keys, sessions.DeriveCookieKey(s))
	}
	b, err := sessions.NewCookieSessionBackend(cfg.Cache, keys...)
	if err != nil {
		return nil, err
	}
	if cfg.Rest != "" {
		b.CookieName = cfg.Rest
	}
	return b, nil
}

func openCacheBackend(_ context.Context, cfg *OpenConfig) (sessions.SessionBackend, error) {
	if cfg.Cache == nil {
		return nil, errors.New("the cache backend needs a sessions.Cache (registry.WithCache)")
	}
	b := sessions.NewCacheSessionBackend(cfg.Cache)
	if cfg.Rest != "" {
		b.Prefix = cfg.Rest
	}
	return b, nil
}
