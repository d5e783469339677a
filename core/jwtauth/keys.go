package jwtauth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"sync/atomic"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// Algorithm is a JWS "alg" value (RFC 7518). "none" is not one.
type Algorithm string

// The supported algorithms.
const (
	HS256 Algorithm = "HS256"
	HS384 Algorithm = "HS384"
	HS512 Algorithm = "HS512"
	RS256 Algorithm = "RS256"
	RS384 Algorithm = "RS384"
	RS512 Algorithm = "RS512"
	PS256 Algorithm = "PS256"
	PS384 Algorithm = "PS384"
	PS512 Algorithm = "PS512"
	ES256 Algorithm = "ES256"
	ES384 Algorithm = "ES384"
	ES512 Algorithm = "ES512"
	EdDSA Algorithm = "EdDSA"
)

// MinRSABits is the smallest RSA modulus accepted, for local and remote
// keys alike.
const MinRSABits = 2048

func (a Algorithm) method() jwt.SigningMethod {
	switch a {
	case HS256:
		return jwt.SigningMethodHS256
	case HS384:
		return jwt.SigningMethodHS384
	case HS512:
		return jwt.SigningMethodHS512
	case RS256:
		return jwt.SigningMethodRS256
	case RS384:
		return jwt.SigningMethodRS384
	case RS512:
		return jwt.SigningMethodRS512
	case PS256:
		return jwt.SigningMethodPS256
	case PS384:
		return jwt.SigningMethodPS384
	case PS512:
		return jwt.SigningMethodPS512
	case ES256:
		return jwt.SigningMethodES256
	case ES384:
		return jwt.SigningMethodES384
	case ES512:
		return jwt.SigningMethodES512
	case EdDSA:
		return jwt.SigningMethodEdDSA
	}
	return nil
}

// hmacMinBytes is the shortest secret for an HMAC algorithm: the hash
// output size (RFC 7518 section 3.2).
func hmacMinBytes(a Algorithm) int {
	switch a {
	case HS384:
		return 48
	case HS512:
		return 64
	}
	return 32
}

// curveFor is the curve an ES algorithm requires.
func curveFor(a Algorithm) elliptic.Curve {
	switch a {
	case ES256:
		return elliptic.P256()
	case ES384:
		return elliptic.P384()
	case ES512:
		return elliptic.P521()
	}
	return nil
}

// Key is one key of a key ring: an id (the JWS kid, "" for tokens without
// one), the one algorithm it verifies (pinned: a token naming another alg
// is refused) and the key material. A Key with a private part can sign;
// one made from a public key only verifies. Keys are immutable, except for
// being retired from their ring.
type Key struct {
	kid    string
	alg    Algorithm
	method jwt.SigningMethod
	sign   any              // nil for a verify-only key
	verify any              // what golang-jwt's Verify takes
	public crypto.PublicKey // nil for HMAC
	mac    *macPool         // HMAC states for the fast path; nil but for HMAC
	// retired is set when the key leaves its ring; cached verifications
	// made with it then stop counting.
	retired atomic.Bool
}

