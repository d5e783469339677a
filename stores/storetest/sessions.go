package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/usersessions"
)

// SessionWriters is how many goroutines write one session at once in
// TestSessionBackend.
const SessionWriters = 100

// TestSessionBackend checks that a sessions.SessionBackend keeps the
// contract written on that interface, sentence by sentence: a saved record
// round-trips (data, expiry to the millisecond, version+1); sessions that
// do not exist, have expired or whose id was tampered with are
// (found=false, nil) and never errors, whatever the id; a version that no
// longer matches — a second new session under one id, a stale writer, a
// save after Delete — fails with sessions.ErrConflict and writes nothing;
// SessionWriters goroutines read-modify-writing one session lose nothing
// silently (each write lands or gets ErrConflict, and every one lands in
// the end); a done context fails every method with
// core.ErrStoreUnavailable and changes nothing; values up to MaxDataSize
// (or the backend's DataLimiter limit, past which it refuses with
// ErrTooLarge) and any bytes round-trip; namespaces keep sessions apart.
// Backends that implement usersessions.Lister are checked to list
// a user's live sessions only, by opaque handles, and to end only the
// user's own. Backends that implement sessions.Lister are checked to store
// sessions.StorageKey, never the key; Importer and Cleaner are checked too
// (a wrapper answering errors.ErrUnsupported because the backend it wraps
// lacks one is skipped).
//
// Client-side backends (sessions.ClientSideBackend) are driven through
// sessions.SaveRecord, following the id each save returns. open is called
// once per subtest and must return an empty backend, which it may close
// with t.Cleanup. Run it under the race detector.
func TestSessionBackend(t *testing.T, open func(t *testing.T) sessions.SessionBackend) {
	tests := []struct {
		name string
		f    func(t *testing.T, h *sessionHarness)
	}{
		{"RoundTrip", testSessionRoundTrip},
		{"NotFound", testSessionNotFound},
		{"Tampered", testSessionTampered},
		{"Expired", testSessionExpired},
		{"SaveExpired", testSessionSaveExpired},
		{"ConflictNew", testSessionConflictNew},
		{"ConflictStale", testSessionConflictStale},
		{"NoResurrection", testSessionNoResurrection},
		{"ConcurrentWriters", testSessionConcurrentWriters},
		{"ContextCanceled", testSessionContextCanceled},
		{"LargeValue", testSessionLarge},
		{"AnyBytes", testSessionAnyBytes},
		{"SavedDataCopied", testSessionDataCopied},
		{"Isolation", testSessionIsolation},
		{"Namespaces", testSessionNamespaces},
		{"StorageKeys", testSessionStorageKeys},
		{"Import", testSessionImport},
		{"CleanupExpired", testSessionCleanup},
		{"UserSessions", testSessionUserSessions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.f(t, &sessionHarness{t: t, b: open(t), ctx: context.Background()})
		})
	}
}

type sessionHarness struct {
	t   *testing.T
	b   sessions.SessionBackend
	ctx context.Context
}

func (h *sessionHarness) rec(data string, version uint64) sessions.Record {
	return sessions.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour), Version: version}
}

// save saves through SaveRecord and fails the test on error.
func (h *sessionHarness) save(id sessions.SessionID, rec sessions.Record) sessions.SessionID {
	h.t.Helper()
	nid, err := sessions.SaveRecord(h.ctx, h.b, id, rec)
	if err != nil {
		h.t.Fatalf("Save(version %d): %v", rec.Version, err)
	}
	if nid == "" {
		h.t.Fatal("SaveRecord returned an empty id")
	}
	return nid
}

// create saves a new session with data and returns its id.
func (h *sessionHarness) create(data string) sessions.SessionID {
	h.t.Helper()
	return h.save(sessions.GenerateKey(), h.rec(data, 0))
}

// mustLoad loads id and fails unless it is found.
func (h *sessionHarness) mustLoad(id sessions.SessionID) sessions.Record {
	h.t.Helper()
	rec, found, err := h.b.Load(h.ctx, id)
	if err != nil || !found {
		h.t.Fatalf("Load = found %v, %v; want the session", found, err)
	}
	return rec
}

