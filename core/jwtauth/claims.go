package jwtauth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
	"github.com/reinhardt-go/auth/internal/jsonobj"
)

// TokenType is the value of simplejwt's token_type claim.
type TokenType string

// The token types. A refresh token is never accepted where an access
// token is required, nor the other way round.
const (
	// AccessToken authenticates requests (simplejwt's AccessToken).
	AccessToken TokenType = "access"
	// RefreshToken obtains new access tokens (simplejwt's RefreshToken).
	RefreshToken TokenType = "refresh"
	// UntypedToken, given to Verify, accepts a token of any type or of none
	// (simplejwt's UntypedToken, used by the verify endpoint); neither
	// token_type nor jti is required.
	UntypedToken TokenType = ""
)

// Claims are the claims of a token: simplejwt's (token_type, user_id, jti,
// exp, iat), the reference's (username) and the registered claims of RFC
// 7519 through the embedded jwt.RegisteredClaims (Issuer, Subject,
// Audience, ExpiresAt, NotBefore, IssuedAt, ID — the jti).
//
// Claims returned by a verification are shared (the token cache hands the
// same value to every request presenting the token): treat them as
// read-only.
type Claims struct {
	// TokenType is "access" or "refresh" (token_type).
	TokenType TokenType `json:"token_type,omitempty"`
	jwt.RegisteredClaims
	// UserID identifies the user (user_id). It is emitted as a JSON string,
	// as simplejwt 5.5 does; a JSON integer (older simplejwt) is accepted.
	UserID string `json:"user_id,omitempty"`
	// Username is the reference's username claim.
	Username string `json:"username,omitempty"`
	// Extra holds claims this type does not model, added to the payload
	// when minting (and filled by json.Unmarshal). It is nil in claims
	// returned by a verification: read those claims with Map.
	Extra map[string]any `json:"-"`

	raw string // the verified token, for Map
}

