package sessions_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
)

// newMemory returns a memory backend closed at the end of the test.
func newMemory(t testing.TB) *memory.SessionBackend {
	b := memory.NewSessionBackend()
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// flaky is a backend that fails on demand: the next failNext operations
// (of any kind but Load) fail with a store error, or all of them while
// down is set; gate, when set, holds every Save until it is closed.
type flaky struct {
	*memory.SessionBackend
	failNext atomic.Int32
	down     atomic.Bool
	loadDown atomic.Bool
	saves    atomic.Int32
	mu       sync.Mutex
	gate     chan struct{}
}

func newFlaky(t testing.TB) *flaky { return &flaky{SessionBackend: newMemory(t)} }

var errFlaky = fmt.Errorf("flaky store: connection reset: %w", core.ErrStoreUnavailable)

func (f *flaky) fail() bool {
	if f.down.Load() {
		return true
	}
	for {
		n := f.failNext.Load()
		if n <= 0 {
			return false
		}
		if f.failNext.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

func (f *flaky) hold(g chan struct{}) {
	f.mu.Lock()
	f.gate = g
	f.mu.Unlock()
}

func (f *flaky) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	if f.loadDown.Load() {
		return sessions.Record{}, false, errFlaky
	}
	return f.SessionBackend.Load(ctx, id)
}

func (f *flaky) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	f.mu.Lock()
	g := f.gate
	f.mu.Unlock()
	if g != nil {
		select {
		case <-g:
		case <-ctx.Done():
			return sessions.StoreError("flaky: save", ctx.Err())
		}
	}
	if f.fail() {
		return errFlaky
	}
	f.saves.Add(1)
	return f.SessionBackend.Save(ctx, id, rec)
}

func (f *flaky) Delete(ctx context.Context, id sessions.SessionID) error {
	if f.fail() {
		return errFlaky
	}
	return f.SessionBackend.Delete(ctx, id)
}

// metric returns the value of the metric name with labels on reg: a
// counter's or gauge's value, a histogram's sample count; -1 when absent.
// (prometheus/testutil would need a go.mod entry for its diff library.)
func metric(t testing.TB, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range fams {
		if fam.GetName() != name {
			continue
		}
	next:
		for _, m := range fam.GetMetric() {
			have := map[string]string{}
			for _, lp := range m.GetLabel() {
				have[lp.GetName()] = lp.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue next
				}
			}
			switch fam.GetType() {
			case dto.MetricType_COUNTER:
				return m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				return m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

// histogramSum returns the sum of the histogram name with labels.
func histogramSum(t testing.TB, reg prometheus.Gatherer, name string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range fams {
		if fam.GetName() == name && len(fam.GetMetric()) > 0 {
			return fam.GetMetric()[0].GetHistogram().GetSampleSum()
		}
	}
	return -1
}

// rec is a record with data that expires in an hour.
func rec(data string, version uint64) sessions.Record {
	return sessions.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour), Version: version}
}

// mustLoad loads id from b and fails unless found.
func mustLoad(t testing.TB, ctx context.Context, b sessions.SessionBackend, id sessions.SessionID) sessions.Record {
	t.Helper()
	r, found, err := b.Load(ctx, id)
	if err != nil || !found {
		t.Fatalf("Load = %v, %v; want the session", found, err)
	}
	return r
}
