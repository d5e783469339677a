package instrumented_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/instrumented"
	"github.com/reinhardt-go/auth/core/sessions/prommetrics"
	"github.com/reinhardt-go/auth/stores/memory"
)

// The reference's session analytics: slog records and Prometheus metrics
// of every backend operation, on the caller's registry.
func Example() {
	ctx := context.Background()
	store := memory.NewSessionBackend()
	defer store.Close()

	reg := prometheus.NewRegistry()
	metrics, _ := prommetrics.NewAnalytics(reg)
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { // stable output for the example
			if a.Key == "time" || a.Key == "duration" || a.Key == "session" {
				return slog.Attr{}
			}
			return a
		},
	}))
	backend := instrumented.New(store, metrics, instrumented.LoggerAnalytics{Logger: logger})

	s := sessions.New(backend)
	s.Set("user", "alice")
	_ = s.Save(ctx)
	_, _ = sessions.Open(ctx, backend, s.Key())
	_ = s.Flush(sessions.WithDeleteReason(ctx, sessions.DeleteFlushed))

	fams, _ := reg.Gather()
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			if f.GetName() == "session_created_total" || f.GetName() == "session_accessed_total" ||
				(f.GetName() == "session_deleted_total" && m.GetCounter().GetValue() > 0) {
				labels := ""
				for _, l := range m.GetLabel() {
					labels += fmt.Sprintf("{%s=%q}", l.GetName(), l.GetValue())
				}
				fmt.Println(f.GetName()+labels, m.GetCounter().GetValue())
			}
		}
	}
	// Output:
	// level=DEBUG msg="sessions: save" op=save outcome=ok size=46 created=true
	// level=DEBUG msg="sessions: load" op=load outcome=ok size=46
	// level=DEBUG msg="sessions: delete" op=delete outcome=ok reason=flushed
	// session_accessed_total 1
	// session_created_total 1
	// session_deleted_total{reason="flushed"} 1
}
