package replicated_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/replicated"
	"github.com/reinhardt-go/auth/stores/memory"
)

// The reference's ReplicatedSessionBackend: sessions written to a primary
// and replicated to a secondary; a secondary that stays down is reported,
// never dropped silently.
func Example() {
	ctx := context.Background()
	primary, secondary := memory.NewSessionBackend(), memory.NewSessionBackend()
	defer primary.Close()
	defer secondary.Close()

	backend, _ := replicated.New(primary, secondary, replicated.Async)
	backend.Retry = replicated.RetryPolicy{Attempts: 5} // default delays: 50 ms, doubling, at most 2 s
	backend.Logger = slog.New(slog.DiscardHandler)      // lost writes are logged at Error level
	backend.OnFailure = func(f replicated.Failure) {
		fmt.Println("replication lost a", f.Op, "after", f.Attempts, "attempts:", errors.Is(f.Err, errStoreDown))
	}

	m := sessions.NewManager(backend)
	s := m.New()
	s.Set("cart", []string{"apple"})
	_ = s.Save(ctx)
	_ = backend.Drain(ctx) // wait for the background writes (tests, shutdown)

	// The secondary holds the session at the primary's version.
	p, _, _ := primary.Load(ctx, s.Key())
	r, _, _ := secondary.Load(ctx, s.Key())
	fmt.Println(p.Version, r.Version, string(p.Data) == string(r.Data))

	// Sync mode: both written in parallel, the error names the replica.
	down := downBackend{secondary}
	strict, _ := replicated.New(primary, down, replicated.Sync)
	defer strict.Close()
	strict.Retry = replicated.RetryPolicy{Attempts: 2, Delay: 1}
	strict.Logger = slog.New(slog.DiscardHandler)
	err := strict.Save(ctx, sessions.GenerateKey(), sessions.Record{Data: []byte("{}"), Expiry: p.Expiry})
	var re *replicated.ReplicaError
	fmt.Println(errors.As(err, &re), re.Replica, re.PrimaryWritten)

	_ = backend.Close() // drains the queue
	// Output:
	// 1 1 true
	// true secondary true
}

var errStoreDown = errors.New("store down")

// downBackend fails every write.
type downBackend struct{ sessions.SessionBackend }

func (downBackend) Save(context.Context, sessions.SessionID, sessions.Record) error {
	return sessions.StoreError("down", errStoreDown)
}
