package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/internal/testnet"
	"github.com/reinhardt-go/auth/stores/redisstore"
)

// TestOpenHonoursDeadline: a client from Open gives up when the request's
// context ends, even when Redis accepted the connection and never answers;
// with go-redis's defaults it would wait 5 seconds per attempt, retried 3
// times, whatever the context said.
func TestOpenHonoursDeadline(t *testing.T) {
	c, err := redisstore.Open("redis://" + testnet.SilentServer(t) + "/0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b := redisstore.NewSessionBackend(c)
	const deadline = 300 * time.Millisecond
	for _, what := range []string{"Load", "Ping"} {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		start := time.Now()
		if what == "Load" {
			_, _, err = b.Load(ctx, sessions.GenerateKey())
		} else {
			err = redisstore.Ping(ctx, c)
		}
		took := time.Since(start)
		cancel()
		if !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("%s from a Redis that does not answer = %v; want an error wrapping core.ErrStoreUnavailable", what, err)
		}
		if took > deadline+time.Second {
			t.Errorf("%s from a Redis that does not answer took %v with a deadline of %v", what, took, deadline)
		}
	}
}
