// Package tenant isolates the sessions of tenants sharing one backend:
// the reference's tenant-aware sessions. The tenant of a request travels
// in its context ([NewContext], [FromContext]); [Backend] keeps each
// tenant's sessions under its own key prefix ([Config.Pattern]), so that a
// session key of one tenant never loads in another, and can cap the
// sessions per tenant, list them and end them all.
//
//	b, err := tenant.New(inner, tenant.Config{MaxSessionsPerTenant: 100})
//	ctx = tenant.NewContext(ctx, "acme")
package tenant
