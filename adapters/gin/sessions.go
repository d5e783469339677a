package ginauth

import (
	"bufio"
	"errors"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
)

type sessionKey struct{}

// Sessions is the session middleware for Gin, what m.Handler is for
// net/http: it loads the request's session into the request's context
// (where SessionAuthentication finds it) and gin's, runs the rest of the
// chain, and commits the session just before the response's headers go
// out (at the first WriteHeader, Write or Flush, or when the chain
// returns having written nothing). When the session cannot be loaded, or
// cannot be committed, the request is answered by m.ErrorHandler (default
// core.WriteError: 503 for a store failure) and what the handlers write
// afterwards is discarded.
//
// Use it before the authentication middleware:
//
//	r.Use(ginauth.Sessions(manager))
//	api := r.Group("/api", ginauth.Middleware(engine))
func Sessions(m *sessions.Manager) gin.HandlerFunc {
	return func(c *gin.Context) {
		s, err := m.Load(c.Request.Context(), core.NewHTTPRequest(c.Request))
		if err != nil {
			sessionError(m, c.Writer, c.Request, err)
			c.Abort()
			return
		}
		c.Request = c.Request.WithContext(sessions.NewContext(c.Request.Context(), s))
		c.Set(sessionKey{}, s)
		sw := &sessionWriter{ResponseWriter: c.Writer, m: m, s: s, r: c.Request}
		c.Writer = sw
		c.Next()
		sw.commit()
		c.Writer = sw.ResponseWriter
	}
}

// SessionFrom returns the request's session, or nil when Sessions did not
// run.
func SessionFrom(c *gin.Context) *sessions.Session {
	if v, ok := c.Get(sessionKey{}); ok {
		return v.(*sessions.Session)
	}
	return sessions.FromContext(c.Request.Context())
}

func sessionError(m *sessions.Manager, w http.ResponseWriter, r *http.Request, err error) {
	if m.ErrorHandler != nil {
		m.ErrorHandler(w, r, err)
		return
	}
	_ = core.WriteError(core.NewHTTPResponse(w), err, "")
}

// errSessionFailed is what the handlers' writes return once the session
// could not be committed and the error response went out instead.
var errSessionFailed = errors.New("ginauth: the session could not be saved; the response was replaced")

// sessionWriter commits the session before anything reaches the client.
// Gin's own writer sends the headers at WriteHeaderNow or the first Write;
// committing at the first WriteHeader, as sessions.Manager.Handler does,
// is earlier still.
type sessionWriter struct {
	gin.ResponseWriter
	m         *sessions.Manager
	s         *sessions.Session
	r         *http.Request
	committed bool
	failed    bool
}

// commit saves the session and sets its cookie, once; on failure it
// writes the error response and reports false.
func (w *sessionWriter) commit() bool {
	if w.committed {
		return !w.failed
	}
	w.committed = true
	if err := w.m.Commit(w.r.Context(), w.s, core.NewHTTPResponse(w.ResponseWriter)); err != nil {
		w.failed = true
		sessionError(w.m, w.ResponseWriter, w.r, err)
		return false
	}
	return true
}

func (w *sessionWriter) WriteHeader(status int) {
	if w.commit() {
		w.ResponseWriter.WriteHeader(status)
	}
}

func (w *sessionWriter) WriteHeaderNow() {
	if w.commit() {
		w.ResponseWriter.WriteHeaderNow()
	}
}

func (w *sessionWriter) Write(b []byte) (int, error) {
	if !w.commit() {
		return 0, errSessionFailed
	}
	return w.ResponseWriter.Write(b)
}

func (w *sessionWriter) WriteString(s string) (int, error) {
	if !w.commit() {
		return 0, errSessionFailed
	}
	return w.ResponseWriter.WriteString(s)
}

// Flush implements http.Flusher.
func (w *sessionWriter) Flush() {
	if w.commit() {
		w.ResponseWriter.Flush()
	}
}

// Hijack implements http.Hijacker; the session is committed first, since
// no headers will follow.
func (w *sessionWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.commit() {
		return nil, nil, errSessionFailed
	}
	return w.ResponseWriter.Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *sessionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
