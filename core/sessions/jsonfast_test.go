package sessions

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
)

// plainJSON is the JSON serializer as it was before its fast paths:
// core.MarshalJSON and json.Unmarshal for values. The fast paths must give
// what it gives.
type plainJSON struct{}

func (plainJSON) Marshal(v any) ([]byte, error) { return core.MarshalJSON(v) }
func (plainJSON) Unmarshal(data []byte, v any) error {
	return json.Unmarshal(data, v)
}
func (plainJSON) MarshalMap(m map[string][]byte) ([]byte, error) { return JSON.MarshalMap(m) }
func (plainJSON) UnmarshalMap(data []byte) (map[string][]byte, error) {
	return JSON.UnmarshalMap(data)
}

var jsonStrings = []string{
	"", "plain", `quote"back\slash`, "\b\f\n\r\t", "\x00\x01\x1f\x7f", "<b>&amp;</b>",
	"bad\xffutf8", "\xc3", "sep\u2028\u2029", "héllo 世界 🎉", "_session_created",
}

// TestJSONScalarEncoding: appendJSONScalar writes exactly what
// core.MarshalJSON writes, and declines what it does not handle.
func TestJSONScalarEncoding(t *testing.T) {
	values := []any{nil, true, false, 0, 1, -1, math.MaxInt64, math.MinInt64,
		int8(math.MinInt8), int16(math.MaxInt16), int32(math.MinInt32), int64(-42),
		uint(7), uint8(255), uint16(math.MaxUint16), uint32(math.MaxUint32), uint64(math.MaxUint64)}
	for _, s := range jsonStrings {
		values = append(values, s)
	}
	for _, v := range values {
		want, err := core.MarshalJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := appendJSONScalar([]byte("x"), v)
		if !ok || string(got) != "x"+string(want) {
			t.Errorf("appendJSONScalar(%#v) = %q, %v; want %q", v, got, ok, want)
		}
		if got, err := JSON.Marshal(v); err != nil || !bytes.Equal(got, want) {
			t.Errorf("JSON.Marshal(%#v) = %q, %v; want %q", v, got, err, want)
		}
	}
	type named int
	for _, v := range []any{2.5, float32(1), named(3), []byte{1}, []any{}, map[string]any{}, time.Time{}, &struct{}{}} {
		if got, ok := appendJSONScalar(nil, v); ok {
			t.Errorf("appendJSONScalar(%#v) = %q: it should leave it to encoding/json", v, got)
		}
	}
}

func FuzzJSONScalarEncoding(f *testing.F) {
	for _, s := range jsonStrings {
		f.Add(s, int64(len(s)), uint64(len(s)))
	}
	f.Fuzz(func(t *testing.T, s string, n int64, u uint64) {
		for _, v := range []any{s, n, u, int(n), int32(n), uint32(u)} {
			want, err := core.MarshalJSON(v)
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := appendJSONScalar(nil, v); !ok || !bytes.Equal(got, want) {
				t.Errorf("appendJSONScalar(%#v) = %q, %v; want %q", v, got, ok, want)
			}
		}
	})
}

// checkScalarDecode compares unmarshalJSONScalar and the JSON serializer
// with json.Unmarshal for a T.
func checkScalarDecode[T comparable](t *testing.T, data []byte, sentinel T) {
	t.Helper()
	want := sentinel
	wantErr := json.Unmarshal(data, &want)
	got := sentinel
	if unmarshalJSONScalar(data, &got) {
		if wantErr != nil || got != want {
			t.Errorf("%T from %q: fast path gave %#v; json.Unmarshal %#v, %v", got, data, got, want, wantErr)
		}
	} else if got != sentinel {
		t.Errorf("%T from %q: fast path declined but changed the value to %#v", got, data, got)
	}
	got = sentinel
	if err := JSON.Unmarshal(data, &got); (err == nil) != (wantErr == nil) || got != want {
		t.Errorf("%T from %q: JSON.Unmarshal = %#v, %v; json.Unmarshal %#v, %v", got, data, got, err, want, wantErr)
	}
}

var scalarInputs = []string{
	"0", "-0", "1", "-1", "42", "007", "-", "+1", "1.0", "1e3", "2.5", " 1", "1 ", "null", "true", "false", "tru",
	"127", "128", "-129", "255", "256", "2147483647", "2147483648", "-2147483649",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616", "99999999999999999999999",
	`""`, `"a"`, `"a\"b"`, `"a\\b"`, `"\u00e9"`, `"é"`, "\"\xff\"", "\"a\tb\"", `"unterminated`, `"a"b"`, `"42"`, "[]", "{}", "",
}

