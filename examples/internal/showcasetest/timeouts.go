package showcasetest

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// The timeouts the Timeouts test gives a server, and how long it waits
// for a connection to be dropped: several times the longest of them, so
// that a slow or loaded machine does not fail it, and far below the
// defaults (10 s for headers, 120 s idle), so that a server that ignored
// the flags would fail it.
const (
	testHeaderTimeout = 300 * time.Millisecond
	testIdleTimeout   = 300 * time.Millisecond
	dropWithin        = 3 * time.Second
)

// Timeouts checks that the server drops connections that send nothing,
// that send a request whose lines end in a bare LF (which fasthttp never
// finishes reading), that send half a request, or that stay idle after a
// response: each is closed within dropWithin when the server runs with
// -read-header-timeout and -idle-timeout of 300 ms.
func Timeouts(t *testing.T, start Starter) {
	base, _ := start(t, []string{"-db", TempDB(t), "-demo=false",
		"-read-header-timeout", testHeaderTimeout.String(), "-read-timeout", "1s", "-idle-timeout", testIdleTimeout.String()})
	addr := strings.TrimPrefix(base, "http://")
	for _, c := range []struct{ name, send string }{
		{"silent client", ""},
		{"LF-only request", "GET /healthz HTTP/1.1\nHost: x\n\n"},
		{"LF-only request line", "GET /healthz HTTP/1.1\n"},
		{"unfinished headers", "GET /healthz HTTP/1.1\r\nHost: x\r\n"},
		{"idle after a response", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if c.send != "" {
				if _, err := io.WriteString(conn, c.send); err != nil {
					t.Fatal(err)
				}
			}
			began := time.Now()
			_ = conn.SetReadDeadline(began.Add(dropWithin))
			got, err := io.ReadAll(conn) // whatever the server answers, until it closes
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("connection still open after %v; read %q", dropWithin, got)
			}
			t.Logf("dropped after %v (%v); read %.40q", time.Since(began).Round(10*time.Millisecond), err, got)
		})
	}
}
