package readiness_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/reinhardt-go/auth/core/readiness"
)

// A probe over two stores, one of which refuses connections. In a
// service, each store implements Checker (sqlstore.Store does) and the
// probe is mounted at GET /readyz with the framework's adapter
// (ginauth.Endpoint(probe), …).
func Example() {
	probe := &readiness.Probe{Timeout: 500 * time.Millisecond, Checks: []readiness.Check{
		{Name: "database", Checker: readiness.CheckerFunc(func(context.Context) error { return nil })},
		{Name: "redis", Checker: readiness.CheckerFunc(func(context.Context) error { return errors.New("connection refused") })},
	}}
	res := probe.Check(context.Background())
	fmt.Println(res.Ready(), res.Checks["database"], res.Checks["redis"])
	// Output: false ok unavailable
}
