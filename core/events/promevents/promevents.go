package promevents

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/reinhardt-go/auth/core/events"
)

// Counter is the events.Subscriber that counts events by kind.
type Counter struct {
	vec *prometheus.CounterVec
}

// NewCounter registers reinhardt_security_events_total on reg, with a
// series at 0 for each of events.Kinds, and returns the subscriber that
// counts into it.
func NewCounter(reg prometheus.Registerer) (*Counter, error) {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "reinhardt_security_events_total",
		Help: "Security events (core/events) emitted, by kind.",
	}, []string{"kind"})
	for _, k := range events.Kinds() {
		vec.WithLabelValues(string(k))
	}
	if err := reg.Register(vec); err != nil {
		return nil, err
	}
	return &Counter{vec: vec}, nil
}

// HandleEvent implements events.Subscriber: one more of e's kind.
func (c *Counter) HandleEvent(_ context.Context, e events.Event) error {
	c.vec.WithLabelValues(string(e.Kind())).Inc()
	return nil
}

// Subscribe registers both metrics on reg and subscribes their Counter to
// d: the failure counter reads d.Failures.
func Subscribe(reg prometheus.Registerer, d *events.Dispatcher) error {
	c, err := NewCounter(reg)
	if err != nil {
		return err
	}
	failures := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "reinhardt_security_event_subscriber_failures_total",
		Help: "Security event subscribers that returned an error or panicked.",
	}, func() float64 { return float64(d.Failures()) })
	if err := reg.Register(failures); err != nil {
		reg.Unregister(c.vec)
		return err
	}
	d.Subscribe(c)
	return nil
}
