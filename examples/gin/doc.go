// Command gin is the showcase auth server on Gin: the HTTP
// contract of docs/showcase.md, written the way a Gin user writes it, with
// the wiring shared by every example in examples/internal/showcase.
//
//	go run ./examples/gin -addr 127.0.0.1:8000 -db sqlite:var/showcase.sqlite3
package main
