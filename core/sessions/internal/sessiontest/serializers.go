package sessiontest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
)

// SerializerCase is a serializer under test.
type SerializerCase struct {
	Name string
	S    sessions.Serializer
	// Int42 is how an integer 42 comes back through Get.
	Int42 any
}

// Cart is a struct value the serializer tests store (gob users register
// it).
type Cart struct {
	Items []string `json:"items"`
	Total int      `json:"total"`
}

// TestGetAs checks typed reads before and after a round trip through
// tc's serializer: the same answers either way.
func TestGetAs(t *testing.T, tc SerializerCase) {
	when := time.Date(2026, 3, 1, 12, 30, 15, 123456789, time.UTC)
	{
		t.Run(tc.Name, func(t *testing.T) {
			m := NewManager(t, tc.S)
			s := m.New()
			s.Set("n", 42)
			s.Set("neg", -7)
			s.Set("big", uint64(1<<63+5))
			s.Set("f", 2.5)
			s.Set("s", "héllo <b>")
			s.Set("b", true)
			s.Set("cart", Cart{Items: []string{"apple", "pear"}, Total: 3})
			s.Set("when", when)
			s.Set("bytes", []byte{0, 1, 255})
			s.Set("nil", nil)
			for _, phase := range []string{"set", "loaded"} {
				if phase == "loaded" {
					s = Reload(t, m, s)
				}
				check := func(name string, got, want any, ok bool) {
					t.Helper()
					if !ok || !reflect.DeepEqual(got, want) {
						t.Errorf("%s: %s = %#v, %v; want %#v", phase, name, got, ok, want)
					}
				}
				n, ok := sessions.GetAs[int](s, "n")
				check("GetAs[int](n)", n, 42, ok)
				n64, ok := sessions.GetAs[int64](s, "n")
				check("GetAs[int64](n)", n64, int64(42), ok)
				fl, ok := sessions.GetAs[float64](s, "n")
				check("GetAs[float64](n)", fl, 42.0, ok)
				neg, ok := sessions.GetAs[int](s, "neg")
				check("GetAs[int](neg)", neg, -7, ok)
				big, ok := sessions.GetAs[uint64](s, "big")
				if tc.Name != "json" { // JSON numbers are float64: 2^63+5 is not exact
					check("GetAs[uint64](big)", big, uint64(1<<63+5), ok)
				}
				_ = big
				f, ok := sessions.GetAs[float64](s, "f")
				check("GetAs[float64](f)", f, 2.5, ok)
				if _, ok := sessions.GetAs[int](s, "f"); ok {
					t.Errorf("%s: 2.5 read as an int", phase)
				}
				if _, ok := sessions.GetAs[uint](s, "neg"); ok {
					t.Errorf("%s: -7 read as a uint", phase)
				}
				str, ok := sessions.GetAs[string](s, "s")
				check("GetAs[string](s)", str, "héllo <b>", ok)
				if _, ok := sessions.GetAs[int](s, "s"); ok {
					t.Errorf("%s: a string read as an int", phase)
				}
				b, ok := sessions.GetAs[bool](s, "b")
				check("GetAs[bool](b)", b, true, ok)
				c, ok := sessions.GetAs[Cart](s, "cart")
				check("GetAs[cart]", c, Cart{Items: []string{"apple", "pear"}, Total: 3}, ok)
				w, ok := sessions.GetAs[time.Time](s, "when")
				if !ok || !w.Equal(when) {
					t.Errorf("%s: GetAs[time.Time] = %v, %v; want %v", phase, w, ok, when)
				}
				by, ok := sessions.GetAs[[]byte](s, "bytes")
				check("GetAs[[]byte]", by, []byte{0, 1, 255}, ok)
				if _, ok := sessions.GetAs[int](s, "missing"); ok {
					t.Errorf("%s: a missing key was found", phase)
				}
				if v, ok := s.Get("nil"); !ok || v != nil {
					t.Errorf("%s: Get(nil) = %#v, %v", phase, v, ok)
				}
			}
			// Untyped reads give the serializer's generic form.
			v, ok := s.Get("n")
			if !ok || !reflect.DeepEqual(v, tc.Int42) {
				t.Errorf("Get(n) after a round trip = %#v (%T); want %#v", v, v, tc.Int42)
			}
		})
	}
}

