package instrumented_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/instrumented"
	"github.com/reinhardt-go/auth/core/sessions/internal/extratest"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/core/sessions/prommetrics"
	"github.com/reinhardt-go/auth/stores/storetest"
)

func TestInstrumentedConformance(t *testing.T) {
	for _, bc := range []sessiontest.BackendCase{{Name: "memory", Open: sessiontest.OpenMemory}, {Name: "cookie", Open: sessiontest.OpenCookie}, {Name: "cache", Open: sessiontest.OpenCache}} {
		t.Run(bc.Name, func(t *testing.T) {
			t.Parallel()
			storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
				var logs bytes.Buffer
				return instrumented.New(bc.Open(t, nil),
					instrumented.LoggerAnalytics{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))},
					extratest.MustAnalytics(t, prometheus.NewRegistry()))
			})
		})
	}
}

// TestInstrumentedMetrics checks every metric of the reference by name.
func TestInstrumentedMetrics(t *testing.T) {
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	inner := sessiontest.NewMemory(t)
	b := instrumented.New(inner, extratest.MustAnalytics(t, reg))

	ids := make([]sessions.SessionID, 4)
	for i := range ids {
		ids[i] = sessions.GenerateKey()
		if err := b.Save(ctx, ids[i], sessiontest.Rec(strings.Repeat("x", 100*(i+1)), 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Save(ctx, ids[0], sessiontest.Rec("update", 1)); err != nil { // not a creation
		t.Fatal(err)
	}
	if err := b.Save(ctx, ids[0], sessiontest.Rec("stale", 1)); !errors.Is(err, sessions.ErrConflict) {
		t.Fatal(err)
	}
	for range 3 {
		sessiontest.MustLoad(t, ctx, b, ids[1])
	}
	if _, found, _ := b.Load(ctx, sessions.GenerateKey()); found { // a miss is not an access
		t.Fatal("found a session never saved")
	}
	_ = b.Delete(ctx, ids[1])
	_ = b.Delete(sessions.WithDeleteReason(ctx, sessions.DeleteFlushed), ids[2])
	_ = b.Delete(sessions.WithDeleteReason(ctx, "made-up"), ids[3]) // counts as explicit
	short := sessiontest.Rec("short", 0)
	short.Expiry = time.Now().Add(10 * time.Millisecond)
	for range 2 {
		_ = b.Save(ctx, sessions.GenerateKey(), short)
	}
	time.Sleep(20 * time.Millisecond)
	if n, err := b.CleanupExpired(ctx); n != 2 || err != nil {
		t.Fatalf("CleanupExpired = %d, %v", n, err)
	}

	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"session_created_total", nil, 6},
		{"session_accessed_total", nil, 3},
		{"session_access_latency_seconds", map[string]string{"operation": "load"}, 4},
		{"session_access_latency_seconds", map[string]string{"operation": "save"}, 8},
		{"session_access_latency_seconds", map[string]string{"operation": "delete"}, 3},
		{"session_access_latency_seconds", map[string]string{"operation": "cleanup"}, 1},
		{"session_size_bytes", nil, 7},
		{"session_deleted_total", map[string]string{"reason": "explicit"}, 2},
		{"session_deleted_total", map[string]string{"reason": "flushed"}, 1},
		{"session_deleted_total", map[string]string{"reason": "expired"}, 2},
		{"session_expired_total", nil, 2},
		{"session_errors_total", map[string]string{"operation": "save", "outcome": "conflict"}, 1},
	} {
		if got := extratest.Metric(t, reg, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v; want %v", c.name, c.labels, got, c.want)
		}
	}
	if sum := extratest.HistogramSum(t, reg, "session_size_bytes"); sum != 100+200+300+400+6+5+5 {
		t.Errorf("session_size_bytes sum = %v", sum)
	}

	// An expired import is a deletion by storage key.
	id := sessions.GenerateKey()
	_ = b.Save(ctx, id, sessiontest.Rec("x", 0))
	if err := b.Import(sessions.WithDeleteReason(ctx, sessions.DeleteExpired), sessions.StorageKey(ctx, id), sessions.Record{Expiry: time.Unix(0, 0), Version: 1}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := b.Exists(ctx, id); ok {
		t.Error("the expired import left the session")
	}
	if got := extratest.Metric(t, reg, "session_deleted_total", map[string]string{"reason": "expired"}); got != 3 {
		t.Errorf("deleted{expired} after the import = %v", got)
	}

	// One registry holds one set of these metrics.
	if _, err := prommetrics.NewAnalytics(reg); err == nil {
		t.Error("registering the metrics twice succeeded")
	}
	if _, err := prommetrics.NewAnalytics(nil); err == nil {
		t.Error("a nil Registerer was accepted")
	}
}

// TestInstrumentedLogs: the logs name sessions by a short hash and never
// hold a session key, a storage key, or data.
func TestInstrumentedLogs(t *testing.T) {
	ctx := context.Background()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, bc := range []sessiontest.BackendCase{{Name: "memory", Open: sessiontest.OpenMemory}, {Name: "cookie", Open: sessiontest.OpenCookie}} {
		buf.Reset()
		b := instrumented.New(bc.Open(t, nil), instrumented.LoggerAnalytics{Logger: logger})
		id, err := sessions.SaveRecord(ctx, b, sessions.GenerateKey(), sessiontest.Rec("top secret data", 0))
		if err != nil {
			t.Fatal(err)
		}
		sessiontest.MustLoad(t, ctx, b, id)
		_, _ = sessions.SaveRecord(ctx, b, id, sessiontest.Rec("top secret data", 7)) // conflict
		_ = b.Delete(ctx, id)
		out := buf.String()
		storage := sessions.StorageKey(ctx, id)
		tag := storage[:12]
		for _, leak := range []string{string(id), storage, "top secret data"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s: the log holds %.20q…:\n%s", bc.Name, leak, out)
			}
		}
		if !strings.Contains(out, `"session":"`+tag+`"`) || !strings.Contains(out, `"outcome":"conflict"`) ||
			!strings.Contains(out, `"level":"INFO"`) || !strings.Contains(out, `"created":true`) || !strings.Contains(out, `"reason":"explicit"`) {
			t.Errorf("%s: log = %s", bc.Name, out)
		}
	}

	// Failures are warnings; successes stay at Debug by default.
	buf.Reset()
	quiet := slog.New(slog.NewJSONHandler(&buf, nil)) // Info and above
	f := sessiontest.NewFlaky(t)
	b := instrumented.New(f, instrumented.LoggerAnalytics{Logger: quiet})
	_ = b.Save(ctx, sessions.GenerateKey(), sessiontest.Rec("x", 0))
	f.Down.Store(true)
	_ = b.Save(ctx, sessions.GenerateKey(), sessiontest.Rec("x", 0))
	if out := buf.String(); strings.Count(out, "\n") != 1 || !strings.Contains(out, `"level":"WARN"`) || !strings.Contains(out, `"outcome":"unavailable"`) {
		t.Errorf("log = %s", out)
	}
}

// TestInstrumentedAnalyticsFunc: custom analytics see every event.
func TestInstrumentedAnalyticsFunc(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var ops []string
	b := instrumented.New(sessiontest.NewMemory(t), instrumented.AnalyticsFunc(func(_ context.Context, e instrumented.Event) {
		mu.Lock()
		ops = append(ops, e.Op+":"+e.Outcome())
		mu.Unlock()
	}))
	id := sessions.GenerateKey()
	_ = b.Save(ctx, id, sessiontest.Rec("x", 0))
	_, _ = b.Exists(ctx, id)
	_, _, _ = b.Load(ctx, sessions.GenerateKey())
	_ = b.Delete(ctx, id)
	_, _ = b.CleanupExpired(ctx)
	if got := strings.Join(ops, " "); got != "save:ok exists:ok load:not_found delete:ok cleanup:ok" {
		t.Errorf("events: %s", got)
	}
	if b.Unwrap() == nil || b.MaxData() != sessions.MaxDataSize {
		t.Error("Unwrap/MaxData")
	}
	plain := instrumented.New(sessiontest.Plain{SessionBackend: sessiontest.NewMemory(t)})
	if _, err := plain.CleanupExpired(ctx); !errors.Is(err, errors.ErrUnsupported) {
		t.Error(err)
	}
	if err := plain.Import(ctx, "k", sessiontest.Rec("x", 0)); !errors.Is(err, errors.ErrUnsupported) {
		t.Error(err)
	}
	if err := plain.Range(ctx, nil); !errors.Is(err, errors.ErrUnsupported) {
		t.Error(err)
	}
}