// mustMiss checks that id is (false, nil) for Load and Exists.
func (h *sessionHarness) mustMiss(ctx context.Context, id sessions.SessionID, what string) {
	h.t.Helper()
	rec, found, err := h.b.Load(ctx, id)
	if err != nil || found {
		h.t.Errorf("%s: Load = %v, %v; want (false, nil)", what, found, err)
	}
	if rec.Data != nil || rec.Version != 0 {
		h.t.Errorf("%s: Load returned a record with its not-found answer: %+v", what, rec)
	}
	ok, err := h.b.Exists(ctx, id)
	if err != nil || ok {
		h.t.Errorf("%s: Exists = %v, %v; want (false, nil)", what, ok, err)
	}
}

func (h *sessionHarness) limit() int {
	if l, ok := h.b.(sessions.DataLimiter); ok {
		return l.MaxData()
	}
	return sessions.MaxDataSize
}

func expectConflict(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, sessions.ErrConflict) {
		t.Errorf("%s: err = %v; want ErrConflict", what, err)
	}
}

func testSessionRoundTrip(t *testing.T, h *sessionHarness) {
	id := sessions.GenerateKey()
	h.mustMiss(h.ctx, id, "before the first save")
	want := h.rec("hello", 0)
	id = h.save(id, want)
	got := h.mustLoad(id)
	if string(got.Data) != "hello" || got.Version != 1 {
		t.Errorf("Load = %q version %d; want %q version 1", got.Data, got.Version, "hello")
	}
	if d := got.Expiry.Sub(want.Expiry); d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("Expiry = %v; want %v to the millisecond", got.Expiry, want.Expiry)
	}
	if ok, err := h.b.Exists(h.ctx, id); err != nil || !ok {
		t.Errorf("Exists = %v, %v; want true", ok, err)
	}
	id = h.save(id, h.rec("world", got.Version))
	if got := h.mustLoad(id); string(got.Data) != "world" || got.Version != 2 {
		t.Errorf("after the second save Load = %q version %d; want %q version 2", got.Data, got.Version, "world")
	}
	if err := h.b.Delete(h.ctx, id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	h.mustMiss(h.ctx, id, "after Delete")
}

func testSessionNotFound(t *testing.T, h *sessionHarness) {
	h.create("someone else's")
	ids := []sessions.SessionID{
		sessions.GenerateKey(), "", "x", "../../../etc/passwd", "a b\x00c\xff",
		sessions.SessionID(strings.Repeat("a", 32)), sessions.SessionID(strings.Repeat("z", 5000)),
		"session:*", "' OR 1=1 --", sessions.SessionID(strings.Repeat("A", 300)),
	}
	for _, id := range ids {
		h.mustMiss(h.ctx, id, fmt.Sprintf("unknown id %.20q", id))
		if err := h.b.Delete(h.ctx, id); err != nil {
			t.Errorf("Delete(unknown id %.20q) = %v; want nil", id, err)
		}
	}
}

func testSessionTampered(t *testing.T, h *sessionHarness) {
	id := h.create("data")
	flip := func(s string, i int) sessions.SessionID {
		b := []byte(s)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return sessions.SessionID(b)
	}
	s := string(id)
	for _, i := range []int{0, 1, len(s) / 2, len(s) - 2} {
		h.mustMiss(h.ctx, flip(s, i), fmt.Sprintf("id with byte %d changed", i))
	}
	h.mustMiss(h.ctx, id[:len(id)-1], "truncated id")
	h.mustMiss(h.ctx, id+"a", "extended id")
	h.mustMiss(h.ctx, sessions.SessionID(strings.ToUpper(s)), "upper-cased id")
	h.mustLoad(id)
}

