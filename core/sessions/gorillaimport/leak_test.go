package gorillaimport

import (
	"testing"

	"github.com/reinhardt-go/auth/internal/leaktest"
	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine they started is
// still running after the last test, except those fasthttp (under Fiber)
// keeps by design (leaktest.Fasthttp).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.Fasthttp()...) }
