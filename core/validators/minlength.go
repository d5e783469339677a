package validators

import (
	"fmt"
	"unicode/utf8"
)

// DefaultMinLength is MinimumLengthValidator's default min_length.
const DefaultMinLength = 8

// MinimumLengthValidator is Django's MinimumLengthValidator: the password
// must have at least MinLength characters (code points, as Python's len).
//
// MinLength zero or negative means [DefaultMinLength], so the zero value
// MinimumLengthValidator{} is Django's default. (Django's min_length=0,
// which accepts everything, is had by not using the validator.)
type MinimumLengthValidator struct {
	MinLength int
}

func (v MinimumLengthValidator) minLength() int {
	if v.MinLength <= 0 {
		return DefaultMinLength
	}
	return v.MinLength
}

// Validate fails with code password_too_short and the message "This
// password is too short. It must contain at least N characters." (singular
// "character" when N is 1). user is not used.
func (v MinimumLengthValidator) Validate(password string, _ UserAttributes) error {
	n := v.minLength()
	if utf8.RuneCountInString(password) < n {
		return newValidationError(ngettext(n,
			"This password is too short. It must contain at least %d character.",
			"This password is too short. It must contain at least %d characters."),
			CodePasswordTooShort)
	}
	return nil
}

// HelpText returns "Your password must contain at least N characters."
// (singular when N is 1).
func (v MinimumLengthValidator) HelpText() string {
	n := v.minLength()
	return ngettext(n,
		"Your password must contain at least %d character.",
		"Your password must contain at least %d characters.")
}

// ngettext picks the English singular or plural form as Django's ngettext
// does (singular exactly when n == 1) and formats n into it.
func ngettext(n int, singular, plural string) string {
	if n == 1 {
		return fmt.Sprintf(singular, n)
	}
	return fmt.Sprintf(plural, n)
}