func testSessionExpired(t *testing.T, h *sessionHarness) {
	key := sessions.GenerateKey()
	rec := h.rec("short", 0)
	rec.Expiry = time.Now().Add(300 * time.Millisecond)
	id := h.save(key, rec)
	loaded := h.mustLoad(id)
	time.Sleep(time.Until(rec.Expiry) + 100*time.Millisecond)
	h.mustMiss(h.ctx, id, "after its expiry")
	_, err := sessions.SaveRecord(h.ctx, h.b, id, h.rec("late", loaded.Version))
	expectConflict(t, err, "saving an expired session")
	h.mustMiss(h.ctx, id, "after a refused save")
	// Expired is gone: the key may be created anew.
	id = h.save(key, h.rec("again", 0))
	if got := h.mustLoad(id); string(got.Data) != "again" || got.Version != 1 {
		t.Errorf("recreated session = %q version %d", got.Data, got.Version)
	}
}

func testSessionSaveExpired(t *testing.T, h *sessionHarness) {
	rec := h.rec("already expired", 0)
	rec.Expiry = time.Now().Add(-time.Second)
	id, err := sessions.SaveRecord(h.ctx, h.b, sessions.GenerateKey(), rec)
	if err != nil {
		t.Fatalf("Save(expired record) = %v; want nil", err)
	}
	h.mustMiss(h.ctx, id, "a record saved already expired")
}

func testSessionConflictNew(t *testing.T, h *sessionHarness) {
	key := sessions.GenerateKey()
	id := h.save(key, h.rec("first", 0))
	_, err := sessions.SaveRecord(h.ctx, h.b, key, h.rec("second", 0))
	expectConflict(t, err, "a second new session under one id")
	if got := h.mustLoad(id); string(got.Data) != "first" {
		t.Errorf("after the refused save the data is %q; want %q", got.Data, "first")
	}
}

func testSessionConflictStale(t *testing.T, h *sessionHarness) {
	id1 := h.create("v1")
	id2 := h.save(id1, h.rec("v2", 1))
	_, err := sessions.SaveRecord(h.ctx, h.b, id1, h.rec("stale", 1))
	expectConflict(t, err, "a save from a stale version")
	_, err = sessions.SaveRecord(h.ctx, h.b, id2, h.rec("future", 7))
	expectConflict(t, err, "a save from a version never stored")
	if got := h.mustLoad(id2); string(got.Data) != "v2" || got.Version != 2 {
		t.Errorf("after refused saves Load = %q version %d; want %q version 2", got.Data, got.Version, "v2")
	}
}

func testSessionNoResurrection(t *testing.T, h *sessionHarness) {
	id := h.create("logged in")
	loaded := h.mustLoad(id)                      // a slow request loads the session...
	if err := h.b.Delete(h.ctx, id); err != nil { // ...a logout deletes it...
		t.Fatalf("Delete: %v", err)
	}
	// ...and the slow request finishes.
	_, err := sessions.SaveRecord(h.ctx, h.b, id, h.rec("brought back", loaded.Version))
	expectConflict(t, err, "a save after Delete")
	h.mustMiss(h.ctx, id, "after the refused save")
	if err := h.b.Delete(h.ctx, id); err != nil {
		t.Errorf("a second Delete = %v; want nil", err)
	}
}

