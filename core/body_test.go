package core_test

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core"
)

func TestDecodeBody(t *testing.T) {
	type in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	cases := []struct {
		ct, body string
		want     in
		status   int
	}{
		{"application/json", `{"username":"a","password":"p"}`, in{"a", "p"}, 0},
		{"application/json; charset=utf-8", `{"username":"ü"}`, in{Username: "ü"}, 0},
		{"application/x-www-form-urlencoded", `username=a&password=p%26q&csrfmiddlewaretoken=x`, in{"a", "p&q"}, 0},
		{"", `{"username":"a"}`, in{Username: "a"}, 0},
		{"", ``, in{}, 0},
		{"application/json", `{"username":"a","is_staff":true}`, in{}, 400},
		{"application/json", `{"username":1}`, in{}, 400},
		{"application/json", `{"username":"a"} {"x":1}`, in{}, 400},
		{"application/json", `[`, in{}, 400},
		{"application/x-www-form-urlencoded", `%zz`, in{}, 400},
		{"text/plain", `username=a`, in{}, 415},
		{"multipart/form-data; boundary=x", `--x--`, in{}, 415},
	}
	for _, c := range cases {
		var got in
		err := core.DecodeBody(reqBody("POST", "/", c.ct, c.body), 0, &got)
		if c.status == 0 {
			if err != nil || got != c.want {
				t.Errorf("%q %q: %+v %v", c.ct, c.body, got, err)
			}
			continue
		}
		var ae *core.APIError
		if !errors.As(err, &ae) || ae.Status != c.status {
			t.Errorf("%q %q: %v, want status %d", c.ct, c.body, err, c.status)
		}
	}
	var got in
	err := core.DecodeBody(reqBody("POST", "/", "application/json", `{"username":"`+string(make([]byte, 100))+`"}`), 50, &got)
	if !errors.Is(err, core.ErrRequestTooLarge) || core.ToAPIError(err).Status != http.StatusRequestEntityTooLarge {
		t.Errorf("over the cap: %v", err)
	}
}

// FuzzDecodeBody: every refusal is a 4xx, and what is accepted is the
// exact-match reading (Python's json.loads and a dict lookup): the
// username is the value of the key "username" byte for byte, never of a
// case variant, from a body that is UTF-8 and one JSON object with
// nothing but whitespace after it (json.Unmarshal refuses extra data) and
// no name twice in an object (the reading of a duplicate is ambiguous),
// or from a form that has none of dst's fields twice.
func FuzzDecodeBody(f *testing.F) {
	f.Add("application/json", `{"username":"a"}`)
	f.Add("application/json", `{"USERNAME":"a"}`)
	f.Add("application/json", `{"username":"a","uſername":"b"}`)
	f.Add("application/json", "{\"username\":\"\xff\"}")
	f.Add("application/json", `{"username":"a"}}`)
	f.Add("application/json", `{"username":"a"}]`)
	f.Add("", "{\"username\":\"a\"} \n{}")
	f.Add("application/json", `{"title":"a","title":null}`)
	f.Add("application/json", `{"title":"a","\u0074itle":"b"}`)
	f.Add("application/json", `{"nested":{"name":"a","name":null},"title":"x:y"}`)
	f.Add("application/x-www-form-urlencoded", "a=b&c=%zz")
	f.Add("application/x-www-form-urlencoded", "Username=a")
	f.Add("application/x-www-form-urlencoded", "username=a&username=b")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, ct, body string) {
		var dst struct {
			Username *string `json:"username"`
			Title    string  `json:"title"`
			Nested   *struct {
				Name string `json:"name"`
			} `json:"nested"`
		}
		err := core.DecodeBody(reqBody("POST", "/", ct, body), 1<<16, &dst)
		if err != nil {
			if s := core.ToAPIError(err).Status; s < 400 || s >= 500 {
				t.Fatalf("status %d for %q %q", s, ct, body)
			}
			return
		}
		var want *string
		// No body at all is empty data whatever the media type (DRF).
		if mt, _, _ := mime.ParseMediaType(ct); body != "" && (mt == "application/json" || ct == "") {
			if !utf8.ValidString(body) {
				t.Fatalf("accepted a body that is not UTF-8: %q", body)
			}
			var exact map[string]json.RawMessage
			if json.Unmarshal([]byte(body), &exact) != nil {
				t.Fatalf("accepted %q, not a JSON object", body)
			}
			if membersIn(body) != distinctMembers([]byte(body)) {
				t.Fatalf("accepted %q, which has a name twice in an object", body)
			}
			if raw, ok := exact["username"]; ok && string(raw) != "null" {
				var s string
				_ = json.Unmarshal(raw, &s)
				want = &s
			}
			var title string
			_ = json.Unmarshal(exact["title"], &title)
			if title != dst.Title {
				t.Fatalf("%q: title %q, the exact reading %q", body, dst.Title, title)
			}
		} else if vals, err := url.ParseQuery(body); err == nil {
			for _, k := range []string{"username", "title", "nested"} {
				if len(vals[k]) > 1 {
					t.Fatalf("accepted %q, which has %s twice", body, k)
				}
			}
			if vals.Has("username") {
				v := vals.Get("username")
				want = &v
			}
		}
		if (want == nil) != (dst.Username == nil) || (want != nil && *want != *dst.Username) {
			t.Fatalf("%q %q: username %v, the exact reading %v", ct, body, dst.Username, want)
		}
	})
}

