package promevents_test

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/events/promevents"
)

// Counting the events of a dispatcher on a registry of one's own.
func Example() {
	reg := prometheus.NewRegistry()
	d := events.New()
	if err := promevents.Subscribe(reg, d); err != nil {
		panic(err)
	}
	d.Emit(context.Background(), &events.LoginFailed{Username: "alice", Reason: events.ReasonCredentials})
	d.Emit(context.Background(), &events.LoginFailed{Username: "bob", Reason: events.ReasonCredentials})
	d.Emit(context.Background(), &events.LoggedIn{Method: events.MethodJWT})

	mfs, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if v := m.GetCounter().GetValue(); v > 0 || len(m.GetLabel()) == 0 {
				label := ""
				if len(m.GetLabel()) > 0 {
					label = m.GetLabel()[0].GetValue()
				}
				fmt.Println(mf.GetName(), label, v)
			}
		}
	}
	// Output:
	// reinhardt_security_event_subscriber_failures_total  0
	// reinhardt_security_events_total user_logged_in 1
	// reinhardt_security_events_total user_login_failed 2
}
