package sessions

import (
	"strconv"
	"unicode/utf8"
)

// The JSON serializer's fast paths. Each handles only what it can answer
// exactly as encoding/json would, byte for byte or value for value, and
// reports false for everything else, which then goes through
// encoding/json as before: the fast paths change the cost of a session,
// never its encoding or what a read returns.

// appendJSONScalar appends v encoded as core.MarshalJSON encodes it, when
// v is nil, a bool, a string or an integer of a built-in type (not a
// named type, which may have its own MarshalJSON), and reports whether it
// did.
func appendJSONScalar(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case bool:
		return strconv.AppendBool(dst, x), true
	case string:
		return appendJSONString(dst, x), true
	case int:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int64:
		return strconv.AppendInt(dst, x, 10), true
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint8:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint16:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint64:
		return strconv.AppendUint(dst, x, 10), true
	}
	return dst, false
}

// unmarshalJSONScalar decodes data into what p points to when p is a
// pointer to a built-in integer type, a string or a bool and data is
// exactly a JSON literal that json.Unmarshal would store there (an
// integer in range; a string without escapes, control characters or
// invalid UTF-8; true or false), and reports whether it did. Anything
// else, errors included, is left to json.Unmarshal, and *p is then
// unchanged. p does not escape, so callers may keep their value on the
// stack.
func unmarshalJSONScalar(data []byte, p any) bool {
	switch p := p.(type) {
	case *int:
		if n, ok := jsonInt(data, strconv.IntSize); ok {
			*p = int(n)
			return true
		}
	case *int64:
		if n, ok := jsonInt(data, 64); ok {
			*p = n
			return true
		}
	case *int32:
		if n, ok := jsonInt(data, 32); ok {
			*p = int32(n)
			return true
		}
	case *uint64:
		if n, ok := jsonUint(data, 64); ok {
			*p = n
			return true
		}
	case *uint:
		if n, ok := jsonUint(data, strconv.IntSize); ok {
			*p = uint(n)
			return true
		}
	case *string:
		s, ok := jsonPlainString(data)
		if ok {
			*p = string(s)
		}
		return ok
	case *bool:
		switch string(data) {
		case "true":
			*p = true
			return true
		case "false":
			*p = false
			return true
		}
	}
	return false
}

// isJSONInt reports whether b is a JSON number without fraction or
// exponent: -?(0|[1-9][0-9]*).
func isJSONInt(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || (b[0] == '0' && len(b) > 1) {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// jsonInt parses a JSON integer literal that fits bits, as json.Unmarshal
// does for a signed integer of that size.
func jsonInt(b []byte, bits int) (int64, bool) {
	if !isJSONInt(b) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b), 10, bits)
	return n, err == nil
}

// jsonUint parses a non-negative JSON integer literal that fits bits, as
// json.Unmarshal does for an unsigned integer of that size.
func jsonUint(b []byte, bits int) (uint64, bool) {
	if len(b) == 0 || b[0] == '-' || !isJSONInt(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b), 10, bits)
	return n, err == nil
}

// jsonPlainString returns the contents of the JSON string literal b when
// json.Unmarshal would give them verbatim: no escape, no control
// character, valid UTF-8.
func jsonPlainString(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	s := b[1 : len(b)-1]
	for _, c := range s {
		if c < 0x20 || c == '"' || c == '\\' {
			return nil, false
		}
	}
	return s, utf8.Valid(s)
}

// rawPair is one member of a session's container: the key's JSON string
// literal (quotes included) at offset koff of the container, and the
// value's encoding.
type rawPair struct {
	koff     int
	key, val []byte
}

// maxJSONDepth is encoding/json's limit on nesting: json.Unmarshal
// refuses deeper documents.
const maxJSONDepth = 10000

