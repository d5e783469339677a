package sessions_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/storetest"
)

var replicationModes = []sessions.ReplicationMode{sessions.AsyncReplication, sessions.SyncReplication, sessions.AcknowledgedReplication}

// newReplicated returns primary and secondary replicated in mode, with
// fast retries, closed at the end of the test.
func newReplicated(t testing.TB, primary, secondary sessions.SessionBackend, mode sessions.ReplicationMode) *sessions.ReplicatedSessionBackend {
	t.Helper()
	r, err := sessions.NewReplicatedSessionBackend(primary, secondary, mode)
	if err != nil {
		t.Fatal(err)
	}
	r.Retry = sessions.RetryPolicy{Attempts: 3, Delay: time.Millisecond, MaxDelay: 4 * time.Millisecond}
	r.Logger = slog.New(slog.DiscardHandler)
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func TestReplicatedConformance(t *testing.T) {
	for _, mode := range replicationModes {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
				return newReplicated(t, newMemory(t), sessions.NewCompressedSessionBackend(newMemory(t), sessions.Gzip), mode)
			})
		})
	}
}

// drain waits for the asynchronous queue.
func drain(t testing.TB, r *sessions.ReplicatedSessionBackend) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

// sameRecords fails unless primary and secondary hold id identically.
func sameRecords(t testing.TB, ctx context.Context, primary, secondary sessions.SessionBackend, id sessions.SessionID) {
	t.Helper()
	p, pf, perr := primary.Load(ctx, id)
	s, sf, serr := secondary.Load(ctx, id)
	if perr != nil || serr != nil || pf != sf || !bytes.Equal(p.Data, s.Data) || p.Version != s.Version || !p.Expiry.Equal(s.Expiry) {
		t.Errorf("primary %q v%d found %v (%v); secondary %q v%d found %v (%v)", p.Data, p.Version, pf, perr, s.Data, s.Version, sf, serr)
	}
}

