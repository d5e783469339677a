package httpauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	httpauth "github.com/reinhardt-go/auth/adapters/stdhttp"
	"github.com/reinhardt-go/auth/core"
)

// A guard without the middleware in front counts the request as anonymous
// and refuses it: a wiring mistake fails closed.
func TestRequireWithoutMiddlewareFailsClosed(t *testing.T) {
	called := false
	h := httpauth.Require(core.IsAuthenticated{})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/", nil)
	r.SetBasicAuth("alice", "pw")
	h.ServeHTTP(rec, r)
	if called || rec.Code != http.StatusForbidden {
		t.Fatalf("called=%v status=%d", called, rec.Code)
	}
	if u := httpauth.User(r); u.IsAuthenticated() {
		t.Fatal("user without middleware")
	}
}

func TestDeclaredBodyOverCapNeverReachesHandler(t *testing.T) {
	e := core.NewEngine()
	e.MaxBodyBytes = 10
	called := false
	h := httpauth.Middleware(e)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", 11))))
	if called || rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("called=%v status=%d", called, rec.Code)
	}
}

func BenchmarkMiddlewareBasicAnonymous(b *testing.B) {
	e := core.NewEngine(core.NewHTTPBasicAuth())
	h := httpauth.Middleware(e)(httpauth.Require(core.AllowAny{})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	r := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}
