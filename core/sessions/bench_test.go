package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/stores/storetest"
)

var benchBackends = []sessiontest.BackendCase{
	{Name: "memory", Open: sessiontest.OpenMemory},
	{Name: "cookie", Open: sessiontest.OpenCookie},
	{Name: "cache", Open: sessiontest.OpenCache},
}

// BenchmarkLoadModifySave is one request's session work: load the session
// from its cookie, read and change a counter, save it and set the cookie,
// through the Manager's Load and Commit as the adapters call them.
func BenchmarkLoadModifySave(b *testing.B) {
	for _, bc := range benchBackends {
		b.Run(bc.Name, func(b *testing.B) {
			storetest.BenchmarkLoadModifySave(b, bc.Open(b, nil))
		})
	}
}

// BenchmarkHandler is the same through the net/http middleware, with
// httptest's request and recorder.
func BenchmarkHandler(b *testing.B) {
	for _, bc := range benchBackends[:2] {
		b.Run(bc.Name, func(b *testing.B) {
			m := sessions.NewManager(bc.Open(b, nil))
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := sessions.FromContext(r.Context())
				n, _ := sessions.GetAs[int](s, "n")
				s.Set("n", n+1)
				w.WriteHeader(http.StatusNoContent)
			}))
			cookie := ""
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest("GET", "/", nil)
				if cookie != "" {
					r.Header.Set("Cookie", "sessionid="+cookie)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				for _, c := range w.Result().Cookies() {
					cookie = c.Value
				}
			}
		})
	}
}
