package sessions

import (
	"context"

	"github.com/reinhardt-go/auth/core"
)

// adopt runs the Manager's Adopt hook for a request that brought no stored
// session; fresh is the new, empty session Open made for it. It returns
// the session the request goes on with.
func (m *Manager) adopt(ctx context.Context, r core.Request, fresh *Session) (*Session, error) {
	s := m.New()
	s.clientID = fresh.clientID
	cookies, adopted, err := m.Adopt(ctx, r, s)
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
