package extratest

import (
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/compress"
	"github.com/reinhardt-go/auth/core/sessions/prommetrics"
	"github.com/reinhardt-go/auth/core/sessions/replicated"
	"github.com/reinhardt-go/auth/core/sessions/tenant"
)

// Compressed returns a BackendCase opener of inner compressed with algo
// above threshold.
func Compressed(algo compress.Algorithm, threshold int, inner func(testing.TB, func() time.Time) sessions.SessionBackend) func(testing.TB, func() time.Time) sessions.SessionBackend {
	return func(t testing.TB, now func() time.Time) sessions.SessionBackend {
		c := compress.New(inner(t, now), algo)
		c.Threshold = threshold
		return c
	}
}

// Metric returns the value of the Metric name with labels on reg: a
// counter's or gauge's value, a histogram's sample count; -1 when absent.
// (prometheus/testutil would need a go.mod entry for its diff library.)
func Metric(t testing.TB, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
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

// HistogramSum returns the sum of the histogram name with labels.
func HistogramSum(t testing.TB, reg prometheus.Gatherer, name string) float64 {
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

// NewReplicated returns primary and secondary replicated in mode, with
// fast retries, closed at the end of the test.
func NewReplicated(t testing.TB, primary, secondary sessions.SessionBackend, mode replicated.Mode) *replicated.Backend {
	t.Helper()
	r, err := replicated.New(primary, secondary, mode)
	if err != nil {
		t.Fatal(err)
	}
	r.Retry = replicated.RetryPolicy{Attempts: 3, Delay: time.Millisecond, MaxDelay: 4 * time.Millisecond}
	r.Logger = slog.New(slog.DiscardHandler)
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// NewTenant is a tenant backend over inner, failing the test on a bad
// config.
func NewTenant(t testing.TB, inner sessions.SessionBackend, cfg tenant.Config) *tenant.Backend {
	t.Helper()
	b, err := tenant.New(inner, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// MustAnalytics registers prommetrics.Analytics on reg, failing the test
// on an error.
func MustAnalytics(t testing.TB, reg prometheus.Registerer) *prommetrics.Analytics {
	t.Helper()
	a, err := prommetrics.NewAnalytics(reg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