func testSessionConcurrentWriters(t *testing.T, h *sessionHarness) {
	type head struct {
		id      sessions.SessionID
		version uint64
	}
	var mu sync.Mutex
	cur := head{h.create(""), 1}
	var landed, conflicts atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, SessionWriters)
	for i := range SessionWriters {
		wg.Go(func() {
			marker := fmt.Sprintf("<%03d>", i)
			for range 100000 {
				mu.Lock()
				id := cur.id
				mu.Unlock()
				rec, found, err := h.b.Load(h.ctx, id)
				if err != nil || !found {
					errs <- fmt.Errorf("writer %d: Load = %v, %v", i, found, err)
					return
				}
				data := append(bytes.Clone(rec.Data), marker...)
				nid, err := sessions.SaveRecord(h.ctx, h.b, id, sessions.Record{Data: data, Expiry: time.Now().Add(time.Hour), Version: rec.Version})
				if err == nil {
					landed.Add(1)
					mu.Lock()
					if rec.Version+1 > cur.version {
						cur = head{nid, rec.Version + 1}
					}
					mu.Unlock()
					return
				}
				if !errors.Is(err, sessions.ErrConflict) {
					errs <- fmt.Errorf("writer %d: Save = %v; want nil or ErrConflict", i, err)
					return
				}
				conflicts.Add(1)
			}
			errs <- fmt.Errorf("writer %d never landed", i)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	final := h.mustLoad(cur.id)
	if final.Version != SessionWriters+1 {
		t.Errorf("final version = %d; want %d (one per write)", final.Version, SessionWriters+1)
	}
	for i := range SessionWriters {
		if n := bytes.Count(final.Data, fmt.Appendf(nil, "<%03d>", i)); n != 1 {
			t.Errorf("writer %d's write is in the session %d times; want once", i, n)
		}
	}
	t.Logf("%d writes landed after %d conflicts", landed.Load(), conflicts.Load())
}

func testSessionContextCanceled(t *testing.T, h *sessionHarness) {
	id := h.create("kept")
	ctx, cancel := context.WithCancel(h.ctx)
	cancel()
	if rec, found, err := h.b.Load(ctx, id); !errors.Is(err, core.ErrStoreUnavailable) || found || rec.Data != nil {
		t.Errorf("Load(canceled) = %v, %v; want an error wrapping core.ErrStoreUnavailable", found, err)
	}
	if ok, err := h.b.Exists(ctx, id); !errors.Is(err, core.ErrStoreUnavailable) || ok {
		t.Errorf("Exists(canceled) = %v, %v; want an error wrapping core.ErrStoreUnavailable", ok, err)
	}
	if _, err := sessions.SaveRecord(ctx, h.b, id, h.rec("changed", 1)); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Save(canceled) = %v; want an error wrapping core.ErrStoreUnavailable", err)
	}
	if _, err := sessions.SaveRecord(ctx, h.b, sessions.GenerateKey(), h.rec("new", 0)); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Save(canceled, new session) = %v; want an error wrapping core.ErrStoreUnavailable", err)
	}
	if err := h.b.Delete(ctx, id); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Delete(canceled) = %v; want an error wrapping core.ErrStoreUnavailable", err)
	}
	if got := h.mustLoad(id); string(got.Data) != "kept" || got.Version != 1 {
		t.Errorf("after calls with a canceled context the session is %q version %d; want it unchanged", got.Data, got.Version)
	}
}

func testSessionLarge(t *testing.T, h *sessionHarness) {
	n := h.limit()
	data := make([]byte, n)
	_, _ = rand.Read(data)
	id := h.save(sessions.GenerateKey(), sessions.Record{Data: data, Expiry: time.Now().Add(time.Hour)})
	if got := h.mustLoad(id); !bytes.Equal(got.Data, data) {
		t.Errorf("a %d-byte record did not round-trip (got %d bytes)", n, len(got.Data))
	}
	if n < sessions.MaxDataSize {
		if n < 1024 {
			t.Errorf("the backend's limit is %d bytes; want at least 1 KiB", n)
		}
		_, err := sessions.SaveRecord(h.ctx, h.b, sessions.GenerateKey(), sessions.Record{Data: append(data, 0), Expiry: time.Now().Add(time.Hour)})
		if !errors.Is(err, sessions.ErrTooLarge) {
			t.Errorf("a record over the backend's %d-byte limit: err = %v; want ErrTooLarge", n, err)
		}
	}
}

func testSessionAnyBytes(t *testing.T, h *sessionHarness) {
	all := make([]byte, 512)
	for i := range all {
		all[i] = byte(i)
	}
	for _, data := range [][]byte{all, {}, []byte("\x00"), []byte("{\"json\": true}"), []byte("\xff\xfe not UTF-8")} {
		id := h.save(sessions.GenerateKey(), sessions.Record{Data: data, Expiry: time.Now().Add(time.Hour)})
		if got := h.mustLoad(id); !bytes.Equal(got.Data, data) {
			t.Errorf("%q did not round-trip: got %q", data, got.Data)
		}
	}
}

