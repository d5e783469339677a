package readiness

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core"
)

// Checker is a store (or any dependency) a Probe asks whether it answers.
type Checker interface {
	// Ping returns nil when the store answers and an error when it does
	// not. It must return once ctx ends (a Probe stops waiting for it
	// then anyway, and the call would be left running).
	Ping(ctx context.Context) error
}

// CheckerFunc adapts a function to Checker.
type CheckerFunc func(ctx context.Context) error

// Ping calls f.
func (f CheckerFunc) Ping(ctx context.Context) error { return f(ctx) }

// Check is one store of a Probe: its name, shown in the response
// ("database", "redis"), and its Checker.
type Check struct {
	Name    string
	Checker Checker
}

// DefaultTimeout is how long a Probe waits for each check by default.
const DefaultTimeout = time.Second

// The states of a check, and of the whole Probe, in a Result.
const (
	StateOK          = "ok"          // the check answered
	StateTimeout     = "timeout"     // the check did not answer within the Probe's Timeout
	StateUnavailable = "unavailable" // the check answered with an error
	StatusReady      = "ready"       // every check answered
)

// Probe runs its checks concurrently, each within Timeout. The zero value
// has no checks and is always ready. A Probe is safe for concurrent use
// once built; do not change its fields while it serves.
type Probe struct {
	// Checks are the stores asked; their names should be distinct.
	Checks []Check
	// Timeout bounds each check; zero means DefaultTimeout.
	Timeout time.Duration
	// Logger receives, at level Warn, the error of each check that does
	// not answer (never shown to the client); nil logs nothing.
	Logger *slog.Logger
}

// Result is what a Probe found: Status is StatusReady when every check
// answered, StateUnavailable otherwise; Checks maps each check's name to
// its state.
type Result struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// Ready reports whether every check answered.
func (r Result) Ready() bool { return r.Status == StatusReady }

// Check asks every check at once and waits at most Timeout for each (or
// until ctx ends: the checks not answered by then count as timeouts). A
// check that ignores its context is not waited for beyond that.
func (p *Probe) Check(ctx context.Context) Result {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res := Result{Status: StatusReady, Checks: make(map[string]string, len(p.Checks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range p.Checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			state, err := run(ctx, c.Checker)
			if err != nil && p.Logger != nil {
				p.Logger.WarnContext(ctx, "readiness: a store does not answer", "store", c.Name, "state", state, "error", err)
			}
			mu.Lock()
			defer mu.Unlock()
			res.Checks[c.Name] = state
			if state != StateOK {
				res.Status = StateUnavailable
			}
		}()
	}
	wg.Wait()
	return res
}

// run asks one checker, giving up when ctx ends even if the checker does
// not.
func run(ctx context.Context, c Checker) (string, error) {
	done := make(chan error, 1) // buffered: a checker that returns late does not block
	go func() { done <- c.Ping(ctx) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	switch {
	case err == nil:
		return StateOK, nil
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return StateTimeout, err
	default:
		return StateUnavailable, err
	}
}

// Serve implements core.Endpoint: it runs the checks and answers 200
// with the Result when every store answered, 503 with it otherwise, never
// cached (Cache-Control: no-store).
func (p *Probe) Serve(w core.Response, r core.Request) error {
	res := p.Check(r.Context())
	status := http.StatusOK
	if !res.Ready() {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	return core.WriteJSON(w, status, res)
}

var _ core.Endpoint = (*Probe)(nil)