// TestKeysRoundTrip: any key survives tc's container.
func TestKeysRoundTrip(t *testing.T, tc SerializerCase) {
	keys := []string{"plain", `quote"back\slash`, "new\nline\ttab\r", "ctl\x01\x1f", "bad\xffutf8", "sep\u2028\u2029", "héllo 世界", ""}
	{
		m := NewManager(t, tc.S)
		s := m.New()
		for i, k := range keys {
			s.Set(k, i)
		}
		s = Reload(t, m, s)
		if s.Created().IsZero() {
			t.Error("no creation time")
		}
		for i, k := range keys {
			want := k
			if k == "bad\xffutf8" && tc.Name == "json" {
				want = "bad\ufffdutf8" // JSON is UTF-8
			}
			if v, ok := sessions.GetAs[int](s, want); !ok || v != i {
				t.Errorf("%s: key %q = %v, %v", tc.Name, want, v, ok)
			}
		}
	}
}

// TestRefusesLargeInput: tc's decoders refuse input over MaxDataSize
// before decoding it.
func TestRefusesLargeInput(t *testing.T, tc SerializerCase) {
	big := make([]byte, sessions.MaxDataSize+1)
	{
		var x any
		if err := tc.S.Unmarshal(big, &x); !errors.Is(err, sessions.ErrTooLarge) {
			t.Errorf("%s: Unmarshal of %d bytes = %v", tc.Name, len(big), err)
		}
		if _, err := tc.S.UnmarshalMap(big); !errors.Is(err, sessions.ErrTooLarge) {
			t.Errorf("%s: UnmarshalMap of %d bytes = %v", tc.Name, len(big), err)
		}
	}
}

// SeedSession is a session with values of every common kind, encoded with
// ser.
func SeedSession(t testing.TB, ser sessions.Serializer) [][]byte {
	m := map[string][]byte{}
	for k, v := range map[string]any{
		"n": 42, "neg": -7, "f": 2.5, "s": "héllo", "b": true, "nil": nil,
		"list": []any{"a", 1.0}, "map": map[string]any{"k": "v"}, "cart": Cart{Items: []string{"x"}, Total: 1},
		"when": time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
	} {
		b, err := ser.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		m[k] = b
	}
	whole, err := ser.MarshalMap(m)
	if err != nil {
		t.Fatal(err)
	}
	return [][]byte{whole, m["n"], m["list"], m["map"], m["cart"], m["when"], {}}
}

// FuzzSerializer checks that ser's decoders never panic, refuse input over
// MaxDataSize, and that what decodes re-encodes.
func FuzzSerializer(f *testing.F, ser sessions.Serializer) {
	for _, s := range SeedSession(f, ser) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeAll := func(b []byte) {
			var x any
			if ser.Unmarshal(b, &x) == nil {
				if _, err := ser.Marshal(x); err != nil {
					t.Logf("decoded %#v does not encode again: %v", x, err)
				}
			}
			var n int
			_ = ser.Unmarshal(b, &n)
			var u uint8
			_ = ser.Unmarshal(b, &u)
			var c Cart
			_ = ser.Unmarshal(b, &c)
			var s string
			_ = ser.Unmarshal(b, &s)
			var l []string
			_ = ser.Unmarshal(b, &l)
			var tm time.Time
			_ = ser.Unmarshal(b, &tm)
		}
		if m, err := ser.UnmarshalMap(data); err == nil {
			for _, v := range m {
				decodeAll(v)
			}
			if _, err := ser.MarshalMap(m); err != nil {
				t.Errorf("a decoded session does not encode again: %v", err)
			}
		}
		decodeAll(data)
	})
}

// Reload saves s and opens it again, as the next request would.
func Reload(t testing.TB, m *sessions.Manager, s *sessions.Session) *sessions.Session {
	t.Helper()
	ctx := context.Background()
	if err := s.Save(ctx); err != nil {
		t.Fatalf("Save: %v", err)
	}
	s2, err := m.Open(ctx, s.Key())
	if err != nil || s2.Key() != s.Key() {
		t.Fatalf("Open = %v (key %q, want %q)", err, s2.Key(), s.Key())
	}
	return s2
}

// NewManager returns a Manager over a memory backend that encodes with
// ser.
func NewManager(t testing.TB, ser sessions.Serializer) *sessions.Manager {
	b := memory.NewSessionBackend()
	t.Cleanup(func() { _ = b.Close() })
	m := sessions.NewManager(b)
	m.Serializer = ser
	return m
}