// TestReplicationModes: in every mode, writes reach the secondary with
// the primary's data and versions, concurrent writers included.
func TestReplicationModes(t *testing.T) {
	for _, mode := range replicationModes {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			p, s := newMemory(t), newMemory(t)
			r := newReplicated(t, p, s, mode)
			var ids []sessions.SessionID
			for i := range 20 {
				id := sessions.GenerateKey()
				ids = append(ids, id)
				if err := r.Save(ctx, id, rec(fmt.Sprint("v1 of ", i), 0)); err != nil {
					t.Fatal(err)
				}
				if err := r.Save(ctx, id, rec(fmt.Sprint("v2 of ", i), 1)); err != nil {
					t.Fatal(err)
				}
			}
			// 50 writers on one session: each lands or conflicts.
			hot := ids[0]
			var wg sync.WaitGroup
			for range 50 {
				wg.Go(func() {
					for {
						cur, _, err := r.Load(ctx, hot)
						if err != nil {
							t.Error(err)
							return
						}
						err = r.Save(ctx, hot, rec(string(cur.Data)+"+", cur.Version))
						if err == nil {
							return
						}
						if !errors.Is(err, sessions.ErrConflict) {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			if err := r.Delete(ctx, ids[1]); err != nil {
				t.Fatal(err)
			}
			drain(t, r)
			for _, id := range ids {
				sameRecords(t, ctx, p, s, id)
			}
			if got := mustLoad(t, ctx, s, hot); got.Version != 52 || !strings.HasSuffix(string(got.Data), strings.Repeat("+", 50)) {
				t.Errorf("hot session on the secondary: %q v%d", got.Data, got.Version)
			}
			st := r.Stats()
			if st.Failures != 0 || st.Dropped != 0 || st.Pending != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestReplicationRetries: a secondary that fails twice gets the write on
// the third try.
func TestReplicationRetries(t *testing.T) {
	for _, mode := range replicationModes {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			p, s := newMemory(t), newFlaky(t)
			r := newReplicated(t, p, s, mode)
			var failures []sessions.ReplicationFailure
			r.OnFailure = func(f sessions.ReplicationFailure) { failures = append(failures, f) }
			id := sessions.GenerateKey()
			s.failNext.Store(2)
			if err := r.Save(ctx, id, rec("x", 0)); err != nil {
				t.Fatalf("Save = %v", err)
			}
			drain(t, r)
			sameRecords(t, ctx, p, s, id)
			if st := r.Stats(); st.Retries != 2 || st.Failures != 0 || len(failures) != 0 {
				t.Errorf("stats %+v, failures %v", st, failures)
			}
		})
	}
}

// TestReplicationFailureReported: a secondary that stays down loses the
// write after the retries, and the loss is reported — never silent. In
// Sync and Acknowledged modes it is also the write's error, naming the
// secondary and saying the primary succeeded.
func TestReplicationFailureReported(t *testing.T) {
	for _, mode := range replicationModes {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			p, s := newMemory(t), newFlaky(t)
			r := newReplicated(t, p, s, mode)
			var logs bytes.Buffer
			r.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			var mu sync.Mutex
			var failures []sessions.ReplicationFailure
			r.OnFailure = func(f sessions.ReplicationFailure) {
				mu.Lock()
				failures = append(failures, f)
				mu.Unlock()
			}
			s.down.Store(true)
			id := sessions.GenerateKey()
			err := r.Save(ctx, id, rec("secret data", 0))
			drain(t, r)
			var re *sessions.ReplicaError
			if mode == sessions.AsyncReplication {
				if err != nil {
					t.Errorf("async Save = %v; want nil (the primary took it)", err)
				}
			} else if !errors.As(err, &re) || re.Replica != "secondary" || !re.PrimaryWritten || re.Attempts != 3 ||
				!errors.Is(err, core.ErrStoreUnavailable) || !strings.Contains(err.Error(), "the secondary failed after 3 attempt(s) (the primary succeeded)") {
				t.Errorf("Save = %v; want a ReplicaError naming the secondary", err)
			}
			mustLoad(t, ctx, p, id)
			mu.Lock()
			defer mu.Unlock()
			if len(failures) != 1 || failures[0].Op != "save" || failures[0].Attempts != 3 || failures[0].Dropped ||
				!errors.Is(failures[0].Err, core.ErrStoreUnavailable) || len(failures[0].Session) != 12 {
				t.Errorf("failures reported: %+v", failures)
			}
			if st := r.Stats(); st.Failures != 1 {
				t.Errorf("stats %+v", st)
			}
			log := logs.String()
			if !strings.Contains(log, `"level":"ERROR"`) || !strings.Contains(log, "write to the secondary lost") ||
				strings.Contains(log, string(id)) || strings.Contains(log, "secret data") {
				t.Errorf("log = %s", log)
			}

			// The secondary comes back: the session's next write
			// resynchronizes it.
			s.down.Store(false)
			cur := mustLoad(t, ctx, p, id)
			if err := r.Save(ctx, id, rec("later", cur.Version)); err != nil {
				t.Fatal(err)
			}
			drain(t, r)
			sameRecords(t, ctx, p, s, id)
			if r.Stats().Resyncs == 0 {
				t.Error("no resync counted")
			}
		})
	}
}

// TestReplicationPrimaryFailure: a primary failure is the write's error
// in every mode, and the secondary ends up as the primary is.
func TestReplicationPrimaryFailure(t *testing.T) {
	for _, mode := range replicationModes {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			p, s := newFlaky(t), newMemory(t)
			r := newReplicated(t, p, s, mode)
			id := sessions.GenerateKey()
			p.failNext.Store(1)
			err := r.Save(ctx, id, rec("x", 0))
			var re *sessions.ReplicaError
			if !errors.As(err, &re) || re.Replica != "primary" || re.PrimaryWritten || !errors.Is(err, core.ErrStoreUnavailable) {
				t.Fatalf("Save = %v; want a ReplicaError naming the primary", err)
			}
			drain(t, r)
			sameRecords(t, ctx, p, s, id) // neither has it (Sync: undone)
			// A conflict is the primary's answer, not wrapped.
			if err := r.Save(ctx, id, rec("x", 0)); err != nil {
				t.Fatal(err)
			}
			err = r.Save(ctx, id, rec("y", 0))
			if !errors.Is(err, sessions.ErrConflict) || errors.As(err, &re) {
				t.Errorf("conflicting Save = %v; want ErrConflict", err)
			}
			drain(t, r)
			sameRecords(t, ctx, p, s, id)
		})
	}
}

// TestReplicationResync: a secondary that missed writes (a session saved
// before replication started, one deleted on the primary only) is
// resynchronized to the primary's data and version.
func TestReplicationResync(t *testing.T) {
	for _, mode := range replicationModes {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			p, s := newMemory(t), newMemory(t)
			r := newReplicated(t, p, s, mode)

			// Five versions on the primary alone.
			id := sessions.GenerateKey()
			for v := range uint64(5) {
				if err := p.Save(ctx, id, rec(fmt.Sprint("v", v+1), v)); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.Save(ctx, id, rec("v6", 5)); err != nil {
				t.Fatal(err)
			}
			drain(t, r)
			sameRecords(t, ctx, p, s, id)
			// Back in step: the next write takes the fast path.
			before := r.Stats().Resyncs
			if err := r.Save(ctx, id, rec("v7", 6)); err != nil {
				t.Fatal(err)
			}
			drain(t, r)
			sameRecords(t, ctx, p, s, id)
			if r.Stats().Resyncs != before {
				t.Error("a write to a secondary in step resynchronized")
			}

			// The secondary is ahead with other data (it took writes the
			// primary never had): the primary's state wins.
			other := sessions.GenerateKey()
			if err := p.Save(ctx, other, rec("primary's", 0)); err != nil {
				t.Fatal(err)
			}
			for v := range uint64(3) {
				if err := s.Save(ctx, other, rec("secondary's", v)); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.Save(ctx, other, rec("primary's v2", 1)); err != nil {
				t.Fatal(err)
			}
			drain(t, r)
			sameRecords(t, ctx, p, s, other)
		})
	}
}

// TestReplicationReadFallback: with ReadFallback, a primary that cannot
// be read is answered by the secondary, read-only.
func TestReplicationReadFallback(t *testing.T) {
	ctx := context.Background()
	p, s := newFlaky(t), newMemory(t)
	r := newReplicated(t, p, s, sessions.SyncReplication)
	id := sessions.GenerateKey()
	if err := r.Save(ctx, id, rec("x", 0)); err != nil {
		t.Fatal(err)
	}
	p.loadDown.Store(true)
	if _, _, err := r.Load(ctx, id); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Load without ReadFallback = %v; want the primary's failure", err)
	}
	r.ReadFallback = true
	got, found, err := r.Load(ctx, id)
	if err != nil || !found || string(got.Data) != "x" {
		t.Fatalf("Load with ReadFallback = %q %v %v", got.Data, found, err)
	}
	if ok, err := r.Exists(ctx, id); err != nil || !ok {
		t.Errorf("Exists = %v, %v", ok, err)
	}
	p.loadDown.Store(false)
	if err := r.Save(ctx, id, rec("overwrite", got.Version)); !errors.Is(err, sessions.ErrConflict) {
		t.Errorf("saving a session read from the secondary = %v; want ErrConflict", err)
	}
	sameRecords(t, ctx, p, s, id)

	// Through a Manager: the session reads; changing it is refused.
	m := sessions.NewManager(r)
	sess := m.New()
	sess.Set("user", "alice")
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	p.loadDown.Store(true)
	sess, err = m.Open(ctx, sess.Key())
	if user, _ := sessions.GetAs[string](sess, "user"); err != nil || user != "alice" {
		t.Fatalf("Manager.Open during the outage: %q, %v", user, err)
	}
	sess.Set("user", "mallory")
	if err := sess.Save(ctx); !errors.Is(err, sessions.ErrConflict) {
		t.Errorf("saving a fallback session = %v; want ErrConflict", err)
	}
}

