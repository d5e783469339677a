package showcase

import (
	"context"

	"github.com/reinhardt-go/auth/core/readiness"
	"github.com/reinhardt-go/auth/stores/redisstore"
)

// newReadiness is GET /readyz: the database (a ping of the read-write
// pool) and, with -redis, Redis (PING; every master of a Cluster), asked
// at once, each within readiness.DefaultTimeout (one second).
func (a *App) newReadiness() *readiness.Probe {
	p := &readiness.Probe{Logger: a.Logger, Checks: []readiness.Check{{Name: "database", Checker: a.Store}}}
	if a.redisClient != nil {
		c := a.redisClient
		p.Checks = append(p.Checks, readiness.Check{Name: "redis", Checker: readiness.CheckerFunc(func(ctx context.Context) error {
			return redisstore.Ping(ctx, c)
		})})
	}
	return p
}

// RequestContext is the context a request's handlers run with: ctx with
// the deadline of -request-timeout, so that every store call of the
// request (each one honours its context) ends by then, and a store that
// does not answer gives 503 instead of holding the request. It is not
// canceled when the client goes away (context.WithoutCancel): a login, a
// logout or a session change the client sent completes, bounded by the
// deadline, instead of failing halfway at its first store call after the
// client closed the connection (net/http cancels the request's context
// then). Each example sets it first thing, in its framework's
// middleware; call cancel when the request is done.
func (a *App) RequestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d := a.Config.RequestTimeout
	if d <= 0 {
		d = DefaultRequestTimeout
	}
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}
