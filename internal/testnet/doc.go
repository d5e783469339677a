// Package testnet holds network fixtures for tests: servers that
// misbehave the way a store or a mail server does when it hangs.
package testnet