// TestJSONScalarDecoding: unmarshalJSONScalar decodes what json.Unmarshal
// decodes, the same way, and leaves everything else alone.
func TestJSONScalarDecoding(t *testing.T) {
	for _, in := range scalarInputs {
		data := []byte(in)
		checkScalarDecode(t, data, 7)
		checkScalarDecode(t, data, int64(7))
		checkScalarDecode(t, data, int32(7))
		checkScalarDecode(t, data, int8(7))
		checkScalarDecode(t, data, uint(7))
		checkScalarDecode(t, data, uint64(7))
		checkScalarDecode(t, data, uint8(7))
		checkScalarDecode(t, data, "seven")
		checkScalarDecode(t, data, true)
		checkScalarDecode(t, data, 7.5)
	}
	var n int
	if !unmarshalJSONScalar([]byte("-42"), &n) || n != -42 {
		t.Errorf("-42 as an int: %d", n)
	}
	var s string
	if !unmarshalJSONScalar([]byte(`"héllo"`), &s) || s != "héllo" {
		t.Errorf(`"héllo" as a string: %q`, s)
	}
}

func FuzzJSONScalarDecoding(f *testing.F) {
	for _, in := range scalarInputs {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScalarDecode(t, data, 7)
		checkScalarDecode(t, data, int32(7))
		checkScalarDecode(t, data, uint(7))
		checkScalarDecode(t, data, "seven")
		checkScalarDecode(t, data, true)
	})
}

var objectInputs = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a" : 1 , "b":[1,{"c":"}"}],"d":{"e":"]\""}}`, `{"a":1,"a":2}`,
	`{"a\"b":"x","\u0041":true,"é":null,"\ud83c\udf89":-1.5e3}`, "{\"bad\xff\":0}",
	`{"_session_created":1,"\u005fsession_created":2}`, `{"s":"a\\"}`, `{"n":[]}`, "{\n\t\"a\": \"b\"\n}\n",
	`{"n":-0.5e+10,"m":1E-2,"o":[true,false,null,{}],"p":"\/\b\f\n\r\t\uABcd"}`, `{"n":01}`, `{"n":1.}`, `{"n":-}`,
	`{"n":1e}`, `{"n":.5}`, `{"n":tru}`, `{"n":nul}`, `{"s":"\x"}`, `{"s":"\u12"}`, `{"s":"\u12g4"}`, "{\"s\":\"\x01\"}",
	`{"a":[1,]}`, `{"a":[,1]}`, `{"a":{"b"}}`, `{"a":{"b":1,}}`, `{"a":1 "b":2}`, `{} {}`, `{"a":"b"`,
	`[]`, `null`, `"x"`, `1`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1}x`, `{a:1}`, ``, ` `,
}

// FuzzSplitJSONObject: splitJSONObject accepts exactly the JSON objects
// json.Unmarshal accepts, and gives the same members.
func FuzzSplitJSONObject(f *testing.F) {
	for _, in := range objectInputs {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkSplit(t, data) })
}

