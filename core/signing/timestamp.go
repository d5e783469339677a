package signing

import (
	"fmt"
	"strings"
	"time"
)

// TimestampSigner is Django's TimestampSigner: a Signer that signs the
// value with the time of signing appended (the separator, then the Unix
// time in seconds in base 62), so that Unsign can refuse signatures older
// than a maximum age. Its default salt is
// "django.core.signing.TimestampSigner"; the other defaults are Signer's.
// A TimestampSigner is safe for concurrent use.
type TimestampSigner struct {
	signer *Signer
	now    func() time.Time
}

// NewTimestampSigner returns a TimestampSigner with key and the options
// (those of Signer).
func NewTimestampSigner(key []byte, opts ...Option) (*TimestampSigner, error) {
	return newTimestampSigner(key, "django.core.signing.TimestampSigner", opts)
}

func newTimestampSigner(key []byte, defaultSalt string, opts []Option) (*TimestampSigner, error) {
	s, err := newSigner(key, defaultSalt, opts)
	if err != nil {
		return nil, err
	}
	return &TimestampSigner{signer: s, now: time.Now}, nil
}

// Sign returns value, the separator, the timestamp, the separator and the
// signature of all that.
func (t *TimestampSigner) Sign(value string) string {
	return t.signer.Sign(value + t.signer.sep + encodeBase62(t.now().Unix()))
}

// Unsign checks the signature and, when maxAge is positive, that it was
// made no more than maxAge ago; it returns the value. A maxAge of 0 (or
// less) checks no age, as Django's max_age=None. Errors are ErrBadSignature
// or, for a good but old signature, ErrSignatureExpired (which is also
// ErrBadSignature).
func (t *TimestampSigner) Unsign(signed string, maxAge time.Duration) (string, error) {
	value, err := t.signer.Unsign(signed)
	if err != nil {
		return "", err
	}
	i := strings.LastIndex(value, t.signer.sep)
	if i < 0 {
		return "", fmt.Errorf("%w: no timestamp", ErrBadSignature)
	}
	ts, ok := decodeBase62(value[i+len(t.signer.sep):])
	if !ok {
		return "", fmt.Errorf("%w: bad timestamp", ErrBadSignature)
	}
	if maxAge > 0 {
		// Django: age = time.time() - timestamp; expired when age > max_age.
		if age := t.now().Sub(time.Unix(ts, 0)); age > maxAge {
			return "", &expiredError{fmt.Sprintf("signing: signature expired: age %s > %s", age, maxAge)}
		}
	}
	return value[:i], nil
}

// SignObject is Signer.SignObject with the timestamp: Django's
// TimestampSigner.sign_object, what Dumps does.
func (t *TimestampSigner) SignObject(v any, compress bool) (string, error) {
	payload, err := encodeObject(v, compress)
	if err != nil {
		return "", err
	}
	return t.Sign(payload), nil
}

// UnsignObject is Signer.UnsignObject with Unsign's age check: what Loads
// does.
func (t *TimestampSigner) UnsignObject(signed string, v any, maxAge time.Duration) error {
	payload, err := t.Unsign(signed, maxAge)
	if err != nil {
		return err
	}
	return t.signer.decodeObject(payload, v)
}

// base62Alphabet is Django's baseconv BASE62_ALPHABET.
const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// encodeBase62 is Django's baseconv.base62.encode for n >= 0.
func encodeBase62(n int64) string {
	if n <= 0 {
		return "0"
	}
	var buf [11]byte // 62^11 > 2^63
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = base62Alphabet[n%62]
		n /= 62
	}
	return string(buf[i:])
}

// decodeBase62 is Django's baseconv.base62.decode for the non-negative
// values that fit an int64; it refuses anything else (Django never makes
// a negative or empty timestamp).
func decodeBase62(s string) (int64, bool) {
	if s == "" || len(s) > 11 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base62Alphabet, s[i])
		if d < 0 {
			return 0, false
		}
		if n > (1<<63-1-int64(d))/62 {
			return 0, false
		}
		n = n*62 + int64(d)
	}
	return n, true
}
