package cbor

import (
	"errors"
	"reflect"

	"github.com/fxamacker/cbor/v2"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/codec"
)

// Serializer is the CBOR sessions.Serializer (RFC 8949). Structs use
// their `cbor` tags, falling back to `json` tags; times are RFC 3339
// strings with nanoseconds. Decoding is bounded by the library's limits
// (32 nesting levels, 131072 elements per array or map) besides
// sessions.MaxDataSize.
var Serializer sessions.Serializer = cborSerializer{}

type cborSerializer struct{}

var (
	cborEnc = codec.Must(cbor.EncOptions{Time: cbor.TimeRFC3339Nano, Sort: cbor.SortBytewiseLexical}.EncMode())
	cborDec = codec.Must(cbor.DecOptions{
		DefaultMapType:  reflect.TypeOf(map[string]any(nil)),
		IntDec:          cbor.IntDecConvertNone,
		UTF8:            cbor.UTF8DecodeInvalid, // Go strings need not be UTF-8: read back what was written
		MaxNestedLevels: 32,
	}.DecMode())
)

func (cborSerializer) Marshal(v any) ([]byte, error) { return cborEnc.Marshal(v) }

func (cborSerializer) Unmarshal(data []byte, v any) error {
	if len(data) > codec.MaxDataSize {
		return codec.TooLarge(len(data))
	}
	if p, ok := v.(*any); ok {
		var x any
		if err := cborDec.Unmarshal(data, &x); err != nil {
			return err
		}
		*p = codec.NormalizeInts(x, 0)
		return nil
	}
	return cborDec.Unmarshal(data, v)
}

func (cborSerializer) MarshalMap(m map[string][]byte) ([]byte, error) {
	raw := make(map[string]cbor.RawMessage, len(m))
	for k, v := range m {
		raw[k] = v
	}
	return cborEnc.Marshal(raw)
}

func (cborSerializer) UnmarshalMap(data []byte) (map[string][]byte, error) {
	if len(data) > codec.MaxDataSize {
		return nil, codec.TooLarge(len(data))
	}
	var raw map[string]cbor.RawMessage
	if err := cborDec.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errors.New("sessions: CBOR session is not a map")
	}
	m := make(map[string][]byte, len(raw))
	for k, v := range raw {
		m[k] = v
	}
	return m, nil
}
