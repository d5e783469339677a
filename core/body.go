package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/internal/jsonobj"
	"github.com/reinhardt-go/auth/internal/jsonstr"
)

// DefaultMaxBodyBytes is the body cap used when none is configured: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// ReadBody reads the whole body of r, at most max bytes (max <= 0 means
// DefaultMaxBodyBytes). A longer body gives ErrRequestTooLarge.
func ReadBody(r Request, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	return readBodyFrom(r.Body(), max)
}

// readBodyFrom is ReadBody of body, which it asks the request for once
// (Fiber's request reads its body on each call).
func readBodyFrom(body io.Reader, max int64) ([]byte, error) {
	limited := io.LimitReader(body, max+1)
	var b []byte
	var err error
	if l, ok := body.(interface{ Len() int }); ok && int64(l.Len()) <= max {
		// A body already in memory (a bytes.Reader) is copied once into a
		// buffer of its size, with the room bytes.Buffer wants for the
		// read that finds the end.
		buf := bytes.NewBuffer(make([]byte, 0, l.Len()+bytes.MinRead))
		_, err = buf.ReadFrom(limited)
		b = buf.Bytes()
	} else {
		b, err = io.ReadAll(limited)
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, ErrRequestTooLarge
		}
		return nil, ParseError("")
	}
	if int64(len(b)) > max {
		return nil, ErrRequestTooLarge
	}
	return b, nil
}

// readBodyShared is ReadBody for a reader that does not modify the bytes:
// a body already in memory that can be drained (csrf.Prepare's, which has
// Drain() []byte: its unread bytes, the body left at its end) is taken as
// it is, without a copy.
func readBodyShared(r Request, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	body := r.Body()
	if d, ok := body.(interface{ Drain() []byte }); ok {
		b := d.Drain()
		if int64(len(b)) > max {
			return nil, ErrRequestTooLarge
		}
		return b, nil
	}
	return readBodyFrom(body, max)
}

// msgNullCharacters is DRF's ProhibitNullCharactersValidator message.
const msgNullCharacters = "Null characters are not allowed."

// DecodeBody decodes a JSON or form-encoded body into dst, the way DRF's
// parsers do for the endpoints of this library. dst must be a pointer to a
// struct whose fields carry json tags; form fields are matched by the same
// names (string fields only). Names match exactly, as Python's json and
// DRF's serializers do: encoding/json would also take "USERNAME" or
// "uſername" (U+017F) for "username", so a key that is not byte for byte a
// field's name is an unknown field here. Unknown JSON fields are refused
// with a 400, as is malformed JSON; unknown form fields are ignored (forms
// carry csrfmiddlewaretoken and the like). A JSON value followed by
// anything but JSON whitespace is refused as Python's json refuses it:
// "JSON parse error - Extra data: line 1 column 14 (char 13)", counted in
// characters.
//
// A JSON object with a name twice, at any depth ({"title":"a","title":null},
// or "title" and "\u0074itle"), is refused with a 400, "JSON parse error -
// duplicate field \"title\"", although DRF accepts it: Python's json keeps
// the last value, and encoding/json keeps the first when the last is null
// for a non-pointer field and merges two objects for a struct. Parsers
// that disagree about a duplicated name are how a request is read one way
// by a proxy, a WAF or a logger and another way here, so the ambiguity is
// refused rather than resolved in one parser's favour, as jwtauth refuses
// a claim that comes twice (ErrAmbiguousClaim). For the same reason a
// field of dst twice in a form body is refused ("Form parse error -
// duplicate field \"title\""), where Django's QueryDict reads the last
// value and url.Values.Get the first; other repeated form fields are
// ignored with the unknown ones.
//
// A JSON body is read as UTF-8 whatever the charset parameter of its
// Content-Type says (RFC 8259 section 8.1: JSON exchanged between systems
// is UTF-8). DRF decodes it with that charset instead, so a body sent as
// "application/json; charset=latin-1" with a byte such as 0xe9, which DRF
// would read as "é", is refused here: a JSON body that is not UTF-8 gets
// DRF's 400 with Python's decoding error ("'utf-8' codec can't decode byte
// 0xe9 in position 10: ..."), never U+FFFD, as does text with a NUL
// character and form values that are not UTF-8. A body of another media
// type gets 415.
func DecodeBody(r Request, max int64, dst any) error {
	body, err := readBodyShared(r, max)
	if err != nil {
		return err
	}
	ct := r.Header("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	switch {
	case len(body) == 0:
		// DRF parses no body as empty data whatever the media type says.
		return decodeForm(nil, dst)
	case mt == "application/json" || (ct == "" && len(bytes.TrimSpace(body)) > 0 && bytes.TrimSpace(body)[0] == '{'):
		if detail := utf8Error(body); detail != "" {
			return ParseError("JSON parse error - " + detail)
		}
		return decodeJSON(body, dst)
	case mt == "application/x-www-form-urlencoded":
		vals, err := parseForm(string(body))
		if err != nil {
			return ParseError("Malformed form data.")
		}
		for _, vs := range vals {
			for _, v := range vs {
				if !utf8.ValidString(v) {
					return ParseError("Malformed form data.")
				}
				if strings.IndexByte(v, 0) >= 0 {
					return ValidationError{"non_field_errors": {msgNullCharacters}}
				}
			}
		}
		return decodeForm(vals, dst)
	default:
		return &APIError{Status: ErrUnsupportedMediaType.Status, Code: ErrUnsupportedMediaType.Code,
			Detail: "Unsupported media type \"" + ct + "\" in request."}
	}
}

