package sessions_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
)

// clock is a settable clock shared by a Manager and its backend.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// allBackends is every backend and wrapper of this pass.
var allBackends = []sessiontest.BackendCase{
	{Name: "memory", Open: sessiontest.OpenMemory},
	{Name: "cache", Open: sessiontest.OpenCache},
	{Name: "cookie", Open: sessiontest.OpenCookie},
}

// browser is a client with a cookie jar of one site, driving a handler.
type browser struct {
	t       testing.TB
	h       http.Handler
	cookies map[string]string
}

func newBrowser(t testing.TB, h http.Handler) *browser {
	return &browser{t: t, h: h, cookies: map[string]string{}}
}

// do sends a request with the browser's cookies, stores the cookies the
// response sets, and returns the response.
func (b *browser) do(method, path string, body string) *http.Response {
	b.t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, "https://example.com"+path, bytes.NewBufferString(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, "https://example.com"+path, nil)
	}
	for name, v := range b.cookies {
		r.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, r)
	res := w.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return res
}

func bodyOf(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// fakeRequest is a core.Request with a session cookie, for the Manager's
// own path without net/http.
type fakeRequest struct {
	core.Request
	cookie string
}

func (r *fakeRequest) Cookie(name string) string { return r.cookie }

// fakeResponse is a core.Response that keeps the last cookie set.
type fakeResponse struct {
	h      http.Header
	cookie *http.Cookie
}

func (w *fakeResponse) Header() http.Header {
	if w.h == nil {
		w.h = http.Header{}
	}
	return w.h
}
func (w *fakeResponse) SetCookie(c *http.Cookie)         { w.cookie = c }
func (w *fakeResponse) Write(status int, b []byte) error { return nil }

// maxCookieSize is the cookie size limit of the Manager and the cookie
// backend: 4096 bytes.
const maxCookieSize = 4096
