package sessions

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/reinhardt-go/auth/core"
)

// Defaults of a Manager made by NewManager.
const (
	// DefaultCookieName is Django's SESSION_COOKIE_NAME.
	DefaultCookieName = "sessionid"
	// DefaultIdleTimeout ends a session unused for an hour: the
	// reference's default TTL of 3600 seconds.
	DefaultIdleTimeout = time.Hour
	// DefaultLifetime ends every session two weeks after it was created
	// or logged in to, however active: Django's SESSION_COOKIE_AGE of
	// 1209600 seconds.
	DefaultLifetime = 1209600 * time.Second
)

// maxCookieSize is the largest cookie value a Manager reads or a
// CookieSessionBackend writes: 4096 bytes, what every browser keeps.
const maxCookieSize = 4096

// CookieConfig is how the session cookie is sent.
type CookieConfig struct {
	// Name of the cookie. Default "sessionid" (Django's
	// SESSION_COOKIE_NAME).
	Name string
	// Domain of the cookie. Default "": the cookie goes back to the host
	// that set it only.
	Domain string
	// Path of the cookie. Default "/".
	Path string
	// Secure sends the cookie over HTTPS only. Default true; turn it off
	// only for plain-HTTP development.
	Secure bool
	// HttpOnly hides the cookie from JavaScript. Default true.
	HttpOnly bool
	// SameSite is the cookie's SameSite attribute. Default
	// http.SameSiteLaxMode (Django's SESSION_COOKIE_SAMESITE); Strict also
	// keeps it off top-level navigations from other sites, None (which
	// needs Secure) sends it everywhere.
	SameSite http.SameSite
	// Persist gives the cookie a Max-Age (and Expires) equal to the time
	// left until the session expires, so the browser keeps it across
	// restarts exactly as long as the server would accept it. Default
	// true; false makes a browser-session cookie (Django's
	// SESSION_EXPIRE_AT_BROWSER_CLOSE), and the server-side timeouts
	// still apply.
	Persist bool
	// Partitioned sets the Partitioned attribute (CHIPS). Default false.
	Partitioned bool
}

// Manager loads sessions from requests and commits them to responses:
// the framework-agnostic session middleware. The adapters call Load at the
// start of a request and Commit before the response's headers go out;
// Handler does both for net/http. Use NewManager, which sets the
// documented defaults; change fields before the first request, not after.
// A Manager is safe for concurrent use.
type Manager struct {
	// Backend keeps the sessions. Required.
	Backend SessionBackend
	// Serializer encodes session values. Default JSON. Changing it ends the
	// sessions stored with another one (they read as not found).
	Serializer Serializer
	// Cookie is how the session cookie is sent. See CookieConfig for each
	// default.
	Cookie CookieConfig
	// IdleTimeout ends a session that was not used for this long: each
	// save keeps it for IdleTimeout from then, and an unmodified session
	// is saved again when its expiry needs extending (see TouchInterval).
	// Default DefaultIdleTimeout (1 h, the reference's TTL). Zero turns it
	// off: sessions then last their whole Lifetime.
	IdleTimeout time.Duration
	// Lifetime is the absolute timeout: a session ends this long after it
	// was created (or logged in to) however active it is. Default
	// DefaultLifetime (2 weeks, Django's SESSION_COOKIE_AGE). Zero means
	// unlimited, which needs an IdleTimeout.
	Lifetime time.Duration
	// TouchInterval limits how often a session that was used but not
	// modified is saved just to extend its idle timeout: only once its
	// expiry is more than TouchInterval older than it would be if saved
	// now. The effective idle timeout is then between
	// IdleTimeout-TouchInterval and IdleTimeout. Default zero, meaning a
	// tenth of IdleTimeout (6 minutes for an hour).
	TouchInterval time.Duration
	// ErrorHandler answers a request whose session could not be loaded or
	// committed (Handler only). Default: core.WriteError, so a store
	// failure is 503, ErrConflict 409, anything else 500.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives the failures the Manager does not return (a touch
	// that could not be saved, a stale session that could not be removed)
	// at Warn level; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now. Tests set it together with the
	// backend's clock.
	Now func() time.Time
	// Adopt, when set, brings in the session of a request that arrives
	// without one of this Manager's: the session another library issued
	// before a service moved to this one, so that the move logs nobody
	// out (core/sessions/gorillaimport's Importer.Adopt reads
	// gorilla/sessions' cookies). Every adapter's session middleware calls
	// Load, so all of them adopt. Default nil: nothing is adopted.
	//
	// Load calls Adopt only when the request's session cookie names no
	// stored session (there is none, or the store does not know it). Adopt
	// reads what it needs from r, and when it finds an old session it puts
	// that session's values into s — new, empty and without a key — with
	// Set (or logs a user in to it with SessionAuthentication.Login) and
	// reports adopted = true; s is then a session modified during the
	// request, so Commit saves it under a new key and sets the session
	// cookie. The cookies Adopt returns (the old cookie expired,
	// typically) are set by Commit with the session cookie, when the
	// session is adopted and Commit succeeds.
	//
	// Nothing is half-imported: when Adopt reports adopted = false, or
	// when the values it put into s cannot be stored (a type the
	// Serializer cannot encode, over the size limit, the reserved key
	// "_session_created"), Load drops s and the cookies and the request
	// goes on with a new, empty session. An old session that cannot be
	// read (not authentic, expired, malformed) is adopted = false with a
	// nil error. An error means a store failed (wrapping
	// core.ErrStoreUnavailable): Load returns it and the request fails
	// closed. Adopt is called concurrently.
	Adopt func(ctx context.Context, r core.Request, s *Session) (setCookies []*http.Cookie, adopted bool, err error)
}

