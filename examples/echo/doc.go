// Command echo is the showcase auth server on Echo: the HTTP contract of
// docs/showcase.md, written the way an Echo user writes it, with the wiring
// shared by every example in examples/internal/showcase.
//
//	go run ./examples/echo -addr 127.0.0.1:8000 -db sqlite:var/showcase.sqlite3
package main
