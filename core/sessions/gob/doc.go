// Package gob is the encoding/gob session serializer, the Go counterpart
// of Rust's bincode: values read back as the exact Go types that were
// stored. Types beyond gob's basic ones must be registered with
// encoding/gob's Register; use it only with stores an attacker cannot write to (see
// [Serializer]).
//
//	m := sessions.NewManager(backend)
//	m.Serializer = gob.Serializer
package gob
