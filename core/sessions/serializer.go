package sessions

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/reinhardt-go/auth/core"
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
//   - MessagePack and CBOR: integers as int64 (uint64 above
//     math.MaxInt64), floats as float64, maps as map[string]any, arrays as
//     []any, byte strings as []byte (MessagePack: string).
//   - gob: the exact Go type that was stored.
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

// maxDepth bounds the nesting of decoded values.
const maxDepth = 64

func tooLarge(n int) error {
	return fmt.Errorf("sessions: %d bytes to decode, over the %d-byte limit: %w", n, MaxDataSize, ErrTooLarge)
}

func sortedMapKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
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
		return tooLarge(len(data))
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
	for i, k := range sortedMapKeys(m) {
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
		return nil, tooLarge(len(data))
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

// MsgPack is the MessagePack Serializer (vmihailenco/msgpack/v5). Structs
// use their `msgpack` tags, falling back to `json` tags, so one struct
// reads the same under JSON and MessagePack.
var MsgPack Serializer = msgpackSerializer{}

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
		*p = normalizeInts(x, 0)
		return nil
	}
	if numberTarget(v) {
		// The library would read -7 into a uint; convert exactly instead.
		x, err := dec.DecodeInterfaceLoose()
		if err != nil {
			return err
		}
		return assign(v, x)
	}
	return dec.Decode(v)
}

// numberTarget reports whether v points to a number.
func numberTarget(v any) bool {
	t := reflect.TypeOf(v)
	return t != nil && t.Kind() == reflect.Pointer && isNumber(t.Elem().Kind())
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
	for _, k := range sortedMapKeys(m) {
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
// more elements than there are bytes left and nest at most maxDepth deep,
// and whose only extension is the timestamp (type -1). (The decoder would
// otherwise preallocate up to a million elements for a five-byte header,
// recurse once per nesting level, and read an extension's opaque bytes as
// a map header when decoding into a map.)
func checkMsgpack(b []byte) error {
	if len(b) > MaxDataSize {
		return tooLarge(len(b))
	}
	bad := errors.New("sessions: malformed MessagePack")
	var stack [maxDepth + 1]int // values still expected at each level
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
			if count > len(b)-i || depth == maxDepth {
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
		if v > MaxDataSize {
			return -1
		}
		return int(v)
	}
}

// normalizeInts turns the uint64 integers a MessagePack or CBOR decoder
// gives for non-negative numbers into int64 when they fit, so that every
// integer reads as int64 through Get.
func normalizeInts(v any, depth int) any {
	if depth > maxDepth {
		return v
	}
	switch x := v.(type) {
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeInts(e, depth+1)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeInts(e, depth+1)
		}
	}
	return v
}

// CBOR is the CBOR Serializer (RFC 8949, fxamacker/cbor/v2). Structs use
// their `cbor` tags, falling back to `json` tags; times are RFC 3339
// strings with nanoseconds. Decoding is bounded by the library's limits
// (32 nesting levels, 131072 elements per array or map) besides
// MaxDataSize.
var CBOR Serializer = cborSerializer{}

type cborSerializer struct{}

var (
	cborEnc = must(cbor.EncOptions{Time: cbor.TimeRFC3339Nano, Sort: cbor.SortBytewiseLexical}.EncMode())
	cborDec = must(cbor.DecOptions{
		DefaultMapType:  reflect.TypeOf(map[string]any(nil)),
		IntDec:          cbor.IntDecConvertNone,
		UTF8:            cbor.UTF8DecodeInvalid, // Go strings need not be UTF-8: read back what was written
		MaxNestedLevels: 32,
	}.DecMode())
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func (cborSerializer) Marshal(v any) ([]byte, error) { return cborEnc.Marshal(v) }

func (cborSerializer) Unmarshal(data []byte, v any) error {
	if len(data) > MaxDataSize {
		return tooLarge(len(data))
	}
	if p, ok := v.(*any); ok {
		var x any
		if err := cborDec.Unmarshal(data, &x); err != nil {
			return err
		}
		*p = normalizeInts(x, 0)
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
	if len(data) > MaxDataSize {
		return nil, tooLarge(len(data))
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

// Gob is the encoding/gob Serializer, the Go counterpart of Rust's
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
// bounded format and input is capped at MaxDataSize, but a crafted value
// of a registered map type can still make gob preallocate a large map: use
// Gob only with stores an attacker cannot write to. Every backend here
// qualifies; the cookie backend authenticates before anything is decoded.
var Gob Serializer = gobSerializer{}

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
	if len(data) > MaxDataSize {
		return tooLarge(len(data))
	}
	registerGob()
	var w gobValue
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&w); err != nil {
		return err
	}
	return assign(v, w.V)
}

// assign stores src in the value dst points to: directly when its type is
// assignable, converted when both are numbers and the value survives the
// conversion.
func assign(dst, src any) error {
	d := reflect.ValueOf(dst)
	if d.Kind() != reflect.Pointer || d.IsNil() {
		return errors.New("sessions: Unmarshal needs a non-nil pointer")
	}
	d = d.Elem()
	if src == nil {
		d.SetZero()
		return nil
	}
	s := reflect.ValueOf(src)
	if s.Type().AssignableTo(d.Type()) {
		d.Set(s)
		return nil
	}
	if isNumber(s.Kind()) && isNumber(d.Kind()) && s.CanConvert(d.Type()) {
		c := s.Convert(d.Type())
		if back := c.Convert(s.Type()); back.Equal(s) && sameSign(s, c) {
			d.Set(c)
			return nil
		}
	}
	return fmt.Errorf("sessions: a %s cannot be read as a %s", s.Type(), d.Type())
}

func isNumber(k reflect.Kind) bool {
	return (k >= reflect.Int && k <= reflect.Uint64) || k == reflect.Float32 || k == reflect.Float64
}

func sameSign(a, b reflect.Value) bool { return negative(a) == negative(b) }

func negative(v reflect.Value) bool {
	switch {
	case v.CanInt():
		return v.Int() < 0
	case v.CanFloat():
		return v.Float() < 0
	}
	return false
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
	for _, k := range sortedMapKeys(m) {
		out = binary.AppendUvarint(out, uint64(len(k)))
		out = append(out, k...)
		out = binary.AppendUvarint(out, uint64(len(m[k])))
		out = append(out, m[k]...)
	}
	return out, nil
}

func (gobSerializer) UnmarshalMap(data []byte) (map[string][]byte, error) {
	if len(data) > MaxDataSize {
		return nil, tooLarge(len(data))
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
