package storetest_test

import (
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/stores/memory"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// fastHashers keeps the suite quick: PBKDF2 with few iterations.
func fastHashers() *hashers.Registry {
	h := hashers.NewPBKDF2SHA256Hasher()
	h.Iterations = 1000
	return hashers.New(h)
}

// TestDefaultUserManager runs the conformance suite on core's in-memory
// DefaultUserManager.
func TestDefaultUserManager(t *testing.T) {
	storetest.TestUserStore(t, func(t *testing.T) storetest.Store {
		m := core.NewDefaultUserManager()
		m.Hashers = fastHashers()
		return m
	})
}

// TestMemoryThrottleStore runs the throttle conformance suite on
// memory.ThrottleStore.
func TestMemoryThrottleStore(t *testing.T) {
	storetest.TestThrottleStore(t, func(t *testing.T) throttle.Store { return memory.NewThrottleStore(0) })
}
