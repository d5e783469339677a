package readiness_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/readiness"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// hang is a store that answers only when its context ends.
func hang(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestProbeStates(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	p := &readiness.Probe{Timeout: 300 * time.Millisecond, Checks: []readiness.Check{
		{"database", readiness.CheckerFunc(func(context.Context) error { return nil })},
		{"redis", readiness.CheckerFunc(hang)},
		{"queue", readiness.CheckerFunc(hang)},
		{"cache", readiness.CheckerFunc(func(context.Context) error { return errors.New("connection refused") })},
		// A check that ignores its context is not waited for.
		{"stubborn", readiness.CheckerFunc(func(context.Context) error { <-release; return nil })},
	}}
	start := time.Now()
	res := p.Check(context.Background())
	took := time.Since(start)
	want := map[string]string{"database": "ok", "redis": "timeout", "queue": "timeout", "cache": "unavailable", "stubborn": "timeout"}
	if res.Ready() || res.Status != "unavailable" {
		t.Errorf("status %q, want unavailable", res.Status)
	}
	for name, state := range want {
		if res.Checks[name] != state {
			t.Errorf("%s: %q, want %q (all: %v)", name, res.Checks[name], state, res.Checks)
		}
	}
	// Concurrently: three checks that time out take one timeout, not three.
	if took > 2*p.Timeout {
		t.Errorf("the probe took %v with a timeout of %v: the checks did not run at once", took, p.Timeout)
	}
}

func TestProbeDefaultTimeout(t *testing.T) {
	p := &readiness.Probe{Checks: []readiness.Check{{"db", readiness.CheckerFunc(hang)}}}
	start := time.Now()
	res := p.Check(context.Background())
	if took := time.Since(start); took < readiness.DefaultTimeout || took > 3*readiness.DefaultTimeout {
		t.Errorf("took %v, want about %v", took, readiness.DefaultTimeout)
	}
	if res.Checks["db"] != readiness.StateTimeout {
		t.Errorf("db: %q", res.Checks["db"])
	}
}

func TestServe(t *testing.T) {
	down := false
	p := &readiness.Probe{Checks: []readiness.Check{
		{"database", readiness.CheckerFunc(func(context.Context) error { return nil })},
		{"redis", readiness.CheckerFunc(func(context.Context) error {
			if down {
				return errors.New("dial tcp 10.0.0.7:6379: connect: connection refused (user secret-password)")
			}
			return nil
		})},
	}}
	serve := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/readyz", nil)
		if err := p.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	rec := serve()
	if rec.Code != http.StatusOK || rec.Body.String() != `{"status":"ready","checks":{"database":"ok","redis":"ok"}}` {
		t.Errorf("up: %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", rec.Header())
	}
	down = true
	rec = serve()
	if rec.Code != http.StatusServiceUnavailable || rec.Body.String() != `{"status":"unavailable","checks":{"database":"ok","redis":"unavailable"}}` {
		t.Errorf("down: %d %s (the error must not be shown)", rec.Code, rec.Body)
	}
}

func TestNoChecksIsReady(t *testing.T) {
	if res := new(readiness.Probe).Check(context.Background()); !res.Ready() || len(res.Checks) != 0 {
		t.Errorf("%+v", res)
	}
}
