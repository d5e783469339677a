// Package registry opens session backends by name or URL — "memory",
// "cookie", "file:/var/lib/sessions", "redis://cache:6379/0", … — from
// factories registered on a [Registry]: the counterpart of the
// reference's dependency-injection registration of session backends.
//
// The stores export their factories (redisstore.SessionFactory,
// filestore.SessionFactory) and the application registers the ones it
// links in; there is no process-wide registry, so two registries never
// share state and a binary holds only the backends it uses.
package registry
