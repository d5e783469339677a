package sessions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Owner is whom a stored session belongs to, as Session.Save tells the
// backend in Record.Owner: the logged-in user's id (the session's
// SessionKey entry) and the client the login recorded. Backends that
// implement UserSessionLister index sessions by it; the others ignore it.
// It is never part of the session's data.
type Owner struct {
	// UserID is the session's user (Django's _auth_user_id). Never "".
	UserID string
	// UserAgent and IP are the client of the login that made the
	// session (Session.SetClient); "" on every later save, which keeps
	// what the backend recorded first.
	UserAgent, IP string
}

// MaxUserAgent is how much of a User-Agent header Session.SetClient
// keeps: 200 bytes, cut at a character boundary.
const MaxUserAgent = 200

// UserSession is one live session of a user, as UserSessionLister lists
// it: nothing in it is the session key or can be turned into it.
type UserSession struct {
	// Handle names the session to EndUserSession: SessionHandle of its
	// storage key, safe to put in a page.
	Handle string
	// Created is when the backend first saw the session with this user
	// (the login's save); LastSeen is its last save (a change, or an
	// idle timeout extended); Expiry is the session's expiry.
	Created, LastSeen, Expiry time.Time
	// UserAgent (at most MaxUserAgent bytes) and IP are the client of the
	// login; "" when none was recorded.
	UserAgent, IP string
}

// UserSessionLister is implemented by server-side backends that index
// sessions by user, as django-user-sessions does with a user column: the
// memory backend, stores/sqlstore's DatabaseSessionBackend and
// stores/redisstore's SessionBackend. A cookie backend cannot (the
// sessions live in the clients). The contract, which
// storetest.TestSessionBackend checks:
//
//   - A saved record whose Owner is set is indexed under Owner.UserID;
//     the first such save records Owner.UserAgent and Owner.IP, later
//     saves only move LastSeen and Expiry. A record without Owner is
//     never listed.
//   - UserSessions returns the live sessions of userID (not deleted, not
//     expired), in no particular order; an unknown user has none. A
//     session deleted or expired is never listed, whatever the index
//     still holds.
//   - EndUserSession deletes the session named by handle, only if it is
//     a live session of userID, and reports whether it did; a handle of
//     another user's session, an unknown or malformed handle is (false,
//     nil) and changes nothing.
//   - Errors mean the store failed and wrap core.ErrStoreUnavailable (a
//     done ctx included).
//
// Sessions are listed within Namespace(ctx), as they are loaded.
type UserSessionLister interface {
	UserSessions(ctx context.Context, userID string) ([]UserSession, error)
	EndUserSession(ctx context.Context, userID, handle string) (bool, error)
}

// handleLen is the length of a handle: 24 hex characters, 96 bits of
// SHA-256 — a user's sessions never collide, and nothing leads back to
// the storage key, let alone the session key.
const handleLen = 24

// SessionHandle returns the handle of the session stored under
// storageKey: the first 96 bits of SHA-256 over a fixed label and the
// storage key, in hex. The storage key is itself a hash of the session
// key, so the handle cannot be turned into either.
func SessionHandle(storageKey string) string {
	sum := sha256.Sum256([]byte("reinhardt-auth session handle\x00" + storageKey))
	return hex.EncodeToString(sum[:handleLen/2])
}

// HandleOf returns the handle of session id under ctx's namespace: how a
// page marks "this browser" among UserSessions.
func HandleOf(ctx context.Context, id SessionID) string {
	if id == "" {
		return ""
	}
	return SessionHandle(StorageKey(ctx, id))
}

// IsHandle reports whether h has the form SessionHandle gives.
func IsHandle(h string) bool {
	if len(h) != handleLen {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// SetClient records the client of a login (its User-Agent, cut to
// MaxUserAgent bytes, and its IP address) for the session's next save,
// where a UserSessionLister backend keeps it with the session. The
// session's data is not changed. LoginEndpoint calls it.
func (s *Session) SetClient(userAgent, ip string) {
	if len(userAgent) > MaxUserAgent {
		userAgent = userAgent[:MaxUserAgent]
	}
	// A character cut in two is invalid UTF-8, and dropped.
	s.clientUA, s.clientIP = strings.ToValidUTF8(userAgent, ""), ip
}

// owner is the Owner of the record Save writes: nil when no user is
// logged in to the session. It does not mark the session accessed.
func (s *Session) owner() *Owner {
	accessed := s.accessed
	uid, ok := GetAs[string](s, SessionKey)
	s.accessed = accessed
	if !ok || uid == "" {
		return nil
	}
	return &Owner{UserID: uid, UserAgent: s.clientUA, IP: s.clientIP}
}