// NewKey returns a key of algorithm alg named kid ("" for tokens that
// carry no kid, as simplejwt's). key is, by algorithm:
//
//   - HS256/HS384/HS512: a []byte secret of at least 32/48/64 bytes (it
//     is copied);
//   - RS*/PS*: an *rsa.PrivateKey, or an *rsa.PublicKey to verify only,
//     of at least 2048 bits;
//   - ES256/ES384/ES512: an *ecdsa.PrivateKey or *ecdsa.PublicKey on
//     P-256/P-384/P-521 respectively;
//   - EdDSA: an ed25519.PrivateKey or ed25519.PublicKey.
//
// Anything else, a key too short, a secret that is a PEM document (the
// key-confusion mistake of using a public key as an HMAC secret), or a kid
// that is not valid UTF-8 is an error.
func NewKey(kid string, alg Algorithm, key any) (*Key, error) {
	m := alg.method()
	if m == nil {
		return nil, fmt.Errorf("jwtauth: unsupported algorithm %q", alg)
	}
	if !utf8.ValidString(kid) {
		// A kid is a JSON string (RFC 7515 section 4.1.4): no token could
		// name this one.
		return nil, fmt.Errorf("jwtauth: kid %q is not valid UTF-8", kid)
	}
	k := &Key{kid: kid, alg: alg, method: m}
	bad := func() (*Key, error) {
		return nil, fmt.Errorf("jwtauth: a %T is not a key for %s", key, alg)
	}
	switch alg {
	case HS256, HS384, HS512:
		secret, ok := key.([]byte)
		if !ok {
			return bad()
		}
		if n := hmacMinBytes(alg); len(secret) < n {
			return nil, fmt.Errorf("%w: an %s secret must be at least %d bytes, got %d (generate one with crypto/rand)", ErrWeakKey, alg, n, len(secret))
		}
		if bytes.Contains(secret, []byte("-----BEGIN")) {
			return nil, fmt.Errorf("%w: the %s secret is a PEM document; use the key with an RS/ES/EdDSA algorithm instead", ErrWeakKey, alg)
		}
		s := bytes.Clone(secret)
		k.sign, k.verify = s, s
		k.mac = newMacPool(m.(*jwt.SigningMethodHMAC).Hash.New, s)
	case RS256, RS384, RS512, PS256, PS384, PS512:
		var pub *rsa.PublicKey
		switch v := key.(type) {
		case *rsa.PrivateKey:
			k.sign, pub = v, &v.PublicKey
		case *rsa.PublicKey:
			pub = v
		default:
			return bad()
		}
		if pub == nil || pub.N == nil || pub.N.BitLen() < MinRSABits {
			return nil, fmt.Errorf("%w: RSA keys must have at least %d bits", ErrWeakKey, MinRSABits)
		}
		k.verify, k.public = pub, pub
	case ES256, ES384, ES512:
		var pub *ecdsa.PublicKey
		switch v := key.(type) {
		case *ecdsa.PrivateKey:
			k.sign, pub = v, &v.PublicKey
		case *ecdsa.PublicKey:
			pub = v
		default:
			return bad()
		}
		if pub == nil || pub.Curve != curveFor(alg) {
			return nil, fmt.Errorf("jwtauth: %s needs a key on %s", alg, curveFor(alg).Params().Name)
		}
		k.verify, k.public = pub, pub
	case EdDSA:
		switch v := key.(type) {
		case ed25519.PrivateKey:
			if len(v) != ed25519.PrivateKeySize {
				return bad()
			}
			pub := v.Public().(ed25519.PublicKey)
			k.sign, k.verify, k.public = v, pub, pub
		case ed25519.PublicKey:
			if len(v) != ed25519.PublicKeySize {
				return bad()
			}
			k.verify, k.public = v, v
		default:
			return bad()
		}
	}
	return k, nil
}

// ID is the key's kid ("" for none).
func (k *Key) ID() string { return k.kid }

// Algorithm is the one algorithm the key signs and verifies with.
func (k *Key) Algorithm() Algorithm { return k.alg }

// CanSign reports whether the key has a private part (or is an HMAC
// secret).
func (k *Key) CanSign() bool { return k.sign != nil }

// Public is the public key, nil for an HMAC key.
func (k *Key) Public() crypto.PublicKey { return k.public }

// sameAs reports whether o is the same public key under the same id and
// algorithm (a remote key set keeps the old *Key across refreshes then).
func (k *Key) sameAs(o *Key) bool {
	if k.kid != o.kid || k.alg != o.alg || k.public == nil {
		return false
	}
	eq, ok := k.public.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(o.public)
}

// ring is an immutable snapshot of a JWTAuth's keys; writers copy it.
type ring struct {
	keys    []*Key // in the order they were added
	byKid   map[string]*Key
	fast    map[string]*Key // by header segment, for fastParse
	signing *Key
	jwks    []byte // the published JWKS of keys
}

func newRing(keys []*Key, signing *Key) (*ring, error) {
	r := &ring{keys: keys, byKid: make(map[string]*Key, len(keys)), fast: make(map[string]*Key), signing: signing}
	for _, k := range keys {
		r.byKid[k.kid] = k
		for _, h := range fastHeaders(k) {
			r.fast[h] = k
		}
	}
	jwks, err := MarshalJWKS(keys...)
	if err != nil {
		return nil, err
	}
	r.jwks = jwks
	return r, nil
}
