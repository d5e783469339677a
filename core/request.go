package core

import (
	"context"
	"io"
	"net/http"
)

// Request is the read side of an HTTP request as the core sees it. Each
// adapter implements it over its framework's request without copying more
// than it must; an implementation that keeps a value past the handler (the
// Fiber adapter) copies it first.
type Request interface {
	// Context is the request's context; cancellation ends store calls and
	// password hashing.
	Context() context.Context
	// Method is the HTTP method, upper case as sent.
	Method() string
	// Path is the URL path, without the query.
	Path() string
	// Header returns the first value of the named header, or "".
	Header(name string) string
	// HeaderValues returns every value of the named header, one per
	// header line, in the order sent; nil when it is absent. The caller
	// must not modify the slice. Authenticators that trust a header set by
	// a proxy use it to refuse a header sent twice (a client's beside the
	// proxy's).
	HeaderValues(name string) []string
	// Cookie returns the value of the named cookie, or "".
	Cookie(name string) string
	// Query returns the first value of the named query parameter, or "".
	Query(name string) string
	// RemoteAddr is the address of the immediate peer ("ip:port" or "ip"),
	// never a value taken from a header.
	RemoteAddr() string
	// IsTLS reports whether the request came over TLS.
	IsTLS() bool
	// Body returns the request body. The core reads at most the Engine's
	// body cap from it.
	Body() io.Reader
}

// Response is the write side. Headers and cookies must be set before
// Write; Write sends the status and the body once.
type Response interface {
	// Header returns the response headers to modify.
	Header() http.Header
	// SetCookie adds a Set-Cookie header.
	SetCookie(c *http.Cookie)
	// Write sends status and body.
	Write(status int, body []byte) error
}

// CloseAfterChunked sets "Connection: close" on h, the headers of the
// response to r, when r is an HTTP/1.x request whose body came with a
// Transfer-Encoding, so that net/http closes the connection after
// answering it. net/http reads such a body by its Transfer-Encoding and
// drops a Content-Length sent beside it, as RFC 9112 section 6.3 allows,
// but keeps the connection open where the RFC says a server MUST close
// it: the bytes a front end that went by the Content-Length took for the
// body would be served as the next request (request smuggling). The
// net/http adapters' middleware call it before anything is written;
// fasthttp closes such a connection itself. A legitimate chunked upload
// only loses keep-alive.
func CloseAfterChunked(h http.Header, r *http.Request) {
	if r.ProtoMajor == 1 && len(r.TransferEncoding) > 0 {
		h.Set("Connection", "close")
	}
}

// NewHTTPRequest returns the Request for a net/http request. It does not
// allocate: the wrapper is a single pointer.
func NewHTTPRequest(r *http.Request) Request { return httpRequest{r} }

type httpRequest struct{ r *http.Request }

func (h httpRequest) Context() context.Context  { return h.r.Context() }
func (h httpRequest) Method() string            { return h.r.Method }
func (h httpRequest) Path() string              { return h.r.URL.Path }
func (h httpRequest) Header(name string) string { return h.r.Header.Get(name) }
func (h httpRequest) HeaderValues(name string) []string {
	return h.r.Header.Values(name)
}
func (h httpRequest) Query(name string) string { return h.r.URL.Query().Get(name) }

// RawQuery is the query string as sent, without the "?": the OAuth2
// authorize endpoint parses it itself to refuse a repeated parameter.
func (h httpRequest) RawQuery() string   { return h.r.URL.RawQuery }
func (h httpRequest) RemoteAddr() string { return h.r.RemoteAddr }
func (h httpRequest) IsTLS() bool        { return h.r.TLS != nil }

// Host is the request's host (net/http keeps it out of the header map);
// CSRF origin checks compare Origin with it.
func (h httpRequest) Host() string    { return h.r.Host }
func (h httpRequest) Body() io.Reader { return bodyOrEmpty(h.r.Body) }
func (h httpRequest) Cookie(name string) string {
	c, err := h.r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func bodyOrEmpty(b io.ReadCloser) io.Reader {
	if b == nil {
		return http.NoBody
	}
	return b
}

// NewHTTPResponse returns the Response for a net/http ResponseWriter.
func NewHTTPResponse(w http.ResponseWriter) Response { return httpResponse{w} }

type httpResponse struct{ w http.ResponseWriter }

func (h httpResponse) Header() http.Header      { return h.w.Header() }
func (h httpResponse) SetCookie(c *http.Cookie) { http.SetCookie(h.w, c) }
func (h httpResponse) Write(status int, body []byte) error {
	h.w.WriteHeader(status)
	if len(body) == 0 {
		return nil // 204 and 304 allow no body
	}
	_, err := h.w.Write(body)
	return err
}
