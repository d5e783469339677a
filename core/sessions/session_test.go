package sessions_test

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/gob"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/stores/memory"
)

// jsonCase is the default serializer under the serializer suite (each
// other serializer runs it in its own package).
var jsonCase = sessiontest.SerializerCase{Name: "json", S: sessions.JSON, Int42: float64(42)}

// TestGetAs checks typed reads before and after a round trip: the same
// answers either way.
func TestGetAs(t *testing.T) { sessiontest.TestGetAs(t, jsonCase) }

// TestDictionaryAPI checks the reference's dictionary methods and the
// modification tracking.
func TestDictionaryAPI(t *testing.T) {
	ctx := context.Background()
	m := sessiontest.NewManager(t, sessions.JSON)
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
	m := sessiontest.NewManager(t, sessions.JSON)
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
	m := sessiontest.NewManager(t, sessions.JSON)
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

	gm := sessiontest.NewManager(t, gob.Serializer)
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

// TestKeysRoundTrip: any key survives the JSON container.
func TestKeysRoundTrip(t *testing.T) { sessiontest.TestKeysRoundTrip(t, jsonCase) }
