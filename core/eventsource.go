package core

import (
	"context"

	"github.com/reinhardt-go/auth/core/events"
)

// RequestIDHeader is the header a request's id is read from for the
// security events (events.Meta.RequestID), as a proxy or a tracing
// middleware sets it.
const RequestIDHeader = "X-Request-Id"

// maxRequestIDBytes caps the request id an event keeps.
const maxRequestIDBytes = 128

// EventContext returns r's context carrying an events.Source: the peer
// address without its port, and the X-Request-Id header when it is at
// most 128 bytes of printable ASCII (otherwise none: the header is the
// client's to set). Events emitted with it (events.Dispatcher.Emit) carry
// both.
func EventContext(r Request) context.Context {
	src := events.Source{}
	if a, ok := PeerAddr(r.RemoteAddr()); ok {
		src.RemoteAddr = a.String()
	}
	if id := r.Header(RequestIDHeader); len(id) <= maxRequestIDBytes && printableASCII(id) {
		src.RequestID = id
	}
	return events.WithSource(r.Context(), src)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