// splitJSONObject appends to dst the members of the JSON object data, in
// order, duplicates included, each value the exact bytes of its encoding
// (as json.RawMessage would hold them), and reports whether data is valid
// JSON (as json.Valid checks it, nesting limit included) whose top level
// is an object; when it is not, ok is false and the caller goes through
// json.Unmarshal for the error. The slices point into data.
func splitJSONObject(data []byte, dst []rawPair) ([]rawPair, bool) {
	i := skipJSONSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return dst, false
	}
	i = skipJSONSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return dst, skipJSONSpace(data, i+1) == len(data)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return dst, false
		}
		k, ok := scanJSONString(data, i)
		if !ok {
			return dst, false
		}
		koff, key := i, data[i:k:k]
		i = skipJSONSpace(data, k)
		if i >= len(data) || data[i] != ':' {
			return dst, false
		}
		i = skipJSONSpace(data, i+1)
		end, ok := scanJSONValue(data, i, 1)
		if !ok {
			return dst, false
		}
		dst = append(dst, rawPair{koff: koff, key: key, val: data[i:end:end]})
		i = skipJSONSpace(data, end)
		if i >= len(data) {
			return dst, false
		}
		switch data[i] {
		case '}':
			return dst, skipJSONSpace(data, i+1) == len(data)
		case ',':
			i = skipJSONSpace(data, i+1)
		default:
			return dst, false
		}
	}
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanJSONValue checks the JSON value that starts at b[i], inside depth
// open objects and arrays, and returns the index just past it.
func scanJSONValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch c := b[i]; {
	case c == '"':
		return scanJSONString(b, i)
	case c == '{':
		if depth >= maxJSONDepth {
			return 0, false
		}
		i = skipJSONSpace(b, i+1)
		if i < len(b) && b[i] == '}' {
			return i + 1, true
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return 0, false
			}
			e, ok := scanJSONString(b, i)
			if !ok {
				return 0, false
			}
			i = skipJSONSpace(b, e)
			if i >= len(b) || b[i] != ':' {
				return 0, false
			}
			if e, ok = scanJSONValue(b, skipJSONSpace(b, i+1), depth+1); !ok {
				return 0, false
			}
			i = skipJSONSpace(b, e)
			if i >= len(b) {
				return 0, false
			}
			switch b[i] {
			case '}':
				return i + 1, true
			case ',':
				i = skipJSONSpace(b, i+1)
			default:
				return 0, false
			}
		}
	case c == '[':
		if depth >= maxJSONDepth {
			return 0, false
		}
		i = skipJSONSpace(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			e, ok := scanJSONValue(b, i, depth+1)
			if !ok {
				return 0, false
			}
			i = skipJSONSpace(b, e)
			if i >= len(b) {
				return 0, false
			}
			switch b[i] {
			case ']':
				return i + 1, true
			case ',':
				i = skipJSONSpace(b, i+1)
			default:
				return 0, false
			}
		}
	case c == 't':
		return scanJSONLiteral(b, i, "true")
	case c == 'f':
		return scanJSONLiteral(b, i, "false")
	case c == 'n':
		return scanJSONLiteral(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return scanJSONNumber(b, i)
	}
	return 0, false
}

func scanJSONLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

// scanJSONString checks the JSON string literal at b[i] (a quote) and
// returns the index just past its closing quote. Like encoding/json, it
// takes any byte of 0x20 and above, valid UTF-8 or not.
func scanJSONString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1, true
		case c == '\\':
			j++
			if j >= len(b) {
				return 0, false
			}
			switch b[j] {
			case 'b', 'f', 'n', 'r', 't', '\\', '/', '"':
			case 'u':
				if len(b)-j <= 4 {
					return 0, false
				}
				for _, h := range b[j+1 : j+5] {
					if !isHex(h) {
						return 0, false
					}
				}
				j += 4
			default:
				return 0, false
			}
		case c < 0x20:
			return 0, false
		}
	}
	return 0, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// scanJSONNumber checks the JSON number at b[i]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and returns the index
// just past it.
func scanJSONNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i+1)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := skipDigits(b, i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
