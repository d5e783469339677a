package signing

import "time"

// DefaultSalt is the salt of Dumps and Loads unless WithSalt says
// otherwise: Django's signing.dumps default.
const DefaultSalt = "django.core.signing"

// Dumps is Django's signing.dumps(v, key, salt="django.core.signing",
// compress=compress): v as JSON, signed with a timestamp by a
// TimestampSigner with key and the options. The result is URL-safe.
func Dumps(key []byte, v any, compress bool, opts ...Option) (string, error) {
	t, err := newTimestampSigner(key, DefaultSalt, opts)
	if err != nil {
		return "", err
	}
	return t.SignObject(v, compress)
}

// Loads is Django's signing.loads(s, key, salt="django.core.signing",
// max_age=maxAge): it checks what Dumps made and decodes it into v. A
// maxAge of 0 checks no age. Errors: ErrBadSignature, ErrSignatureExpired,
// ErrBadPayload (ErrTooLarge), or an error from an option.
func Loads(key []byte, s string, v any, maxAge time.Duration, opts ...Option) error {
	t, err := newTimestampSigner(key, DefaultSalt, opts)
	if err != nil {
		return err
	}
	return t.UnsignObject(s, v, maxAge)
}
