// Package showcase is the wiring the four example servers share: flags and
// environment, the SQL store and its migrations (the showcase's own tables,
// made and changed under the store's migration lock, with blog_post's
// author cascading on delete, in schema.go), the secret key, the demo
// data, the engine with its authenticators in the contract's order, the
// posts resource and the Prometheus metrics, the OpenAPI document of the
// JSON API (openapi.json, served at /api/schema), and the servers' connection
// timeouts (Timeouts). The SQLite database is created 0600: it keeps the
// password hashes and, without -secret, the generated secret key (table
// reinhardt_settings, row secret_key); a -secret that Django's check
// security.W009 would flag is used with a warning. Each example program
// mounts these in its own framework's idiom, and all four answer alike
// (examples' TestCrossFrameworkTranscript holds them to one transcript).
//
// The HTML pages (PageRoutes: home, login, account, Django's password-reset
// pages; ConsentTemplate for the OAuth2 provider's consent page) are
// html/template files embedded from templates/ in one layout, with one
// stylesheet from static/. They call the JSON API's endpoints with their
// forms' values (the same throttles, second factor and validators) and
// render every error as an HTML page.
package showcase
