package tenant_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/tenant"
	"github.com/reinhardt-go/auth/stores/memory"
)

// The reference's TenantSessionBackend: one store, each tenant's sessions
// under "tenant:{tenant_id}:session:{session_id}", a cap per tenant, and
// strict isolation.
func Example() {
	store := memory.NewSessionBackend()
	defer store.Close()
	backend, _ := tenant.New(store, tenant.Config{MaxSessionsPerTenant: 2})
	m := sessions.NewManager(backend)

	// The application sets the tenant per request (host, header, route).
	acme := tenant.NewContext(context.Background(), "acme")
	globex := tenant.NewContext(context.Background(), "globex")

	s := m.New()
	s.Set("user", "alice")
	_ = s.Save(acme)

	// Acme's session key means nothing to globex.
	inAcme, _ := m.Open(acme, s.Key())
	inGlobex, _ := m.Open(globex, s.Key())
	user, _ := sessions.GetAs[string](inAcme, "user")
	fmt.Println(user, inGlobex.Key() == "")

	// No tenant, no session: strict isolation has no shared namespace.
	_, err := m.Open(context.Background(), s.Key())
	fmt.Println(err)

	// The cap, and the per-tenant operations.
	_ = m.New().Save(acme)
	err = m.New().Save(acme)
	fmt.Println(errors.Is(err, tenant.ErrTooManySessions))
	n, _ := backend.CountSessions(context.Background(), "acme")
	deleted, _ := backend.DeleteAllSessions(context.Background(), "acme")
	fmt.Println(n, deleted)
	// Output:
	// alice true
	// A tenant is required.
	// true
	// 2 2
}
