package sessions

import (
	"encoding/json"
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
// literal (quotes included) and the value's encoding.
type rawPair struct {
	key, val []byte
}

// splitJSONObject appends to dst the members of the JSON object data, in
// order, duplicates included, each value the exact bytes of its encoding
// (as json.RawMessage would hold them), and reports whether data is valid
// JSON whose top level is an object; when it is not, ok is false and the
// caller goes through json.Unmarshal for the error. The slices point into
// data.
func splitJSONObject(data []byte, dst []rawPair) ([]rawPair, bool) {
	if !json.Valid(data) {
		return dst, false
	}
	// data is valid JSON: from here on only its structure is followed.
	i := skipJSONSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return dst, false
	}
	i = skipJSONSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return dst, true
	}
	for i < len(data) {
		k := endJSONValue(data, i)
		if data[i] != '"' || k < 0 {
			return dst, false
		}
		key := data[i:k:k]
		i = skipJSONSpace(data, k)
		if i >= len(data) || data[i] != ':' {
			return dst, false
		}
		i = skipJSONSpace(data, i+1)
		end := endJSONValue(data, i)
		if end < 0 {
			return dst, false
		}
		dst = append(dst, rawPair{key: key, val: data[i:end:end]})
		i = skipJSONSpace(data, end)
		if i >= len(data) {
			return dst, false
		}
		switch data[i] {
		case '}':
			return dst, true
		case ',':
			i = skipJSONSpace(data, i+1)
		default:
			return dst, false
		}
	}
	return dst, false
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// endJSONValue returns the index just past the value of valid JSON that
// starts at b[i], -1 when b ends first.
func endJSONValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			case '"':
				e := endJSONValue(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			}
		}
		return -1
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
		j++
	}
	return j
}