// decodeJSON is DecodeBody for a JSON body that is UTF-8.
func decodeJSON(body []byte, dst any) error {
	raw := bytes.Trim(body, " \t\r\n")
	if done, err := decodeJSONElided(raw, dst, longStringFrom); done {
		return nulCheck(body, err)
	}
	return decodeJSONFull(body, raw, dst)
}

// decodeJSONFull is decodeJSON without the shortcut for long strings; raw
// is body without the JSON whitespace around it.
func decodeJSONFull(body, raw []byte, dst any) error {
	// The body is judged before anything is decoded into dst, in this
	// order: malformed JSON, a name twice, an unknown name; then the
	// decoding, whose refusals are the wrong types.
	if _, err := oneJSONValue(body); err != nil {
		return err
	}
	names := namesOnly(raw)
	if key, dup := duplicateKey(names); dup {
		return ParseError("JSON parse error - duplicate field " + strconv.Quote(key))
	}
	// exactKeys refuses every name that is not a field's, so the
	// decoder need not (DisallowUnknownFields).
	if err := exactKeys(names, reflect.TypeOf(dst)); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return ParseError(jsonParseDetail(err))
	}
	return nulCheck(body, nil)
}

// nulCheck is the outcome of decoding body, err, with DRF's refusal of a
// NUL character in a body that decoded.
func nulCheck(body []byte, err error) error {
	if err == nil && bytes.Contains(body, []byte(`\u0000`)) {
		return ValidationError{"non_field_errors": {msgNullCharacters}}
	}
	return err
}

// oneJSONValue returns the JSON value body holds, or the ParseError DRF
// answers with: malformed JSON, or a value followed by anything but JSON
// whitespace (Python's "Extra data", where encoding/json's Decoder would
// stop at the value's end and say nothing).
func oneJSONValue(body []byte) (json.RawMessage, error) {
	// The usual case, one valid value between JSON whitespace, in one
	// scan; the Decoder below words what is wrong with the others.
	if trimmed := bytes.Trim(body, " \t\r\n"); json.Valid(trimmed) {
		return trimmed, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		// A value that ends in a number, string or literal is only known
		// to have ended at the next byte, so the Decoder reports a byte
		// after it as a syntax error; Python's json reads it as extra data.
		var se *json.SyntaxError
		if errors.As(err, &se) && se.Offset > 0 && json.Valid(body[:se.Offset-1]) {
			return nil, ParseError("JSON parse error - " + pyExtraData(body, int(se.Offset-1)))
		}
		return nil, ParseError(jsonParseDetail(err))
	}
	end := int(dec.InputOffset())
	for end < len(body) && isJSONSpace(body[end]) {
		end++
	}
	if end < len(body) {
		return nil, ParseError("JSON parse error - " + pyExtraData(body, end))
	}
	return raw, nil
}

// namesOnly is the valid JSON value raw with every string that is not an
// object's member name replaced by "", when raw is longer than
// namesOnlyFrom: what duplicateKey and exactKeys read (the names and the
// shape, never a string's content), without walking a long string value
// twice more. A password of a megabyte is then read by one scan of
// oneJSONValue and one of the decoder, not four.
func namesOnly(raw []byte) []byte {
	if len(raw) <= namesOnlyFrom || bytes.IndexByte(raw, '"') < 0 {
		return raw
	}
	out := make([]byte, 0, 256)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '"' {
			out = append(out, c)
			continue
		}
		end := i + 1
		for end < len(raw) && raw[end] != '"' {
			if raw[end] == '\\' {
				end++
			}
			end++
		}
		// raw is valid JSON, so end is the string's closing quote; a name
		// is followed by a colon.
		next := end + 1
		for next < len(raw) && isJSONSpace(raw[next]) {
			next++
		}
		if next < len(raw) && raw[next] == ':' {
			out = append(out, raw[i:end+1]...)
		} else {
			out = append(out, '"', '"')
		}
		i = end
	}
	return out
}

