// Package cbor is the CBOR session serializer (RFC 8949), over
// github.com/fxamacker/cbor/v2:
//
//	m := sessions.NewManager(backend)
//	m.Serializer = cbor.Serializer
//
// It lives apart from core/sessions so that only programs that use it
// compile the library.
package cbor