// NewManager returns a Manager over b with the defaults: JSON; the cookie
// "sessionid" on path "/", Secure, HttpOnly, SameSite=Lax, persistent; an
// idle timeout of an hour and a lifetime of two weeks.
func NewManager(b SessionBackend) *Manager {
	return &Manager{
		Backend:    b,
		Serializer: JSON,
		Cookie: CookieConfig{
			Name:     DefaultCookieName,
			Path:     "/",
			Secure:   true,
			HttpOnly: true,
			SameSite: http.SameSiteLaxMode,
			Persist:  true,
		},
		IdleTimeout: DefaultIdleTimeout,
		Lifetime:    DefaultLifetime,
	}
}

func (m *Manager) backend() SessionBackend { return m.Backend }

func (m *Manager) serializer() Serializer {
	if m.Serializer == nil {
		return JSON
	}
	return m.Serializer
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Manager) logger() *slog.Logger {
	if m.Logger != nil {
		return m.Logger
	}
	return slog.Default()
}

func (m *Manager) cookieName() string {
	if m.Cookie.Name == "" {
		return DefaultCookieName
	}
	return m.Cookie.Name
}

// ttl is how long a save keeps a session: the idle timeout, or the
// lifetime when there is none, or an hour.
func (m *Manager) ttl() time.Duration {
	switch {
	case m.IdleTimeout > 0:
		return m.IdleTimeout
	case m.Lifetime > 0:
		return m.Lifetime
	}
	return defaultTTL
}

func (m *Manager) touchInterval() time.Duration {
	if m.TouchInterval > 0 {
		return m.TouchInterval
	}
	return m.IdleTimeout / 10
}

// New returns a new, empty session with no key.
func (m *Manager) New() *Session { return &Session{m: m, ttl: m.ttl()} }

// Open returns the session stored under id. A key the backend does not
// know — never issued, expired, past the Manager's Lifetime, tampered
// with, or stored with another serializer — gives a new, empty session
// without a key: a client-supplied key is never adopted, and the next save
// creates a fresh one. An error means the backend failed; the request must
// then fail closed.
func (m *Manager) Open(ctx context.Context, id SessionID) (*Session, error) {
	s := m.New()
	s.clientID = id
	if id == "" || len(id) > maxCookieSize {
		return s, nil
	}
	rec, found, err := m.Backend.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	now := m.now()
	if !found || !rec.Expiry.After(now) {
		return s, nil
	}
	if err := s.decode(rec.Data); err != nil {
		m.logger().WarnContext(ctx, "sessions: stored session cannot be decoded; starting a new one", "error", err)
		s.vals, s.created = nil, time.Time{}
		return s, nil
	}
	s.key, s.version, s.expiry = id, rec.Version, rec.Expiry
	if d := s.deadline(); !d.IsZero() && !d.After(now) {
		// Past its lifetime (the Lifetime was shortened since it was
		// saved): remove it and start over.
		if err := m.Backend.Delete(WithDeleteReason(ctx, DeleteExpired), id); err != nil {
			m.logger().WarnContext(ctx, "sessions: removing a session past its lifetime failed", "error", err)
		}
		return m.New(), nil
	}
	return s, nil
}

// Load returns the session of request r, from its session cookie (see
// Open): a request without a usable cookie gets a new, empty session, or
// the session Adopt finds in the request.
func (m *Manager) Load(ctx context.Context, r core.Request) (*Session, error) {
	s, err := m.Open(ctx, SessionID(r.Cookie(m.cookieName())))
	if err != nil || m.Adopt == nil || s.stored() {
		return s, err
	}
	return m.adopt(ctx, r, s)
}

