package sessions

import (
	"encoding/json"
	"errors"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions/internal/codec"
)

// Serializer turns session values into bytes and back. A session is kept
// as a map from key to the value's own encoding, so each value is decoded
// only when it is read, into the type the reader asks for (GetAs), and a
// save re-encodes only the values that changed.
//
// Decoders must never panic and must refuse input over MaxDataSize before
// decoding it (ErrTooLarge). A Serializer is safe for concurrent use.
//
// How values come back through Session.Get (untyped), by serializer:
//
//   - JSON: numbers as float64, objects as map[string]any, arrays as []any.
//   - MessagePack and CBOR (subpackages msgpack and cbor): integers as int64 (uint64 above
//     math.MaxInt64), floats as float64, maps as map[string]any, arrays as
//     []any, byte strings as []byte (MessagePack: string).
//   - gob (subpackage gob): the exact Go type that was stored.
//
// GetAs[T] decodes the stored encoding into T itself, so an int stored is
// an int read with every serializer, a struct comes back as the struct,
// and a value that does not fit T (a string read as an int, 2.5 read as an
// int) gives (zero, false).
type Serializer interface {
	// Marshal encodes one session value.
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes one value Marshal encoded into the value v points
	// to.
	Unmarshal(data []byte, v any) error
	// MarshalMap encodes a whole session from its values, each already
	// encoded with Marshal.
	MarshalMap(m map[string][]byte) ([]byte, error)
	// UnmarshalMap decodes what MarshalMap encoded, leaving each value
	// encoded.
	UnmarshalMap(data []byte) (map[string][]byte, error)
}

// JSON is the default Serializer: a session is a JSON object, readable in
// the store as Django's JSONSerializer output is. Values are encoded as
// core.MarshalJSON does (UTF-8, no HTML escaping).
var JSON Serializer = jsonSerializer{}

type jsonSerializer struct{}

func (jsonSerializer) Marshal(v any) ([]byte, error) {
	if b, ok := appendJSONScalar(nil, v); ok {
		return b, nil
	}
	return core.MarshalJSON(v)
}

func (jsonSerializer) Unmarshal(data []byte, v any) error {
	if len(data) > MaxDataSize {
		return codec.TooLarge(len(data))
	}
	if unmarshalJSONScalar(data, v) {
		return nil
	}
	return json.Unmarshal(data, v)
}

func (jsonSerializer) MarshalMap(m map[string][]byte) ([]byte, error) {
	n := 2
	for k, v := range m {
		n += len(k) + len(v) + 4
	}
	out := make([]byte, 0, n)
	out = append(out, '{')
	for i, k := range codec.SortedKeys(m) {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendJSONString(out, k)
		out = append(out, ':')
		out = append(out, m[k]...)
	}
	return append(out, '}'), nil
}

func (jsonSerializer) UnmarshalMap(data []byte) (map[string][]byte, error) {
	if len(data) > MaxDataSize {
		return nil, codec.TooLarge(len(data))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errors.New("sessions: JSON session is not an object")
	}
	m := make(map[string][]byte, len(raw))
	for k, v := range raw {
		m[k] = v
	}
	return m, nil
}

// invalidUTF8 is what encoding/json writes for a byte that is not part of
// valid UTF-8: the escape \ufffd up to Go 1.26, the character U+FFFD itself
// from Go 1.27 on (where encoding/json runs on encoding/json/v2). Asking
// encoding/json once keeps appendJSONString byte for byte the same as it
// on every Go release.
var invalidUTF8 = func() string {
	b, err := json.Marshal("\xff")
	if err != nil || len(b) < 2 {
		panic("sessions: encoding/json cannot encode a string: " + string(b))
	}
	return string(b[1 : len(b)-1])
}()

// appendJSONString appends s as a JSON string, as encoding/json writes it
// without HTML escaping (invalid UTF-8 becomes U+FFFD, see invalidUTF8).
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\b':
				dst = append(dst, '\\', 'b')
			case c == '\f':
				dst = append(dst, '\\', 'f')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, invalidUTF8...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