// TestReplicationQueueFull: with the secondary stalled, writes beyond the
// queue are reported as dropped; Shutdown gives up on the rest when its
// context ends, reporting them too.
func TestReplicationQueueFull(t *testing.T) {
	ctx := context.Background()
	p, s := newMemory(t), newFlaky(t)
	r, err := sessions.NewReplicatedSessionBackend(p, s, sessions.AsyncReplication)
	if err != nil {
		t.Fatal(err)
	}
	r.Workers, r.QueueSize = 1, 2
	r.Logger = slog.New(slog.DiscardHandler)
	var mu sync.Mutex
	var dropped, failed int
	r.OnFailure = func(f sessions.ReplicationFailure) {
		mu.Lock()
		defer mu.Unlock()
		if f.Dropped {
			dropped++
			if !errors.Is(f.Err, sessions.ErrReplicationQueueFull) && !errors.Is(f.Err, sessions.ErrReplicationClosed) {
				t.Errorf("dropped with %v", f.Err)
			}
		} else {
			failed++
		}
	}
	gate := make(chan struct{})
	s.hold(gate)
	for range 10 {
		if err := r.Save(ctx, sessions.GenerateKey(), rec("x", 0)); err != nil {
			t.Fatal(err)
		}
	}
	// One write is held by the worker, two wait in the queue.
	mu.Lock()
	if dropped < 7 {
		t.Errorf("%d writes reported dropped; want at least 7", dropped)
	}
	mu.Unlock()
	sctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := r.Shutdown(sctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v; want the deadline", err)
	}
	close(gate)
	mu.Lock()
	if dropped+failed != 10 {
		t.Errorf("%d dropped + %d failed; want all 10 reported", dropped, failed)
	}
	mu.Unlock()
	st := r.Stats()
	if st.Dropped+st.Failures != 10 || st.Pending != 0 {
		t.Errorf("stats %+v", st)
	}
	// After Close, writes still reach the primary and the loss is
	// reported.
	id := sessions.GenerateKey()
	if err := r.Save(ctx, id, rec("late", 0)); err != nil {
		t.Fatal(err)
	}
	mustLoad(t, ctx, p, id)
	if r.Stats().Dropped != st.Dropped+1 {
		t.Error("a write after Close was not reported")
	}
}

