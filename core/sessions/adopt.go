package sessions

import (
	"context"
	"net/http"

	"github.com/reinhardt-go/auth/core"
)

// An Adopter brings in the session of a request that arrives without one
// of this Manager's: the session another library issued before a service
// moved to this one (core/sessions/gorillaimport reads gorilla/sessions'
// cookies), so that the move logs nobody out. Set it as Manager.Adopter;
// every adapter's session middleware calls Manager.Load, so all of them
// adopt.
//
// Adopt is called by Manager.Load only when the request's session cookie
// names no stored session (there is none, or the store does not know it).
// It reads what it needs from r, and when it finds an old session it
// puts that session's values into s — new, empty and without a key — with
// Set (or logs a user in to it with SessionAuthentication.Login) and
// reports adopted = true; the Manager then treats s as a session modified
// during the request, so Commit saves it under a new key and sets the
// session cookie. Cookies returned in setCookies (the old cookie
// expired, typically) are set by Commit with the session cookie, when the
// session is adopted and Commit succeeds.
//
// Adopt never half-imports: when it reports adopted = false, or when the
// values it put into s cannot be stored (a type the Manager's serializer
// cannot encode, over the size limit, the reserved key
// "_session_created"), the Manager drops s and its cookies, and the
// request goes on with a new, empty session. An old session that cannot be read (not
// authentic, expired, malformed) is adopted = false with a nil error. An
// error means a store failed (wrapping core.ErrStoreUnavailable): Load
// returns it and the request fails closed.
//
// An Adopter is called concurrently and must be safe for that.
type Adopter interface {
	Adopt(ctx context.Context, r core.Request, s *Session) (setCookies []*http.Cookie, adopted bool, err error)
}

// adopt runs the Manager's Adopter for a request that brought no stored
// session; fresh is the new, empty session Open made for it. It returns
// the session the request goes on with.
func (m *Manager) adopt(ctx context.Context, r core.Request, fresh *Session) (*Session, error) {
	s := m.New()
	s.clientID = fresh.clientID
	cookies, adopted, err := m.Adopter.Adopt(ctx, r, s)
	if err != nil {
		return nil, err
	}
	if adopted {
		if _, reserved := s.vals[createdKey]; reserved {
			m.logger().WarnContext(ctx, "sessions: the adopted session uses the reserved key "+createdKey+"; not adopted")
			adopted = false
		} else if _, err := m.encodeForStore(s); err != nil {
			m.logger().WarnContext(ctx, "sessions: the adopted session cannot be stored; not adopted", "error", err)
			adopted = false
		}
	}
	if !adopted {
		return fresh, nil
	}
	s.modified, s.accessed = true, true
	s.setCookies = cookies
	return s, nil
}

// encodeForStore encodes s as Save would, and checks the encoding against
// the backend's own limit when it has one.
func (m *Manager) encodeForStore(s *Session) ([]byte, error) {
	data, err := s.encode()
	if err != nil {
		return nil, err
	}
	if l, ok := m.Backend.(DataLimiter); ok {
		if limit := l.MaxData(); limit > 0 && len(data) > limit {
			return nil, ErrTooLarge
		}
	}
	return data, nil
}
