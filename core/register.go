package core

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core/validators"
)

// Messages of Django's User model and DRF's fields.
const (
	msgRequired        = "This field is required."
	msgBlank           = "This field may not be blank."
	msgInvalidUsername = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
	msgInvalidEmail    = "Enter a valid email address."
)

// usernameRE is Django's UnicodeUsernameValidator, ^[\w.@+-]+\Z, with
// Python's Unicode \w: letters, numbers and the underscore.
var usernameRE = regexp.MustCompile(`^[\p{L}\p{N}_.@+-]+$`)

// MaxEmailLength is Django's EmailField max_length.
const MaxEmailLength = 254

// MaxUsernameLength is Django's auth_user.username max_length.
const MaxUsernameLength = 150

// ValidateUsername checks a username as Django's User model does: present,
// at most 150 characters, letters, digits and @/./+/-/_ only. It returns
// the messages, nil when valid.
func ValidateUsername(username string) []string {
	switch {
	case username == "":
		return []string{msgBlank}
	case utf8.RuneCountInString(username) > MaxUsernameLength:
		return []string{maxLengthMessage(MaxUsernameLength)}
	case !usernameRE.MatchString(username):
		return []string{msgInvalidUsername}
	}
	return nil
}

func maxLengthMessage(n int) string {
	return "Ensure this field has no more than " + strconv.Itoa(n) + " characters."
}

// RegistrationEndpoint creates users from {"username","email","password"}
// (JSON or form): 201 {"id","username","email"}, or 400 with Django's and
// DRF's messages per field, password validators included. The username is
// NFKC-normalized before it is checked and stored, as Django's
// UsernameField does.
type RegistrationEndpoint struct {
	Users BaseUserManager[*DefaultUser]
	// Validators judge the password; nil means validators.DefaultValidators().
	Validators []validators.Validator
	// MaxBodyBytes caps the body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

type registration struct {
	Username *string `json:"username"`
	Email    *string `json:"email"`
	Password *string `json:"password"`
}

// Serve implements Endpoint.
func (e *RegistrationEndpoint) Serve(w Response, r Request) error {
	var in registration
	if err := DecodeBody(r, e.MaxBodyBytes, &in); err != nil {
		return err
	}
	// DRF's order: the serializer's fields username, email, password.
	var verr FieldErrors
	username, email, password := deref(in.Username), deref(in.Email), deref(in.Password)
	username = NormalizeTypedUsername(username)
	if in.Username == nil {
		verr.Add("username", msgRequired)
	} else if msgs := ValidateUsername(username); msgs != nil {
		verr.Set("username", msgs)
	}
	switch {
	case utf8.RuneCountInString(email) > MaxEmailLength:
		verr.Add("email", maxLengthMessage(MaxEmailLength))
	case email != "" && !ValidEmail(email):
		verr.Add("email", msgInvalidEmail)
	}
	switch {
	case in.Password == nil:
		verr.Add("password", msgRequired)
	case password == "":
		verr.Add("password", msgBlank)
	case len(password) > MaxPasswordBytes:
		verr.Add("password", maxLengthMessage(MaxPasswordBytes))
	default:
		vs := e.Validators
		if vs == nil {
			vs = validators.DefaultValidators()
		}
		err := validators.Validate(password, validators.Attrs{"username": username, "email": email}, vs...)
		var pv *validators.ValidationError
		if errors.As(err, &pv) {
			verr.Set("password", pv.Messages())
		} else if err != nil {
			return err
		}
	}
	if err := verr.Err(); err != nil {
		return err
	}
	u, err := e.Users.CreateUser(r.Context(), username, &password, map[string]any{"email": email})
	if errors.Is(err, ErrDuplicateUsername) {
		return ValidationError{"username": {ErrDuplicateUsername.Error()}}
	}
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
		Email    string `json:"email"`
	}{u.ID, u.Username, u.Email})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
