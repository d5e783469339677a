package core

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/reinhardt-go/auth/internal/jsonstr"
)

// longStringFrom is the length, in bytes between the quotes, from which a
// string value among the members of a JSON body's object is set into dst
// by decodeJSONElided instead of being read by encoding/json.
const longStringFrom = 1024

// A longString is a long string value among the members of a JSON object:
// the member's name and the value, each a string literal as sent, quotes
// included, and the index of the field of dst it goes to (-1: none).
type longString struct {
	name, literal []byte
	field         int
}

// decodeJSONElided decodes raw, a UTF-8 JSON value without whitespace
// around it, into dst as decodeJSONFull does, when raw is an object whose
// members include string values of at least from bytes, each for a field
// of dst that is a string or reads its own JSON. encoding/json scans a
// byte twice (once to validate, once to decode), at about 3.5 ns a byte on
// the machine of docs/security-tests.md, so a megabyte's password took
// 9 ms to reach the endpoint's length check. Here encoding/json reads a
// copy of raw in which those strings are "", the strings themselves are
// checked by one tight loop (JSON's rules for a string's content: no
// control character, only JSON's escapes; raw is UTF-8 already), and they
// are set into their fields afterwards: as a string field, unescaped as
// encoding/json does, or through the field's UnmarshalJSON with the
// literal, as encoding/json calls it.
//
// The copy is valid JSON exactly when raw is, since a string was replaced
// by a string and every other byte kept, and it has raw's names, which are
// judged (a name twice, an unknown name) before anything is decoded, as
// decodeJSONFull judges them. done is false when the shortcut
// does not apply or anything went wrong (malformed JSON, whose error
// message counts positions in raw; a type mismatch; a field that errs);
// dst is then as it was, but for what a pointer field shared, and
// decodeJSONFull must answer. FuzzDecodeJSONElided holds the two to the
// same outcome on every input.
func decodeJSONElided(raw []byte, dst any, from int) (done bool, err error) {
	skel, long, ok := elideLongStrings(raw, from)
	if !ok {
		return false, nil
	}
	v := reflect.ValueOf(dst)
	if !longTargets(v, long) {
		return false, nil
	}
	// The names are judged before anything is decoded, as decodeJSONFull
	// judges them (the copy is short: validating it costs little).
	if !json.Valid(skel) {
		return false, nil
	}
	names := namesOnly(skel)
	if key, dup := duplicateKey(names); dup {
		return true, ParseError("JSON parse error - duplicate field " + strconv.Quote(key))
	}
	if err := exactKeys(names, v.Type()); err != nil {
		return true, err
	}
	// The copy is decoded into a copy of *dst, which becomes *dst only
	// when everything is set: a fallback to decodeJSONFull starts from
	// dst as it was. The copy is shallow, which longTargets allows for:
	// the fields it takes share nothing with *dst.
	tmp := reflect.New(v.Elem().Type())
	tmp.Elem().Set(v.Elem())
	if json.Unmarshal(skel, tmp.Interface()) != nil {
		return false, nil
	}
	for _, s := range long {
		if s.field < 0 {
			return false, nil // not reached: exactKeys has refused the name
		}
		field := tmp.Elem().Field(s.field)
		if isStringField(field.Type()) {
			str, ok := jsonstr.Unquote(s.literal)
			if !ok {
				return false, nil // not reached: the content is valid
			}
			setString(field, str)
			continue
		}
		// encoding/json has called UnmarshalJSON with "" on the field; it
		// is put back as it was, for the one call with the value sent.
		field.Set(v.Elem().Field(s.field))
		if field.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(s.literal) != nil {
			return false, nil
		}
	}
	v.Elem().Set(tmp.Elem())
	return true, nil
}

// elideLongStrings returns raw with every string value of at least from
// bytes between its quotes replaced by "", and those strings; ok is false
// when raw is not an object, has no such string, has one that is not a
// member of the outer object, or has one whose content JSON refuses.
func elideLongStrings(raw []byte, from int) (skel []byte, long []longString, ok bool) {
	// A body too short to hold such a string (every login's) is not read.
	if len(raw) < from+len(`{"":""}`) || raw[0] != '{' {
		return nil, nil, false
	}
	depth, copied := 0, 0
	var name []byte
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			end := stringEnd(raw, i)
			if end < 0 {
				return nil, nil, false
			}
			next := end + 1
			for next < len(raw) && isJSONSpace(raw[next]) {
				next++
			}
			switch {
			case next < len(raw) && raw[next] == ':':
				if depth == 1 {
					name = raw[i : end+1]
				}
			case end-i-1 >= from:
				if depth != 1 || name == nil || !jsonstr.ContentValid(raw[i+1:end]) {
					return nil, nil, false
				}
				skel = append(skel, raw[copied:i]...)
				skel = append(skel, '"', '"')
				copied = end + 1
				long = append(long, longString{name: name, literal: raw[i : end+1], field: -1})
			}
			i = end
		}
	}
	if len(long) == 0 {
		return nil, nil, false
	}
	return append(skel, raw[copied:]...), long, true
}

// stringEnd returns the index of the quote that ends the string literal
// starting at raw[start], a backslash escaping the byte after it, or -1
// when raw ends first. A quote ends the string when an even number of
// backslashes comes before it.
func stringEnd(raw []byte, start int) int {
	for i := start + 1; ; {
		j := bytes.IndexByte(raw[i:], '"')
		if j < 0 {
			return -1
		}
		q := i + j
		k := q
		for k > i && raw[k-1] == '\\' {
			k--
		}
		if (q-k)%2 == 0 {
			return q
		}
		i = q + 1
	}
}

