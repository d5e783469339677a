package events

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Subscriber receives events. HandleEvent runs synchronously in the
// request's goroutine (see the package documentation for the contract):
// it returns quickly, does not modify e, and reports a failure as an
// error, which is logged and counted and changes nothing else.
type Subscriber interface {
	HandleEvent(ctx context.Context, e Event) error
}

// SubscriberFunc is a function as a Subscriber.
type SubscriberFunc func(ctx context.Context, e Event) error

// HandleEvent implements Subscriber.
func (f SubscriberFunc) HandleEvent(ctx context.Context, e Event) error { return f(ctx, e) }

// Dispatcher sends events to its subscribers. The zero value has none and
// is ready to use; a nil *Dispatcher emits nothing. It is safe for
// concurrent use, Subscribe included.
type Dispatcher struct {
	// Logger receives subscriber errors and panics at Error level; nil
	// means slog.Default(). The event's kind is logged, never its fields.
	Logger *slog.Logger
	// Now is the clock of Meta.At; nil means time.Now.
	Now func() time.Time

	mu       sync.RWMutex
	subs     []Subscriber
	failures atomic.Uint64
}

// New returns a Dispatcher with subs subscribed.
func New(subs ...Subscriber) *Dispatcher {
	d := &Dispatcher{}
	for _, s := range subs {
		d.Subscribe(s)
	}
	return d
}

// Subscribe adds s; it receives the events emitted from now on, after the
// subscribers added before it. A nil s is ignored.
func (d *Dispatcher) Subscribe(s Subscriber) {
	if s == nil {
		return
	}
	d.mu.Lock()
	d.subs = append(d.subs, s)
	d.mu.Unlock()
}

// Failures is how many times a subscriber returned an error or panicked.
func (d *Dispatcher) Failures() uint64 {
	if d == nil {
		return 0
	}
	return d.failures.Load()
}

// Emit fills e's Meta.At (the clock) and, when empty, its RemoteAddr and
// RequestID (from ctx's Source), then gives e to every subscriber in
// turn. It never fails and never panics because of a subscriber. On a nil
// Dispatcher it does nothing.
func (d *Dispatcher) Emit(ctx context.Context, e Event) {
	if d == nil || e == nil {
		return
	}
	m := e.meta()
	if m.At.IsZero() {
		if d.Now != nil {
			m.At = d.Now()
		} else {
			m.At = time.Now()
		}
	}
	src := SourceFrom(ctx)
	if m.RemoteAddr == "" {
		m.RemoteAddr = src.RemoteAddr
	}
	if m.RequestID == "" {
		m.RequestID = src.RequestID
	}
	d.mu.RLock()
	subs := d.subs
	d.mu.RUnlock()
	for i, s := range subs {
		d.deliver(ctx, i, s, e)
	}
}

func (d *Dispatcher) deliver(ctx context.Context, i int, s Subscriber, e Event) {
	defer func() {
		if v := recover(); v != nil {
			d.failures.Add(1)
			d.logger().ErrorContext(ctx, "events: a subscriber panicked", "kind", string(e.Kind()), "subscriber", i,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	if err := s.HandleEvent(ctx, e); err != nil {
		d.failures.Add(1)
		d.logger().ErrorContext(ctx, "events: a subscriber failed", "kind", string(e.Kind()), "subscriber", i, "err", err)
	}
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}
