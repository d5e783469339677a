package validators

import (
	"errors"
	"strings"
)

// The error codes of Django's built-in validators, found in
// [ErrorDetail.Code].
const (
	// CodePasswordTooShort is MinimumLengthValidator's code.
	CodePasswordTooShort = "password_too_short"
	// CodePasswordTooSimilar is UserAttributeSimilarityValidator's code.
	CodePasswordTooSimilar = "password_too_similar"
	// CodePasswordTooCommon is CommonPasswordValidator's code.
	CodePasswordTooCommon = "password_too_common"
	// CodePasswordEntirelyNumeric is NumericPasswordValidator's code.
	CodePasswordEntirelyNumeric = "password_entirely_numeric"
)

// Validator checks a password: one entry of Django's
// AUTH_PASSWORD_VALIDATORS.
type Validator interface {
	// Validate returns nil when the password passes, a *ValidationError
	// when it does not, and any other error when the validator itself
	// cannot work (a bad configuration, an unreadable password list).
	// user may be nil, as Django's user=None: validators that need a user
	// then pass.
	Validate(password string, user UserAttributes) error
	// HelpText describes the rule to the user, as get_help_text().
	HelpText() string
}

// UserAttributes gives validators the user's personal information, read by
// Django field name: "username", "first_name", "last_name", "email".
//
// [Attrs] implements it for a plain map, which is all a registration
// handler needs; a user type can implement it directly, and [AttributesOf]
// adapts any value with GetUsername/GetEmail/GetFirstName/GetLastName
// getters.
type UserAttributes interface {
	// UserAttribute returns the value of the named attribute, or "" when
	// the user has no such attribute. Empty values are skipped, as Django
	// skips empty and non-string ones.
	UserAttribute(name string) string
}

// VerboseNamer is an optional interface for a UserAttributes: it names an
// attribute in error messages, as a Django model field's verbose_name.
// Returning "" falls back to the defaults of Django's User model
// ("username", "first name", "last name", "email address", "password"),
// and then to the attribute name itself, which is what Django shows for an
// attribute that is not a model field.
type VerboseNamer interface {
	VerboseName(attribute string) string
}

// Attrs is a UserAttributes backed by a map from Django field name to
// value:
//
//	validators.Attrs{"username": form.Username, "email": form.Email}
type Attrs map[string]string

// UserAttribute returns a[name].
func (a Attrs) UserAttribute(name string) string { return a[name] }

// AttributesOf collects the attributes of a user value through whichever
// of these methods it has: GetUsername, GetFirstName, GetLastName and
// GetEmail (each func() string), stored under "username", "first_name",
// "last_name" and "email". A value with none of them gives an empty Attrs.
func AttributesOf(user any) Attrs {
	a := Attrs{}
	if u, ok := user.(interface{ GetUsername() string }); ok {
		a["username"] = u.GetUsername()
	}
	if u, ok := user.(interface{ GetFirstName() string }); ok {
		a["first_name"] = u.GetFirstName()
	}
	if u, ok := user.(interface{ GetLastName() string }); ok {
		a["last_name"] = u.GetLastName()
	}
	if u, ok := user.(interface{ GetEmail() string }); ok {
		a["email"] = u.GetEmail()
	}
	return a
}

// ErrorDetail is one failed rule: the English message exactly as Django
// words it, and its machine-readable code (one of the Code… constants for
// the built-in validators).
type ErrorDetail struct {
	Message string
	Code    string
}

// ValidationError is Django's ValidationError carrying an error list: every
// rule the password failed, in validator order. Retrieve it with errors.As:
//
//	var ve *validators.ValidationError
//	if errors.As(err, &ve) { ... ve.Messages() ... }
type ValidationError struct {
	Errors []ErrorDetail
}

func newValidationError(message, code string) *ValidationError {
	return &ValidationError{Errors: []ErrorDetail{{Message: message, Code: code}}}
}

// Error joins the messages with "; ".
func (e *ValidationError) Error() string {
	if len(e.Errors) == 0 {
		return "password validation failed"
	}
	return strings.Join(e.Messages(), "; ")
}

// Messages returns the messages in order: Django's ValidationError.messages,
// the list DRF renders as {"password": [...]}.
func (e *ValidationError) Messages() []string {
	out := make([]string, len(e.Errors))
	for i, d := range e.Errors {
		out[i] = d.Message
	}
	return out
}

// Codes returns the codes in order.
func (e *ValidationError) Codes() []string {
	out := make([]string, len(e.Errors))
	for i, d := range e.Errors {
		out[i] = d.Code
	}
	return out
}

// Validate is Django's validate_password: it runs every validator in vs, in
// order, and returns nil when all pass, or one *ValidationError listing
// every failure (each validator reports at most one). Like Django, which
// catches only ValidationError, it stops at and returns the first other
// error, so a misconfigured validator fails closed.
//
// With no validators it returns nil: Django's AUTH_PASSWORD_VALIDATORS is
// empty by default. Pass [DefaultValidators]() for the usual set. Nil
// entries in vs are skipped.
func Validate(password string, user UserAttributes, vs ...Validator) error {
	var details []ErrorDetail
	failed := false
	for _, v := range vs {
		if v == nil {
			continue
		}
		err := v.Validate(password, user)
		if err == nil {
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		failed = true
		if ve != nil {
			details = append(details, ve.Errors...)
		}
	}
	if !failed {
		return nil
	}
	return &ValidationError{Errors: details}
}

// HelpTexts is Django's password_validators_help_texts: the help text of
// each validator, in order. Nil entries are skipped.
func HelpTexts(vs ...Validator) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if v != nil {
			out = append(out, v.HelpText())
		}
	}
	return out
}

// DefaultValidators returns a new set of the four built-in validators with
// Django's default options, in the order of the AUTH_PASSWORD_VALIDATORS
// that django-admin startproject writes: user attribute similarity,
// minimum length (8), common passwords, numeric.
//
// Each call returns fresh validators, but the decoded common-password list
// is shared (see [CommonPasswordValidator]), so calling this per request is
// cheap.
func DefaultValidators() []Validator {
	return []Validator{
		UserAttributeSimilarityValidator{},
		MinimumLengthValidator{},
		&CommonPasswordValidator{},
		NumericPasswordValidator{},
	}
}
