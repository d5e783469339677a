// Package showcase is the wiring the four example servers share: flags and
// environment, the SQL store and its migrations (the showcase's own tables,
// made and changed under the store's migration lock, with blog_post's
// author cascading on delete, in schema.go), the secret key, the demo
// data, the engine with its authenticators in the contract's order, the
// posts resource and the Prometheus metrics. Each example program mounts
// these in its own framework's idiom; what the programs answer is fixed by
// SHOWCASE.md.
package showcase
