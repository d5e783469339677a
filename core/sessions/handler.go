package sessions

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/reinhardt-go/auth/core"
)

// Handler is the session middleware for net/http: it loads the request's
// session into its context (FromContext), runs next, and commits the
// session just before the response's headers go out (at the handler's
// first WriteHeader, Write or Flush, or when it returns having written
// nothing). When the session cannot be loaded, or cannot be committed,
// the request is answered by ErrorHandler instead and what the handler
// writes afterwards is discarded.
//
// Put it outside the authentication middleware, so that
// SessionAuthentication finds the session:
//
//	h := m.Handler(httpauth.Middleware(engine)(mux))
func (m *Manager) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Load(r.Context(), core.NewHTTPRequest(r))
		if err != nil {
			m.writeError(w, r, err)
			return
		}
		ctx := NewContext(r.Context(), s)
		r = r.WithContext(ctx)
		sw := &sessionWriter{ResponseWriter: w, m: m, s: s, r: r}
		next.ServeHTTP(sw, r)
		sw.commit()
	})
}

func (m *Manager) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if m.ErrorHandler != nil {
		m.ErrorHandler(w, r, err)
		return
	}
	_ = core.WriteError(core.NewHTTPResponse(w), err, "")
}

// errSessionFailed is what the handler's writes return once the session
// could not be committed and the error response went out instead.
var errSessionFailed = errors.New("sessions: the session could not be saved; the response was replaced")

// sessionWriter commits the session before anything reaches the client.
type sessionWriter struct {
	http.ResponseWriter
	m         *Manager
	s         *Session
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
		w.m.writeError(w.ResponseWriter, w.r, err)
		return false
	}
	return true
}

func (w *sessionWriter) WriteHeader(status int) {
	if w.commit() {
		w.ResponseWriter.WriteHeader(status)
	}
}

func (w *sessionWriter) Write(b []byte) (int, error) {
	if !w.commit() {
		return 0, errSessionFailed
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps io.Copy to the response as fast as it is without the
// middleware.
func (w *sessionWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.commit() {
		return 0, errSessionFailed
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(w.ResponseWriter, src)
}

// Flush implements http.Flusher.
func (w *sessionWriter) Flush() {
	if w.commit() {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Hijack implements http.Hijacker; the session is committed first, since
// no headers will follow.
func (w *sessionWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.commit() {
		return nil, nil, errSessionFailed
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *sessionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
