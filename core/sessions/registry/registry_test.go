package registry_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/core/sessions/registry"
	"github.com/reinhardt-go/auth/stores/memory"
)

func TestParseSpec(t *testing.T) {
	for _, c := range []struct {
		spec, scheme, rest, host string
	}{
		{"memory", "memory", "", ""},
		{"cookie", "cookie", "", ""},
		{"db", "db", "", ""},
		{"file:/var/lib/sessions", "file", "/var/lib/sessions", ""},
		{"file:relative/dir", "file", "relative/dir", ""},
		{"sqlite:var/showcase.sqlite3", "sqlite", "var/showcase.sqlite3", ""},
		{"redis://cache:6379/0", "redis", "//cache:6379/0", "cache:6379"},
		{"Postgres://u:p@db/app?sslmode=disable", "postgres", "//u:p@db/app?sslmode=disable", "db"},
		{"  memory ", "memory", "", ""},
	} {
		scheme, rest, u, err := registry.ParseSpec(c.spec)
		host := ""
		if u != nil {
			host = u.Host
		}
		if err != nil || scheme != c.scheme || rest != c.rest || host != c.host {
			t.Errorf("ParseSpec(%q) = %q %q %q %v", c.spec, scheme, rest, host, err)
		}
	}
	for _, bad := range []string{"", "  ", ":nothing", "redis://%zz"} {
		if _, _, _, err := registry.ParseSpec(bad); err == nil {
			t.Errorf("ParseSpec(%q) accepted", bad)
		}
	}
}

func TestRegistry(t *testing.T) {
	ctx := context.Background()
	reg := registry.New()
	if got := strings.Join(reg.Schemes(), ","); got != "cache,cookie" {
		t.Errorf("built in: %s", got)
	}
	gens := memory.NewGenerationStore()
	defer gens.Close()

	// cookie: keys from the secret, generations from the cache.
	b, err := reg.Open(ctx, "cookie", registry.WithSecret([]byte("site secret"), []byte("old secret")), registry.WithCache(gens))
	if err != nil {
		t.Fatal(err)
	}
	cb, ok := b.(*sessions.CookieSessionBackend)
	if !ok || cb.CookieName != "sessionid" {
		t.Fatalf("cookie = %T %+v", b, b)
	}
	id, err := sessions.SaveRecord(ctx, b, sessions.GenerateKey(), sessiontest.Rec("x", 0))
	if err != nil {
		t.Fatal(err)
	}
	// A backend opened with the old secret first still reads it (the
	// fallback decrypts), and the reverse.
	b2, _ := reg.Open(ctx, "COOKIE:sessionid", registry.WithSecret([]byte("old secret"), []byte("site secret")), registry.WithCache(gens))
	sessiontest.MustLoad(t, ctx, b2, id)
	if b3, _ := reg.Open(ctx, "cookie:other", registry.WithSecret([]byte("site secret")), registry.WithCache(gens)); b3.(*sessions.CookieSessionBackend).CookieName != "other" {
		t.Error("cookie:NAME")
	}
	for _, opts := range [][]registry.OpenOption{nil, {registry.WithCache(gens)}, {registry.WithSecret([]byte("s"))}} {
		if _, err := reg.Open(ctx, "cookie", opts...); err == nil {
			t.Error("cookie without its dependencies opened")
		}
	}

	// cache.
	cache := memory.NewSessionCache()
	defer cache.Close()
	b, err = reg.Open(ctx, "cache:sess:", registry.WithCache(cache))
	if err != nil || b.(*sessions.CacheSessionBackend).Prefix != "sess:" {
		t.Fatalf("cache: %v", err)
	}
	if _, err := reg.Open(ctx, "cache"); err == nil {
		t.Error("cache without a Cache opened")
	}

	// Stores the application wires, with their own dependencies.
	type dirs struct{ root string }
	var seen *registry.OpenConfig
	reg.Register("memory", func(ctx context.Context, cfg *registry.OpenConfig) (sessions.SessionBackend, error) {
		return memory.NewSessionBackend(), nil
	})
	reg.Register("REDIS", func(ctx context.Context, cfg *registry.OpenConfig) (sessions.SessionBackend, error) {
		seen = cfg
		if cfg.URL == nil || cfg.URL.Host != "cache:6379" {
			return nil, fmt.Errorf("bad URL %v", cfg.URL)
		}
		return memory.NewSessionBackend(), nil
	})
	reg.Register("file", func(ctx context.Context, cfg *registry.OpenConfig) (sessions.SessionBackend, error) {
		d, ok := registry.Dependency[dirs](cfg)
		if !ok || cfg.Rest == "" {
			return nil, errors.New("no directory")
		}
		if _, missing := registry.Dependency[*strings.Builder](cfg); missing {
			return nil, errors.New("a dependency nobody gave")
		}
		seen = cfg
		_ = d
		return memory.NewSessionBackend(), nil
	})
	reg.Register("broken", func(ctx context.Context, cfg *registry.OpenConfig) (sessions.SessionBackend, error) {
		return nil, errors.New("cannot connect to " + cfg.URL.Redacted())
	})
	reg.Register("nil", func(ctx context.Context, cfg *registry.OpenConfig) (sessions.SessionBackend, error) { return nil, nil })

	for _, spec := range []string{"memory", "redis://cache:6379/0", "file:/srv/sessions"} {
		b, err := reg.Open(ctx, spec, registry.WithDependency(dirs{"/srv"}))
		if err != nil || b == nil {
			t.Errorf("Open(%q) = %v", spec, err)
			continue
		}
		if c, ok := b.(interface{ Close() error }); ok {
			_ = c.Close()
		}
	}
	if seen == nil || seen.Scheme != "file" || seen.Rest != "/srv/sessions" || seen.Logger == nil {
		t.Errorf("the factory saw %+v", seen)
	}

	// Unknown schemes list what is known; passwords never show.
	_, err = reg.Open(ctx, "mongodb://user:hunter2@db/x")
	if !errors.Is(err, registry.ErrUnknownBackend) || !strings.Contains(err.Error(), "broken, cache, cookie, file, memory, nil, redis") {
		t.Errorf("unknown: %v", err)
	}
	_, err = reg.Open(ctx, "broken://user:hunter2@db/x")
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "user:xxxxx@db") {
		t.Errorf("broken: %v", err)
	}
	if _, err := reg.Open(ctx, "nil"); err == nil {
		t.Error("a factory returning nothing was accepted")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Register without a factory did not panic")
			}
		}()
		reg.Register("x", nil)
	}()
	var zero registry.Registry
	zero.Register("memory", func(context.Context, *registry.OpenConfig) (sessions.SessionBackend, error) {
		return memory.NewSessionBackend(), nil
	})
	if b, err := zero.Open(ctx, "memory"); err != nil || b == nil {
		t.Errorf("the zero Registry: %v", err)
	}
}

// FuzzParseSpec: any spec parses or fails without panicking, and an
// error never repeats a password.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"memory", "file:/x", "redis://u:pw@h:1/0", "postgres://u:p%zz@h/db", ":", "a://[::1", "x://u:secretpw@[bad", "x://u:secretpw@h/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		scheme, _, _, err := registry.ParseSpec(spec)
		if err == nil && (scheme == "" || scheme != strings.ToLower(scheme)) {
			t.Fatalf("ParseSpec(%q) scheme %q", spec, scheme)
		}
		if err != nil && strings.Contains(spec, "://u:secretpw@") && strings.Contains(err.Error(), "secretpw") {
			t.Fatalf("the error shows the password: %v", err)
		}
	})
}
