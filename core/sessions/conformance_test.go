package sessions_test

import (
	"testing"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// TestConformance runs the session-backend conformance suite on every
// backend and wrapper of this package over the memory stores (the memory
// backend itself runs it in stores/memory too).
func TestConformance(t *testing.T) {
	for _, bc := range allBackends {
		t.Run(bc.Name, func(t *testing.T) {
			t.Parallel()
			storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend { return bc.Open(t, nil) })
		})
	}
}
