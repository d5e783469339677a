package sessions

import "strings"

// maxUserAgent is how much of a User-Agent header Session.SetClient
// keeps: 200 bytes, cut at a character boundary.
const maxUserAgent = 200

// SetClient records the client of a login (its User-Agent, cut to
// 200 bytes, and its IP address) for the session's next save, where a
// backend that lists sessions by user (core/sessions/usersessions) keeps
// it with the session: Record.UserAgent and Record.IP. The
// session's data is not changed. LoginEndpoint calls it.
func (s *Session) SetClient(userAgent, ip string) {
	if len(userAgent) > maxUserAgent {
		userAgent = userAgent[:maxUserAgent]
	}
	// A character cut in two is invalid UTF-8, and dropped.
	s.clientUA, s.clientIP = strings.ToValidUTF8(userAgent, ""), ip
}

// owned sets the owner fields of rec, the record Save writes: the
// logged-in user's id ("" when nobody is logged in) and the login's
// client. It does not mark the session accessed.
func (s *Session) owned(rec Record) Record {
	accessed := s.accessed
	uid, ok := GetAs[string](s, SessionKey)
	s.accessed = accessed
	if !ok || uid == "" {
		return rec
	}
	rec.UserID, rec.UserAgent, rec.IP = uid, s.clientUA, s.clientIP
	return rec
}
