package tokens

import "fmt"

// BlacklistReason says why a token was blacklisted or a family revoked:
// the reference's BlacklistReason. Stores keep it by its String() name.
type BlacklistReason uint8

// The reasons. The zero value, ReasonUnspecified, is what a store reports
// for an entry another program made (simplejwt's blacklist app in a shared
// Django database records no reason).
const (
	ReasonUnspecified BlacklistReason = iota
	// Logout: the user logged out (the blacklist endpoint, logout-all).
	Logout
	// Compromised: a security incident; also the reason a family is
	// revoked when one of its spent refresh tokens is presented again.
	Compromised
	// ManualRevoke: an administrator revoked the token.
	ManualRevoke
	// Rotated: the refresh token was spent by a rotation.
	Rotated
)

var reasonNames = [...]string{
	ReasonUnspecified: "unspecified",
	Logout:            "logout",
	Compromised:       "compromised",
	ManualRevoke:      "manual_revoke",
	Rotated:           "rotated",
}

// String returns the reason's name: "logout", "compromised",
// "manual_revoke", "rotated" ("unspecified" for the zero value).
func (r BlacklistReason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("BlacklistReason(%d)", uint8(r))
}

// ParseBlacklistReason returns the reason named s (as String writes it);
// an unknown name is ReasonUnspecified and false.
func ParseBlacklistReason(s string) (BlacklistReason, bool) {
	for i, n := range reasonNames {
		if n == s {
			return BlacklistReason(i), true
		}
	}
	return ReasonUnspecified, false
}

// Reasons lists the named reasons, in order.
func Reasons() []BlacklistReason {
	return []BlacklistReason{Logout, Compromised, ManualRevoke, Rotated}
}
