package validators

import (
	"errors"
	"fmt"
	"math"
)

// DefaultMaxSimilarity is UserAttributeSimilarityValidator's default
// max_similarity.
const DefaultMaxSimilarity = 0.7

// MinMaxSimilarity is the smallest max_similarity Django accepts: below it
// almost every password would be rejected.
const MinMaxSimilarity = 0.1

// ErrInvalidMaxSimilarity is returned, wrapped, for a MaxSimilarity below
// [MinMaxSimilarity] (or NaN). Its text is Django's ValueError message.
var ErrInvalidMaxSimilarity = errors.New("max_similarity must be at least 0.1")

// DefaultUserAttributes returns Django's default user_attributes, a new
// slice on each call: "username", "first_name", "last_name", "email".
func DefaultUserAttributes() []string {
	return []string{"username", "first_name", "last_name", "email"}
}

// UserAttributeSimilarityValidator is Django's
// UserAttributeSimilarityValidator: the password must not be too similar
// to the user's personal information.
//
// For each attribute in UserAttributes that is non-empty, the value is
// lower-cased (Python's str.lower) and compared, as a whole and as each
// piece of re.split(r"\W+", value) — so the local part and the domain of
// an e-mail address count separately — with the lower-cased password. The
// password is too similar when difflib's SequenceMatcher.quick_ratio() of
// the two reaches MaxSimilarity. A piece at least ten times shorter than
// the password, and shorter than MaxSimilarity/2 × len(password), is
// skipped without comparing: its ratio cannot reach MaxSimilarity. The
// first attribute found too similar is reported.
//
// Zero values take Django's defaults: a nil UserAttributes means
// [DefaultUserAttributes] (a non-nil empty slice checks nothing, as
// Django's user_attributes=()), and MaxSimilarity 0 means
// [DefaultMaxSimilarity]. Any other MaxSimilarity below 0.1, and NaN, is
// rejected: [NewUserAttributeSimilarityValidator] and Validate return
// ErrInvalidMaxSimilarity (Django raises ValueError in the constructor;
// it lets NaN through, which would silently disable the check). A
// MaxSimilarity above 1 is accepted, as in Django, and never matches.
type UserAttributeSimilarityValidator struct {
	UserAttributes []string
	MaxSimilarity  float64
}

// NewUserAttributeSimilarityValidator returns a validator with the given
// options (nil and 0 mean the defaults), or ErrInvalidMaxSimilarity.
func NewUserAttributeSimilarityValidator(userAttributes []string, maxSimilarity float64) (UserAttributeSimilarityValidator, error) {
	v := UserAttributeSimilarityValidator{UserAttributes: userAttributes, MaxSimilarity: maxSimilarity}
	if _, err := v.maxSimilarity(); err != nil {
		return UserAttributeSimilarityValidator{}, err
	}
	return v, nil
}

func (v UserAttributeSimilarityValidator) maxSimilarity() (float64, error) {
	switch {
	case v.MaxSimilarity == 0:
		return DefaultMaxSimilarity, nil
	case math.IsNaN(v.MaxSimilarity) || v.MaxSimilarity < MinMaxSimilarity:
		return 0, fmt.Errorf("validators: %w (got %v)", ErrInvalidMaxSimilarity, v.MaxSimilarity)
	}
	return v.MaxSimilarity, nil
}

// Validate fails with code password_too_similar and the message "The
// password is too similar to the <verbose name>.", where the verbose name
// comes from [VerboseNamer] or Django's User model ("username", "first
// name", "last name", "email address"). A nil user passes. A bad
// MaxSimilarity gives ErrInvalidMaxSimilarity, whatever the user.
func (v UserAttributeSimilarityValidator) Validate(password string, user UserAttributes) error {
	maxSim, err := v.maxSimilarity()
	if err != nil {
		return err
	}
	if user == nil {
		return nil
	}
	attrs := v.UserAttributes
	if attrs == nil {
		attrs = DefaultUserAttributes()
	}
	var pw []rune // lower-cased on first use
	for _, name := range attrs {
		value := user.UserAttribute(name)
		if value == "" {
			continue
		}
		if pw == nil {
			pw = pyLower(password)
		}
		valueLower := pyLower(value)
		parts := append(splitNonWord(valueLower), valueLower)
		for _, part := range parts {
			if exceedsMaximumLengthRatio(len(pw), maxSim, len(part)) {
				continue
			}
			if quickRatio(pw, part) >= maxSim {
				return newValidationError(
					"The password is too similar to the "+verboseName(user, name)+".",
					CodePasswordTooSimilar)
			}
		}
	}
	return nil
}

// HelpText returns "Your password can’t be too similar to your other
// personal information." (with Django's typographic apostrophe U+2019).
func (UserAttributeSimilarityValidator) HelpText() string {
	return "Your password can\u2019t be too similar to your other personal information."
}

// exceedsMaximumLengthRatio is Django's exceeds_maximum_length_ratio: true
// when the value is so much shorter than the password that quick_ratio
// cannot reach maxSimilarity (it is at most 2/length ratio), so the
// comparison can be skipped. The float arithmetic follows Python's
// "max_similarity / 2 * pwd_len".
func exceedsMaximumLengthRatio(pwdLen int, maxSimilarity float64, valueLen int) bool {
	lengthBoundSimilarity := maxSimilarity / 2 * float64(pwdLen)
	return pwdLen >= 10*valueLen && float64(valueLen) < lengthBoundSimilarity
}

// verboseName names an attribute in the too-similar message.
func verboseName(user UserAttributes, attribute string) string {
	if vn, ok := user.(VerboseNamer); ok {
		if s := vn.VerboseName(attribute); s != "" {
			return s
		}
	}
	switch attribute {
	case "first_name":
		return "first name"
	case "last_name":
		return "last name"
	case "email":
		return "email address"
	}
	// "username", "password" and anything that is not a field of Django's
	// User model are shown as named.
	return attribute
}