// membersIn counts the name-value pairs of the objects in the JSON text
// s: its colons outside strings.
func membersIn(s string) int {
	n, inString := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case inString && s[i] == '\\':
			i++
		case s[i] == '"':
			inString = !inString
		case !inString && s[i] == ':':
			n++
		}
	}
	return n
}

// distinctMembers counts the name-value pairs of the objects in the JSON
// value b as Python's json (and encoding/json into maps) keeps them: a
// name that comes twice in an object is one pair.
func distinctMembers(b []byte) int {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return -1
	}
	var count func(any) int
	count = func(v any) int {
		n := 0
		switch v := v.(type) {
		case map[string]any:
			n = len(v)
			for _, e := range v {
				n += count(e)
			}
		case []any:
			for _, e := range v {
				n += count(e)
			}
		}
		return n
	}
	return count(v)
}

func TestDecodeBodyRefusesNulAndBadUTF8(t *testing.T) {
	var dst struct {
		Title string `json:"title"`
	}
	for _, c := range []struct{ ct, body, want string }{
		{"application/json", `{"title":"a\u0000b"}`, `{"non_field_errors":["Null characters are not allowed."]}`},
		{"application/x-www-form-urlencoded", `title=a%00b`, `{"non_field_errors":["Null characters are not allowed."]}`},
		{"application/x-www-form-urlencoded", `title=%ff%fe`, `{"detail":"Malformed form data."}`},
	} {
		rec, w := recorder()
		_ = core.WriteError(w, core.DecodeBody(reqBody("POST", "/", c.ct, c.body), 0, &dst), "")
		if rec.Code != 400 || rec.Body.String() != c.want {
			t.Errorf("%s: %d %s", c.body, rec.Code, rec.Body.String())
		}
	}
}

