package usersessions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
)

// Session is one live session of a user, as a Lister lists it: nothing in
// it is the session key or can be turned into it.
type Session struct {
	// Handle names the session to EndUserSession: Handle of its storage
	// key (HandleOf its id), safe to put in a page.
	Handle string
	// Created is when the backend first saw the session with this user
	// (the login's save); LastSeen is its last save (a change, or an
	// idle timeout extended); Expiry is the session's expiry.
	Created, LastSeen, Expiry time.Time
	// UserAgent (at most 200 bytes) and IP are the client of the
	// login; "" when none was recorded.
	UserAgent, IP string
}

// Lister is implemented by server-side session backends that index
// sessions by user. The contract, which storetest.TestSessionBackend
// checks:
//
//   - A saved record whose UserID is set is indexed under it; the first
//     such save records its UserAgent and IP, later saves only move
//     LastSeen and Expiry. A record without a UserID is never listed.
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
// Sessions are listed and ended within sessions.Namespace(ctx), as they
// are loaded.
type Lister interface {
	UserSessions(ctx context.Context, userID string) ([]Session, error)
	EndUserSession(ctx context.Context, userID, handle string) (bool, error)
}

// handleLen is the length of a handle: 32 hex characters, 128 bits of
// SHA-256 — a user's sessions never collide, and nothing leads back to
// the storage key, let alone the session key.
const handleLen = 32

// Handle returns the handle of the session stored under storageKey
// (sessions.StorageKey): the first 128 bits of SHA-256 over a fixed label
// and the storage key, in hex. The storage key is itself a hash of the
// session key, so the handle cannot be turned into either.
func Handle(storageKey string) string {
	sum := sha256.Sum256([]byte("reinhardt-auth session handle\x00" + storageKey))
	return hex.EncodeToString(sum[:handleLen/2])
}

// HandleOf returns the handle of session id under ctx's namespace ("" for
// no id): how a page marks "this browser" among the listed sessions.
func HandleOf(ctx context.Context, id sessions.SessionID) string {
	if id == "" {
		return ""
	}
	return Handle(sessions.StorageKey(ctx, id))
}

// MaxUserAgent is how much of a login's User-Agent header a Lister keeps
// (Session.UserAgent): 200 bytes.
const MaxUserAgent = 200

// ClipUserAgent is ua cut to MaxUserAgent bytes at a character boundary
// (a character cut in two, invalid UTF-8, is dropped): what a Lister
// stores of Record.UserAgent.
func ClipUserAgent(ua string) string {
	if len(ua) <= MaxUserAgent {
		return ua
	}
	return strings.ToValidUTF8(ua[:MaxUserAgent], "")
}

// InNamespace reports whether storageKey is a storage key of namespace ns
// (sessions.StorageKey under a context of that namespace): ns followed by
// the 40 characters of the hash, exactly. A prefix test alone would put
// every namespace's keys in "", the namespace of a request with none, and
// list a tenant's sessions to it.
func InNamespace(storageKey, ns string) bool {
	return len(storageKey) == len(ns)+40 && strings.HasPrefix(storageKey, ns)
}
