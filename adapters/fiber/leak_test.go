package fiberauth_test

import (
	"testing"

	"go.uber.org/goleak"
)

// fasthttpIgnores are the goroutines fasthttp (under Fiber) keeps by
// design: updateServerDate is started once per process and runs until it
// exits, refreshing the Date header every second; a server's worker pool
// cleaner sleeps for the pool's idle duration (10 s) between rounds and
// sees that the server was shut down only when it wakes, after the last
// test may have ended.
var fasthttpIgnores = []goleak.Option{
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
}

// TestMain fails the package's tests when a goroutine they started is
// still running after the last test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m, fasthttpIgnores...) }
