package echoauth

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/sessions"
)

// Sessions is the session middleware for Echo, sessions.Manager.Handler's
// counterpart: it loads the request's session into the request's context
// (SessionFrom, sessions.FromContext), runs the handler, and commits the
// session just before the response's headers go out — in a
// c.Response().Before hook, so whatever writes the response (the handler,
// WriteError, the HTTPErrorHandler) sends the session cookie — or when the
// handler returns having written nothing. A session that cannot be loaded
// or committed answers the request with m.ErrorHandler (default: the
// core's DRF error, 503 for a store failure, 409 for a conflict) and what
// the handler writes afterwards is discarded.
//
// Put it before the authentication middleware, so that
// SessionAuthentication finds the session:
//
//	e.Use(echoauth.Sessions(manager), echoauth.CSRF(protector), echoauth.Middleware(engine))
//
// Echo's Response.Flush before any write sends the headers without the
// Before hooks; write (or WriteHeader) before flushing a stream.
func Sessions(m *sessions.Manager) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			s, err := m.Load(r.Context(), core.NewHTTPRequest(r))
			if err != nil {
				sessionError(m, c.Response(), r, err)
				return nil
			}
			r = r.WithContext(sessions.NewContext(r.Context(), s))
			c.SetRequest(r)
			res := c.Response()
			sc := &sessionCommit{m: m, s: s, r: r, res: res}
			res.Before(sc.commit)
			err = next(c)
			if err == nil && !res.Committed {
				// Nothing written: net/http will send 200 with the headers
				// as they are; they must carry the cookie.
				sc.commit()
			}
			// An error is rendered by echo's HTTPErrorHandler after this
			// returns, through res: the Before hook commits then.
			return err
		}
	}
}

// SessionFrom returns the request's session, nil when no Sessions
// middleware ran.
func SessionFrom(c echo.Context) *sessions.Session {
	return sessions.FromContext(c.Request().Context())
}

// sessionCommit commits a session once, before the response's headers.
type sessionCommit struct {
	m    *sessions.Manager
	s    *sessions.Session
	r    *http.Request
	res  *echo.Response
	done bool
}

// errSessionFailed is what the handler's writes return once the session
// could not be committed and the error response went out instead.
var errSessionFailed = errors.New("echoauth: the session could not be saved; the response was replaced")

func (sc *sessionCommit) commit() {
	if sc.done {
		return
	}
	sc.done = true
	w := sc.res.Writer
	err := sc.m.Commit(sc.r.Context(), sc.s, core.NewHTTPResponse(w))
	if err == nil {
		return
	}
	// Answer with the error in place of the handler's response: send it
	// on the underlying writer, and let everything the handler writes
	// from now on fall into a writer that discards it.
	w.Header().Del("Content-Length")
	rec := &statusRecorder{ResponseWriter: w}
	sessionError(sc.m, rec, sc.r, err)
	sc.res.Writer = discard{header: w.Header()}
	if rec.status != 0 {
		sc.res.Status = rec.status
	}
}

func sessionError(m *sessions.Manager, w http.ResponseWriter, r *http.Request, err error) {
	if m.ErrorHandler != nil {
		m.ErrorHandler(w, r, err)
		return
	}
	_ = core.WriteError(core.NewHTTPResponse(w), err, "")
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// discard swallows a response that was replaced by an error.
type discard struct{ header http.Header }

func (d discard) Header() http.Header       { return d.header }
func (d discard) WriteHeader(int)           {}
func (d discard) Write([]byte) (int, error) { return 0, errSessionFailed }

// CSRF gives the CSRF check of SessionAuthentication what an Echo request
// does not carry by itself, exactly as csrf.Protector.Prepare does for
// net/http (it runs Prepare): the request's Host, and for a form POST the
// csrfmiddlewaretoken field, read from a body that is put back for the
// handler (413 when it is over the protector's cap). It checks nothing
// itself; put it before the authentication middleware:
//
//	e.Use(echoauth.Sessions(manager), echoauth.CSRF(protector))
//	e.GET("/api/me", me, echoauth.Middleware(engine), echoauth.Require(core.IsAuthenticated{}))
func CSRF(p *csrf.Protector) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			var err error
			// Prepare answers a refused body on c.Response() itself (so
			// Committed stays right) and otherwise passes on the request
			// carrying csrf.Info, which the handler below installs.
			p.Prepare(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				c.SetRequest(r)
				err = next(c)
			})).ServeHTTP(c.Response(), c.Request())
			return err
		}
	}
}
