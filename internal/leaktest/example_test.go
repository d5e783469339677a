package leaktest_test

import (
	"fmt"

	"github.com/reinhardt-go/auth/internal/leaktest"
)

// The options a TestMain passes to goleak.VerifyTestMain when its tests
// run Fiber.
func ExampleFasthttp() {
	fmt.Println(len(leaktest.Fasthttp()), "goroutines of fasthttp ignored")
	// Output: 2 goroutines of fasthttp ignored
}