func TestSplitJSONObject(t *testing.T) {
	for _, in := range objectInputs {
		checkSplit(t, []byte(in))
	}
	var deep strings.Builder
	for range 20 {
		deep.WriteString(`{"a":[`)
	}
	for range 20 {
		deep.WriteString(`]}`)
	}
	checkSplit(t, []byte(deep.String()))
	// encoding/json's nesting limit, on either side.
	for _, depth := range []int{maxJSONDepth - 1, maxJSONDepth, maxJSONDepth + 1} {
		doc := `{"a":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + "}"
		checkSplit(t, []byte(doc))
		doc = `{"a":` + strings.Repeat(`{"b":`, depth-1) + "1" + strings.Repeat("}", depth-1) + "}"
		checkSplit(t, []byte(doc))
	}
}

func checkSplit(t *testing.T, data []byte) {
	t.Helper()
	var want map[string]json.RawMessage
	err := json.Unmarshal(data, &want)
	pairs, ok := splitJSONObject(data, nil)
	if ok != (err == nil && want != nil) {
		t.Fatalf("splitJSONObject(%q) ok = %v; json.Unmarshal: %v, %v", data, ok, want, err)
	}
	if !ok {
		return
	}
	got := map[string][]byte{}
	for _, p := range pairs {
		var k string
		if err := json.Unmarshal(p.key, &k); err != nil {
			t.Fatalf("key %q: %v", p.key, err)
		}
		got[k] = p.val
	}
	if len(got) != len(want) {
		t.Fatalf("splitJSONObject(%q) = %q; want %q", data, got, want)
	}
	for k, v := range want {
		if !bytes.Equal(got[k], v) {
			t.Errorf("splitJSONObject(%q)[%q] = %q; want %q", data, k, got[k], v)
		}
	}
}

// FuzzJSONSessionDecode: a session decoded with the fast path is the one
// the plain decoder gives, or both refuse the data.
func FuzzJSONSessionDecode(f *testing.F) {
	for _, in := range objectInputs {
		f.Add([]byte(in))
	}
	f.Add([]byte(`{"_session_created":1767225600,"n":41,"user_id":"42"}`))
	f.Add([]byte(`{"_session_created":null}`))
	f.Add([]byte(`{"_session_created":1.5,"n":1}`))
	f.Add([]byte(`{"_session_created":"1","n":1}`))
	f.Add([]byte(`{"_session_created":1,"_session_created":"x"}`))
	f.Add([]byte(`{"_session_created":"x","_session_created":1}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkSessionDecode(t, data) })
}

func checkSessionDecode(t *testing.T, data []byte) {
	t.Helper()
	fast := &Manager{Serializer: JSON}
	plain := &Manager{Serializer: plainJSON{}}
	a, b := fast.New(), plain.New()
	errA, errB := a.decode(data), b.decode(data)
	if (errA == nil) != (errB == nil) {
		t.Fatalf("decode(%q): fast path %v, plain %v", data, errA, errB)
	}
	if errA != nil {
		return
	}
	if !a.created.Equal(b.created) {
		t.Errorf("decode(%q): created %v; plain %v", data, a.created, b.created)
	}
	if !slices.Equal(a.Keys(), b.Keys()) {
		t.Fatalf("decode(%q): keys %q; plain %q", data, a.Keys(), b.Keys())
	}
	for k, e := range b.vals {
		if !bytes.Equal(a.vals[k].raw, e.raw) {
			t.Errorf("decode(%q)[%q] = %q; plain %q", data, k, a.vals[k].raw, e.raw)
		}
	}
}

// TestJSONSessionEncode: a session encodes to the same bytes with the fast
// path as with the plain serializer, whatever its keys and values, loaded
// or set.
func TestJSONSessionEncode(t *testing.T) {
	values := []any{nil, true, 42, -7, uint64(math.MaxUint64), 2.5, "héllo <b>", []any{"a", 1.0},
		map[string]any{"k": "v"}, time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), []byte{0, 1}}
	created := time.Unix(1767225600, 0)
	for _, loaded := range []bool{false, true} {
		fast := &Manager{Serializer: JSON}
		plain := &Manager{Serializer: plainJSON{}}
		a, b := fast.New(), plain.New()
		for i, k := range append(jsonStrings, "z", "a", "m") {
			a.Set(k, values[i%len(values)])
			b.Set(k, values[i%len(values)])
		}
		a.created, b.created = created, created
		wantData, err := b.encode()
		if err != nil {
			t.Fatal(err)
		}
		if loaded {
			// Loaded, two values read and one set again.
			a, b = fast.New(), plain.New()
			if err := a.decode(wantData); err != nil {
				t.Fatal(err)
			}
			if err := b.decode(wantData); err != nil {
				t.Fatal(err)
			}
			for _, s := range []*Session{a, b} {
				_, _ = GetAs[int](s, "")
				_, _ = s.Get("plain")
				s.Set("z", 43)
				s.MarkModified()
			}
			if wantData, err = b.encode(); err != nil {
				t.Fatal(err)
			}
		}
		data, err := a.encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, wantData) {
			t.Errorf("loaded=%v: fast path encodes\n%s\nplain\n%s", loaded, data, wantData)
		}
	}
	// A value encoding/json refuses fails the save in both.
	a := (&Manager{Serializer: JSON}).New()
	a.Set("f", math.Inf(1))
	if _, err := a.encode(); err == nil {
		t.Error("an infinite float encoded")
	}
}
