package jwtauth

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"hash"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// The fast path verifies the HMAC tokens this package and simplejwt mint
// without golang-jwt's general parser, whose JSON decoding of the header
// into a map and of the claims by reflection costs about five times the
// HMAC itself. It is a shortcut, never a second opinion:
//
//   - it applies only to a token whose header segment is, byte for byte,
//     one a key of the ring would sign with (see fastHeaders), so the key
//     and the algorithm are known without decoding the header, exactly as
//     keyFor would find them;
//   - it checks the signature first, with crypto/hmac, and decodes
//     nothing an attacker could have forged;
//   - it decodes the claims only when they are in the plain shape those
//     signers produce (see decodeClaims), into the same wireClaims
//     golang-jwt would fill, and validates them with golang-jwt's own
//     Validator, configured as the parser is;
//   - anything else, failures included, goes to golang-jwt's parser, which
//     decides and words the error. So the fast path can only ever accept a
//     token the parser accepts, with the same claims; FuzzFastPath checks
//     that on arbitrary payloads.

// fastHeaders returns the header segments k signs with or simplejwt
// would: golang-jwt's (and PyJWT's) sorted JSON of alg, kid when k has one,
// and typ "JWT", and the same without typ. Only HMAC keys have them: the
// asymmetric algorithms cost far more than the parsing.
func fastHeaders(k *Key) []string {
	if k.mac == nil {
		return nil
	}
	var out []string
	for _, typ := range []bool{true, false} {
		h := map[string]string{"alg": string(k.alg)}
		if k.kid != "" {
			h["kid"] = k.kid
		}
		if typ {
			h["typ"] = "JWT"
		}
		b, err := json.Marshal(h)
		if err != nil || !namesKey(b, k) {
			continue
		}
		out = append(out, base64.RawURLEncoding.EncodeToString(b))
	}
	return out
}

// namesKey reports whether header decodes, as keyFor reads it, to k's kid
// and algorithm, so that the fast path and the parser find the same key.
func namesKey(header []byte, k *Key) bool {
	var h map[string]any
	if json.Unmarshal(header, &h) != nil {
		return false
	}
	kid, _ := h["kid"].(string)
	return kid == k.kid && h["alg"] == string(k.alg)
}

// macPool keeps HMAC states of one secret for reuse, with the buffers a
// verification needs, so that a verification allocates only what it
// returns.
type macPool struct {
	size int // the MAC's length in bytes
	pool sync.Pool
}

type macState struct {
	h       hash.Hash
	in      []byte   // the token, copied (hash.Hash and base64 take []byte)
	sig     [64]byte // the decoded signature
	sum     [64]byte
	payload []byte // the decoded payload
}

// shrink drops buffers grown past maxPooledPayload by a large token, so
// that the pool does not keep them.
func (st *macState) shrink() {
	if cap(st.in) > maxPooledPayload {
		st.in = nil
	}
	if cap(st.payload) > maxPooledPayload {
		st.payload = nil
	}
}

func newMacPool(newHash func() hash.Hash, secret []byte) *macPool {
	p := &macPool{size: newHash().Size()}
	p.pool.New = func() any { return &macState{h: hmac.New(newHash, secret)} }
	return p
}

// strictB64 is the decoding golang-jwt uses with WithStrictDecoding.
var strictB64 = base64.RawURLEncoding.Strict()

// maxPooledPayload bounds the payload buffer kept in a pooled state.
const maxPooledPayload = 2 << 10

