package gob

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/codec"
)

// Serializer is the encoding/gob sessions.Serializer, the Go counterpart of Rust's
// bincode: values come back as the exact Go types that were stored, even
// through Get. As with gob elsewhere (and gorilla/sessions), every type
// other than gob's basic ones (bool, numbers, string, []byte and slices of
// those) and the ones registered here (time.Time, time.Duration,
// map[string]any, map[string]string, []any) must be registered with
// gob.Register before it is stored or read.
// GetAs converts between numeric kinds when the value fits.
//
// encoding/gob is not hardened against adversarial input (its own
// documentation says so). The session container is this package's own
// bounded format and input is capped at sessions.MaxDataSize, but a crafted value
// of a registered map type can still make gob preallocate a large map: use
// it only with stores an attacker cannot write to. Every backend here
// qualifies; the cookie backend authenticates before anything is decoded.
var Serializer sessions.Serializer = gobSerializer{}

type gobSerializer struct{}

// gobValue carries a value as an interface, so that gob records its type.
type gobValue struct{ V any }

// registerGob registers the types sessions commonly hold beyond gob's
// basic ones; registering them again elsewhere is harmless.
var registerGob = sync.OnceFunc(func() {
	gob.Register(time.Time{})
	gob.Register(time.Duration(0))
	gob.Register(map[string]any{})
	gob.Register(map[string]string{})
	gob.Register([]any{})
})

func (gobSerializer) Marshal(v any) ([]byte, error) {
	registerGob()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&gobValue{V: v}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (gobSerializer) Unmarshal(data []byte, v any) error {
	if len(data) > codec.MaxDataSize {
		return codec.TooLarge(len(data))
	}
	registerGob()
	var w gobValue
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&w); err != nil {
		return err
	}
	return codec.Assign(v, w.V)
}

// The gob container: a magic byte, the count, then each key and value
// with its length, all uvarints. Keys are sorted.
const gobMagic = 0x67 // 'g'

func (gobSerializer) MarshalMap(m map[string][]byte) ([]byte, error) {
	n := 1 + binary.MaxVarintLen64
	for k, v := range m {
		n += len(k) + len(v) + 2*binary.MaxVarintLen64
	}
	out := make([]byte, 0, n)
	out = append(out, gobMagic)
	out = binary.AppendUvarint(out, uint64(len(m)))
	for _, k := range codec.SortedKeys(m) {
		out = binary.AppendUvarint(out, uint64(len(k)))
		out = append(out, k...)
		out = binary.AppendUvarint(out, uint64(len(m[k])))
		out = append(out, m[k]...)
	}
	return out, nil
}

func (gobSerializer) UnmarshalMap(data []byte) (map[string][]byte, error) {
	if len(data) > codec.MaxDataSize {
		return nil, codec.TooLarge(len(data))
	}
	bad := errors.New("sessions: malformed gob session")
	if len(data) == 0 || data[0] != gobMagic {
		return nil, bad
	}
	b := data[1:]
	next := func() ([]byte, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, false
		}
		v := b[w : w+int(n) : w+int(n)]
		b = b[w+int(n):]
		return v, true
	}
	count, w := binary.Uvarint(b)
	if w <= 0 || count > uint64(len(b)) {
		return nil, bad
	}
	b = b[w:]
	m := make(map[string][]byte, count)
	for range count {
		k, ok := next()
		if !ok {
			return nil, bad
		}
		v, ok := next()
		if !ok {
			return nil, bad
		}
		m[string(k)] = v
	}
	if len(b) != 0 {
		return nil, bad
	}
	return m, nil
}
