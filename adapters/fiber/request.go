package fiberauth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/reinhardt-go/auth/core"
)

// NewRequest returns the core.Request of a Fiber request, for handlers
// that pass it to the core (core.DecodeBody, an endpoint's helpers). It
// does not allocate: the wrapper is a single pointer.
//
// fasthttp reuses its buffers once the handler returns, so every string
// the Request hands out (method, path, headers, cookies, query values,
// host) is a copy that stays valid afterwards: an identity, a cached
// token or a session key made from it never changes under the core's
// feet. The body is the one exception: Body reads fasthttp's buffer,
// which the core decodes and never keeps.
func NewRequest(c *fiber.Ctx) core.Request { return request{c} }

type request struct{ c *fiber.Ctx }

// Context is the request's user context (c.UserContext()), which carries
// the identity, the session and the CSRF information the middleware of
// this package put there.
func (r request) Context() context.Context { return r.c.UserContext() }

// Method is the request's method (after any c.Method override).
func (r request) Method() string { return cloneMethod(r.c.Method()) }

// Path is the decoded URL path without the query, as fasthttp gives it:
// normalized (dot segments resolved, repeated slashes merged), where
// net/http's URL.Path keeps them. Nothing in the core routes by it.
func (r request) Path() string { return string(r.c.Request().URI().Path()) }

// Header returns the first value of the named header.
func (r request) Header(name string) string { return string(r.c.Request().Header.Peek(name)) }

// HeaderValues returns every value of the named header, copied, in the
// order sent.
func (r request) HeaderValues(name string) []string {
	all := r.c.Request().Header.PeekAll(name)
	if len(all) == 0 {
		return nil
	}
	out := make([]string, len(all))
	for i, v := range all {
		out[i] = string(v)
	}
	return out
}

// HeaderCount returns the number of values of the named header, without
// copying them: the engine's check for a second Authorization header runs
// on every request.
func (r request) HeaderCount(name string) int { return len(r.c.Request().Header.PeekAll(name)) }

// Cookie returns the value of the named cookie.
func (r request) Cookie(name string) string {
	return string(r.c.Request().Header.Cookie(name))
}

// Query returns the first value of the named query parameter.
func (r request) Query(name string) string {
	return string(r.c.Request().URI().QueryArgs().Peek(name))
}

// RawQuery is the query string as sent, without the "?" (copied): the
// OAuth2 authorize endpoint parses it itself to refuse a repeated
// parameter.
func (r request) RawQuery() string { return string(r.c.Request().URI().QueryString()) }

// RemoteAddr is the peer's address ("ip:port"), never a header's value
// (Fiber's c.IP() may read X-Forwarded-For when ProxyHeader is set).
func (r request) RemoteAddr() string { return r.c.Context().RemoteAddr().String() }

// IsTLS reports whether the connection is TLS.
func (r request) IsTLS() bool { return r.c.Context().IsTLS() }

// Host is the request's Host header; the CSRF origin check compares
// Origin with it.
func (r request) Host() string { return string(r.c.Request().Host()) }

// Body returns the request body as sent (a Content-Encoding is not
// undone, as net/http does not), capped at the body limit of the engine
// that authenticated the request (core.DefaultMaxBodyBytes without one):
// a longer body reads as *http.MaxBytesError, which the core answers 413.
func (r request) Body() io.Reader {
	limit := bodyLimit(core.EngineFromContext(r.c.UserContext()))
	b, err := readBody(r.c, limit)
	if err != nil {
		if errors.Is(err, core.ErrRequestTooLarge) {
			err = &http.MaxBytesError{Limit: limit}
		}
		return errReader{err}
	}
	return bytes.NewReader(b)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// cloneMethod returns m without allocating for the methods of RFC 9110
// and PATCH, and a copy of anything else (Fiber's c.Method() aliases
// fasthttp's header buffer).
func cloneMethod(m string) string {
	switch m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodPut:
		return fiber.MethodPut
	case fiber.MethodPatch:
		return fiber.MethodPatch
	case fiber.MethodDelete:
		return fiber.MethodDelete
	case fiber.MethodOptions:
		return fiber.MethodOptions
	case fiber.MethodConnect:
		return fiber.MethodConnect
	case fiber.MethodTrace:
		return fiber.MethodTrace
	}
	return strings.Clone(m)
}

func bodyLimit(e *core.Engine) int64 {
	if e != nil && e.MaxBodyBytes > 0 {
		return e.MaxBodyBytes
	}
	return core.DefaultMaxBodyBytes
}

// checkBody refuses a body over limit. A body of a declared length
// within the limit is not touched (fasthttp read exactly that much, and a
// multipart form it pre-parsed is not marshalled again); a chunked or
// streamed one is read, at most limit+1 bytes.
func checkBody(c *fiber.Ctx, limit int64) error {
	if cl := c.Request().Header.ContentLength(); cl >= 0 {
		if int64(cl) > limit {
			return tooLarge(c)
		}
		return nil
	}
	_, err := readBody(c, limit)
	return err
}

// readBody returns the request body when it is at most limit bytes, else
// core.ErrRequestTooLarge. A declared Content-Length over the limit is
// refused without touching the body; a streamed body (Config
// StreamRequestBody) is read at most limit+1 bytes and then kept as the
// request's body, so later readers see the same bytes.
func readBody(c *fiber.Ctx, limit int64) ([]byte, error) {
	req := c.Request()
	if int64(req.Header.ContentLength()) > limit {
		return nil, tooLarge(c)
	}
	if req.IsBodyStream() {
		b, err := io.ReadAll(io.LimitReader(req.BodyStream(), limit+1))
		if err != nil {
			c.Context().SetConnectionClose()
			return nil, core.ParseError("")
		}
		if int64(len(b)) > limit {
			return nil, tooLarge(c)
		}
		req.SetBody(b)
		return req.Body(), nil
	}
	b := req.Body()
	if int64(len(b)) > limit {
		return nil, core.ErrRequestTooLarge
	}
	return b, nil
}

// tooLarge refuses a body over the cap. A streamed body (Config
// StreamRequestBody) is then left partly unread, so the connection is
// closed after the response, as net/http closes it after MaxBytesReader
// trips: what remains of the body must never be read as the next request.
func tooLarge(c *fiber.Ctx) error {
	if c.Request().IsBodyStream() {
		c.Context().SetConnectionClose()
	}
	return core.ErrRequestTooLarge
}