// TestDecodeBodyExactKeys: JSON keys and form fields name a field only when
// they are its name byte for byte, as in DRF; encoding/json alone would
// read "USERNAME", "UserName" and "uſername" (U+017F folds to s) as
// "username".
func TestDecodeBodyExactKeys(t *testing.T) {
	type inner struct {
		Name string `json:"name"`
	}
	var dst struct {
		Username *string `json:"username"`
		Nested   *inner  `json:"nested"`
		List     []inner `json:"list"`
	}
	for _, c := range []struct{ ct, body, want string }{
		{"application/json", `{"USERNAME":"admin"}`, `{"detail":"JSON parse error - unknown field \"USERNAME\""}`},
		{"application/json", `{"username":"bob","UserName":"admin"}`, `{"detail":"JSON parse error - unknown field \"UserName\""}`},
		{"application/json", `{"uſername":"admin"}`, `{"detail":"JSON parse error - unknown field \"uſername\""}`},
		{"application/json", `{"nested":{"NAME":"x"}}`, `{"detail":"JSON parse error - unknown field \"NAME\""}`},
		{"application/json", `{"list":[{"name":"a"},{"Name":"x"}]}`, `{"detail":"JSON parse error - unknown field \"Name\""}`},
	} {
		rec, w := recorder()
		_ = core.WriteError(w, core.DecodeBody(reqBody("POST", "/", c.ct, c.body), 0, &dst), "")
		if rec.Code != 400 || rec.Body.String() != c.want {
			t.Errorf("%s: %d %s", c.body, rec.Code, rec.Body.String())
		}
	}
	for _, body := range []string{`USERNAME=admin`, `uſername=admin`, `Username=admin&csrfmiddlewaretoken=x`} {
		dst.Username = nil
		if err := core.DecodeBody(reqBody("POST", "/", "application/x-www-form-urlencoded", body), 0, &dst); err != nil || dst.Username != nil {
			t.Errorf("form %s: %v, username %v", body, err, dst.Username)
		}
	}
	dst.Username = nil
	if err := core.DecodeBody(reqBody("POST", "/", "application/json", `{"username":"bob","nested":{"name":"n"},"list":[{"name":"a"}]}`), 0, &dst); err != nil ||
		*dst.Username != "bob" || dst.Nested.Name != "n" || dst.List[0].Name != "a" {
		t.Errorf("exact keys: %v %+v", err, dst)
	}
}

// TestDecodeBodyInvalidUTF8: a JSON body that is not UTF-8 is DRF's 400
// with Python's decoding error, never text with U+FFFD in it.
func TestDecodeBodyInvalidUTF8(t *testing.T) {
	var dst struct {
		Title string `json:"title"`
	}
	for _, c := range []struct{ body, want string }{
		{"{\"title\":\"\xff\"}", `{"detail":"JSON parse error - 'utf-8' codec can't decode byte 0xff in position 10: invalid start byte"}`},
		{"{\"title\":\"\xc3(\"}", `{"detail":"JSON parse error - 'utf-8' codec can't decode byte 0xc3 in position 10: invalid continuation byte"}`},
		{"{\"t\":\"\xe2\x82(\"}", `{"detail":"JSON parse error - 'utf-8' codec can't decode bytes in position 6-7: invalid continuation byte"}`},
		{"{\"t\":\"\xed\xa0\x80\"}", `{"detail":"JSON parse error - 'utf-8' codec can't decode byte 0xed in position 6: invalid continuation byte"}`},
		{"{\"t\":\"\xf0\x9f\x98\"}", `{"detail":"JSON parse error - 'utf-8' codec can't decode bytes in position 6-8: invalid continuation byte"}`},
		{"\xc0\xaf", `{"detail":"JSON parse error - 'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte"}`},
		{"{\"title\":\"\xe2\x82", `{"detail":"JSON parse error"}`},
	} {
		rec, w := recorder()
		_ = core.WriteError(w, core.DecodeBody(reqBody("POST", "/", "application/json", c.body), 0, &dst), "")
		if rec.Code != 400 || rec.Body.String() != c.want {
			t.Errorf("%q: %d %s", c.body, rec.Code, rec.Body.String())
		}
	}
	// The charset parameter does not change the decoding (DRF's does):
	// latin-1's é is not UTF-8, and UTF-8 sent as latin-1 is read as UTF-8.
	rec, w := recorder()
	_ = core.WriteError(w, core.DecodeBody(reqBody("POST", "/", "application/json; charset=latin-1", "{\"title\":\"\xe9\"}"), 0, &dst), "")
	if want := `{"detail":"JSON parse error - 'utf-8' codec can't decode byte 0xe9 in position 10: invalid continuation byte"}`; rec.Code != 400 || rec.Body.String() != want {
		t.Errorf("latin-1 body: %d %s, want 400 %s", rec.Code, rec.Body.String(), want)
	}
	if err := core.DecodeBody(reqBody("POST", "/", "application/json; charset=iso-8859-1", `{"title":"é"}`), 0, &dst); err != nil || dst.Title != "é" {
		t.Errorf("UTF-8 body labelled latin-1: %v, title %q", err, dst.Title)
	}
}

