// Command fiber is the showcase auth server on Fiber v2: the HTTP contract
// of docs/showcase.md, written the way a Fiber user writes it, with the wiring
// shared by every example in examples/internal/showcase.
//
//	go run ./examples/fiber -addr 127.0.0.1:8000 -db sqlite:var/showcase.sqlite3
package main
