package core

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// NormalizeUsername applies Unicode NFKC normalization, as Django's
// AbstractBaseUser.normalize_username does, so that look-alike forms of a
// name ("iamtheΩ" with OHM SIGN, full-width letters, ligatures) become one.
// Django applies it when users are created, not at login lookup; this
// package does the same.
func NormalizeUsername(username string) string { return norm.NFKC.String(username) }

// NormalizeEmail is Django's BaseUserManager.normalize_email: the domain part
// (after the last "@") is lower-cased, the local part is left alone, and
// surrounding whitespace is removed; a string without "@" is returned as
// given.
func NormalizeEmail(email string) string {
	trimmed := strings.TrimSpace(email)
	i := strings.LastIndexByte(trimmed, '@')
	if i < 0 {
		return email
	}
	return trimmed[:i] + "@" + strings.ToLower(trimmed[i+1:])
}