// fastParse verifies token on the fast path. ok false means "not decided
// here": the caller runs golang-jwt's parser, which gives the verdict.
func (j *JWTAuth) fastParse(token string) (c *Claims, key *Key, ok bool) {
	dot1 := strings.IndexByte(token, '.')
	if dot1 < 0 {
		return nil, nil, false
	}
	k := j.ring.Load().fast[token[:dot1]]
	if k == nil {
		return nil, nil, false
	}
	rest := token[dot1+1:]
	dot2 := strings.IndexByte(rest, '.')
	if dot2 < 0 {
		return nil, nil, false
	}
	mp := k.mac
	signed := dot1 + 1 + dot2 // the signing input is token[:signed]
	sigLen := len(token) - signed - 1
	if strictB64.DecodedLen(sigLen) != mp.size {
		return nil, nil, false
	}
	st := mp.pool.Get().(*macState)
	defer mp.pool.Put(st)
	// One copy of the token: hash.Hash and the base64 decoder take []byte.
	st.in = append(st.in[:0], token...)
	if n, err := strictB64.Decode(st.sig[:], st.in[signed+1:]); err != nil || n != mp.size {
		st.shrink()
		return nil, nil, false
	}
	st.h.Reset()
	st.h.Write(st.in[:signed])
	if !hmac.Equal(st.h.Sum(st.sum[:0]), st.sig[:mp.size]) {
		st.shrink()
		return nil, nil, false
	}
	payloadSeg := st.in[dot1+1 : signed]
	if need := strictB64.DecodedLen(len(payloadSeg)); cap(st.payload) < need {
		st.payload = make([]byte, need)
	}
	n, err := strictB64.Decode(st.payload[:cap(st.payload)], payloadSeg)
	if err != nil {
		st.shrink()
		return nil, nil, false
	}
	payload := string(st.payload[:n])
	st.shrink()
	v := new(verified)
	if !decodeClaims(payload, &v.w, &v.dates) {
		return nil, nil, false
	}
	if j.validator.Validate(&v.w) != nil {
		return nil, nil, false
	}
	v.w.to(&v.Claims)
	v.raw = token
	return &v.Claims, k, true
}

// decodeClaims decodes a claims object in the plain shape golang-jwt and
// simplejwt produce into w, as json.Unmarshal would, and reports whether
// it could. The shape: one JSON object; string values without escapes
// (valid UTF-8, no control characters); exp, nbf and iat integers of at
// most 2^53 in magnitude; user_id a string or an integer; aud a string or
// an array of strings; other claims strings, integers, booleans or null;
// no claim twice, and no name that differs from a modelled one only in
// case (the parser refuses both, ErrAmbiguousClaim). Anything else
// returns false, for the parser to decide. dates holds the NumericDates
// w points to, so that they cost no allocation of their own.
func decodeClaims(s string, w *wireClaims, dates *[3]jwt.NumericDate) bool {
	d := claimScanner{s: s}
	d.ws()
	if !d.eat('{') {
		return false
	}
	var seen uint16
	d.ws()
	if d.eat('}') {
		return d.end()
	}
	for {
		d.ws()
		name, ok := d.str()
		if !ok || !ascii(name) {
			return false
		}
		d.ws()
		if !d.eat(':') {
			return false
		}
		d.ws()
		bit := uint16(0)
		switch name {
		case "token_type":
			bit = 1 << 0
			v, ok := d.text()
			if !ok {
				return false
			}
			w.TokenType = TokenType(v)
		case "iss":
			bit = 1 << 1
			if w.Issuer, ok = d.text(); !ok {
				return false
			}
		case "sub":
			bit = 1 << 2
			if w.Subject, ok = d.text(); !ok {
				return false
			}
		case "aud":
			bit = 1 << 3
			if w.Audience, ok = d.audience(); !ok {
				return false
			}
		case "exp":
			bit = 1 << 4
			if w.ExpiresAt, ok = d.date(&dates[0]); !ok {
				return false
			}
		case "nbf":
			bit = 1 << 5
			if w.NotBefore, ok = d.date(&dates[1]); !ok {
				return false
			}
		case "iat":
			bit = 1 << 6
			if w.IssuedAt, ok = d.date(&dates[2]); !ok {
				return false
			}
		case "jti":
			bit = 1 << 7
			if w.ID, ok = d.text(); !ok {
				return false
			}
		case "user_id":
			bit = 1 << 8
			v, ok := d.text()
			if !ok {
				if v, ok = d.integer(); !ok {
					return false
				}
			}
			w.UserID = flexString(v)
		case "username":
			bit = 1 << 9
			if w.Username, ok = d.text(); !ok {
				return false
			}
		default:
			if caseVariant(name) {
				return false // the parser refuses it (ErrAmbiguousClaim)
			}
			if !d.scalar() {
				return false
			}
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		d.ws()
		if d.eat('}') {
			return d.end()
		}
		if !d.eat(',') {
			return false
		}
	}
}

// claimScanner reads the plain JSON decodeClaims accepts.
type claimScanner struct {
	s string
	i int
}

func (d *claimScanner) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *claimScanner) eat(c byte) bool {
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (d *claimScanner) end() bool {
	d.ws()
	return d.i == len(d.s)
}

// str reads a string without escapes or control characters; the bytes
// between the quotes may be any UTF-8 (text checks it).
func (d *claimScanner) str() (string, bool) {
	if !d.eat('"') {
		return "", false
	}
	start := d.i
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			v := d.s[start:d.i]
			d.i++
			return v, true
		case c == '\\' || c < 0x20:
			return "", false
		}
		d.i++
	}
	return "", false
}

