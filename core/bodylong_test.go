package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// counting reads its own JSON and counts the calls, so a shortcut that
// called UnmarshalJSON once more than encoding/json would shows.
type counting struct {
	calls int
	last  string
}

func (c *counting) UnmarshalJSON(b []byte) error {
	c.calls++
	c.last = string(b)
	if string(b) == `"refuse"` {
		return errors.New("refused")
	}
	return nil
}

// nonEmpty refuses an empty string, which the shortcut decodes in place of
// a long one, and counts its calls.
type nonEmpty struct{ calls int }

func (n *nonEmpty) UnmarshalJSON(b []byte) error {
	n.calls++
	if string(b) == `""` {
		return errors.New("empty")
	}
	return nil
}

// upper is a string read through UnmarshalText, which the shortcut leaves
// to encoding/json.
type upper string

func (u *upper) UnmarshalText(b []byte) error { *u = upper(strings.ToUpper(string(b))); return nil }

// elidedTargets makes a fresh value of each shape FuzzDecodeJSONElided
// decodes into, the same each call.
func elidedTargets() []any {
	preset := "preset"
	return []any{
		&struct {
			Username string `json:"username"`
			Password string `json:"password"`
		}{},
		&struct {
			Username *string `json:"username"`
			Email    *string `json:"email"`
			Password *string `json:"password"`
		}{Email: &preset},
		&struct {
			Username counting `json:"username"`
			Password counting `json:"password"`
		}{Password: counting{calls: 7}},
		&struct {
			Username counting `json:"username"`
			Password nonEmpty `json:"password"`
			Email    *string  `json:"email"`
		}{Email: &preset},
		&struct {
			Title  string             `json:"title"`
			N      int                `json:"n"`
			Sub    struct{ A string } `json:"sub"`
			Tags   []string           `json:"tags"`
			Any    any                `json:"any"`
			Quoted string             `json:"quoted,string"`
			Text   upper              `json:"text"`
			Ptr    *counting          `json:"ptr"`
		}{Title: "preset"},
		&struct {
			A string `json:"a"`
			C string `json:"-"`
			e string
		}{},
		&struct {
			Inner
			Password string `json:"password"`
		}{},
		&map[string]string{},
		&struct {
			N        json.Number `json:"n"`
			Name     named       `json:"name"`
			Untagged string
			Password string `json:"password"`
		}{},
		selfPointing(),
		&struct {
			R        json.RawMessage `json:"r"`
			Password string          `json:"password"`
		}{R: append(make(json.RawMessage, 0, 16), "0123456789"...)},
		&struct {
			Password recorder `json:"password"`
		}{Password: recorder{seen: map[string]int{}}},
		reflect.New(reflect.StructOf([]reflect.StructField{
			{Name: "A", Type: reflect.TypeFor[string](), Tag: `json:"a"`},
			{Name: "B", Type: reflect.TypeFor[string](), Tag: `json:"a"`},
			{Name: "Password", Type: reflect.TypeFor[string](), Tag: `json:"password"`},
		})).Interface(),
		reflect.New(reflect.StructOf([]reflect.StructField{
			{Name: "A", Type: reflect.TypeFor[string](), Tag: `json:"a b"`},
			{Name: "Password", Type: reflect.TypeFor[string](), Tag: `json:"password"`},
		})).Interface(),
	}
}

// named is a string type of its own.
type named string

// recorder reads its own JSON into a map it shares with its copies.
type recorder struct{ seen map[string]int }

func (r *recorder) UnmarshalJSON(b []byte) error { r.seen[string(b)]++; return nil }

// selfPointing is a shape whose pointer field points at its own string
// field.
func selfPointing() any {
	v := &struct {
		S string  `json:"s"`
		P *string `json:"p"`
	}{}
	v.P = &v.S
	return v
}

// Inner is embedded in one of elidedTargets.
type Inner struct {
	Username string `json:"username"`
}

