package sessions

// SetClient records the client of a login (its User-Agent and its IP
// address) for the session's next save, where a backend that lists
// sessions by user (core/sessions/usersessions) keeps it with the
// session, the User-Agent cut by usersessions.ClipUserAgent:
// Record.UserAgent and Record.IP. The session's data is not changed.
// LoginEndpoint calls it.
func (s *Session) SetClient(userAgent, ip string) {
	s.clientUA, s.clientIP = userAgent, ip
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
