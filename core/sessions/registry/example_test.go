package registry_test

import (
	"context"
	"fmt"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/registry"
	"github.com/reinhardt-go/auth/stores/memory"
)

// Opening the session backend named by configuration (the showcase's
// -sessions flag): the stores the application links in are wired by it,
// "cookie" and "cache" are built in.
func ExampleRegistry() {
	ctx := context.Background()
	reg := registry.New()
	reg.Register("memory", func(ctx context.Context, cfg *registry.OpenConfig) (sessions.SessionBackend, error) {
		return memory.NewSessionBackend(), nil // a Closer: the caller closes it
	})
	// reg.Register("redis", redisstore.SessionFactory) and the like, for
	// "redis://…", "file:DIR", "sqlite:PATH", "postgres://…", "db".

	gens := memory.NewGenerationStore()
	defer gens.Close()
	for _, spec := range []string{"memory", "cookie", "redis://cache:6379/0"} {
		b, err := reg.Open(ctx, spec, registry.WithSecret([]byte("site secret")), registry.WithCache(gens))
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s: %T\n", spec, b)
		if c, ok := b.(interface{ Close() error }); ok {
			_ = c.Close()
		}
	}
	// Output:
	// memory: *memory.SessionBackend
	// cookie: *sessions.CookieSessionBackend
	// sessions: no session backend registered for this scheme: "redis" (registered: cache, cookie, memory)
}