// FuzzDecodeJSONElided: wherever decodeJSONElided answers, it answers as
// decodeJSONFull does, the same error or the same decoded value, for
// every shape of elidedTargets and every length from which a string is
// long.
func FuzzDecodeJSONElided(f *testing.F) {
	for _, s := range []string{
		`{"username":"alice","password":"secret"}`,
		`{"username":"alice","password":"sec\"ret\u00e9\ud83d\ude00"}`,
		`{"username":"alice","password":"bad \x escape"}`,
		`{"username":"alice","password":"bad \u12g4"}`,
		`{"username":"alice","password":"cut \u12"}`,
		"{\"username\":\"alice\",\"password\":\"tab\there\"}",
		`{"username":"alice","password":"x","password":"y"}`,
		`{"username":"alice","PASSWORD":"long enough"}`,
		`{"username":"alice","extra":"long enough"}`,
		`{"username":"alice","password":"long enough"} x`,
		`{"username":"alice","password":"long enough"`,
		`{"username":"alice","password":"long enough}`,
		`{"username":"alice","password":"refuse"}`,
		`{"username":"alice","password":null}`,
		`{"username":["long enough"],"password":"p"}`,
		`{"sub":{"A":"long enough"},"title":"long enough","n":1}`,
		`{"title":"long enough","n":"one"}`,
		`{"quoted":"\"long enough\"","text":"long enough","ptr":"long enough"}`,
		`{"any":"long enough","tags":["a","b"]}`,
		`{"a":"long enough","-":"long enough","e":"x"}`,
		`{"username":"long enough","password":"long enough"}`,
		`{"title" : "long enough" , "n" : 2 }`,
		`{"pass\u0077ord":"long enough","username":"u"}`,
		`{"password":"long \u0000 enough"}`,
		`["long enough"]`,
		`"long enough"`,
		`{"n":"long enough","name":"long enough","Untagged":"long enough","password":"x"}`,
		`{"n":"12345678","password":"long enough"}`,
		`{"s":"x","p":"long enough"}`,
		`{"r":"long enough","password":"long enough"}`,
		`{"a":"long enough","password":"long enough"}`,
		`{"password":"long enough"}`,
		`{"a b":"long enough","A":"x","password":"long enough"}`,
	} {
		f.Add(s, uint8(4))
	}
	f.Fuzz(func(t *testing.T, body string, from uint8) {
		b := []byte(body)
		if !utf8.Valid(b) {
			return // decodeJSON runs after DecodeBody's UTF-8 check
		}
		raw := bytes.Trim(b, " \t\r\n")
		got, want := elidedTargets(), elidedTargets()
		for i := range got {
			// decodeJSON with the length from which a string is long
			// chosen by the fuzzer, against decodeJSONFull alone.
			done, errGot := decodeJSONElided(raw, got[i], int(from%16))
			if done {
				errGot = nulCheck(b, errGot)
			} else {
				errGot = decodeJSONFull(b, raw, got[i])
			}
			errWant := decodeJSONFull(b, raw, want[i])
			if (errGot == nil) != (errWant == nil) || errGot != nil && errGot.Error() != errWant.Error() {
				t.Fatalf("%T %q from %d (shortcut %v): %v, decodeJSONFull %v", got[i], body, from%16, done, errGot, errWant)
			}
			if errGot == nil && !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("%T %q from %d (shortcut %v): %+v, decodeJSONFull %+v", got[i], body, from%16, done, got[i], want[i])
			}
		}
	})
}

// TestDecodeJSONElidedApplies: the shortcut takes the bodies it is for (a
// megabyte's password, plain, escaped, into a string, a *string or a type
// reading its own JSON) and leaves the others to decodeJSONFull.
func TestDecodeJSONElidedApplies(t *testing.T) {
	long := strings.Repeat("a", 1<<20-100)
	cases := []struct {
		body string
		dst  any
		done bool
	}{
		{`{"username":"alice","password":"` + long + `"}`, elidedTargets()[0], true},
		{`{"username":"alice","password":"` + long + `\n"}`, elidedTargets()[1], true},
		{`{"username":"alice","password":"` + long + `"}`, elidedTargets()[2], true},
		{`{"username":"alice","password":"` + long + `","password":"x"}`, elidedTargets()[0], true},
		{`{"username":"alice","nope":"` + long + `"}`, elidedTargets()[0], true},
		{`{"username":"alice","password":"short"}`, elidedTargets()[0], false},
		{`{"username":"alice","password":"` + long + `\x"}`, elidedTargets()[0], false},
		{`{"username":"alice","password":"` + long + `"} x`, elidedTargets()[0], false},
		{`{"username":"alice","password":"` + long + `"}`, elidedTargets()[3], false},
		{`{"sub":{"A":"` + long + `"}}`, elidedTargets()[4], false},
		{`{"text":"` + long + `"}`, elidedTargets()[4], false},
		{`{"quoted":"` + long + `"}`, elidedTargets()[4], false},
		{`{"username":"` + long + `"}`, elidedTargets()[6], false},
		{`{"k":"` + long + `"}`, elidedTargets()[7], false},
	}
	for _, c := range cases {
		done, err := decodeJSONElided([]byte(c.body), c.dst, longStringFrom)
		if done != c.done {
			t.Errorf("%T %.60q…: done %v (%v), want %v", c.dst, c.body, done, err, c.done)
		}
	}
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if done, err := decodeJSONElided([]byte(`{"username":"alice","password":"`+long+`\u00e9"}`), &in, longStringFrom); !done || err != nil ||
		in.Username != "alice" || in.Password != long+"é" {
		t.Errorf("escaped password: %v %v %q %d", done, err, in.Username, len(in.Password))
	}
	var j json.RawMessage
	if done, _ := decodeJSONElided([]byte(`{"a":"`+long+`"}`), &j, longStringFrom); done {
		t.Error("a json.RawMessage took the shortcut")
	}
}

