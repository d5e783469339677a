package throttle_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/stores/memory"
)

// A throttle guards a route as a permission does: here DRF's
// AnonRateThrottle at 2 requests a minute, checked by the engine.
func ExampleAnonRateThrottle() {
	anon, err := throttle.AnonRateThrottle("2/min", memory.NewThrottleStore(0))
	if err != nil {
		panic(err) // a malformed rate is an error here, never "no limit"
	}
	engine := core.NewEngine()
	for range 3 {
		r := httptest.NewRequest("GET", "/api/items", nil)
		r.RemoteAddr = "192.0.2.1:5000"
		pc := core.NewPermissionContext(core.NewHTTPRequest(r), core.Anonymous())
		if err := engine.CheckPermissions(context.Background(), pc, anon); err != nil {
			fmt.Println(core.ToAPIError(err).Status, err)
		} else {
			fmt.Println("allowed")
		}
	}
	// Output:
	// allowed
	// allowed
	// 429 Request was throttled. Expected available in 30 seconds.
}

// The login throttle is the core.LoginGuard of core.PasswordLogin, the
// check every login path runs: failures count per client address and
// per username, and the 6th at 5 a minute is refused before any password
// is checked.
func ExampleNewLoginThrottle() {
	users := core.NewDefaultUserManager()
	pw := "correct horse battery staple"
	if _, err := users.CreateUser(context.Background(), "alice", &pw, nil); err != nil {
		panic(err)
	}
	// A fixed clock, so that the wait printed below does not depend on
	// how long the five password checks take; leave WithClock out in a
	// service.
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	guard, err := throttle.NewLoginThrottle("5/min", memory.NewThrottleStore(0),
		throttle.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	login := core.PasswordLogin{Backend: core.NewModelBackend(users), Guard: guard}
	request := func() core.Request {
		r := httptest.NewRequest("POST", "/api/token", nil)
		r.RemoteAddr = "203.0.113.9:4000"
		return core.NewHTTPRequest(r)
	}
	for i := 1; i <= 6; i++ {
		u, err := login.Authenticate(request(), "alice", "guess", "")
		var throttled *core.ThrottledError
		switch {
		case errors.As(err, &throttled):
			fmt.Printf("attempt %d: 429, Retry-After %d\n", i, throttled.Wait)
		case u == nil && err == nil:
			fmt.Printf("attempt %d: wrong password\n", i)
		}
	}
	// Output:
	// attempt 1: wrong password
	// attempt 2: wrong password
	// attempt 3: wrong password
	// attempt 4: wrong password
	// attempt 5: wrong password
	// attempt 6: 429, Retry-After 12
}