func testSessionDataCopied(t *testing.T, h *sessionHarness) {
	buf := []byte("original")
	id := h.save(sessions.GenerateKey(), sessions.Record{Data: buf, Expiry: time.Now().Add(time.Hour)})
	copy(buf, "CHANGED!")
	if got := h.mustLoad(id); string(got.Data) != "original" {
		t.Errorf("the backend kept the caller's buffer: Load = %q", got.Data)
	}
}

func testSessionIsolation(t *testing.T, h *sessionHarness) {
	a, b := h.create("a"), h.create("b")
	if string(h.mustLoad(a).Data) != "a" || string(h.mustLoad(b).Data) != "b" {
		t.Fatal("two sessions mixed up")
	}
	if err := h.b.Delete(h.ctx, a); err != nil {
		t.Fatal(err)
	}
	h.mustMiss(h.ctx, a, "the deleted one")
	if string(h.mustLoad(b).Data) != "b" {
		t.Error("deleting one session changed another")
	}
}

func testSessionNamespaces(t *testing.T, h *sessionHarness) {
	ctxA := sessions.WithNamespace(h.ctx, "tenant:a:session:")
	ctxB := sessions.WithNamespace(h.ctx, "tenant:b:session:")
	key := sessions.GenerateKey()
	idA, err := sessions.SaveRecord(ctxA, h.b, key, h.rec("in a", 0))
	if err != nil {
		t.Fatal(err)
	}
	h.mustMiss(ctxB, idA, "a's session in namespace b")
	h.mustMiss(h.ctx, idA, "a's session without a namespace")
	idB, err := sessions.SaveRecord(ctxB, h.b, key, h.rec("in b", 0))
	if err != nil {
		t.Fatalf("the same key in another namespace: %v", err)
	}
	ra, fa, errA := h.b.Load(ctxA, idA)
	rb, fb, errB := h.b.Load(ctxB, idB)
	if errA != nil || errB != nil || !fa || !fb || string(ra.Data) != "in a" || string(rb.Data) != "in b" {
		t.Errorf("namespaces mixed up: a = %q %v %v, b = %q %v %v", ra.Data, fa, errA, rb.Data, fb, errB)
	}
	if err := h.b.Delete(ctxB, idB); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := h.b.Load(ctxA, idA); !found {
		t.Error("deleting in namespace b removed a's session")
	}
}

func testSessionStorageKeys(t *testing.T, h *sessionHarness) {
	l, ok := h.b.(sessions.Lister)
	if !ok {
		t.Skip("not a sessions.Lister")
	}
	if err := l.Range(h.ctx, func(string, sessions.Record) bool { return false }); errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("a wrapper over a backend that is not a sessions.Lister: %v", err)
	}
	keys := map[sessions.SessionID]bool{}
	for range 3 {
		keys[h.create("x")] = true
	}
	ctxA := sessions.WithNamespace(h.ctx, "tenant:a:session:")
	inA, err := sessions.SaveRecord(ctxA, h.b, sessions.GenerateKey(), h.rec("a", 0))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for id := range keys {
		want[sessions.StorageKey(h.ctx, id)] = true
	}
	seen := 0
	err = l.Range(h.ctx, func(key string, rec sessions.Record) bool {
		for id := range keys {
			if strings.Contains(key, string(id)) {
				t.Errorf("storage key %q holds the session key itself", key)
			}
		}
		if strings.Contains(key, string(inA)) {
			t.Errorf("storage key %q holds the session key itself", key)
		}
		if want[key] {
			seen++
			if string(rec.Data) != "x" || rec.Version != 1 {
				t.Errorf("Range gave %q version %d", rec.Data, rec.Version)
			}
		}
		return true
	})
	if err != nil || seen != len(keys) {
		t.Errorf("Range saw %d of the %d sessions by StorageKey (err %v)", seen, len(keys), err)
	}
	var inNamespace []string
	if err := l.Range(ctxA, func(key string, _ sessions.Record) bool {
		inNamespace = append(inNamespace, key)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(inNamespace) != 1 || inNamespace[0] != sessions.StorageKey(ctxA, inA) {
		t.Errorf("Range in namespace a = %q; want only %q", inNamespace, sessions.StorageKey(ctxA, inA))
	}
}

func testSessionImport(t *testing.T, h *sessionHarness) {
	im, ok := h.b.(sessions.Importer)
	if !ok {
		t.Skip("not a sessions.Importer")
	}
	id := sessions.GenerateKey()
	key := sessions.StorageKey(h.ctx, id)
	err := im.Import(h.ctx, key, h.rec("migrated", 0))
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("a wrapper over a backend that is not a sessions.Importer: %v", err)
	}
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if got := h.mustLoad(id); string(got.Data) != "migrated" || got.Version != 1 {
		t.Errorf("imported session = %q version %d", got.Data, got.Version)
	}
	expectConflict(t, im.Import(h.ctx, key, h.rec("again", 0)), "importing over an existing session")
}

