package signing

import (
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// DefaultMaxDecompressedSize is the most bytes a compressed payload may
// inflate to unless WithMaxDecompressedSize says otherwise: 1 MiB, far
// above a cookie (4 KB) or a session row, far below what hurts a server.
const DefaultMaxDecompressedSize = 1 << 20

// Signer is Django's django.core.signing.Signer: it appends to a value the
// separator and the URL-safe base64 (unpadded) of
// salted_hmac(salt + "signer", value, key), and checks that signature in
// constant time.
//
// Defaults, as Django 3.2: separator ":", salt "django.core.signing.Signer"
// (Django's module.class name), algorithm SHA256, and values signed with
// SHA1 (Django before 3.1) still accepted. With fallback keys
// (WithFallbackKeys, Django's SECRET_KEY_FALLBACKS) it signs with the first
// key and accepts a signature of any. A Signer is safe for concurrent use.
type Signer struct {
	keys       [][]byte
	salt       string
	sep        string
	alg        Algorithm
	legacy     bool // also accept SHA1 signatures
	maxInflate int64
}

// Option configures a Signer or TimestampSigner.
type Option func(*Signer) error

// WithSalt sets the salt, which namespaces the signatures: a value signed
// with one salt does not verify with another. Use a salt per purpose.
func WithSalt(salt string) Option {
	return func(s *Signer) error { s.salt = salt; return nil }
}

// WithSeparator sets the separator between the value and its signature
// (default ":"). As in Django, a separator that is empty or only made of
// the characters of A-z (the ASCII range from 'A' to 'z'), 0-9, '-', '_'
// and '=' is refused: the signature could not be told from the value.
func WithSeparator(sep string) Option {
	return func(s *Signer) error {
		if unsafeSeparator(sep) {
			return fmt.Errorf("signing: unsafe separator %q (cannot be empty or consist of only A-z0-9-_=)", sep)
		}
		s.sep = sep
		return nil
	}
}

// WithAlgorithm sets the algorithm new signatures are made with (default
// SHA256; SHA1 is Django's DEFAULT_HASHING_ALGORITHM = 'sha1' transition
// setting). Signatures of the other known algorithm are still accepted
// unless WithoutLegacySHA1 is given.
func WithAlgorithm(alg Algorithm) Option {
	return func(s *Signer) error {
		if _, err := alg.hash(); err != nil {
			return err
		}
		s.alg = alg
		return nil
	}
}

// WithoutLegacySHA1 refuses SHA1 signatures when signing with SHA256, as
// Django 4.0 and later do. Django 3.2 accepts them; so does the default.
func WithoutLegacySHA1() Option {
	return func(s *Signer) error { s.legacy = false; return nil }
}

// WithFallbackKeys adds keys whose signatures are accepted but never made:
// Django's SECRET_KEY_FALLBACKS, for rotating the secret key without
// invalidating what the old one signed. Each key must not be empty.
func WithFallbackKeys(keys ...[]byte) Option {
	return func(s *Signer) error {
		for _, k := range keys {
			if len(k) == 0 {
				return errors.New("signing: empty fallback key")
			}
			s.keys = append(s.keys, k)
		}
		return nil
	}
}

// WithMaxDecompressedSize bounds what a compressed payload may inflate to
// (default DefaultMaxDecompressedSize); beyond it UnsignObject fails with
// ErrTooLarge instead of allocating it.
func WithMaxDecompressedSize(n int64) Option {
	return func(s *Signer) error {
		if n <= 0 {
			return fmt.Errorf("signing: max decompressed size %d must be positive", n)
		}
		s.maxInflate = n
		return nil
	}
}

// NewSigner returns a Signer with key (Django's SECRET_KEY, as its UTF-8
// bytes) and the options. The key must not be empty.
func NewSigner(key []byte, opts ...Option) (*Signer, error) {
	return newSigner(key, "django.core.signing.Signer", opts)
}

func newSigner(key []byte, defaultSalt string, opts []Option) (*Signer, error) {
	if len(key) == 0 {
		return nil, errors.New("signing: empty key")
	}
	s := &Signer{
		keys:       [][]byte{key},
		salt:       defaultSalt,
		sep:        ":",
		alg:        SHA256,
		legacy:     true,
		maxInflate: DefaultMaxDecompressedSize,
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// unsafeSeparator is Django's _SEP_UNSAFE, ^[A-z0-9-_=]*$ (A-z spans
// the ASCII range 'A'..'z', so [ \ ] ^ _ and ` are in it too).
func unsafeSeparator(sep string) bool {
	for i := 0; i < len(sep); i++ {
		c := sep[i]
		if !(c >= 'A' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '=') {
			return false
		}
	}
	return true
}

// signature is Django's Signer.signature(value, key) with alg.
func (s *Signer) signature(value string, key []byte, alg Algorithm) string {
	return base64.RawURLEncoding.EncodeToString(SaltedHMAC(alg, s.salt+"signer", []byte(value), key))
}

// Sign returns value, the separator and the signature of value.
func (s *Signer) Sign(value string) string {
	return value + s.sep + s.signature(value, s.keys[0], s.alg)
}

// Unsign checks the signature after the last separator and returns the
// value before it, or an error that is ErrBadSignature.
func (s *Signer) Unsign(signed string) (string, error) {
	i := strings.LastIndex(signed, s.sep)
	if i < 0 {
		return "", fmt.Errorf("%w: no %q found in value", ErrBadSignature, s.sep)
	}
	value, sig := signed[:i], signed[i+len(s.sep):]
	if s.verify(value, sig) {
		return value, nil
	}
	return "", fmt.Errorf("%w: signature does not match", ErrBadSignature)
}

// verify reports whether sig is value's signature under one of the keys,
// with the algorithm or, when legacy, SHA1. Every candidate is computed and
// compared in constant time, so the time does not tell which one matched.
func (s *Signer) verify(value, sig string) bool {
	ok := 0
	for _, k := range s.keys {
		ok |= hmacEqual(sig, s.signature(value, k, s.alg))
		if s.legacy && s.alg != SHA1 {
			ok |= hmacEqual(sig, s.signature(value, k, SHA1))
		}
	}
	return ok == 1
}

func hmacEqual(a, b string) int {
	if hmac.Equal([]byte(a), []byte(b)) {
		return 1
	}
	return 0
}