// TestDecodeBodyExtraData: a JSON value followed by anything but JSON
// whitespace is DRF's 400 with Python's "Extra data" message, its line,
// column and position counted in characters as Python counts them; the
// messages are DRF's own JSONParser's when Debian's DRF is installed.
func TestDecodeBodyExtraData(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"title":"x"}}`, "Extra data: line 1 column 14 (char 13)"},
		{`{"title":"x"}]`, "Extra data: line 1 column 14 (char 13)"},
		{`{"title":"x"} {"title":"y"}`, "Extra data: line 1 column 15 (char 14)"},
		{"  {\"title\":\"é\"}\r\n\t,", "Extra data: line 2 column 2 (char 18)"},
		{"{\"title\":\"😀\"}\n\n  x", "Extra data: line 3 column 3 (char 17)"},
		{`{"title":"x"}` + "\x00", "Extra data: line 1 column 14 (char 13)"},
		{`{"title":"x"}` + "\u00a0", "Extra data: line 1 column 14 (char 13)"},
		{`[1]x`, "Extra data: line 1 column 4 (char 3)"},
		{`12x`, "Extra data: line 1 column 3 (char 2)"},
		{`"a" "b"`, "Extra data: line 1 column 5 (char 4)"},
		{`true}`, "Extra data: line 1 column 5 (char 4)"},
		{`00`, "Extra data: line 1 column 2 (char 1)"},
		{" \n12é", "Extra data: line 2 column 3 (char 4)"},
	}
	if py := requireDRF(t); py != "" {
		bodies := make([]string, len(cases))
		for i, c := range cases {
			bodies[i] = c.body
		}
		for i, got := range drfJSONParse(t, py, bodies) {
			if want := "JSON parse error - " + cases[i].want; got != want {
				t.Errorf("DRF on %q: %s; the test wants %s", cases[i].body, got, want)
			}
		}
	}
	var dst struct {
		Title string `json:"title"`
	}
	for _, c := range cases {
		rec, w := recorder()
		_ = core.WriteError(w, core.DecodeBody(reqBody("POST", "/", "application/json", c.body), 0, &dst), "")
		want, _ := json.Marshal(map[string]string{"detail": "JSON parse error - " + c.want})
		if rec.Code != 400 || rec.Body.String() != string(want) {
			t.Errorf("%q: %d %s, want 400 %s", c.body, rec.Code, rec.Body.String(), want)
		}
	}
	// DRF's stream decoder drops a UTF-8 sequence cut short by the end of
	// the body, and so accepts this; it is not JSON whitespace, refused.
	rec, w := recorder()
	_ = core.WriteError(w, core.DecodeBody(reqBody("POST", "/", "application/json", "{\"title\":\"x\"}\xe2\x82"), 0, &dst), "")
	if rec.Code != 400 || rec.Body.String() != `{"detail":"JSON parse error - Extra data: line 1 column 14 (char 13)"}` {
		t.Errorf("a cut UTF-8 sequence after the value: %d %s", rec.Code, rec.Body.String())
	}
	for _, body := range []string{"{\"title\":\"x\"} \t\r\n", " \n{\"title\":\"x\"}"} {
		dst.Title = ""
		if err := core.DecodeBody(reqBody("POST", "/", "application/json", body), 0, &dst); err != nil || dst.Title != "x" {
			t.Errorf("%q: %v, title %q", body, err, dst.Title)
		}
	}
}

// TestDecodeBodyDuplicateKeys: a JSON object with a name twice, at any
// depth, is refused. Python's json keeps the last value and encoding/json
// the last too, except that a null leaves a non-pointer field as it was
// and a second object merges into the first, so the two would read
// {"title":"a","title":null} differently.
func TestDecodeBodyDuplicateKeys(t *testing.T) {
	type inner struct {
		Name string `json:"name"`
	}
	type in struct {
		Title  string         `json:"title"`
		Nested *inner         `json:"nested"`
		List   []inner        `json:"list"`
		Extra  map[string]any `json:"extra"`
	}
	for _, c := range []struct{ body, key string }{
		{`{"title":"a","title":null}`, "title"},
		{`{"title":"a","title":"b"}`, "title"},
		{`{"title":"a","\u0074itle":"b"}`, "title"},
		{`{"nested":{"name":"a","name":null}}`, "name"},
		{`{"nested":{"name":"a"},"nested":{}}`, "nested"},
		{`{"list":[{"name":"a"},{"name":"b","name":"c"}]}`, "name"},
		{`{"extra":{"k":[{"x":1,"x":2}]}}`, "x"},
		{`{"title":"a","title":"b","TITLE":"c"}`, "title"},
	} {
		var dst in
		rec, w := recorder()
		_ = core.WriteError(w, core.DecodeBody(reqBody("POST", "/", "application/json", c.body), 0, &dst), "")
		want := `{"detail":"JSON parse error - duplicate field \"` + c.key + `\""}`
		if rec.Code != 400 || rec.Body.String() != want {
			t.Errorf("%s: %d %s, want 400 %s", c.body, rec.Code, rec.Body.String(), want)
		}
	}
	var dst in
	body := `{"title":"t","nested":{"name":"n"},"list":[{"name":"a"},{"name":"b"}],"extra":{"name":{"name":1}}}`
	if err := core.DecodeBody(reqBody("POST", "/", "application/json", body), 0, &dst); err != nil ||
		dst.Title != "t" || dst.Nested.Name != "n" || len(dst.List) != 2 || dst.List[1].Name != "b" {
		t.Errorf("the same name in different objects: %v %+v", err, dst)
	}
}

// TestDecodeBodyDuplicateFormFields: a field of dst twice in a form body
// is refused as a JSON name twice is: Django's QueryDict (and so DRF)
// reads the last value, url.Values.Get the first. Repeated fields dst
// does not have (csrfmiddlewaretoken) are ignored, as unknown ones are.
func TestDecodeBodyDuplicateFormFields(t *testing.T) {
	var dst struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	for _, c := range []struct{ body, key string }{
		{`title=a&title=b`, "title"},
		{`title=a&body=x&title=`, "title"},
		{`title=a&t%69tle=b`, "title"},
		{`title=a&title=b&body=x&body=y`, "body"}, // the first in name order
	} {
		rec, w := recorder()
		_ = core.WriteError(w, core.DecodeBody(reqBody("POST", "/", "application/x-www-form-urlencoded", c.body), 0, &dst), "")
		want := `{"detail":"Form parse error - duplicate field \"` + c.key + `\""}`
		if rec.Code != 400 || rec.Body.String() != want {
			t.Errorf("%s: %d %s, want 400 %s", c.body, rec.Code, rec.Body.String(), want)
		}
	}
	dst.Title = ""
	body := `csrfmiddlewaretoken=x&csrfmiddlewaretoken=y&title=a&Title=b`
	if err := core.DecodeBody(reqBody("POST", "/", "application/x-www-form-urlencoded", body), 0, &dst); err != nil || dst.Title != "a" {
		t.Errorf("%s: %v, title %q", body, err, dst.Title)
	}
}

// TestDecodeBodyLongValues: a body longer than the point from which the
// name checks skip string values is refused and accepted exactly as a
// short one: a name twice (at the top, nested, or spelled with an escape),
// an unknown or case-variant name, and quotes, colons and escapes inside a
// long value, which must not be taken for names.
func TestDecodeBodyLongValues(t *testing.T) {
	long := strings.Repeat("p", 5000)
	type dst struct {
		Username *string `json:"username"`
		Title    string  `json:"title"`
		Nested   *struct {
			Name string `json:"name"`
		} `json:"nested"`
	}
	for _, c := range []struct {
		body, want string // want: "" accepted, else the error's text
	}{
		{`{"username":"` + long + `"}`, ""},
		{`{"username":"` + long + `\":\"title\":"}`, ""},
		{`{"username":"` + long + `","title":"a","title":"b"}`, `JSON parse error - duplicate field "title"`},
		{`{"username":"` + long + `","title":"a","\u0074itle":"b"}`, `JSON parse error - duplicate field "title"`},
		{`{"nested":{"name":"` + long + `","name":"x"}}`, `JSON parse error - duplicate field "name"`},
		{`{"username":"` + long + `","USERNAME":"b"}`, `JSON parse error - unknown field "USERNAME"`},
		{`{"nested":{"Name":"` + long + `"}}`, `JSON parse error - unknown field "Name"`},
		{`{"title":["` + long + `"]}`, "JSON parse error - field title has the wrong type"},
		{` {"title":"` + long + `"} ` + "\n", ""},
		{`{"title":"` + long + `"} x`, "JSON parse error - Extra data: line 1 column 5014 (char 5013)"},
	} {
		var d dst
		err := core.DecodeBody(reqBody("POST", "/", "application/json", c.body), 0, &d)
		got := ""
		if err != nil {
			got = core.ToAPIError(err).Detail
		}
		if got != c.want {
			t.Errorf("%.60q…: %q, want %q", c.body[len(c.body)-40:], got, c.want)
		}
	}
}

// TestDecodeBodyMapOfStructs: the values of a map of structs are checked
// for unknown names as every other nested object is (the decoder does not
// check them itself).
func TestDecodeBodyMapOfStructs(t *testing.T) {
	var dst struct {
		Items map[string]struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	err := core.DecodeBody(reqBody("POST", "/", "application/json", `{"items":{"a":{"name":"x"},"b":{"Name":"y"}}}`), 0, &dst)
	if got := core.ToAPIError(err); err == nil || got.Detail != `JSON parse error - unknown field "Name"` {
		t.Fatalf("an unknown name in a map's struct value: %v", err)
	}
	if err := core.DecodeBody(reqBody("POST", "/", "application/json", `{"items":{"a":{"name":"x"}}}`), 0, &dst); err != nil || dst.Items["a"].Name != "x" {
		t.Fatalf("a map of structs: %v %+v", err, dst)
	}
}

// BenchmarkDecodeBodyMegabytePassword decodes the bodies of the attack
// suite's 1 MB password (10^6 bytes of it, plain and every character
// escaped, as JSON and as a form), beside the baseline of encoding/json's
// json.Unmarshal of the plain JSON body alone.
func BenchmarkDecodeBodyMegabytePassword(b *testing.B) {
	type in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	const n = 1000000
	bodies := []struct {
		name, ct, body string
		want           int // the password's length
	}{
		{"json", "application/json", `{"username":"alice","password":"` + strings.Repeat("a", n) + `"}`, n},
		{"json-escaped", "application/json", `{"username":"alice","password":"` + strings.Repeat(`\u0041`, n/6) + `"}`, n / 6},
		{"form", "application/x-www-form-urlencoded", "username=alice&password=" + strings.Repeat("a", n), n},
		{"form-escaped", "application/x-www-form-urlencoded", "username=alice&password=" + strings.Repeat("%41", n/3), n / 3},
	}
	b.Run("baseline=json.Unmarshal", func(b *testing.B) {
		body := []byte(bodies[0].body)
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var got in
			if err := json.Unmarshal(body, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range bodies {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				var got in
				if err := core.DecodeBody(reqBody("POST", "/", c.ct, c.body), 0, &got); err != nil || len(got.Password) != c.want {
					b.Fatal(len(got.Password), err)
				}
			}
		})
	}
}

// bodyCounting counts its Body calls: Fiber's request reads its body
// from the stream on each one.
type bodyCounting struct {
	core.Request
	calls int
}

func (b *bodyCounting) Body() io.Reader { b.calls++; return b.Request.Body() }

// TestReadBodyAsksOnce: ReadBody and DecodeBody ask the request for its
// body once, whether the body knows its length (a bytes.Reader) or not.
func TestReadBodyAsksOnce(t *testing.T) {
	for _, known := range []bool{false, true} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(`{"username":"a"}`))
		if !known {
			r.Body = io.NopCloser(r.Body)
		}
		r.Header.Set("Content-Type", "application/json")
		req := &bodyCounting{Request: core.NewHTTPRequest(r)}
		if _, err := core.ReadBody(req, 0); err != nil || req.calls != 1 {
			t.Errorf("ReadBody (length known %v): %d calls, %v", known, req.calls, err)
		}
		req = &bodyCounting{Request: core.NewHTTPRequest(httptest.NewRequest("POST", "/", strings.NewReader(`{"username":"a"}`)))}
		var in struct {
			Username string `json:"username"`
		}
		if err := core.DecodeBody(req, 0, &in); err != nil || req.calls != 1 || in.Username != "a" {
			t.Errorf("DecodeBody: %d calls, %+v, %v", req.calls, in, err)
		}
	}
}