// FuzzDecodeForm holds decodeForm, which sets string fields directly, to
// the JSON round trip it stands for, on every shape of elidedTargets.
func FuzzDecodeForm(f *testing.F) {
	f.Add("username=alice&password=secret&csrfmiddlewaretoken=x")
	f.Add("username=alice&username=bob&password=p")
	f.Add("password=refuse&title=t&n=1&text=abc&quoted=q&ptr=p&any=a&tags=x&a=1&-=2")
	f.Add("USERNAME=a&email=e%00&password=%C3%A9")
	f.Add("title=t&text=abc&ptr=p")
	f.Add("username=a%3Cb%26c&password=p%22q%5C")
	f.Add("username=%E2%80%A8&password=%09")
	f.Add("username=plain&password=refuse")
	f.Add("n=abc&name=x&Untagged=y&password=z")
	f.Add("n=12&s=x&p=y&r=z&a=1")
	f.Add("username=a%22b&password=c%E2%80%A9")
	f.Add("quoted=%22q%22&title=t")
	f.Fuzz(func(t *testing.T, body string) {
		vals, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		for _, vs := range vals {
			for _, v := range vs {
				if !utf8.ValidString(v) {
					return // DecodeBody refuses these before decodeForm
				}
			}
		}
		got, want := elidedTargets(), elidedTargets()
		for i := range got {
			errGot := decodeForm(vals, got[i])
			errWant := decodeFormRoundTrip(vals, want[i])
			if (errGot == nil) != (errWant == nil) || errGot != nil && errGot.Error() != errWant.Error() {
				t.Fatalf("%T %q: %v, the round trip %v", got[i], body, errGot, errWant)
			}
			if errGot == nil && !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("%T %q: %+v, the round trip %+v", got[i], body, got[i], want[i])
			}
		}
	})
}

// decodeFormRoundTrip is decodeForm as it was before fields were set
// directly: every field through json.Marshal and encoding/json's decoder.
func decodeFormRoundTrip(vals url.Values, dst any) error {
	fields := fieldTypes(reflect.TypeOf(dst))
	m := make(map[string]string, len(vals))
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		if _, ok := fields[k]; !ok {
			continue
		}
		if v := vals[k]; len(v) > 1 {
			return ParseError("Form parse error - duplicate field " + strconv.Quote(k))
		}
		m[k] = vals[k][0]
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ParseError("Malformed form data.")
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(dst); err != nil {
		return ParseError("Malformed form data.")
	}
	return nil
}

// FuzzParseForm holds parseForm to url.ParseQuery: the same fields, and an
// error exactly when it gives one.
func FuzzParseForm(f *testing.F) {
	for _, s := range []string{
		"username=alice&password=secret", "a=1;b=2&c=3", "a=%zz&b=1", "a+b=c+d", "&&a&=x&a=2",
		"k=" + strings.Repeat("&", 10000), "x=%41",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, errGot := parseForm(body)
		want, errWant := url.ParseQuery(body)
		if (errGot == nil) != (errWant == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("parseForm(%q) = %v, %v; url.ParseQuery: %v, %v", body, got, errGot, want, errWant)
		}
	})
}

// TestParseFormFieldLimit: a limit on the number of fields set lower than
// url.ParseQuery's default (GODEBUG urlmaxqueryparams) holds for
// parseForm as for url.ParseQuery.
func TestParseFormFieldLimit(t *testing.T) {
	t.Setenv("GODEBUG", "urlmaxqueryparams=10")
	body := "username=a" + strings.Repeat("&x=1", 15)
	if _, err := url.ParseQuery(body); err == nil {
		t.Fatal("url.ParseQuery does not read urlmaxqueryparams from GODEBUG: nothing to hold parseForm to")
	}
	if vals, err := parseForm(body); err == nil || len(vals) != 0 {
		t.Errorf("parseForm over the limit: %v, %v", vals, err)
	}
	if vals, err := parseForm("username=a&x=1"); err != nil || vals.Get("username") != "a" {
		t.Errorf("parseForm under the limit: %v, %v", vals, err)
	}
}