// modelled are the claim names Claims has fields for.
var modelled = [...]string{"token_type", "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "user_id", "username"}

func isModelled(name string) bool { return slices.Contains(modelled[:], name) }

// MarshalJSON encodes the claims with Extra merged in (sorted by name). An
// Extra entry named like a modelled claim is an error.
func (c Claims) MarshalJSON() ([]byte, error) {
	type plain Claims
	b, err := json.Marshal(plain(c))
	if err != nil || len(c.Extra) == 0 {
		return b, err
	}
	names := make([]string, 0, len(c.Extra))
	for k := range c.Extra {
		if isModelled(k) {
			return nil, fmt.Errorf("jwtauth: extra claim %q is a modelled claim; set the field instead", k)
		}
		names = append(names, k)
	}
	slices.Sort(names)
	buf := bytes.NewBuffer(b[:len(b)-1])
	for _, k := range names {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(c.Extra[k])
		if err != nil {
			return nil, fmt.Errorf("jwtauth: extra claim %q: %w", k, err)
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON decodes claims, accepting user_id as a string or an
// integer, and puts unmodelled claims in Extra (numbers as json.Number).
func (c *Claims) UnmarshalJSON(b []byte) error {
	var w wireClaims
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	extra, err := extraClaims(b)
	if err != nil {
		return err
	}
	*c = Claims{}
	w.to(c)
	c.Extra = extra
	return nil
}

// Map returns every claim of the token as a map, numbers as json.Number
// (so that they re-encode exactly). For verified claims it is the payload
// that was signed, including claims Claims does not model.
func (c *Claims) Map() (map[string]any, error) {
	var payload []byte
	if c.raw != "" {
		seg := strings.SplitN(c.raw, ".", 3)[1]
		var err error
		if payload, err = base64.RawURLEncoding.DecodeString(seg); err != nil {
			return nil, err
		}
	} else {
		var err error
		if payload, err = json.Marshal(c); err != nil {
			return nil, err
		}
	}
	return decodeMap(payload)
}

func decodeMap(payload []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// extraClaims returns the unmodelled claims of a payload, nil when none.
func extraClaims(payload []byte) (map[string]any, error) {
	m, err := decodeMap(payload)
	if err != nil {
		return nil, err
	}
	for _, k := range modelled {
		delete(m, k)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// wireClaims is what the parser decodes into: Claims without Extra, with
// user_id accepted as a number.
type wireClaims struct {
	TokenType TokenType `json:"token_type"`
	jwt.RegisteredClaims
	UserID   flexString `json:"user_id"`
	Username string     `json:"username"`
}

// UnmarshalJSON decodes the claims with their names matched exactly, as
// PyJWT and simplejwt read them: encoding/json alone matches names
// case-insensitively with Unicode folding, so that "USER_ID" (or "User_Id"
// after "user_id") would fill UserID. A payload with such a case variant of
// a modelled claim, or with a modelled claim twice, is refused with
// ErrAmbiguousClaim; once none is there, encoding/json's exact match is
// the only one it can make. golang-jwt's
// parser decodes into wireClaims, so this holds on that path; the fast path
// declines such payloads (decodeClaims) and leaves them to it.
func (w *wireClaims) UnmarshalJSON(b []byte) error {
	if err := checkClaimNames(b); err != nil {
		return err
	}
	type plain wireClaims
	return json.Unmarshal(b, (*plain)(w))
}

// checkClaimNames returns ErrAmbiguousClaim when a name of the JSON
// object payload folds to a modelled claim's name without being it, or is
// a modelled claim's name seen before. Malformed JSON is left to the
// decoder, which words the error.
func checkClaimNames(payload []byte) error {
	var seen uint16
	check := func(name string) error {
		if i := slices.Index(modelled[:], name); i >= 0 {
			if seen&(1<<i) != 0 {
				return fmt.Errorf("%w: %q twice", ErrAmbiguousClaim, name)
			}
			seen |= 1 << i
		} else if caseVariant(name) {
			return fmt.Errorf("%w: %q", ErrAmbiguousClaim, name)
		}
		return nil
	}
	if err, ok := scanClaimNames(string(payload), check); ok {
		return err
	}
	// Names with escapes or beyond ASCII, or JSON the scanner does not
	// follow: encoding/json reads the names as the decoder will.
	seen = 0
	return jsonobj.EachMember(payload, func(name string, _ json.RawMessage) error { return check(name) })
}

// scanClaimNames calls check with each name of the JSON object s, without
// allocating, and returns its first error. ok is false when s is not an
// object whose names are plain ASCII without escapes, or when the scan
// loses its way; the caller then decides with encoding/json. Values are
// skipped, not checked: a malformed one fails the decoding anyway.
func scanClaimNames(s string, check func(string) error) (err error, ok bool) {
	d := claimScanner{s: s}
	d.ws()
	if !d.eat('{') {
		return nil, false
	}
	d.ws()
	if d.eat('}') {
		return nil, true
	}
	for {
		d.ws()
		name, ok := d.str()
		if !ok || !ascii(name) {
			return nil, false
		}
		if err := check(name); err != nil {
			return err, true
		}
		d.ws()
		if !d.eat(':') || !d.skipValue() {
			return nil, false
		}
		d.ws()
		if d.eat('}') {
			return nil, true
		}
		if !d.eat(',') {
			return nil, false
		}
	}
}

// skipValue moves past one JSON value: a string (escapes skipped
// pairwise), an object or an array (nesting counted outside strings), or
// a literal or number (up to the next delimiter).
func (d *claimScanner) skipValue() bool {
	depth := 0
	start := d.i
	for d.i < len(d.s) {
		switch c := d.s[d.i]; c {
		case '"':
			d.i++
			for d.i < len(d.s) && d.s[d.i] != '"' {
				if d.s[d.i] == '\\' {
					d.i++
				}
				d.i++
			}
			if d.i >= len(d.s) {
				return false
			}
			d.i++
		case '{', '[':
			depth++
			d.i++
		case '}', ']':
			if depth == 0 {
				return d.i > start
			}
			depth--
			d.i++
		case ',':
			if depth == 0 {
				return d.i > start
			}
			d.i++
		default:
			d.i++
		}
		if depth == 0 && d.i > start && d.s[start] != '{' && d.s[start] != '[' && d.s[start] != '"' {
			continue // a literal or number runs to the delimiter
		}
		if depth == 0 && d.i > start {
			return true // a whole string, object or array
		}
	}
	return false
}

// caseVariant reports whether name folds (strings.EqualFold: Unicode
// simple folding, encoding/json's rule) to a modelled claim's name but is
// not one.
func caseVariant(name string) bool {
	if isModelled(name) {
		return false
	}
	for _, m := range modelled {
		if strings.EqualFold(name, m) {
			return true
		}
	}
	return false
}

func (w *wireClaims) to(c *Claims) {
	c.TokenType = w.TokenType
	c.RegisteredClaims = w.RegisteredClaims
	c.UserID = string(w.UserID)
	c.Username = w.Username
}

// errBadUserID: user_id is neither a string nor an integer.
var errBadUserID = errors.New("jwtauth: user_id is neither a string nor an integer")

// flexString decodes a JSON string, or a JSON integer as its digits.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0:
		return errBadUserID
	case b[0] == '"':
		if len(b) >= 2 && bytes.IndexByte(b, '\\') < 0 {
			*s = flexString(b[1 : len(b)-1])
			return nil
		}
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		*s = flexString(str)
		return nil
	case string(b) == "null":
		return nil
	}
	digits := b
	if digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return errBadUserID
	}
	for _, d := range digits {
		if d < '0' || d > '9' {
			return errBadUserID
		}
	}
	*s = flexString(b)
	return nil
}

// NewJTI returns a new token id: 32 lower-case hex digits of a random
// version 4 UUID, as simplejwt's uuid4().hex.
func NewJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b[:])
}
