package jwtauth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core"
)

// The tests of the fast path are internal: they compare fastParse with
// parseSlow, golang-jwt's parser, on the same tokens.

var (
	fastSecret = []byte("0123456789abcdef0123456789abcdef")
	fastNow    = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func fastAuth(t testing.TB, opts ...Option) *JWTAuth {
	t.Helper()
	opts = append([]Option{WithClock(func() time.Time { return fastNow })}, opts...)
	j, err := New(fastSecret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// hs256 signs header and payload (raw JSON) with fastSecret.
func hs256(header, payload string) string {
	in := enc(header) + "." + enc(payload)
	m := hmac.New(sha256.New, fastSecret)
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func enc(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

const (
	hdrSorted = `{"alg":"HS256","typ":"JWT"}`
	hdrNoTyp  = `{"alg":"HS256"}`
	// what simplejwt 5.x puts in an access token, in its order
	simplePayload = `{"token_type":"access","exp":1772370000,"iat":1772366400,"jti":"8b5c2a9f0e2d4c1b9a7f6e5d4c3b2a19","user_id":42}`
)

// compare runs both paths on token: the fast path may decline, but what it
// accepts the parser must accept with the same claims and key.
func compare(t *testing.T, j *JWTAuth, token string) (fastOK bool) {
	t.Helper()
	fc, fk, ok := j.fastParse(token)
	sc, sk, err := j.parseSlow(token)
	if err == nil {
		exactReading(t, token, sc)
	}
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("fast path accepted %q, the parser refused it: %v", token, err)
	}
	if fk != sk {
		t.Fatalf("fast path key %q, parser key %q", fk.kid, sk.kid)
	}
	if !reflect.DeepEqual(fc, sc) {
		t.Fatalf("claims differ for %q:\nfast   %#v\nparser %#v", token, fc, sc)
	}
	return true
}

// exactReading fails t unless c holds what PyJWT and simplejwt read from
// token's payload: the claims by their exact names (Python's dict), with
// no modelled claim named twice or in a case variant.
func exactReading(t *testing.T, token string, c *Claims) {
	t.Helper()
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatalf("accepted %q: %v", token, err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("accepted %q, not an object", payload)
	}
	exact := map[string]json.RawMessage{}
	for dec.More() {
		tok, _ := dec.Token()
		name := tok.(string)
		for _, m := range modelled {
			if strings.EqualFold(name, m) && (name != m || exact[name] != nil) {
				t.Fatalf("accepted %s: %q is ambiguous", payload, name)
			}
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		exact[name] = v
	}
	str := func(name string) string {
		v := exact[name]
		var s string
		if len(v) > 0 && v[0] != '"' && string(v) != "null" {
			return string(v) // user_id as an integer: its digits
		}
		_ = json.Unmarshal(v, &s)
		return s
	}
	for _, f := range []struct{ name, got string }{
		{"token_type", string(c.TokenType)}, {"user_id", c.UserID}, {"username", c.Username},
		{"jti", c.ID}, {"iss", c.Issuer}, {"sub", c.Subject},
	} {
		if want := str(f.name); f.got != want {
			t.Fatalf("%s: %s is %q, the exact reading %q", payload, f.name, f.got, want)
		}
	}
	for _, d := range []struct {
		name string
		got  *jwt.NumericDate
	}{{"exp", c.ExpiresAt}, {"nbf", c.NotBefore}, {"iat", c.IssuedAt}} {
		if v, ok := exact[d.name]; (ok && string(v) != "null") != (d.got != nil) {
			t.Fatalf("%s: %s is %v, the exact reading %s", payload, d.name, d.got, v)
		}
	}
}

// TestAmbiguousClaims: a signed token naming a modelled claim in a case
// variant (alone or after the claim itself) or twice is refused on both
// paths; PyJWT would not read USER_ID as user_id, encoding/json would.
func TestAmbiguousClaims(t *testing.T) {
	j := fastAuth(t)
	const base = `"token_type":"access","exp":1772370000,"iat":1772366400,"jti":"j"`
	for _, p := range []string{
		`{` + base + `,"USER_ID":"1"}`,
		`{` + base + `,"user_id":"2","User_Id":"1"}`,
		`{` + base + `,"User_Id":"1","user_id":"2"}`,
		`{` + base + `,"uſer_id":"1"}`, // U+017F folds to s
		`{` + base + `,"user_id":"1","user_id":null}`,
		`{` + base + `,"user_id":"2","user_id":"1"}`,
		`{"token_type":"access","EXP":1772370000,"iat":1772366400,"jti":"j","user_id":"1"}`,
		`{"Token_Type":"refresh","token_type":"access","exp":1772370000,"iat":1772366400,"jti":"j","user_id":"1"}`,
		`{` + base + `,"user_id":"1","USERNAME":"root"}`,
	} {
		for _, hdr := range []string{hdrSorted, `{"typ":"JWT","alg":"HS256"}`} { // fast path and parser only
			tok := hs256(hdr, p)
			if _, _, ok := j.fastParse(tok); ok {
				t.Errorf("fast path accepted %s", p)
			}
			c, err := j.VerifyToken(tok)
			if !errors.Is(err, ErrAmbiguousClaim) {
				t.Errorf("%s: %+v, %v; want ErrAmbiguousClaim", p, c, err)
			}
			if status := core.ToAPIError(err).Status; status != 401 {
				t.Errorf("%s: status %d", p, status)
			}
		}
	}
	// A claim that is no modelled claim's variant still passes.
	if _, err := j.VerifyToken(hs256(hdrSorted, `{`+base+`,"user_id":"1","User":"x","uid":"y"}`)); err != nil {
		t.Errorf("plain extra claims: %v", err)
	}
}

// TestFastPathTaken: the tokens this package and simplejwt mint take the
// fast path with the parser's claims, so that the shortcut cannot quietly
// stop applying.
func TestFastPathTaken(t *testing.T) {
	j := fastAuth(t)
	own, err := j.GenerateToken("42", "alice")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := j.NewPair("42", nil)
	if err != nil {
		t.Fatal(err)
	}
	withKid, err := NewKey("k1", HS256, fastSecret)
	if err != nil {
		t.Fatal(err)
	}
	jk, err := NewWithKey(withKid, WithClock(func() time.Time { return fastNow }), WithIssuer("https://issuer"), WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	kidTok, err := jk.GenerateToken("7", "bob")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		j   *JWTAuth
		tok string
	}{
		"GenerateToken":          {j, own},
		"NewPair access":         {j, pair.Access},
		"NewPair refresh":        {j, pair.Refresh},
		"simplejwt":              {j, hs256(hdrSorted, simplePayload)},
		"no typ":                 {j, hs256(hdrNoTyp, simplePayload)},
		"kid, iss and aud array": {jk, kidTok},
		"aud string":             {j, hs256(hdrSorted, `{"aud":"x","exp":1772370000}`)},
		"white space, unknown scalars": {j, hs256(hdrSorted,
			" {\n\t\"exp\" : 1772370000 , \"admin\":true,\"n\":-3,\"x\":null,\"f\":false,\"s\":\"é\",\"username\":\"José\"} ")},
	} {
		t.Run(name, func(t *testing.T) {
			if !compare(t, tc.j, tc.tok) {
				t.Fatalf("fast path declined %q", tc.tok)
			}
		})
	}
}

// TestKidNotUTF8: a kid no JSON header can carry is refused, so that the
// fast path's header (json.Marshal writes U+FFFD for it) and the parser's
// key lookup cannot disagree.
func TestKidNotUTF8(t *testing.T) {
	if _, err := NewKey("\xff", HS256, fastSecret); err == nil {
		t.Fatal("NewKey accepted a kid that is not UTF-8")
	}
}

// TestFastPathDeclines: shapes json.Unmarshal or the parser decide are left
// to them, and forged or invalid tokens never pass the fast path.
func TestFastPathDeclines(t *testing.T) {
	j := fastAuth(t)
	good := hs256(hdrSorted, simplePayload)
	parts := strings.Split(good, ".")
	for name, tok := range map[string]string{
		"escape":             hs256(hdrSorted, `{"exp":1772370000,"username":"a\u0062"}`),
		"case variant":       hs256(hdrSorted, `{"exp":1772370000,"EXP":1}`),
		"duplicate":          hs256(hdrSorted, `{"exp":1772370000,"exp":1772370001}`),
		"fraction":           hs256(hdrSorted, `{"exp":1772370000.5}`),
		"exponent":           hs256(hdrSorted, `{"exp":1.77237e9}`),
		"null date":          hs256(hdrSorted, `{"exp":null}`),
		"beyond 2^53":        hs256(hdrSorted, `{"exp":9007199254740993}`),
		"nested claim":       hs256(hdrSorted, `{"exp":1772370000,"x":{"a":1}}`),
		"trailing garbage":   hs256(hdrSorted, `{"exp":1772370000}x`),
		"invalid UTF-8":      hs256(hdrSorted, "{\"exp\":1772370000,\"username\":\"\xff\"}"),
		"non-ASCII name":     hs256(hdrSorted, "{\"exp\":1772370000,\"\u017fub\":\"x\"}"),
		"leading zero":       hs256(hdrSorted, `{"exp":01772370000}`),
		"not an object":      hs256(hdrSorted, `null`),
		"expired":            hs256(hdrSorted, `{"exp":1}`),
		"no exp":             hs256(hdrSorted, `{"user_id":"1"}`),
		"crit":               hs256(`{"alg":"HS256","crit":["b64"],"typ":"JWT"}`, simplePayload),
		"unknown kid":        hs256(`{"alg":"HS256","kid":"x","typ":"JWT"}`, simplePayload),
		"typ first":          hs256(`{"typ":"JWT","alg":"HS256"}`, simplePayload),
		"bad signature":      parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])),
		"short signature":    parts[0] + "." + parts[1] + "." + parts[2][:10],
		"non-strict base64":  parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-1] + "B",
		"four segments":      good + ".x",
		"two segments":       parts[0] + "." + parts[1],
		"alg none":           enc(`{"alg":"none"}`) + "." + parts[1] + ".",
		"string user_id int": hs256(hdrSorted, `{"exp":1772370000,"user_id":1.0}`),
	} {
		t.Run(name, func(t *testing.T) {
			if compare(t, j, tok) {
				t.Fatalf("fast path decided %q", tok)
			}
		})
	}
}

// FuzzFastPath signs arbitrary payloads under every header the fast path
// knows and some it does not, and checks that whatever the fast path
// accepts, golang-jwt's parser accepts with identical claims, and that
// whatever the parser accepts is the exact-match reading of PyJWT and
// simplejwt (exactReading).
func FuzzFastPath(f *testing.F) {
	for _, p := range []string{
		simplePayload,
		`{"token_type":"access","exp":1772370000,"iat":1772366400,"jti":"j","user_id":"42","username":"alice","aud":["a","b"],"iss":"i","sub":"s","nbf":1772366400}`,
		`{"exp":1772370000,"aud":[]}`, `{"exp":1772370000,"aud":[1]}`, `{"exp":-0,"iat":0}`,
		`{"exp":1772370000,"Exp":5}`, `{"exp":1772370000,"user_id":-7}`, `{"exp":1772370000,"user_id":true}`,
		`{"exp":1772370000,"x":"\u00e9"}`, `{}`, `[]`, `"x"`, `{"exp":1772370000,}`, `{"exp":1772370000 "iat":1}`,
		`{"exp":1772370000,"USER_ID":"1"}`, `{"exp":1772370000,"user_id":"2","User_Id":"1"}`, `{"exp":1772370000,"uſer_id":"1"}`,
		`{"exp":1772370000,"user_id":"1","user_id":null}`, `{"exp":1772370000,"user\u005fid":"1"}`, `{"exp":1772370000,"\u0055SER_ID":"1"}`,
	} {
		f.Add([]byte(p), uint8(0), false)
	}
	for hdr := range uint8(64) {
		f.Add([]byte(simplePayload), hdr, hdr%7 == 0)
	}
	// Rings without a kid, with a plain one, and with one JSON escapes.
	var rings []*JWTAuth
	for _, kid := range []string{"", "k1", "a\"b<&>\u2028é"} {
		k, err := NewKey(kid, HS256, fastSecret)
		if err != nil {
			f.Fatal(err)
		}
		j, err := NewWithKey(k, WithClock(func() time.Time { return fastNow }))
		if err != nil {
			f.Fatal(err)
		}
		rings = append(rings, j)
	}
	var headers []string
	for _, j := range rings {
		headers = append(headers, fastHeaders(j.SigningKey())...)
	}
	headers = append(headers, enc(`{"alg":"HS256","typ":"JWT","x":1}`), enc(`{"alg":"HS256","kid":"k1"}`))
	f.Fuzz(func(t *testing.T, payload []byte, hdr uint8, flip bool) {
		j := rings[int(hdr/16)%len(rings)]
		h := headers[int(hdr)%len(headers)]
		in := h + "." + base64.RawURLEncoding.EncodeToString(payload)
		m := hmac.New(sha256.New, fastSecret)
		m.Write([]byte(in))
		sig := m.Sum(nil)
		if flip {
			sig[len(sig)-1] ^= 1
		}
		tok := in + "." + base64.RawURLEncoding.EncodeToString(sig)
		ok := compare(t, j, tok)
		if ok && flip {
			t.Fatalf("fast path accepted a bad signature")
		}
	})
}

func BenchmarkFastParse(b *testing.B) {
	j := fastAuth(b)
	tok := hs256(hdrSorted, simplePayload)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, ok := j.fastParse(tok); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("parser", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := j.parseSlow(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzScanClaimNames: on a valid JSON object, the allocation-free name
// scan of the parser path sees exactly the names encoding/json sees, or
// gives up (and encoding/json decides).
func FuzzScanClaimNames(f *testing.F) {
	for _, s := range []string{simplePayload, `{"a":{"b":[1,"}",{"c":"\""}]},"user_id":1}`, `{"a":"\\","b":[]}`, `{}`, ` { "x" : true , "y":null}`, `{"a":1e5,"b":-0.5}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var names []string
		_, ok := scanClaimNames(s, func(n string) error { names = append(names, n); return nil })
		var obj map[string]json.RawMessage
		if !ok || json.Unmarshal([]byte(s), &obj) != nil {
			return
		}
		var want []string
		dec := json.NewDecoder(strings.NewReader(s))
		dec.Token()
		for dec.More() {
			tok, _ := dec.Token()
			want = append(want, tok.(string))
			var skip json.RawMessage
			_ = dec.Decode(&skip)
		}
		if !reflect.DeepEqual(names, want) {
			t.Fatalf("%s: scanned %q, encoding/json %q", s, names, want)
		}
	})
}