func testSessionCleanup(t *testing.T, h *sessionHarness) {
	c, ok := h.b.(sessions.Cleaner)
	if !ok {
		t.Skip("not a sessions.Cleaner")
	}
	live := h.create("live")
	rec := h.rec("short", 0)
	rec.Expiry = time.Now().Add(100 * time.Millisecond)
	short := h.save(sessions.GenerateKey(), rec)
	time.Sleep(200 * time.Millisecond)
	n, err := c.CleanupExpired(h.ctx)
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("a wrapper over a backend that is not a sessions.Cleaner: %v", err)
	}
	if err != nil || n > 1 {
		t.Errorf("CleanupExpired = %d, %v; want at most the 1 expired session", n, err)
	}
	h.mustMiss(h.ctx, short, "the expired session")
	h.mustLoad(live)
	ctx, cancel := context.WithCancel(h.ctx)
	cancel()
	if _, err := c.CleanupExpired(ctx); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("CleanupExpired(canceled) = %v; want core.ErrStoreUnavailable", err)
	}
}

// handleOf is the handle of session id.
func handleOf(ctx context.Context, id sessions.SessionID) string {
	return usersessions.Handle(sessions.StorageKey(ctx, id))
}

// ownedRec is a record of user with the login's client.
func (h *sessionHarness) ownedRec(data string, version uint64, user, ua, ip string) sessions.Record {
	r := h.rec(data, version)
	r.UserID, r.UserAgent, r.IP = user, ua, ip
	return r
}

// userSessions lists user's sessions by handle, failing the test on error.
func userSessions(t *testing.T, l usersessions.Lister, ctx context.Context, user string) map[string]usersessions.Session {
	t.Helper()
	list, err := l.UserSessions(ctx, user)
	if err != nil {
		t.Fatalf("UserSessions(%q): %v", user, err)
	}
	m := map[string]usersessions.Session{}
	for _, s := range list {
		if _, dup := m[s.Handle]; dup {
			t.Errorf("UserSessions(%q) lists %s twice", user, s.Handle)
		}
		m[s.Handle] = s
	}
	return m
}

