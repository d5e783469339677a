// Package storetest is the conformance suite every user store runs, in the
// manner of testing/fstest.TestFS:
//
//	func TestMyStore(t *testing.T) {
//		storetest.TestUserStore(t, func(t *testing.T) storetest.Store {
//			return newEmptyStore(t)
//		})
//	}
//
// It checks each sentence of the core.UserStore contract: an unknown user
// is (nil, nil) with an untyped nil; usernames match exactly (no case
// folding, no normalization at lookup; NFKC only at creation); password
// hashes and last-login times round-trip; duplicate usernames are refused
// with core.ErrDuplicateUsername, also when 32 goroutines race to create
// the same name (exactly one wins); so is, at creation, a username that
// differs from a user's only in case (core.FoldUsername, as Django 4.2),
// also when 20 goroutines race with 20 case variants of one name (exactly
// one wins), while users a database already has that differ only in case
// (made through a Renamer here) still log in by their exact names; created users are active and
// superusers staff; concurrent writes and reads are race-free; a done
// context makes every method fail promptly with core.ErrStoreUnavailable;
// and core.ModelBackend authenticates, upgrades and refuses through the
// store as Django's ModelBackend does. A store that implements
// PermissionAdmin is also checked to load own and group permissions.
//
// Run it under the race detector.
package storetest