// longTargets finds the field of the struct v points at for each long
// string, by its member's name, and reports whether every one found is a
// field the shortcut sets exactly as encoding/json would, from a shallow
// copy of the struct that shares nothing with it through the field: the
// struct is one structFields takes, and the field is the only one of that
// name, without the "string" option, and either a string, a nil pointer
// to one (isStringField; encoding/json points it at a new string), or a
// type without pointers (pointerFree) whose pointer has UnmarshalJSON. A
// name that is no field's is left without one: exactKeys refuses it
// before anything is set.
func longTargets(v reflect.Value, long []longString) bool {
	byName, ok := structFields(v)
	if !ok {
		return false
	}
	st := v.Elem().Type()
	for k := range long {
		var name string
		if json.Unmarshal(long[k].name, &name) != nil {
			return false
		}
		i, found := byName[name]
		if !found {
			continue
		}
		if i < 0 {
			return false
		}
		switch ft := st.Field(i).Type; {
		case isStringField(ft) && ft.Kind() == reflect.Pointer:
			if !v.Elem().Field(i).IsNil() {
				return false
			}
		case isStringField(ft):
		case isUnmarshalerField(ft) && pointerFree(ft):
		default:
			return false
		}
		long[k].field = i
	}
	return true
}

// pointerFree reports whether a value of type t holds no pointer, map,
// slice, channel, function or interface, at any depth: a copy of it
// shares nothing with the original (strings are immutable).
func pointerFree(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return true
	case reflect.Array:
		return pointerFree(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !pointerFree(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// structFields maps the json names of the fields of the struct v points at
// to their indexes, -1 for a name encoding/json would not decode into its
// field as a plain string (two fields of the name, or the "string"
// option); ok is false when v is not a non-nil pointer to a struct, or
// when the struct reads its own JSON, has an embedded field (whose
// promotion rules are encoding/json's own) or a json tag encoding/json
// would ignore.
func structFields(v reflect.Value) (byName map[string]int, ok bool) {
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	if t := v.Type(); t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType) {
		return nil, false
	}
	st := v.Elem().Type()
	byName = make(map[string]int, st.NumField())
	for i := range st.NumField() {
		f := st.Field(i)
		if f.Anonymous {
			return nil, false
		}
		full := f.Tag.Get("json")
		if !f.IsExported() || full == "-" {
			continue
		}
		tag, opts, _ := strings.Cut(full, ",")
		if !plainTagName(tag) {
			return nil, false
		}
		if tag == "" {
			tag = f.Name
		}
		if _, twice := byName[tag]; twice || strings.Contains(","+opts+",", ",string,") {
			byName[tag] = -1
			continue
		}
		byName[tag] = i
	}
	return byName, true
}

// setString sets field, a string or a pointer to one (isStringField), to
// s as encoding/json would for the JSON string s: through the pointer,
// which is pointed at a new string when nil.
func setString(field reflect.Value, s string) {
	if field.Kind() == reflect.Pointer {
		if field.IsNil() {
			field.Set(reflect.New(field.Type().Elem()))
		}
		field = field.Elem()
	}
	field.SetString(s)
}

// plainTagName reports whether a json tag's name is empty or made only of
// ASCII letters, digits, '_' and '-', a name encoding/json takes as given.
func plainTagName(name string) bool {
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// isStringField reports whether encoding/json decodes a JSON string into
// a field of type t as it is, unescaped: t is a string or a pointer to
// one, without an UnmarshalJSON or UnmarshalText, and not json.Number
// (which must hold a number).
func isStringField(t reflect.Type) bool {
	pt := t
	if t.Kind() == reflect.Pointer {
		pt, t = t, t.Elem()
	} else {
		pt = reflect.PointerTo(t)
	}
	return t.Kind() == reflect.String && t != numberType &&
		!pt.Implements(unmarshalerType) && !pt.Implements(textUnmarshalerType)
}

var numberType = reflect.TypeFor[json.Number]()

// parseForm is url.ParseQuery(body). A body without '%' or '+' has nothing
// to unescape, and its fields are cut out of it here, saving
// url.ParseQuery's byte-at-a-time scan of each one for escapes (2 ms for
// a megabyte's password on the machine of docs/security-tests.md); a body
// of more fields than url.ParseQuery takes goes to it, for its error.
func parseForm(body string) (url.Values, error) {
	if strings.IndexByte(body, '%') >= 0 || strings.IndexByte(body, '+') >= 0 || !formFieldsWithinLimit(body) {
		return url.ParseQuery(body)
	}
	vals := make(url.Values)
	var err error
	for body != "" {
		var field string
		field, body, _ = strings.Cut(body, "&")
		if strings.IndexByte(field, ';') >= 0 {
			err = errSemicolon
			continue
		}
		if field == "" {
			continue
		}
		key, value, _ := strings.Cut(field, "=")
		vals[key] = append(vals[key], value)
	}
	return vals, err
}

// formFieldsWithinLimit reports whether url.ParseQuery takes body's
// number of fields, whatever its limit is set to (GODEBUG
// urlmaxqueryparams): it asks url.ParseQuery about as many empty fields,
// which cost it nothing else.
func formFieldsWithinLimit(body string) bool {
	_, err := url.ParseQuery(strings.Repeat("&", strings.Count(body, "&")))
	return err == nil
}

// errSemicolon is parseForm's error for a field with a semicolon, which
// url.ParseQuery refuses as a separator.
var errSemicolon = errors.New("invalid semicolon separator in query")

// isUnmarshalerField reports whether a field of type t reads its own JSON
// through its address: t is neither a pointer nor an interface, and *t
// has UnmarshalJSON.
func isUnmarshalerField(t reflect.Type) bool {
	return t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(unmarshalerType)
}

var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
