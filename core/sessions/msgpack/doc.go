// Package msgpack is the MessagePack session serializer, over
// github.com/vmihailenco/msgpack/v5:
//
//	m := sessions.NewManager(backend)
//	m.Serializer = msgpack.Serializer
//
// Every decoder first walks its input without allocating and refuses
// malformed input, containers larger than the bytes left, nesting over 64
// levels and extensions other than the timestamp. It lives apart from
// core/sessions so that only programs that use it compile the library.
package msgpack
