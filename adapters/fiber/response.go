package fiberauth

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/reinhardt-go/auth/core"
)

// NewResponse returns the core.Response of a Fiber request, for serving
// a core endpoint or writing a core error by hand. Header gives an
// http.Header that starts with the headers already on Fiber's response
// (so the core sees cookies and Vary values set before it); what the
// core changes there is copied into fasthttp's response headers when
// Write is called. Fiber sends the response only once the handlers have
// returned, so headers set after Write (Sessions commits the session
// then) still go out.
func NewResponse(c *fiber.Ctx) core.Response { return newResponse(c) }

func newResponse(c *fiber.Ctx) *response { return &response{c: c} }

// defaultContentType is what fasthttp reports for a response whose
// Content-Type nobody set.
const defaultContentType = "text/plain; charset=utf-8"

type response struct {
	c *fiber.Ctx
	h http.Header
	// had lists the header names fasthttp held when Header was first
	// called, so that a header the core deleted is deleted there too.
	had     []string
	written bool
}

// Header returns the response headers to modify.
func (r *response) Header() http.Header {
	if r.h == nil {
		r.h = http.Header{}
		for k, v := range r.c.Response().Header.All() {
			key := http.CanonicalHeaderKey(string(k))
			switch key {
			case "Content-Length", "Connection", "Date", "Server", "Transfer-Encoding", "Trailer":
				continue // managed by fasthttp
			case "Content-Type":
				if string(v) == defaultContentType {
					continue // fasthttp's default, not a header anyone set
				}
			}
			if _, ok := r.h[key]; !ok {
				r.had = append(r.had, key)
			}
			r.h[key] = append(r.h[key], string(v))
		}
	}
	return r.h
}

// SetCookie adds a Set-Cookie header formatted as net/http formats it, so
// that every adapter sends the same bytes; an invalid cookie is dropped,
// as http.SetCookie drops it.
func (r *response) SetCookie(c *http.Cookie) {
	if v := c.String(); v != "" {
		r.Header().Add("Set-Cookie", v)
	}
}

// Write sets the status and the body (copied into fasthttp's buffer),
// after the headers. A response without a body gets no Content-Type unless
// one was set (net/http sends none; fasthttp would add text/plain).
func (r *response) Write(status int, body []byte) error {
	r.flush()
	r.written = true
	r.c.Status(status)
	r.c.Response().SetBody(body)
	if len(body) == 0 {
		r.c.Response().Header.SetNoDefaultContentType(true)
	}
	return nil
}

// flush copies the headers of Header into fasthttp's response (fasthttp
// copies the bytes it is given).
func (r *response) flush() {
	if r.h == nil {
		return
	}
	fh := &r.c.Response().Header
	for _, k := range r.had {
		if _, ok := r.h[k]; !ok {
			fh.Del(k)
		}
	}
	for k, vs := range r.h {
		fh.Del(k)
		for _, v := range vs {
			fh.Add(k, v)
		}
	}
	r.had = r.had[:0]
	for k := range r.h {
		r.had = append(r.had, k)
	}
}

// finish flushes headers set without a Write (an endpoint that only sets
// a header, a session commit).
func (r *response) finish() {
	if !r.written {
		r.flush()
	}
}
