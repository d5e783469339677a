package logtag

import (
	"crypto/sha256"
	"encoding/hex"
)

// Key returns a short, non-reversible name of a session's storage key
// (sessions.StorageKey) for logs: the first 12 hex characters of its
// hash (48 of the 160 bits stored), so an operator can find the record in
// the store, and nobody can find the key.
func Key(key string) string {
	if len(key) >= 40 {
		return key[len(key)-40 : len(key)-28]
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:6])
}