// Commit saves s if it needs saving and sets or ends the session cookie on
// w; call it once, after the handler and before the response's headers go
// out. A session is saved when it was modified (and is not empty), or when
// it was used and its idle timeout needs extending; an emptied or flushed
// session is deleted and its cookie expired, and so is the cookie of a
// request that used its session when the store did not know the cookie's
// key (Django's SessionMiddleware deletes it too). An error (ErrConflict: the
// session was changed or logged out by another request meanwhile; a store
// failure) means the session was not saved and no cookie was set: answer
// the request with it. The cookies Adopt asked for are set with the
// session cookie.
//
// A client that goes away after sending its request cancels the request's
// context (net/http, Gin and Echo do), but the request it sent still
// happened: Commit runs detached from that cancellation, so the session
// the handler changed is saved and an emptied one deleted, within the
// context's deadline when it has one and commitTimeout (10 s) when not.
func (m *Manager) Commit(ctx context.Context, s *Session, w core.Response) error {
	if err := m.commit(ctx, s, w); err != nil {
		return err
	}
	for _, c := range s.setCookies {
		w.SetCookie(c)
	}
	s.setCookies = nil
	return nil
}

// commitTimeout bounds a Commit whose request context has no deadline.
const commitTimeout = 10 * time.Second

// detached runs the store call f of a Commit with ctx without its
// cancellation but with its deadline, or commitTimeout from now when it
// has none. Only the calls are detached: a request that neither saves nor
// deletes its session pays nothing for it.
func detached(ctx context.Context, f func(context.Context) error) error {
	var cancel context.CancelFunc
	if d, ok := ctx.Deadline(); ok {
		ctx, cancel = context.WithDeadline(context.WithoutCancel(ctx), d)
	} else {
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	}
	defer cancel()
	return f(ctx)
}

func (m *Manager) commit(ctx context.Context, s *Session, w core.Response) error {
	if s.accessed {
		addVary(w.Header(), "Cookie")
	}
	switch {
	case len(s.vals) == 0 && (s.modified || s.flushed):
		// Nothing to keep (Django deletes the cookie of an emptied
		// session).
		if s.stored() {
			if err := detached(ctx, func(ctx context.Context) error { return m.Backend.Delete(ctx, s.key) }); err != nil {
				return err
			}
		}
		s.key, s.version, s.issued, s.modified = "", 0, false, false
		if s.clientID != "" {
			w.SetCookie(m.expiredCookie())
		}
		return nil
	case s.clientID != "" && (s.accessed || len(s.clientID) < minDjangoKey) && !s.stored() && len(s.vals) == 0:
		// The request used its session, and the cookie named one the
		// store does not know (expired, logged out, never issued), or the
		// cookie cannot be a key at all: Django deletes that cookie.
		w.SetCookie(m.expiredCookie())
		return nil
	case s.modified:
		if err := detached(ctx, s.Save); err != nil {
			return err
		}
	case s.stored() && m.needsTouch(s):
		if err := detached(ctx, s.Save); err != nil {
			// A touch only extends the expiry; when another request
			// saved meanwhile, it extended it too.
			if !errors.Is(err, ErrConflict) {
				m.logger().WarnContext(ctx, "sessions: extending a session's idle timeout failed", "error", err)
			}
			return nil
		}
	}
	if s.issued {
		w.SetCookie(m.cookie(s))
	}
	return nil
}

// minDjangoKey is the shortest value Django takes for a session key
// (SessionBase._validate_session_key); a shorter cookie is deleted even
// when the request does not use its session.
const minDjangoKey = 8

// needsTouch reports whether an unmodified session should be saved to
// extend its idle timeout.
func (m *Manager) needsTouch(s *Session) bool {
	if m.IdleTimeout <= 0 {
		return false
	}
	now := m.now()
	target := now.Add(s.ttl)
	if d := s.deadline(); !d.IsZero() && target.After(d) {
		target = d
	}
	return target.Sub(s.expiry) > m.touchInterval()
}

func (m *Manager) cookie(s *Session) *http.Cookie {
	c := &http.Cookie{
		Name:        m.cookieName(),
		Value:       string(s.key),
		Path:        m.Cookie.Path,
		Domain:      m.Cookie.Domain,
		Secure:      m.Cookie.Secure,
		HttpOnly:    m.Cookie.HttpOnly,
		SameSite:    m.Cookie.SameSite,
		Partitioned: m.Cookie.Partitioned,
	}
	if m.Cookie.Persist {
		age := s.expiry.Sub(m.now())
		c.MaxAge = max(int(age/time.Second), 1)
		c.Expires = s.expiry.UTC()
	}
	return c
}

func (m *Manager) expiredCookie() *http.Cookie {
	return &http.Cookie{
		Name:        m.cookieName(),
		Value:       "",
		Path:        m.Cookie.Path,
		Domain:      m.Cookie.Domain,
		Secure:      m.Cookie.Secure,
		HttpOnly:    m.Cookie.HttpOnly,
		SameSite:    m.Cookie.SameSite,
		Partitioned: m.Cookie.Partitioned,
		MaxAge:      -1,
		Expires:     time.Unix(0, 0).UTC(),
	}
}

// addVary adds v to the Vary header unless it is there.
func addVary(h http.Header, v string) {
	for _, have := range h.Values("Vary") {
		if have == v {
			return
		}
	}
	h.Add("Vary", v)
}

type sessionKey struct{}

// NewContext returns a context carrying s.
func NewContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// FromContext returns the session in ctx, nil when no session middleware
// ran.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}