// namesOnlyFrom is the length from which namesOnly drops string values.
const namesOnlyFrom = 4096

// duplicateKey returns the first name that an object in the JSON value
// data has twice, at any depth, names compared after unescaping (so
// "title" and "\u0074itle" are one name, as to every JSON parser). data
// must be one valid JSON value, as oneJSONValue returns, which also bounds
// the depth of the recursion (encoding/json's limit of 10000).
func duplicateKey(data []byte) (string, bool) {
	return duplicateKeyIn(json.NewDecoder(bytes.NewReader(data)))
}

// duplicateKeyIn reads the next value of dec, as duplicateKey.
func duplicateKeyIn(dec *json.Decoder) (string, bool) {
	tok, err := dec.Token()
	if err != nil {
		return "", false
	}
	switch tok {
	case json.Delim('{'):
		seen := make(map[string]bool)
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return "", false
			}
			key, _ := tok.(string)
			if seen[key] {
				return key, true
			}
			seen[key] = true
			if key, dup := duplicateKeyIn(dec); dup {
				return key, true
			}
		}
	case json.Delim('['):
		for dec.More() {
			if key, dup := duplicateKeyIn(dec); dup {
				return key, true
			}
		}
	default:
		return "", false
	}
	_, _ = dec.Token() // the closing delimiter
	return "", false
}

// isJSONSpace reports whether c is whitespace to JSON (RFC 8259) and to
// Python's json: space, tab, line feed or carriage return.
func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// pyExtraData words Python's json.JSONDecodeError for extra data at byte
// pos of body: "Extra data: line 1 column 14 (char 13)", the line counted
// in line feeds and the column and position in characters (code points),
// as Python counts them in the decoded text.
func pyExtraData(body []byte, pos int) string {
	before := body[:pos]
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return "Extra data: line " + strconv.Itoa(bytes.Count(before, []byte{'\n'})+1) +
		" column " + strconv.Itoa(utf8.RuneCount(before[lineStart:])+1) +
		" (char " + strconv.Itoa(utf8.RuneCount(before)) + ")"
}

func jsonParseDetail(err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return "JSON parse error - field " + ute.Field + " has the wrong type"
	}
	if strings.HasPrefix(err.Error(), "json: unknown field ") {
		return "JSON parse error - unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "JSON parse error"
}

// decodeForm fills the string fields of the struct dst points at from vals
// by json tag name, through a JSON round trip so the tag rules stay one;
// a plain string field (isStringField) is set directly, as the round trip
// would set it.
// A field of dst given twice is refused, names in sorted order for a
// stable message, as DecodeBody documents.
func decodeForm(vals url.Values, dst any) error {
	fields := fieldTypes(reflect.TypeOf(dst))
	m := make(map[string]string, len(vals))
	var keys []string // m's, sorted
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		if _, ok := fields[k]; !ok {
			continue // unknown, or a case variant encoding/json would take
		}
		if v := vals[k]; len(v) > 1 {
			return ParseError("Form parse error - duplicate field " + strconv.Quote(k))
		} else if len(v) == 1 {
			m[k] = v[0]
			keys = append(keys, k)
		}
	}
	// A string field is set as it is, as the round trip would set it (the
	// values are UTF-8), and a field that reads its own JSON is handed the
	// literal the round trip would hand it, when that is the value between
	// quotes: a megabyte's password is not encoded and scanned again.
	if v := reflect.ValueOf(dst); len(m) > 0 {
		if byName, ok := structFields(v); ok {
			for _, k := range keys {
				i, found := byName[k]
				if !found || i < 0 {
					continue
				}
				field, val := v.Elem().Field(i), m[k]
				switch ft := field.Type(); {
				case isStringField(ft):
					setString(field, val)
				case isUnmarshalerField(ft) && !jsonstr.NeedsEscape(val):
					literal := append(append(append(make([]byte, 0, len(val)+2), '"'), val...), '"')
					if err := field.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(literal); err != nil {
						return ParseError("Malformed form data.")
					}
				default:
					continue
				}
				delete(m, k)
			}
			if len(m) == 0 {
				return nil
			}
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ParseError("Malformed form data.")
	}
	// A long value (a megabyte's password) is set as decodeJSON sets it,
	// without encoding/json scanning it twice more.
	done, err := decodeJSONElided(b, dst, longStringFrom)
	if !done {
		err = json.Unmarshal(b, dst)
	}
	if err != nil {
		return ParseError("Malformed form data.")
	}
	return nil
}

