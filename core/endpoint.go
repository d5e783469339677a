package core

// Endpoint is a framework-agnostic view of the library (registration,
// token obtain and refresh, login and logout, OAuth2, JWKS, MFA): it reads
// a Request and writes a Response. Each adapter mounts endpoints in its
// framework's own way, so every framework serves byte-identical answers.
//
// Serve returns nil when it wrote the response, or an error for the
// adapter to render with Engine.WriteError (DRF's body and status). The
// request's context carries the identity the adapter's middleware
// established (IdentityFromContext).
type Endpoint interface {
	Serve(w Response, r Request) error
}

// EndpointFunc adapts a function to Endpoint.
type EndpointFunc func(w Response, r Request) error

// Serve calls f.
func (f EndpointFunc) Serve(w Response, r Request) error { return f(w, r) }
