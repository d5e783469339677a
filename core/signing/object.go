package signing

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// SignObject is Django's Signer.sign_object with its JSONSerializer: v as
// compact JSON, zlib-compressed when compress is true and that makes it
// shorter (then the payload starts with '.'), URL-safe base64 without
// padding, signed. The JSON is written as Python's json.dumps(v,
// separators=(',', ':')) writes it: non-ASCII characters escaped as \uXXXX
// and <, >, & left as they are, so for strings, integers, booleans, null,
// lists and objects (in the same member order) the payload is byte for
// byte Django's.
func (s *Signer) SignObject(v any, compress bool) (string, error) {
	payload, err := encodeObject(v, compress)
	if err != nil {
		return "", err
	}
	return s.Sign(payload), nil
}

// UnsignObject is Django's Signer.unsign_object: it checks the signature
// (ErrBadSignature), then decodes the payload into v as encoding/json does
// (ErrBadPayload when it is not base64, zlib or JSON; ErrTooLarge when it
// inflates beyond the limit).
func (s *Signer) UnsignObject(signed string, v any) error {
	payload, err := s.Unsign(signed)
	if err != nil {
		return err
	}
	return s.decodeObject(payload, v)
}

// encodeObject is the payload SignObject signs.
func encodeObject(v any, compress bool) (string, error) {
	data, err := MarshalJSON(v)
	if err != nil {
		return "", err
	}
	compressed := false
	if compress {
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		_, _ = w.Write(data) // a bytes.Buffer does not fail
		_ = w.Close()
		if buf.Len() < len(data)-1 { // Django's rule: only when it saves space
			data, compressed = buf.Bytes(), true
		}
	}
	out := base64.RawURLEncoding.EncodeToString(data)
	if compressed {
		out = "." + out
	}
	return out, nil
}

// decodeObject decodes a payload encodeObject (or Django) made into v.
func (s *Signer) decodeObject(payload string, v any) error {
	compressed := strings.HasPrefix(payload, ".")
	if compressed {
		payload = payload[1:]
	}
	data, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return fmt.Errorf("%w: base64: %v", ErrBadPayload, err)
	}
	if compressed {
		if data, err = inflate(data, s.maxInflate); err != nil {
			return err
		}
	}
	return UnmarshalJSON(data, v)
}

// inflate decompresses a zlib stream of at most limit bytes.
func inflate(data []byte, limit int64) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %v", ErrBadPayload, err)
	}
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %v", ErrBadPayload, err)
	}
	if int64(len(out)) > limit {
		return nil, &tooLargeError{fmt.Sprintf("signing: decompressed payload larger than %d bytes", limit)}
	}
	return out, nil
}

// UnmarshalJSON is Django's JSONSerializer().loads(data) into v: data
// read as latin-1 (one character per byte), then decoded as
// encoding/json does. Errors are ErrBadPayload.
func UnmarshalJSON(data []byte, v any) error {
	if err := json.Unmarshal(latin1ToUTF8(data), v); err != nil {
		return fmt.Errorf("%w: json: %v", ErrBadPayload, err)
	}
	return nil
}

// latin1ToUTF8 reads data as Django's JSONSerializer does (latin-1, one
// character per byte) and returns it as UTF-8. The payloads Django and
// SignObject write are ASCII, which it returns as they are.
func latin1ToUTF8(data []byte) []byte {
	ascii := true
	for _, b := range data {
		if b >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return data
	}
	out := make([]byte, 0, len(data)+len(data)/2)
	for _, b := range data {
		out = utf8.AppendRune(out, rune(b))
	}
	return out
}

// MarshalJSON is Django's JSONSerializer().dumps(v): v as Python's
// json.dumps(v, separators=(',', ':')) writes it with its defaults — no
// HTML escaping, every non-ASCII character as \uXXXX (a surrogate pair
// above U+FFFF) — so the result is ASCII, which Django reads back exactly.
// A json.RawMessage is written compacted, its non-ASCII escaped.
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("signing: json: %w", err)
	}
	data := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	// Non-ASCII bytes only occur inside JSON strings, where \uXXXX means
	// the same character.
	out := make([]byte, 0, len(data))
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		data = data[n:]
		switch {
		case r < utf8.RuneSelf:
			out = append(out, byte(r))
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
	}
	return out, nil
}