func testSessionUserSessions(t *testing.T, h *sessionHarness) {
	l, ok := h.b.(usersessions.Lister)
	if !ok {
		t.Skip("not a usersessions.Lister")
	}
	ctx := h.ctx
	// Users unique to the run, so that a shared store (Redis, a
	// database) holds no other session of theirs.
	alice, bob := "alice-"+string(sessions.GenerateKey()), "bob-"+string(sessions.GenerateKey())
	start := time.Now().Add(-time.Second)
	a1 := h.save(sessions.GenerateKey(), h.ownedRec("a1", 0, alice, "Firefox/1", "192.0.2.1"))
	a2 := h.save(sessions.GenerateKey(), h.ownedRec("a2", 0, alice, "Chrome/2", "2001:db8::2"))
	b1 := h.save(sessions.GenerateKey(), h.ownedRec("b1", 0, bob, "Safari/3", "192.0.2.3"))
	anon := h.create("anonymous")
	ha1, ha2, hb1 := handleOf(ctx, a1), handleOf(ctx, a2), handleOf(ctx, b1)

	got := userSessions(t, l, ctx, alice)
	if len(got) != 2 {
		t.Fatalf("UserSessions(alice) = %d sessions; want her 2: %+v", len(got), got)
	}
	for id, want := range map[sessions.SessionID]struct{ ua, ip string }{a1: {"Firefox/1", "192.0.2.1"}, a2: {"Chrome/2", "2001:db8::2"}} {
		s, ok := got[handleOf(ctx, id)]
		if !ok {
			t.Fatalf("UserSessions(alice) does not list her session by its handle: %+v", got)
		}
		if s.UserAgent != want.ua || s.IP != want.ip {
			t.Errorf("session recorded %q %q; want %q %q", s.UserAgent, s.IP, want.ua, want.ip)
		}
		if s.Handle == "" || strings.Contains(s.Handle, string(id)) || strings.Contains(sessions.StorageKey(ctx, id), s.Handle) {
			t.Errorf("handle %q is not an opaque handle of %q", s.Handle, id)
		}
		if s.Created.Before(start) || s.LastSeen.Before(s.Created) || s.Expiry.Sub(time.Now().Add(time.Hour)).Abs() > time.Minute {
			t.Errorf("times of a new session: created %v, last seen %v, expiry %v", s.Created, s.LastSeen, s.Expiry)
		}
	}
	if got := userSessions(t, l, ctx, "nobody-"+string(sessions.GenerateKey())); len(got) != 0 {
		t.Errorf("an unknown user has sessions: %+v", got)
	}
	_ = anon

	// A later save moves LastSeen and Expiry and keeps the login's client.
	first := got[ha1]
	time.Sleep(20 * time.Millisecond)
	r := h.ownedRec("a1 again", 1, alice, "", "")
	r.Expiry = time.Now().Add(2 * time.Hour)
	h.save(a1, r)
	s := userSessions(t, l, ctx, alice)[ha1]
	if s.UserAgent != "Firefox/1" || s.IP != "192.0.2.1" || !s.Created.Equal(first.Created) {
		t.Errorf("after a save: %+v; want the login's client and creation kept (%+v)", s, first)
	}
	if !s.LastSeen.After(first.LastSeen) || s.Expiry.Sub(r.Expiry).Abs() > time.Second {
		t.Errorf("after a save: last seen %v (was %v), expiry %v; want later, %v", s.LastSeen, first.LastSeen, s.Expiry, r.Expiry)
	}

	// Ending: only the user's own, live sessions, by handle.
	for _, tc := range []struct{ user, handle, what string }{
		{alice, hb1, "another user's session"},
		{bob, ha2, "another user's session"},
		{alice, "", "an empty handle"},
		{alice, "zz" + ha2[2:], "a malformed handle"},
		{alice, handleOf(ctx, sessions.GenerateKey()), "an unknown handle"},
		{alice, handleOf(ctx, anon), "an anonymous session"},
		{alice, string(a2), "the session key"},
		{alice, sessions.StorageKey(ctx, a2), "the storage key"},
	} {
		ok, err := l.EndUserSession(ctx, tc.user, tc.handle)
		if ok || err != nil {
			t.Errorf("EndUserSession(%s) = %v, %v; want false, nil", tc.what, ok, err)
		}
	}
	h.mustLoad(b1)
	h.mustLoad(a2)
	h.mustLoad(anon)
	if ok, err := l.EndUserSession(ctx, alice, ha2); !ok || err != nil {
		t.Fatalf("EndUserSession(alice's own) = %v, %v; want true", ok, err)
	}
	h.mustMiss(ctx, a2, "a session ended by EndUserSession")
	if ok, err := l.EndUserSession(ctx, alice, ha2); ok || err != nil {
		t.Errorf("EndUserSession(again) = %v, %v; want false, nil", ok, err)
	}
	got = userSessions(t, l, ctx, alice)
	if _, ok := got[ha2]; ok || len(got) != 1 {
		t.Errorf("after ending one: %+v; want only %s", got, ha1)
	}

	// Deleted (logout) and expired sessions are not listed.
	if err := h.b.Delete(ctx, a1); err != nil {
		t.Fatal(err)
	}
	short := h.ownedRec("short", 0, bob, "Edge/4", "192.0.2.4")
	short.Expiry = time.Now().Add(150 * time.Millisecond)
	hs := handleOf(ctx, h.save(sessions.GenerateKey(), short))
	if _, ok := userSessions(t, l, ctx, bob)[hs]; !ok {
		t.Error("a live short session is not listed")
	}
	time.Sleep(300 * time.Millisecond)
	if got := userSessions(t, l, ctx, alice); len(got) != 0 {
		t.Errorf("after logout: %+v; want none", got)
	}
	if got := userSessions(t, l, ctx, bob); len(got) != 1 || got[hb1].Handle != hb1 {
		t.Errorf("bob's after his short session expired: %+v; want only %s", got, hb1)
	}
	if ok, err := l.EndUserSession(ctx, bob, hs); ok || err != nil {
		t.Errorf("EndUserSession(expired) = %v, %v; want false, nil", ok, err)
	}

	// Namespaces: a user's sessions in another namespace are not listed.
	other := sessions.WithNamespace(ctx, "other-ns:")
	if got := userSessions(t, l, other, bob); len(got) != 0 {
		t.Errorf("bob's sessions under another namespace: %+v", got)
	}
	// A long user agent is kept cut to usersessions.MaxUserAgent bytes, at a
	// character boundary.
	erin := "erin-" + string(sessions.GenerateKey())
	longUA := strings.Repeat("a", usersessions.MaxUserAgent-1) + "é" + strings.Repeat("b", 100)
	h.save(sessions.GenerateKey(), h.ownedRec("e1", 0, erin, longUA, "192.0.2.5"))
	for _, s := range userSessions(t, l, ctx, erin) {
		if s.UserAgent != strings.Repeat("a", usersessions.MaxUserAgent-1) {
			t.Errorf("a %d-byte user agent listed as %d bytes %q; want it cut to the first %d", len(longUA), len(s.UserAgent), s.UserAgent, usersessions.MaxUserAgent-1)
		}
	}

	// Nor, the other way, under no namespace (whose "" prefixes every
	// key): a tenant's session is neither listed nor ended from outside.
	dave := "dave-" + string(sessions.GenerateKey())
	d1, err := sessions.SaveRecord(other, h.b, sessions.GenerateKey(), h.ownedRec("d1", 0, dave, "Firefox/4", "192.0.2.4"))
	if err != nil || d1 == "" {
		t.Fatalf("Save under a namespace: %q, %v", d1, err)
	}
	if got := userSessions(t, l, ctx, dave); len(got) != 0 {
		t.Errorf("a namespaced session listed under no namespace: %+v", got)
	}
	if ok, err := l.EndUserSession(ctx, dave, usersessions.Handle(sessions.StorageKey(other, d1))); ok || err != nil {
		t.Errorf("EndUserSession of a namespaced session under no namespace = %v, %v; want false, nil", ok, err)
	}
	if got := userSessions(t, l, other, dave); len(got) != 1 {
		t.Errorf("the namespaced session under its namespace: %+v; want it", got)
	}

	// A done context is a store failure.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.UserSessions(done, bob); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("UserSessions(canceled) = %v; want core.ErrStoreUnavailable", err)
	}
	if _, err := l.EndUserSession(done, bob, hb1); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("EndUserSession(canceled) = %v; want core.ErrStoreUnavailable", err)
	}
	h.mustLoad(b1)
}