// text reads a string whose bytes json.Unmarshal would keep as they are:
// no escapes, no control characters, valid UTF-8. It leaves the position
// alone when the value is not a string.
func (d *claimScanner) text() (string, bool) {
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		return "", false
	}
	start := d.i
	v, ok := d.str()
	if !ok || !utf8.ValidString(v) {
		d.i = start
		return "", false
	}
	return v, true
}

// integer reads -?(0|[1-9][0-9]*) and returns its text; it leaves the
// position alone when the value is not one.
func (d *claimScanner) integer() (string, bool) {
	start := d.i
	d.eat('-')
	switch {
	case d.i < len(d.s) && d.s[d.i] == '0':
		d.i++
	case d.i < len(d.s) && d.s[d.i] >= '1' && d.s[d.i] <= '9':
		for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
			d.i++
		}
	default:
		d.i = start
		return "", false
	}
	// A fraction or an exponent is not an integer: json.Unmarshal's
	// float parsing decides those.
	if d.i < len(d.s) && (d.s[d.i] == '.' || d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i = start
		return "", false
	}
	return d.s[start:d.i], true
}

// maxExactSeconds is 2^53: every integer up to it is exact as a float64,
// so golang-jwt's float parsing gives the same instant.
const maxExactSeconds = 1 << 53

// date reads an integer NumericDate into nd, as golang-jwt's
// NumericDate.UnmarshalJSON would make it.
func (d *claimScanner) date(nd *jwt.NumericDate) (*jwt.NumericDate, bool) {
	v, ok := d.integer()
	if !ok {
		return nil, false
	}
	neg := v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) > 16 {
		return nil, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		n = n*10 + int64(v[i]-'0')
	}
	if n > maxExactSeconds {
		return nil, false
	}
	if neg {
		n = -n
	}
	nd.Time = time.Unix(n, 0).Truncate(jwt.TimePrecision)
	return nd, true
}

// audience reads aud: a string, or an array of strings ([] is no
// audience, as golang-jwt's ClaimStrings makes it).
func (d *claimScanner) audience() (jwt.ClaimStrings, bool) {
	if v, ok := d.text(); ok {
		return jwt.ClaimStrings{v}, true
	}
	if !d.eat('[') {
		return nil, false
	}
	var out jwt.ClaimStrings
	d.ws()
	if d.eat(']') {
		return nil, true
	}
	for {
		d.ws()
		v, ok := d.text()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		d.ws()
		if d.eat(']') {
			return out, true
		}
		if !d.eat(',') {
			return nil, false
		}
	}
}

// scalar skips a claim this type does not model: a string, an integer,
// true, false or null.
func (d *claimScanner) scalar() bool {
	if _, ok := d.text(); ok {
		return true
	}
	if _, ok := d.integer(); ok {
		return true
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if strings.HasPrefix(d.s[d.i:], lit) {
			d.i += len(lit)
			return true
		}
	}
	return false
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