// TestReplicationClose drains the queue.
func TestReplicationClose(t *testing.T) {
	ctx := context.Background()
	p, s := newMemory(t), newFlaky(t)
	r, _ := sessions.NewReplicatedSessionBackend(p, s, sessions.AsyncReplication)
	gate := make(chan struct{})
	s.hold(gate)
	var ids []sessions.SessionID
	for range 20 {
		id := sessions.GenerateKey()
		ids = append(ids, id)
		if err := r.Save(ctx, id, rec("x", 0)); err != nil {
			t.Fatal(err)
		}
	}
	go func() { time.Sleep(20 * time.Millisecond); close(gate) }()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		sameRecords(t, ctx, p, s, id)
	}
	if err := r.Drain(ctx); !errors.Is(err, sessions.ErrReplicationClosed) {
		t.Errorf("Drain after Close = %v", err)
	}
}

func TestReplicationRefusesClientSide(t *testing.T) {
	cookie := openCookie(t, nil)
	for _, b := range []sessions.SessionBackend{
		cookie,
		sessions.NewCompressedSessionBackend(cookie, sessions.Zstd),
		sessions.NewInstrumentedSessionBackend(cookie),
	} {
		if _, err := sessions.NewReplicatedSessionBackend(newMemory(t), b, sessions.SyncReplication); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("replicating to %T: %v; want ErrUnsupported", b, err)
		}
	}
	if _, err := sessions.NewReplicatedSessionBackend(newMemory(t), nil, sessions.SyncReplication); err == nil {
		t.Error("a nil secondary was accepted")
	}
	// Wrappers over server-side backends are fine.
	if _, err := sessions.NewReplicatedSessionBackend(sessions.NewInstrumentedSessionBackend(newMemory(t)), sessions.NewCompressedSessionBackend(newMemory(t), sessions.Zstd), sessions.SyncReplication); err != nil {
		t.Error(err)
	}
}

// TestReplicationForwarding: optional interfaces go to both backends, or
// answer ErrUnsupported.
func TestReplicationForwarding(t *testing.T) {
	ctx := context.Background()
	p, s := newMemory(t), newMemory(t)
	r := newReplicated(t, p, s, sessions.AcknowledgedReplication)
	key := sessions.StorageKey(ctx, sessions.GenerateKey())
	if err := r.Import(ctx, key, rec("imported", 0)); err != nil {
		t.Fatal(err)
	}
	if p.Len() != 1 || s.Len() != 1 {
		t.Errorf("import reached %d and %d backends' entries", p.Len(), s.Len())
	}
	short := rec("short", 0)
	short.Expiry = time.Now().Add(10 * time.Millisecond)
	if err := r.Save(ctx, sessions.GenerateKey(), short); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if n, err := r.CleanupExpired(ctx); err != nil || n != 1 || s.Len() != 1 {
		t.Errorf("CleanupExpired = %d, %v; secondary has %d entries", n, err, s.Len())
	}
	if r.MaxData() != sessions.MaxDataSize {
		t.Errorf("MaxData = %d", r.MaxData())
	}
	plain := newReplicated(t, failingBackendWrapper{newMemory(t)}, newMemory(t), sessions.SyncReplication)
	if err := plain.Import(ctx, key, rec("x", 0)); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Import without an Importer = %v", err)
	}
	if _, err := plain.CleanupExpired(ctx); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("CleanupExpired without a Cleaner = %v", err)
	}
	if err := plain.Range(ctx, func(string, sessions.Record) bool { return true }); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Range without a Lister = %v", err)
	}
}

