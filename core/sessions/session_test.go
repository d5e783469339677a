package sessions_test

import (
	"context"
	stdgob "encoding/gob"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/cbor"
	"github.com/reinhardt-go/auth/core/sessions/gob"
	"github.com/reinhardt-go/auth/core/sessions/msgpack"
	"github.com/reinhardt-go/auth/stores/memory"
)

type cart struct {
	Items []string `json:"items"`
	Total int      `json:"total"`
}

func init() {
	stdgob.Register(cart{})
}

var serializers = []struct {
	name string
	s    sessions.Serializer
	// how an integer 42 comes back through Get
	int42 any
}{
	{"json", sessions.JSON, float64(42)},
	{"msgpack", msgpack.Serializer, int64(42)},
	{"cbor", cbor.Serializer, int64(42)},
	{"gob", gob.Serializer, 42},
}

// reload saves s and opens it again, as the next request would.
func reload(t *testing.T, m *sessions.Manager, s *sessions.Session) *sessions.Session {
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

func newManager(t *testing.T, ser sessions.Serializer) *sessions.Manager {
	b := memory.NewSessionBackend()
	t.Cleanup(func() { _ = b.Close() })
	m := sessions.NewManager(b)
	m.Serializer = ser
	return m
}

// TestGetAs checks typed reads before and after a round trip through each
// serializer: the same answers either way.
func TestGetAs(t *testing.T) {
	when := time.Date(2026, 3, 1, 12, 30, 15, 123456789, time.UTC)
	for _, tc := range serializers {
		t.Run(tc.name, func(t *testing.T) {
			m := newManager(t, tc.s)
			s := m.New()
			s.Set("n", 42)
			s.Set("neg", -7)
			s.Set("big", uint64(1<<63+5))
			s.Set("f", 2.5)
			s.Set("s", "héllo <b>")
			s.Set("b", true)
			s.Set("cart", cart{Items: []string{"apple", "pear"}, Total: 3})
			s.Set("when", when)
			s.Set("bytes", []byte{0, 1, 255})
			s.Set("nil", nil)
			for _, phase := range []string{"set", "loaded"} {
				if phase == "loaded" {
					s = reload(t, m, s)
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
				if tc.name != "json" { // JSON numbers are float64: 2^63+5 is not exact
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
				c, ok := sessions.GetAs[cart](s, "cart")
				check("GetAs[cart]", c, cart{Items: []string{"apple", "pear"}, Total: 3}, ok)
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
			if !ok || !reflect.DeepEqual(v, tc.int42) {
				t.Errorf("Get(n) after a round trip = %#v (%T); want %#v", v, v, tc.int42)
			}
		})
	}
}

// TestDictionaryAPI checks the reference's dictionary methods and the
// modification tracking.
func TestDictionaryAPI(t *testing.T) {
	ctx := context.Background()
	m := newManager(t, sessions.JSON)
	s := m.New()
	if s.IsModified() || s.IsAccessed() || s.Key() != "" {
		t.Fatal("a new session is modified, accessed or has a key")
	}
	if !s.IsEmpty() || !s.IsAccessed() {
		t.Fatal("IsEmpty should be true and mark the session accessed")
	}
	s.Set("b", "2")
	s.Set("a", "1")
	s.Set("c", "3")
	if !s.IsModified() {
		t.Fatal("Set did not mark the session modified")
	}
	if got := s.Keys(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Keys = %v", got)
	}
	if got := s.Values(); !reflect.DeepEqual(got, []any{"1", "2", "3"}) {
		t.Errorf("Values = %v", got)
	}
	items := maps.Collect(s.Items())
	if !reflect.DeepEqual(items, map[string]any{"a": "1", "b": "2", "c": "3"}) {
		t.Errorf("Items = %v", items)
	}
	for k := range s.Items() { // stopping early is fine
		_ = k
		break
	}
	if !s.ContainsKey("a") || s.ContainsKey("z") {
		t.Error("ContainsKey")
	}
	if !s.Delete("a") || s.Delete("a") || s.ContainsKey("a") || s.Len() != 2 {
		t.Error("Delete")
	}
	key := s.GetOrCreateKey()
	if !key.IsKey() || s.GetOrCreateKey() != key {
		t.Errorf("GetOrCreateKey = %q, then %q", key, s.GetOrCreateKey())
	}
	if g := s.GenerateKey(); !g.IsKey() || g == key || s.Key() != key {
		t.Error("GenerateKey should return a fresh key without changing the session's")
	}
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Key() != key || s.IsModified() {
		t.Errorf("after Save: key %q (want %q), modified %v", s.Key(), key, s.IsModified())
	}
	if time.Until(s.Expiry()) < 59*time.Minute || s.TTL() != time.Hour {
		t.Errorf("Expiry = %v, TTL = %v; want an hour, the idle timeout", s.Expiry(), s.TTL())
	}
	s.MarkModified()
	if !s.IsModified() {
		t.Error("MarkModified")
	}
	s.MarkUnmodified()
	if s.IsModified() {
		t.Error("MarkUnmodified")
	}

	// Changing a value in place needs MarkModified, as in Django.
	s2, _ := m.Open(ctx, key)
	s2.Set("list", []string{"x"})
	if err := s2.Save(ctx); err != nil {
		t.Fatal(err)
	}
	s3, _ := m.Open(ctx, key)
	l, _ := sessions.GetAs[[]string](s3, "list")
	l[0] = "changed"
	s3.MarkModified()
	if err := s3.Save(ctx); err != nil {
		t.Fatal(err)
	}
	s4, _ := m.Open(ctx, key)
	if l, _ := sessions.GetAs[[]string](s4, "list"); !slices.Equal(l, []string{"changed"}) {
		t.Errorf("a value changed in place and marked modified was saved as %v", l)
	}

	s4.Clear()
	if !s4.IsEmpty() || !s4.IsModified() || s4.Key() != key {
		t.Error("Clear should empty the session and keep its key")
	}

	// SetTTL.
	s5 := m.New()
	s5.Set("k", 1)
	s5.SetTTL(10 * time.Minute)
	if err := s5.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(s5.Expiry()); d > 10*time.Minute || d < 9*time.Minute {
		t.Errorf("SetTTL(10m): expires in %v", d)
	}
	s5.SetTTL(0)
	if s5.TTL() != time.Hour {
		t.Errorf("SetTTL(0) should restore the default, got %v", s5.TTL())
	}
}

// TestFlushAndCycleKey checks Django's flush() and cycle_key().
func TestFlushAndCycleKey(t *testing.T) {
	ctx := context.Background()
	m := newManager(t, sessions.JSON)
	s := m.New()
	s.Set("cart", []string{"apple"})
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	old := s.Key()

	if err := s.CycleKey(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Key() == old || s.Key() == "" {
		t.Fatalf("CycleKey kept the key %q", s.Key())
	}
	if ok, _ := m.Backend.Exists(ctx, old); ok {
		t.Error("CycleKey left the old session stored")
	}
	if ok, _ := m.Backend.Exists(ctx, s.Key()); !ok {
		t.Error("CycleKey did not store the session under its new key")
	}
	if c, _ := sessions.GetAs[[]string](s, "cart"); !slices.Equal(c, []string{"apple"}) {
		t.Errorf("CycleKey lost the data: %v", c)
	}
	reopened, _ := m.Open(ctx, s.Key())
	if c, _ := sessions.GetAs[[]string](reopened, "cart"); !slices.Equal(c, []string{"apple"}) {
		t.Errorf("the cycled session holds %v", c)
	}

	cycled := s.Key()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Key() != "" || !s.IsEmpty() || !s.IsModified() {
		t.Errorf("after Flush: key %q, empty %v, modified %v", s.Key(), s.IsEmpty(), s.IsModified())
	}
	if ok, _ := m.Backend.Exists(ctx, cycled); ok {
		t.Error("Flush left the session stored")
	}
	s.Set("k", "v")
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Key() == cycled || s.Key() == old {
		t.Error("a flushed session was saved under an old key")
	}

	// A session never stored: CycleKey only drops the key.
	n := m.New()
	n.GetOrCreateKey()
	if err := n.CycleKey(ctx); err != nil || n.Key() != "" {
		t.Errorf("CycleKey of an unsaved session = %v, key %q", err, n.Key())
	}
}

// TestSaveErrors checks what Save refuses.
func TestSaveErrors(t *testing.T) {
	ctx := context.Background()
	m := newManager(t, sessions.JSON)
	s := m.New()
	s.Set("bad", make(chan int))
	if err := s.Save(ctx); err == nil {
		t.Error("a channel was saved")
	}
	s = m.New()
	s.Set("big", make([]byte, sessions.MaxDataSize))
	if err := s.Save(ctx); !errors.Is(err, sessions.ErrTooLarge) {
		t.Errorf("a session over MaxDataSize: %v; want ErrTooLarge", err)
	}

	gm := newManager(t, gob.Serializer)
	s = gm.New()
	type unregistered struct{ X int }
	s.Set("u", unregistered{1})
	if err := s.Save(ctx); err == nil {
		t.Error("gob saved a type that was not registered")
	}

	// Two requests modify one session: the second save conflicts.
	s = m.New()
	s.Set("n", 1)
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	a, _ := m.Open(ctx, s.Key())
	b, _ := m.Open(ctx, s.Key())
	a.Set("n", 2)
	b.Set("n", 3)
	if err := a.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(ctx); !errors.Is(err, sessions.ErrConflict) {
		t.Errorf("the second of two concurrent saves: %v; want ErrConflict", err)
	}
}

// TestStandalone checks New and Open without a Manager of one's own (the
// reference's Session::new(backend)).
func TestStandalone(t *testing.T) {
	ctx := context.Background()
	b := memory.NewSessionBackend()
	defer b.Close()
	s := sessions.New(b)
	s.Set("user_id", 42)
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(s.Expiry()); d < 59*time.Minute || d > time.Hour {
		t.Errorf("default TTL: expires in %v; want 3600 s", d)
	}
	s2, err := sessions.Open(ctx, b, s.Key())
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := sessions.GetAs[int](s2, "user_id"); !ok || id != 42 {
		t.Errorf("user_id = %v, %v", id, ok)
	}
	s3, err := sessions.Open(ctx, b, "attacker-chosen-key-0000000000000")
	if err != nil || s3.Key() != "" {
		t.Errorf("Open(unknown key) = key %q, %v; want a new session without a key", s3.Key(), err)
	}
}

func TestGenerateKey(t *testing.T) {
	seen := map[sessions.SessionID]bool{}
	counts := map[byte]int{}
	for range 2000 {
		k := sessions.GenerateKey()
		if !k.IsKey() || seen[k] {
			t.Fatalf("bad or repeated key %q", k)
		}
		seen[k] = true
		for i := range len(k) {
			counts[k[i]]++
		}
	}
	if len(counts) != 36 {
		t.Errorf("keys use %d distinct characters; want all 36 of [a-z0-9]", len(counts))
	}
	for _, bad := range []sessions.SessionID{"", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", "abc", "abcdefghijklmnopqrstuvwxyz01234-"} {
		if bad.IsKey() {
			t.Errorf("IsKey(%q) = true", bad)
		}
	}
	ctx := context.Background()
	k := sessions.GenerateKey()
	if a, b := sessions.StorageKey(ctx, k), sessions.StorageKey(sessions.WithNamespace(ctx, "t:1:"), k); len(a) != 40 || b != "t:1:"+a {
		t.Errorf("StorageKey = %q, namespaced %q", a, b)
	}
}

// TestKeysRoundTrip: any key survives every serializer's container.
func TestKeysRoundTrip(t *testing.T) {
	keys := []string{"plain", `quote"back\slash`, "new\nline\ttab\r", "ctl\x01\x1f", "bad\xffutf8", "sep\u2028\u2029", "héllo 世界", ""}
	for _, tc := range serializers {
		m := newManager(t, tc.s)
		s := m.New()
		for i, k := range keys {
			s.Set(k, i)
		}
		s = reload(t, m, s)
		if s.Created().IsZero() {
			t.Error("no creation time")
		}
		for i, k := range keys {
			want := k
			if k == "bad\xffutf8" && tc.name == "json" {
				want = "bad\ufffdutf8" // JSON is UTF-8
			}
			if v, ok := sessions.GetAs[int](s, want); !ok || v != i {
				t.Errorf("%s: key %q = %v, %v", tc.name, want, v, ok)
			}
		}
	}
}
