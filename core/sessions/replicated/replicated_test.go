package replicated_test

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
	"github.com/reinhardt-go/auth/core/sessions/compress"
	"github.com/reinhardt-go/auth/core/sessions/instrumented"
	"github.com/reinhardt-go/auth/core/sessions/internal/extratest"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/core/sessions/prommetrics"
	"github.com/reinhardt-go/auth/core/sessions/replicated"
	"github.com/reinhardt-go/auth/stores/storetest"
)

var replicationModes = []replicated.Mode{replicated.Async, replicated.Sync, replicated.Acknowledged}

func TestReplicatedConformance(t *testing.T) {
	for _, mode := range replicationModes {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
				return extratest.NewReplicated(t, sessiontest.NewMemory(t), compress.New(sessiontest.NewMemory(t), compress.Gzip), mode)
			})
		})
	}
}

// drain waits for the asynchronous queue.
func drain(t testing.TB, r *replicated.Backend) {
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
			p, s := sessiontest.NewMemory(t), sessiontest.NewMemory(t)
			r := extratest.NewReplicated(t, p, s, mode)
			var ids []sessions.SessionID
			for i := range 20 {
				id := sessions.GenerateKey()
				ids = append(ids, id)
				if err := r.Save(ctx, id, sessiontest.Rec(fmt.Sprint("v1 of ", i), 0)); err != nil {
					t.Fatal(err)
				}
				if err := r.Save(ctx, id, sessiontest.Rec(fmt.Sprint("v2 of ", i), 1)); err != nil {
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
						err = r.Save(ctx, hot, sessiontest.Rec(string(cur.Data)+"+", cur.Version))
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
			if got := sessiontest.MustLoad(t, ctx, s, hot); got.Version != 52 || !strings.HasSuffix(string(got.Data), strings.Repeat("+", 50)) {
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
			p, s := sessiontest.NewMemory(t), sessiontest.NewFlaky(t)
			r := extratest.NewReplicated(t, p, s, mode)
			var failures []replicated.Failure
			r.OnFailure = func(f replicated.Failure) { failures = append(failures, f) }
			id := sessions.GenerateKey()
			s.FailNext.Store(2)
			if err := r.Save(ctx, id, sessiontest.Rec("x", 0)); err != nil {
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
			p, s := sessiontest.NewMemory(t), sessiontest.NewFlaky(t)
			r := extratest.NewReplicated(t, p, s, mode)
			var logs bytes.Buffer
			r.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			var mu sync.Mutex
			var failures []replicated.Failure
			r.OnFailure = func(f replicated.Failure) {
				mu.Lock()
				failures = append(failures, f)
				mu.Unlock()
			}
			s.Down.Store(true)
			id := sessions.GenerateKey()
			err := r.Save(ctx, id, sessiontest.Rec("secret data", 0))
			drain(t, r)
			var re *replicated.ReplicaError
			if mode == replicated.Async {
				if err != nil {
					t.Errorf("async Save = %v; want nil (the primary took it)", err)
				}
			} else if !errors.As(err, &re) || re.Replica != "secondary" || !re.PrimaryWritten || re.Attempts != 3 ||
				!errors.Is(err, core.ErrStoreUnavailable) || !strings.Contains(err.Error(), "the secondary failed after 3 attempt(s) (the primary succeeded)") {
				t.Errorf("Save = %v; want a ReplicaError naming the secondary", err)
			}
			sessiontest.MustLoad(t, ctx, p, id)
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
			s.Down.Store(false)
			cur := sessiontest.MustLoad(t, ctx, p, id)
			if err := r.Save(ctx, id, sessiontest.Rec("later", cur.Version)); err != nil {
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
			p, s := sessiontest.NewFlaky(t), sessiontest.NewMemory(t)
			r := extratest.NewReplicated(t, p, s, mode)
			id := sessions.GenerateKey()
			p.FailNext.Store(1)
			err := r.Save(ctx, id, sessiontest.Rec("x", 0))
			var re *replicated.ReplicaError
			if !errors.As(err, &re) || re.Replica != "primary" || re.PrimaryWritten || !errors.Is(err, core.ErrStoreUnavailable) {
				t.Fatalf("Save = %v; want a ReplicaError naming the primary", err)
			}
			drain(t, r)
			sameRecords(t, ctx, p, s, id) // neither has it (Sync: undone)
			// A conflict is the primary's answer, not wrapped.
			if err := r.Save(ctx, id, sessiontest.Rec("x", 0)); err != nil {
				t.Fatal(err)
			}
			err = r.Save(ctx, id, sessiontest.Rec("y", 0))
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
			p, s := sessiontest.NewMemory(t), sessiontest.NewMemory(t)
			r := extratest.NewReplicated(t, p, s, mode)

			// Five versions on the primary alone.
			id := sessions.GenerateKey()
			for v := range uint64(5) {
				if err := p.Save(ctx, id, sessiontest.Rec(fmt.Sprint("v", v+1), v)); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.Save(ctx, id, sessiontest.Rec("v6", 5)); err != nil {
				t.Fatal(err)
			}
			drain(t, r)
			sameRecords(t, ctx, p, s, id)
			// Back in step: the next write takes the fast path.
			before := r.Stats().Resyncs
			if err := r.Save(ctx, id, sessiontest.Rec("v7", 6)); err != nil {
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
			if err := p.Save(ctx, other, sessiontest.Rec("primary's", 0)); err != nil {
				t.Fatal(err)
			}
			for v := range uint64(3) {
				if err := s.Save(ctx, other, sessiontest.Rec("secondary's", v)); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.Save(ctx, other, sessiontest.Rec("primary's v2", 1)); err != nil {
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
	p, s := sessiontest.NewFlaky(t), sessiontest.NewMemory(t)
	r := extratest.NewReplicated(t, p, s, replicated.Sync)
	id := sessions.GenerateKey()
	if err := r.Save(ctx, id, sessiontest.Rec("x", 0)); err != nil {
		t.Fatal(err)
	}
	p.LoadDown.Store(true)
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
	p.LoadDown.Store(false)
	if err := r.Save(ctx, id, sessiontest.Rec("overwrite", got.Version)); !errors.Is(err, sessions.ErrConflict) {
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
	p.LoadDown.Store(true)
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
	p, s := sessiontest.NewMemory(t), sessiontest.NewFlaky(t)
	r, err := replicated.New(p, s, replicated.Async)
	if err != nil {
		t.Fatal(err)
	}
	r.Workers, r.QueueSize = 1, 2
	r.Logger = slog.New(slog.DiscardHandler)
	var mu sync.Mutex
	var dropped, failed int
	r.OnFailure = func(f replicated.Failure) {
		mu.Lock()
		defer mu.Unlock()
		if f.Dropped {
			dropped++
			if !errors.Is(f.Err, replicated.ErrQueueFull) && !errors.Is(f.Err, replicated.ErrClosed) {
				t.Errorf("dropped with %v", f.Err)
			}
		} else {
			failed++
		}
	}
	gate := make(chan struct{})
	s.Hold(gate)
	for range 10 {
		if err := r.Save(ctx, sessions.GenerateKey(), sessiontest.Rec("x", 0)); err != nil {
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
	if err := r.Save(ctx, id, sessiontest.Rec("late", 0)); err != nil {
		t.Fatal(err)
	}
	sessiontest.MustLoad(t, ctx, p, id)
	if r.Stats().Dropped != st.Dropped+1 {
		t.Error("a write after Close was not reported")
	}
}

// TestReplicationClose drains the queue.
func TestReplicationClose(t *testing.T) {
	ctx := context.Background()
	p, s := sessiontest.NewMemory(t), sessiontest.NewFlaky(t)
	r, _ := replicated.New(p, s, replicated.Async)
	gate := make(chan struct{})
	s.Hold(gate)
	var ids []sessions.SessionID
	for range 20 {
		id := sessions.GenerateKey()
		ids = append(ids, id)
		if err := r.Save(ctx, id, sessiontest.Rec("x", 0)); err != nil {
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
	if err := r.Drain(ctx); !errors.Is(err, replicated.ErrClosed) {
		t.Errorf("Drain after Close = %v", err)
	}
}

func TestReplicationRefusesClientSide(t *testing.T) {
	cookie := sessiontest.OpenCookie(t, nil)
	for _, b := range []sessions.SessionBackend{
		cookie,
		compress.New(cookie, compress.Zstd),
		instrumented.New(cookie),
	} {
		if _, err := replicated.New(sessiontest.NewMemory(t), b, replicated.Sync); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("replicating to %T: %v; want ErrUnsupported", b, err)
		}
	}
	if _, err := replicated.New(sessiontest.NewMemory(t), nil, replicated.Sync); err == nil {
		t.Error("a nil secondary was accepted")
	}
	// Wrappers over server-side backends are fine.
	if _, err := replicated.New(instrumented.New(sessiontest.NewMemory(t)), compress.New(sessiontest.NewMemory(t), compress.Zstd), replicated.Sync); err != nil {
		t.Error(err)
	}
}

// TestReplicationForwarding: optional interfaces go to both backends, or
// answer ErrUnsupported.
func TestReplicationForwarding(t *testing.T) {
	ctx := context.Background()
	p, s := sessiontest.NewMemory(t), sessiontest.NewMemory(t)
	r := extratest.NewReplicated(t, p, s, replicated.Acknowledged)
	key := sessions.StorageKey(ctx, sessions.GenerateKey())
	if err := r.Import(ctx, key, sessiontest.Rec("imported", 0)); err != nil {
		t.Fatal(err)
	}
	if p.Len() != 1 || s.Len() != 1 {
		t.Errorf("import reached %d and %d backends' entries", p.Len(), s.Len())
	}
	short := sessiontest.Rec("short", 0)
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
	plain := extratest.NewReplicated(t, sessiontest.Plain{SessionBackend: sessiontest.NewMemory(t)}, sessiontest.NewMemory(t), replicated.Sync)
	if err := plain.Import(ctx, key, sessiontest.Rec("x", 0)); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Import without an Importer = %v", err)
	}
	if _, err := plain.CleanupExpired(ctx); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("CleanupExpired without a Cleaner = %v", err)
	}
	if err := plain.Range(ctx, func(string, sessions.Record) bool { return true }); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Range without a Lister = %v", err)
	}
}

func TestReplicationMetrics(t *testing.T) {
	ctx := context.Background()
	p, s := sessiontest.NewMemory(t), sessiontest.NewFlaky(t)
	r := extratest.NewReplicated(t, p, s, replicated.Acknowledged)
	reg := prometheus.NewRegistry()
	if err := prommetrics.RegisterReplication(reg, r, prometheus.Labels{"backend": "sessions"}); err != nil {
		t.Fatal(err)
	}
	_ = r.Save(ctx, sessions.GenerateKey(), sessiontest.Rec("x", 0))
	s.Down.Store(true)
	_ = r.Save(ctx, sessions.GenerateKey(), sessiontest.Rec("y", 0))
	l := map[string]string{"backend": "sessions"}
	if v := extratest.Metric(t, reg, "session_replication_replicated_total", l); v != 1 {
		t.Errorf("replicated = %v", v)
	}
	if v := extratest.Metric(t, reg, "session_replication_failures_total", l); v != 1 {
		t.Errorf("failures = %v", v)
	}
	if v := extratest.Metric(t, reg, "session_replication_retries_total", l); v != 2 {
		t.Errorf("retries = %v", v)
	}
	if v := extratest.Metric(t, reg, "session_replication_pending", l); v != 0 {
		t.Errorf("pending = %v", v)
	}
	if err := prommetrics.RegisterReplication(reg, r, prometheus.Labels{"backend": "sessions"}); err == nil {
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
	inner, s := sessiontest.NewMemory(t), sessiontest.NewMemory(t)
	hp := &hookedPrimary{SessionBackend: inner}
	r := extratest.NewReplicated(t, hp, s, replicated.Acknowledged)
	id := sessions.GenerateKey()
	for v := range uint64(3) {
		_ = inner.Save(ctx, id, sessiontest.Rec(fmt.Sprint("p", v+1), v))
	}
	for v := range uint64(5) {
		_ = s.Save(ctx, id, sessiontest.Rec(fmt.Sprint("diverged", v+1), v))
	}
	// The primary is stable at v4: the secondary (v5) diverged.
	if err := r.Save(ctx, id, sessiontest.Rec("p4", 3)); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, ctx, inner, s, id)

	// The secondary is ahead again, but this time the primary moves on
	// while the resync reads it.
	for v := uint64(4); v < 6; v++ {
		_ = s.Save(ctx, id, sessiontest.Rec(fmt.Sprint("diverged", v+1), v))
	}
	loads := 0
	hp.onLoad = func() {
		loads++
		if loads == 1 { // the first read of the resync
			_ = inner.Save(ctx, id, sessiontest.Rec("p6 by another writer", 5))
		}
	}
	if err := r.Save(ctx, id, sessiontest.Rec("p5", 4)); err != nil {
		t.Fatal(err)
	}
	hp.onLoad = nil
	sameRecords(t, ctx, inner, s, id)
	if got := sessiontest.MustLoad(t, ctx, s, id); string(got.Data) != "p6 by another writer" || got.Version != 6 {
		t.Errorf("secondary %q v%d", got.Data, got.Version)
	}

	// A primary that keeps moving: the resync gives up without error,
	// leaving the later writes' replication to finish the job.
	_ = s.Delete(ctx, id)
	_ = s.Save(ctx, id, sessiontest.Rec("stale", 0))
	hp.onLoad = func() {
		cur, _, _ := inner.Load(ctx, id)
		_ = inner.Save(ctx, id, sessiontest.Rec("moving", cur.Version))
	}
	cur, _, _ := inner.Load(ctx, id)
	if err := r.Save(ctx, id, sessiontest.Rec("x", cur.Version)); err != nil {
		t.Fatal(err)
	}
	hp.onLoad = nil
	cur, _, _ = inner.Load(ctx, id)
	if err := r.Save(ctx, id, sessiontest.Rec("last", cur.Version)); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, ctx, inner, s, id)
}
