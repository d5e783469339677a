package throttle

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
)

// kind is what a Throttle keys on.
type kind int

const (
	anonKind   kind = iota // anonymous requests by client IP; authenticated ones pass
	userKind               // the user id when authenticated, else client IP
	scopedKind             // the same as userKind, in the throttle's own scope
)

// Throttle is DRF's SimpleRateThrottle: a core.Permission (and
// core.Checker) that lets at most Rate requests per key through and
// refuses the rest with core.ThrottledError (429, Retry-After). Build one
// with AnonRateThrottle, UserRateThrottle or ScopedRateThrottle, once, and
// share it between routes and goroutines; its fields must not change
// after the first request.
//
// The key is DRF's cache key, "throttle_<scope>_<ident>": ident is the
// user's id for an authenticated user and otherwise the client address
// (core.ClientIP with the trusted proxies). Throttles of one scope share
// their counters; give routes with separate budgets separate scopes.
type Throttle struct {
	kind    kind
	scope   string
	rate    Rate
	store   Store
	trusted []netip.Prefix
	now     func() time.Time
	events  *events.Dispatcher
}

// Option configures a Throttle or a LoginThrottle.
type Option func(*options)

type options struct {
	trusted []netip.Prefix
	now     func() time.Time
	events  *events.Dispatcher
}

// WithTrustedProxies sets the proxies whose X-Forwarded-For is believed
// (core.ClientIP); default none: the peer address is the client.
func WithTrustedProxies(p []netip.Prefix) Option {
	return func(o *options) { o.trusted = p }
}

// WithEvents sets the dispatcher that receives an events.Throttled for
// every refused request or login; default none.
func WithEvents(d *events.Dispatcher) Option {
	return func(o *options) { o.events = d }
}

// WithClock sets the clock; default time.Now. For tests.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

func newThrottle(k kind, scope, rate string, store Store, opts []Option) (*Throttle, error) {
	r, err := ParseRate(rate)
	if err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("throttle: no store")
	}
	if scope == "" {
		return nil, errors.New("throttle: empty scope")
	}
	o := options{now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	return &Throttle{kind: k, scope: scope, rate: r, store: store, trusted: o.trusted, now: o.now, events: o.events}, nil
}

// AnonRateThrottle throttles anonymous requests by client address, in the
// scope "anon"; authenticated requests are not throttled (DRF).
func AnonRateThrottle(rate string, store Store, opts ...Option) (*Throttle, error) {
	return newThrottle(anonKind, "anon", rate, store, opts)
}

// UserRateThrottle throttles by user id, or by client address for
// anonymous requests, in the scope "user" (DRF).
func UserRateThrottle(rate string, store Store, opts ...Option) (*Throttle, error) {
	return newThrottle(userKind, "user", rate, store, opts)
}

// ScopedRateThrottle is UserRateThrottle in the named scope (DRF's
// throttle_scope with its rate from DEFAULT_THROTTLE_RATES).
func ScopedRateThrottle(scope, rate string, store Store, opts ...Option) (*Throttle, error) {
	return newThrottle(scopedKind, scope, rate, store, opts)
}

// Rate is the throttle's rate.
func (t *Throttle) Rate() Rate { return t.rate }

// Scope is the throttle's scope ("anon", "user" or its own).
func (t *Throttle) Scope() string { return t.scope }

// keyBufs holds the buffers keys are built in, so that an allowed request
// allocates nothing.
var keyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 96); return &b }}

// Check records the request and returns nil when it is within the rate,
// core.ThrottledError when it is not, and an error wrapping
// core.ErrStoreUnavailable when the store fails.
func (t *Throttle) Check(ctx context.Context, pc *core.PermissionContext) error {
	if t.kind == anonKind && pc.IsAuthenticated {
		return nil
	}
	bp := keyBufs.Get().(*[]byte)
	key := append((*bp)[:0], "throttle_"...)
	key = append(key, t.scope...)
	key = append(key, '_')
	var ip netip.Addr // the client counted, when it is not a user
	if pc.IsAuthenticated && pc.User != nil {
		key = append(key, pc.User.GetID()...)
	} else if pc.Request != nil {
		ip = core.ClientIP(pc.Request, t.trusted)
		key = ip.AppendTo(key)
	}
	res, err := t.store.Hit(ctx, key, t.rate, t.now())
	*bp = key
	keyBufs.Put(bp)
	if err != nil {
		return fmt.Errorf("throttle: %w: %w", core.ErrStoreUnavailable, err)
	}
	if !res.Allowed {
		if t.events != nil {
			ctx := ctx
			if pc.Request != nil {
				ctx = core.EventContext(pc.Request)
			}
			e := &events.Throttled{Scope: t.scope, Wait: res.Wait}
			if pc.IsAuthenticated && pc.User != nil {
				e.UserID = pc.User.GetID()
			}
			if ip.IsValid() {
				// The address counted: the client behind trusted proxies,
				// not the peer EventContext records.
				e.RemoteAddr = ip.String()
			}
			t.events.Emit(ctx, e)
		}
		return core.Throttled(res.Wait)
	}
	return nil
}

// HasPermission implements core.Permission: Check returned nil. The
// engine calls Check instead, which keeps the 429 and its wait.
func (t *Throttle) HasPermission(ctx context.Context, pc *core.PermissionContext) bool {
	return t.Check(ctx, pc) == nil
}

var (
	_ core.Permission = (*Throttle)(nil)
	_ core.Checker    = (*Throttle)(nil)
)