// failingBackendWrapper hides every optional interface of a backend.
type failingBackendWrapper struct{ sessions.SessionBackend }

func TestReplicationMetrics(t *testing.T) {
	ctx := context.Background()
	p, s := newMemory(t), newFlaky(t)
	r := newReplicated(t, p, s, sessions.AcknowledgedReplication)
	reg := prometheus.NewRegistry()
	if err := r.RegisterMetrics(reg, prometheus.Labels{"backend": "sessions"}); err != nil {
		t.Fatal(err)
	}
	_ = r.Save(ctx, sessions.GenerateKey(), rec("x", 0))
	s.down.Store(true)
	_ = r.Save(ctx, sessions.GenerateKey(), rec("y", 0))
	l := map[string]string{"backend": "sessions"}
	if v := metric(t, reg, "session_replication_replicated_total", l); v != 1 {
		t.Errorf("replicated = %v", v)
	}
	if v := metric(t, reg, "session_replication_failures_total", l); v != 1 {
		t.Errorf("failures = %v", v)
	}
	if v := metric(t, reg, "session_replication_retries_total", l); v != 2 {
		t.Errorf("retries = %v", v)
	}
	if v := metric(t, reg, "session_replication_pending", l); v != 0 {
		t.Errorf("pending = %v", v)
	}
	if err := r.RegisterMetrics(reg, prometheus.Labels{"backend": "sessions"}); err == nil {
		t.Error("registering twice succeeded")
	}
}

// hookedPrimary runs onLoad before each Load of the backend it wraps.
type hookedPrimary struct {
	sessions.SessionBackend
	onLoad func()
}

func (h *hookedPrimary) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	if h.onLoad != nil {
		h.onLoad()
	}
	return h.SessionBackend.Load(ctx, id)
}

// TestReplicationDivergedSecondary: a secondary ahead of the primary with
// other data is rebuilt to the primary's state; one that is ahead only
// because the primary moved on meanwhile is not moved back.
func TestReplicationDivergedSecondary(t *testing.T) {
	ctx := context.Background()
	inner, s := newMemory(t), newMemory(t)
	hp := &hookedPrimary{SessionBackend: inner}
	r := newReplicated(t, hp, s, sessions.AcknowledgedReplication)
	id := sessions.GenerateKey()
	for v := range uint64(3) {
		_ = inner.Save(ctx, id, rec(fmt.Sprint("p", v+1), v))
	}
	for v := range uint64(5) {
		_ = s.Save(ctx, id, rec(fmt.Sprint("diverged", v+1), v))
	}
	// The primary is stable at v4: the secondary (v5) diverged.
	if err := r.Save(ctx, id, rec("p4", 3)); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, ctx, inner, s, id)

	// The secondary is ahead again, but this time the primary moves on
	// while the resync reads it.
	for v := uint64(4); v < 6; v++ {
		_ = s.Save(ctx, id, rec(fmt.Sprint("diverged", v+1), v))
	}
	loads := 0
	hp.onLoad = func() {
		loads++
		if loads == 1 { // the first read of the resync
			_ = inner.Save(ctx, id, rec("p6 by another writer", 5))
		}
	}
	if err := r.Save(ctx, id, rec("p5", 4)); err != nil {
		t.Fatal(err)
	}
	hp.onLoad = nil
	sameRecords(t, ctx, inner, s, id)
	if got := mustLoad(t, ctx, s, id); string(got.Data) != "p6 by another writer" || got.Version != 6 {
		t.Errorf("secondary %q v%d", got.Data, got.Version)
	}

	// A primary that keeps moving: the resync gives up without error,
	// leaving the later writes' replication to finish the job.
	_ = s.Delete(ctx, id)
	_ = s.Save(ctx, id, rec("stale", 0))
	hp.onLoad = func() {
		cur, _, _ := inner.Load(ctx, id)
		_ = inner.Save(ctx, id, rec("moving", cur.Version))
	}
	cur, _, _ := inner.Load(ctx, id)
	if err := r.Save(ctx, id, rec("x", cur.Version)); err != nil {
		t.Fatal(err)
	}
	hp.onLoad = nil
	cur, _, _ = inner.Load(ctx, id)
	if err := r.Save(ctx, id, rec("last", cur.Version)); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, ctx, inner, s, id)
}
