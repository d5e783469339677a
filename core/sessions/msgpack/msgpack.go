package msgpack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sync"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/codec"
)

// Serializer is the MessagePack sessions.Serializer. Structs use their
// `msgpack` tags, falling back to `json` tags, so one struct reads the
// same under JSON and MessagePack.
var Serializer sessions.Serializer = msgpackSerializer{}

type msgpackSerializer struct{}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (msgpackSerializer) Marshal(v any) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	enc := msgpack.GetEncoder()
	defer msgpack.PutEncoder(enc)
	enc.Reset(buf)
	enc.SetCustomStructTag("json")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

func (msgpackSerializer) Unmarshal(data []byte, v any) error {
	if err := checkMsgpack(data); err != nil {
		return err
	}
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	dec.Reset(bytes.NewReader(data))
	dec.SetCustomStructTag("json")
	dec.UseLooseInterfaceDecoding(true)
	if p, ok := v.(*any); ok {
		x, err := dec.DecodeInterfaceLoose()
		if err != nil {
			return err
		}
		*p = codec.NormalizeInts(x, 0)
		return nil
	}
	if codec.NumberTarget(v) {
		// The library would read -7 into a uint; convert exactly instead.
		x, err := dec.DecodeInterfaceLoose()
		if err != nil {
			return err
		}
		return codec.Assign(v, x)
	}
	return dec.Decode(v)
}

func (msgpackSerializer) MarshalMap(m map[string][]byte) ([]byte, error) {
	n := 5
	for k, v := range m {
		n += len(k) + len(v) + 5
	}
	var buf bytes.Buffer
	buf.Grow(n)
	enc := msgpack.GetEncoder()
	defer msgpack.PutEncoder(enc)
	enc.Reset(&buf)
	if err := enc.EncodeMapLen(len(m)); err != nil {
		return nil, err
	}
	for _, k := range codec.SortedKeys(m) {
		if err := enc.EncodeString(k); err != nil {
			return nil, err
		}
		buf.Write(m[k])
	}
	return buf.Bytes(), nil
}

func (msgpackSerializer) UnmarshalMap(data []byte) (map[string][]byte, error) {
	if err := checkMsgpack(data); err != nil {
		return nil, err
	}
	// A map and nothing else: DecodeMapLen would also look inside an
	// extension.
	if c := data[0]; c&0xf0 != 0x80 && c != 0xde && c != 0xdf {
		return nil, errors.New("sessions: MessagePack session is not a map")
	}
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	dec.Reset(bytes.NewReader(data))
	n, err := dec.DecodeMapLen()
	if err != nil {
		return nil, err
	}
	if n < 0 || n > len(data)/2 {
		return nil, errors.New("sessions: malformed MessagePack session")
	}
	m := make(map[string][]byte, n)
	for range n {
		k, err := dec.DecodeString()
		if err != nil {
			return nil, err
		}
		v, err := dec.DecodeRaw()
		if err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, nil
}

// checkMsgpack walks one MessagePack value without allocating, so that a
// decoder is only ever given well-formed input whose containers claim no
// more elements than there are bytes left and nest at most codec.MaxDepth deep,
// and whose only extension is the timestamp (type -1). (The decoder would
// otherwise preallocate up to a million elements for a five-byte header,
// recurse once per nesting level, and read an extension's opaque bytes as
// a map header when decoding into a map.)
func checkMsgpack(b []byte) error {
	if len(b) > codec.MaxDataSize {
		return codec.TooLarge(len(b))
	}
	bad := errors.New("sessions: malformed MessagePack")
	var stack [codec.MaxDepth + 1]int // values still expected at each level
	depth := 0
	stack[0] = 1
	i := 0
	for {
		for stack[depth] == 0 {
			if depth == 0 {
				return nil
			}
			depth--
		}
		stack[depth]--
		if i >= len(b) {
			return bad
		}
		c := b[i]
		i++
		skip, count := 0, 0 // bytes to skip; values a container holds
		n := 0              // a length read from the input, -1 when cut short
		switch {
		case c <= 0x7f || c >= 0xe0: // fixint
		case c <= 0x8f: // fixmap
			count = 2 * int(c&0x0f)
		case c <= 0x9f: // fixarray
			count = int(c & 0x0f)
		case c <= 0xbf: // fixstr
			skip = int(c & 0x1f)
		default:
			switch c {
			case 0xc0, 0xc2, 0xc3: // nil, false, true
			case 0xc4, 0xd9: // bin8, str8
				n = lenAt(b, i, 1)
				skip, i = n, i+1
			case 0xc5, 0xda: // bin16, str16
				n = lenAt(b, i, 2)
				skip, i = n, i+2
			case 0xc6, 0xdb: // bin32, str32
				n = lenAt(b, i, 4)
				skip, i = n, i+4
			case 0xc7: // ext8: length, type, data
				n = lenAt(b, i, 1)
				if n != 12 || i+1 >= len(b) || b[i+1] != 0xff {
					return bad // only the 96-bit timestamp
				}
				skip, i = n+1, i+1
			case 0xc8, 0xc9: // ext16, ext32: no extension this package writes
				return bad
			case 0xca, 0xce, 0xd2: // float32, uint32, int32
				skip = 4
			case 0xcb, 0xcf, 0xd3: // float64, uint64, int64
				skip = 8
			case 0xcc, 0xd0: // uint8, int8
				skip = 1
			case 0xcd, 0xd1: // uint16, int16
				skip = 2
			case 0xd6, 0xd7: // fixext 4, 8: timestamps (type -1) only
				if i >= len(b) || b[i] != 0xff {
					return bad
				}
				skip = 1 + 1<<(c-0xd4)
			case 0xd4, 0xd5, 0xd8: // fixext 1, 2, 16: no extension this package writes
				return bad
			case 0xdc: // array16
				n = lenAt(b, i, 2)
				count, i = n, i+2
			case 0xdd: // array32
				n = lenAt(b, i, 4)
				count, i = n, i+4
			case 0xde: // map16
				n = lenAt(b, i, 2)
				count, i = 2*n, i+2
			case 0xdf: // map32
				n = lenAt(b, i, 4)
				count, i = 2*n, i+4
			default: // 0xc1, never used
				return bad
			}
		}
		if n < 0 || i > len(b) || skip > len(b)-i {
			return bad
		}
		i += skip
		if count > 0 {
			if count > len(b)-i || depth == codec.MaxDepth {
				return bad
			}
			depth++
			stack[depth] = count
		}
	}
}

// lenAt reads a big-endian length of n bytes at b[i:], -1 when b is too
// short.
func lenAt(b []byte, i, n int) int {
	if i+n > len(b) {
		return -1
	}
	switch n {
	case 1:
		return int(b[i])
	case 2:
		return int(binary.BigEndian.Uint16(b[i:]))
	default:
		v := binary.BigEndian.Uint32(b[i:])
		if v > codec.MaxDataSize {
			return -1
		}
		return int(v)
	}
}
