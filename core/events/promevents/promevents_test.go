package promevents_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/events/promevents"
)

// TestSubscribe: each kind has its series; the failure counter follows
// the dispatcher's failures (an error and a panic); registering twice on
// one registry is an error, not a panic.
func TestSubscribe(t *testing.T) {
	reg := prometheus.NewRegistry()
	d := events.New(events.SubscriberFunc(func(context.Context, events.Event) error { return errors.New("down") }))
	d.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := promevents.Subscribe(reg, d); err != nil {
		t.Fatal(err)
	}
	d.Subscribe(events.SubscriberFunc(func(_ context.Context, e events.Event) error {
		if e.Kind() == events.KindThrottled {
			panic("boom")
		}
		return nil
	}))
	d.Emit(context.Background(), &events.Throttled{Scope: "anon"})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				name += "/" + l.GetValue()
			}
			got[name] = m.GetCounter().GetValue()
		}
	}
	for _, k := range events.Kinds() {
		if _, ok := got["reinhardt_security_events_total/"+string(k)]; !ok {
			t.Errorf("no series for %s", k)
		}
	}
	if got["reinhardt_security_events_total/throttled"] != 1 || got["reinhardt_security_event_subscriber_failures_total"] != 2 {
		t.Fatalf("metrics: %v", got)
	}
	if err := promevents.Subscribe(reg, events.New()); err == nil {
		t.Fatal("registered twice")
	}
}