// exactKeys refuses, as an unknown field, a key of the JSON object data
// that is not exactly the json name of a field of t (a pointer to a
// struct, or a struct), in nested objects of struct-typed fields too. It
// leaves malformed JSON and values of other shapes to the decoder, which
// words the error.
func exactKeys(data []byte, t reflect.Type) error {
	fields := fieldTypes(t)
	if fields == nil {
		return nil
	}
	return jsonobj.EachMember(data, func(key string, raw json.RawMessage) error {
		ft, ok := fields[key]
		if !ok {
			return ParseError("JSON parse error - unknown field " + strconv.Quote(key))
		}
		return exactKeysIn(raw, ft)
	})
}

// exactKeysIn applies exactKeys to a field's value: an object for a
// struct, each element of an array for a slice of structs.
func exactKeysIn(raw json.RawMessage, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil // the type reads its own JSON
	}
	switch t.Kind() {
	case reflect.Struct:
		return exactKeys(raw, t)
	case reflect.Slice, reflect.Array:
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			return nil
		}
		for _, e := range elems {
			if err := exactKeysIn(e, t.Elem()); err != nil {
				return err
			}
		}
	case reflect.Map:
		// The values of a map of structs are objects of their own.
		return jsonobj.EachMember(raw, func(_ string, v json.RawMessage) error {
			return exactKeysIn(v, t.Elem())
		})
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// fieldTypes maps the json names of the fields encoding/json decodes into
// t (a struct or a pointer to one; embedded structs' fields promoted) to
// their types. It is nil for other types and for a type that reads its
// own JSON.
func fieldTypes(t reflect.Type) map[string]reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	out := make(map[string]reflect.Type, t.NumField())
	addFields(out, t)
	return out
}

func addFields(out map[string]reflect.Type, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		ft := f.Type
		if f.Anonymous && tag == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(out, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		out[tag] = f.Type
	}
}

// utf8Error returns Python's message for the first byte sequence of b that
// is not UTF-8 ("'utf-8' codec can't decode byte 0xff in position 10:
// invalid start byte"), as DRF's JSON parser reports it, or "" when b is
// UTF-8. A sequence cut short by the end of b is left alone: Python's
// stream reader keeps it back, and the JSON that ends there is malformed
// (or, after a whole value, extra data, which DRF would not see).
func utf8Error(b []byte) string {
	if utf8.Valid(b) {
		return ""
	}
	cont := func(i int) bool { return i < len(b) && b[i]&0xc0 == 0x80 }
	for i := 0; i < len(b); {
		c := b[i]
		var need int         // continuation bytes
		lo, hi := 0x80, 0xbf // the second byte's range
		switch {
		case c < 0x80:
			i++
			continue
		case c < 0xc2 || c > 0xf4:
			return pyDecodeError(b[i], i, 1, "invalid start byte")
		case c < 0xe0:
			need = 1
		case c < 0xf0:
			need = 2
			if c == 0xe0 {
				lo = 0xa0
			} else if c == 0xed {
				hi = 0x9f
			}
		default:
			need = 3
			if c == 0xf0 {
				lo = 0x90
			} else if c == 0xf4 {
				hi = 0x8f
			}
		}
		for k := 1; k <= need; k++ {
			if i+k >= len(b) {
				return "" // cut short by the end
			}
			if !cont(i+k) || (k == 1 && (int(b[i+1]) < lo || int(b[i+1]) > hi)) {
				return pyDecodeError(c, i, k, "invalid continuation byte")
			}
		}
		i += need + 1
	}
	return ""
}

// pyDecodeError words a UnicodeDecodeError as Python's str() does.
func pyDecodeError(first byte, pos, n int, reason string) string {
	if n == 1 {
		return "'utf-8' codec can't decode byte 0x" + strconv.FormatUint(uint64(first)|0x100, 16)[1:] +
			" in position " + strconv.Itoa(pos) + ": " + reason
	}
	return "'utf-8' codec can't decode bytes in position " + strconv.Itoa(pos) + "-" + strconv.Itoa(pos+n-1) + ": " + reason
}
