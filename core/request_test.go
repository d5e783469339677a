package core_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/reinhardt-go/auth/core"
)

// TestCloseAfterChunked: only an HTTP/1.x request with a Transfer-Encoding
// gets "Connection: close".
func TestCloseAfterChunked(t *testing.T) {
	for _, c := range []struct {
		name  string
		te    []string
		major int
		want  string
	}{
		{"chunked HTTP/1.1", []string{"chunked"}, 1, "close"},
		{"Content-Length only", nil, 1, ""},
		{"HTTP/2", []string{"chunked"}, 2, ""},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.TransferEncoding, r.ProtoMajor = c.te, c.major
		h := http.Header{}
		core.CloseAfterChunked(h, r)
		if got := h.Get("Connection"); got != c.want {
			t.Errorf("%s: Connection %q, want %q", c.name, got, c.want)
		}
	}
}
