package showcasetest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/examples/internal/showcase"
)

// InProcess returns the Starter that runs an example's run function in the
// test process on a free port, with an empty environment, until the test
// ends.
func InProcess(run showcase.RunFunc) Starter { return inProcess(run, context.Background()) }

// inProcess is InProcess with the server's context made from parent
// (which may carry a showcase.StoreWrapper).
func inProcess(run showcase.RunFunc, parent context.Context) Starter {
	return func(t *testing.T, args []string) (string, string) {
		ctx, cancel := context.WithCancel(parent)
		var stdout, stderr SyncBuffer
		ready := make(chan string, 1)
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, &stdout, &stderr, ready)
		}()
		select {
		case addr := <-ready:
			t.Cleanup(func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("server: %v", err)
				}
			})
			return "http://" + addr, stdout.String()
		case err := <-done:
			cancel()
			t.Fatalf("server did not start: %v\n%s", err, stderr.String())
		case <-time.After(60 * time.Second):
			cancel()
			t.Fatal("server did not start in time")
		}
		return "", ""
	}
}

// SyncBuffer is a bytes.Buffer safe for a server's (or a child process's
// copying) goroutine and the test's at once.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
