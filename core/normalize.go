package core

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// NormalizeUsername applies Unicode NFKC normalization, as Django's
// AbstractBaseUser.normalize_username does, so that look-alike forms of a
// name ("iamtheΩ" with OHM SIGN, full-width letters, ligatures) become one.
// Django applies it when users are created, not at login lookup; this
// package does the same.
func NormalizeUsername(username string) string { return norm.NFKC.String(username) }

// NormalizeTypedUsername is a username as a form takes it (Django's
// UsernameField, at login and registration): NormalizeUsername, unless it
// is longer than MaxUsernameLength characters, which is left as typed (it
// names nobody, and a registration refuses it by its length).
func NormalizeTypedUsername(username string) string {
	if utf8.RuneCountInString(username) > MaxUsernameLength {
		return username
	}
	return NormalizeUsername(username)
}

// FoldUsername returns the form by which usernames that differ only in
// case are one: each character replaced by the least character of its
// Unicode simple case-folding orbit (so "Bob", "BOB" and "bob" fold alike,
// as do "ſam" with U+017F LONG S and "sam", and "K" with U+212A KELVIN
// SIGN and "k"). FoldUsername(a) == FoldUsername(b) exactly when
// strings.EqualFold(a, b). User creation refuses a username whose folded
// form a user already has, as Django 4.2's UserCreationForm does with
// username__iexact; a lookup at login stays exact. Folding keeps the
// number of characters, which SQL stores use to narrow their search.
func FoldUsername(username string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, username)
}

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

// FoldEmail returns the form in which two e-mail addresses that are "the
// same address" for a password reset are equal: NFKC normalization, then
// full Unicode case folding. It is Django's _unicode_ci_compare (Unicode
// Technical Report 36, section 2.11.2(B)(2)), which PasswordResetForm's
// get_users applies after the database's email__iexact, so that an
// address that only looks like a user's ("ß" for "ss", a dotless "ı")
// never gets that user's reset link. "" folds to "".
func FoldEmail(email string) string {
	return cases.Fold().String(norm.NFKC.String(email))
}
