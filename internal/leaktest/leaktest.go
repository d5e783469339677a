package leaktest

import "go.uber.org/goleak"

// Fasthttp returns the options that ignore the goroutines of fasthttp
// (under Fiber) that outlive a test by design:
//
//   - updateServerDate's, started once per process by the first server and
//     never stopped (it refreshes the Date header every second);
//   - a worker pool's cleaner, which sleeps for the pool's idle duration
//     (10 s) between rounds and sees that its server was shut down only
//     when it wakes, after the last test may have ended.
func Fasthttp() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
	}
}
