package djangosession

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/signing"
)

// BackendName is Django's dotted path of its ModelBackend, the value
// Django's login() stores under "_auth_user_backend"
// (sessions.BackendSessionKey). A service sharing its sessions with a
// Django project registers its model backend under this name in
// sessions.SessionAuthentication.Backends and logs in with it
// (sessions.LoginEndpoint.BackendName): Django's get_user() treats a
// session naming a backend outside its AUTHENTICATION_BACKENDS as
// anonymous, and so does SessionAuthentication.
const BackendName = "django.contrib.auth.backends.ModelBackend"

// DefaultClassName is the class name of Django's session stores: every
// backend of django.contrib.sessions names its class SessionStore.
const DefaultClassName = "SessionStore"

// ErrCorrupt is Decode's error for session data that is neither format
// with a good signature, or whose content is not a JSON object: Django
// logs "Session data corrupted" and starts an empty session. It wraps the
// cause (signing.ErrBadSignature, signing.ErrTooLarge, …).
var ErrCorrupt = errors.New("djangosession: session data corrupted")

// Codec encodes and decodes the session_data column of Django's
// django_session table (and of its cache and file backends), as Django 3.2
// does.
//
// Encode writes signing.dumps(session, salt="django.contrib.sessions."
// + class name, compress=True) with the first key. Decode reads that
// format, with any key (WithFallbackKeys), and the format of Django before
// 3.1: base64 of "<hash>:<json>", the hash being the hex SHA-1
// salted_hmac("django.contrib.sessions" + class name, json). A session is
// a JSON object; Encode takes and Decode returns its bytes, which
// sessions.JSON reads and writes. A Codec is safe for concurrent use.
type Codec struct {
	keys        [][]byte
	signerOpts  []signing.Option
	salt        string // the signing salt, django.contrib.sessions.<class>
	legacySalt  string // the legacy hash's key salt, django.contrib.sessions<class>
	legacyWrite bool
}

// Option configures a Codec.
type Option func(*Codec) error

// WithFallbackKeys adds keys whose sessions are read but never written:
// Django's SECRET_KEY_FALLBACKS.
func WithFallbackKeys(keys ...[]byte) Option {
	return func(c *Codec) error {
		for _, k := range keys {
			if len(k) == 0 {
				return errors.New("djangosession: empty fallback key")
			}
			c.keys = append(c.keys, k)
		}
		return nil
	}
}

// WithClassName sets the class name of the Django session store (default
// DefaultClassName), which both salts contain: a project with its own
// SessionStore subclass names it here.
func WithClassName(name string) Option {
	return func(c *Codec) error {
		if name == "" {
			return errors.New("djangosession: empty class name")
		}
		c.salt, c.legacySalt = "django.contrib.sessions."+name, "django.contrib.sessions"+name
		return nil
	}
}

// WithLegacyEncoding writes the format of Django before 3.1, as Django
// 3.1 and 3.2 do with DEFAULT_HASHING_ALGORITHM = 'sha1' (the transition
// setting for sharing sessions with older Django). Decode reads both
// formats whatever this says.
func WithLegacyEncoding() Option {
	return func(c *Codec) error { c.legacyWrite = true; return nil }
}

// New returns a Codec with Django's SECRET_KEY (its UTF-8 bytes) and the
// options.
func New(secret []byte, opts ...Option) (*Codec, error) {
	if len(secret) == 0 {
		return nil, errors.New("djangosession: empty secret")
	}
	c := &Codec{keys: [][]byte{secret}}
	if err := WithClassName(DefaultClassName)(c); err != nil {
		return nil, err
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	c.signerOpts = []signing.Option{
		signing.WithSalt(c.salt),
		signing.WithFallbackKeys(c.keys[1:]...),
		signing.WithMaxDecompressedSize(sessions.MaxDataSize),
	}
	return c, nil
}

// Encode returns the session_data of the session whose JSON object is
// data. The JSON is written as Django writes it (compact, non-ASCII
// escaped). A session over sessions.MaxDataSize is sessions.ErrTooLarge.
func (c *Codec) Encode(data []byte) (string, error) {
	if len(data) > sessions.MaxDataSize {
		return "", sessions.ErrTooLarge
	}
	if !isObject(data) {
		return "", errors.New("djangosession: session data is not a JSON object")
	}
	if c.legacyWrite {
		serialized, err := signing.MarshalJSON(json.RawMessage(data))
		if err != nil {
			return "", err
		}
		return base64.StdEncoding.EncodeToString(append([]byte(c.legacyHash(serialized, c.keys[0])+":"), serialized...)), nil
	}
	return signing.Dumps(c.keys[0], json.RawMessage(data), true, c.signerOpts...)
}

// Decode returns the JSON object of a session_data Django (or Encode)
// wrote, in either format, or an error that is ErrCorrupt. The object's
// bytes may differ from Django's (non-ASCII written as UTF-8).
func (c *Codec) Decode(sessionData string) ([]byte, error) {
	// The base64 of 1 MiB, compressed or not, with its signature.
	if len(sessionData) > sessions.MaxDataSize*4/3+1024 {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, sessions.ErrTooLarge)
	}
	var raw json.RawMessage
	err := signing.Loads(c.keys[0], sessionData, &raw, 0, c.signerOpts...)
	if err == nil && isObject(raw) {
		return raw, nil
	}
	// Django 3.2 tries the old format after any failure of the new one.
	if data, ok := c.legacyDecode(sessionData); ok {
		return data, nil
	}
	if err == nil {
		err = errors.New("not a JSON object")
	}
	return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
}

// legacyDecode is Django 3.2's _legacy_decode.
func (c *Codec) legacyDecode(sessionData string) ([]byte, bool) {
	decoded, err := base64.StdEncoding.DecodeString(sessionData)
	if err != nil {
		return nil, false
	}
	hash, serialized, ok := bytes.Cut(decoded, []byte(":"))
	if !ok {
		return nil, false
	}
	match := 0
	for _, k := range c.keys {
		if hmac.Equal(hash, []byte(c.legacyHash(serialized, k))) {
			match = 1
		}
	}
	if match == 0 {
		return nil, false
	}
	var raw json.RawMessage
	if err := signing.UnmarshalJSON(serialized, &raw); err != nil || !isObject(raw) {
		return nil, false
	}
	return raw, true
}

// legacyHash is Django 3.2's SessionBase._hash: the hex SHA-1
// salted_hmac("django.contrib.sessions" + class name, value, key).
func (c *Codec) legacyHash(value, key []byte) string {
	return hex.EncodeToString(signing.SaltedHMAC(signing.SHA1, c.legacySalt, value, key))
}

// isObject reports whether data is one JSON object.
func isObject(data []byte) bool {
	data = bytes.TrimSpace(data)
	return len(data) > 0 && data[0] == '{' && json.Valid(data)
}
