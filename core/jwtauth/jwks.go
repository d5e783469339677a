package jwtauth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"

	"github.com/reinhardt-go/auth/core"
)

// jwk is one JSON Web Key (RFC 7517) of a public signing key, its members
// in the conventional order.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Crv string `json:"crv,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

type jwkSet struct {
	Keys []jwk `json:"keys"`
}

var b64 = base64.RawURLEncoding

// toJWK describes k's public key; ok is false for an HMAC key, which is
// never published.
func toJWK(k *Key) (j jwk, ok bool, err error) {
	j = jwk{Kid: k.kid, Use: "sig", Alg: string(k.alg)}
	switch pub := k.public.(type) {
	case *rsa.PublicKey:
		j.Kty = "RSA"
		j.N = b64.EncodeToString(pub.N.Bytes())
		j.E = b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		pt, err := pub.Bytes() // 0x04 || X || Y, each padded to the field size
		if err != nil {
			return j, false, err
		}
		size := (len(pt) - 1) / 2
		j.Kty = "EC"
		j.Crv = pub.Curve.Params().Name
		j.X = b64.EncodeToString(pt[1 : 1+size])
		j.Y = b64.EncodeToString(pt[1+size:])
	case ed25519.PublicKey:
		j.Kty = "OKP"
		j.Crv = "Ed25519"
		j.X = b64.EncodeToString(pub)
	default:
		return j, false, nil
	}
	return j, true, nil
}

// MarshalJWKS returns the JWK Set (RFC 7517 section 5) of the public parts
// of keys: {"keys":[{"kty":..., "kid":..., "use":"sig", "alg":..., ...}]}.
// HMAC keys are left out (their secret is never published); an empty set
// is {"keys":[]}.
func MarshalJWKS(keys ...*Key) ([]byte, error) {
	set := jwkSet{Keys: []jwk{}}
	for _, k := range keys {
		j, ok, err := toJWK(k)
		if err != nil {
			return nil, fmt.Errorf("jwtauth: key %q: %w", k.kid, err)
		}
		if ok {
			set.Keys = append(set.Keys, j)
		}
	}
	return json.Marshal(set)
}

// Thumbprint returns the RFC 7638 SHA-256 thumbprint of k's public key,
// base64url without padding: a good kid for an asymmetric key.
func Thumbprint(k *Key) (string, error) {
	j, ok, err := toJWK(k)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errors.New("jwtauth: an HMAC key has no thumbprint")
	}
	// The required members only, in lexicographic order, no whitespace.
	var canon string
	switch j.Kty {
	case "RSA":
		canon = `{"e":"` + j.E + `","kty":"RSA","n":"` + j.N + `"}`
	case "EC":
		canon = `{"crv":"` + j.Crv + `","kty":"EC","x":"` + j.X + `","y":"` + j.Y + `"}`
	case "OKP":
		canon = `{"crv":"` + j.Crv + `","kty":"OKP","x":"` + j.X + `"}`
	}
	sum := sha256.Sum256([]byte(canon))
	return b64.EncodeToString(sum[:]), nil
}

// ParseJWKS returns the keys of a JWK Set that can verify tokens: RSA (at
// least 2048 bits), EC on P-256/P-384/P-521 and OKP Ed25519 keys whose use
// is "sig" or absent. A key without "alg" gets its kty's usual one (RSA:
// RS256; EC: the ES algorithm of its curve; Ed25519: EdDSA); a key whose
// alg does not fit its kty, symmetric ("oct") keys and any other key are
// skipped, as are later keys repeating a kid. Only malformed JSON is an
// error.
func ParseJWKS(data []byte) ([]*Key, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("jwtauth: malformed JWKS: %w", err)
	}
	keys := make([]*Key, 0, len(set.Keys))
	seen := make(map[string]bool, len(set.Keys))
	for _, raw := range set.Keys {
		var j jwk
		if json.Unmarshal(raw, &j) != nil {
			continue
		}
		k, err := parseJWK(j)
		if err != nil || seen[k.kid] {
			continue
		}
		seen[k.kid] = true
		keys = append(keys, k)
	}
	return keys, nil
}

func parseJWK(j jwk) (*Key, error) {
	if j.Use != "" && j.Use != "sig" {
		return nil, fmt.Errorf("jwtauth: key use %q", j.Use)
	}
	alg := Algorithm(j.Alg)
	switch j.Kty {
	case "RSA":
		n, err1 := b64.DecodeString(j.N)
		e, err2 := b64.DecodeString(j.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("jwtauth: bad RSA JWK")
		}
		ev := new(big.Int).SetBytes(e)
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(ev.Int64())}
		if alg == "" {
			alg = RS256
		}
		switch alg {
		case RS256, RS384, RS512, PS256, PS384, PS512:
			return NewKey(j.Kid, alg, pub)
		}
	case "EC":
		var curve elliptic.Curve
		switch j.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, errors.New("jwtauth: unsupported EC curve")
		}
		x, err1 := b64.DecodeString(j.X)
		y, err2 := b64.DecodeString(j.Y)
		size := (curve.Params().BitSize + 7) / 8
		if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
			return nil, errors.New("jwtauth: bad EC JWK")
		}
		pt := append(append([]byte{4}, x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, pt)
		if err != nil {
			return nil, err
		}
		if alg == "" {
			for _, a := range []Algorithm{ES256, ES384, ES512} {
				if curveFor(a) == curve {
					alg = a
				}
			}
		}
		switch alg {
		case ES256, ES384, ES512:
			return NewKey(j.Kid, alg, pub)
		}
	case "OKP":
		x, err := b64.DecodeString(j.X)
		if err != nil || j.Crv != "Ed25519" || len(x) != ed25519.PublicKeySize {
			return nil, errors.New("jwtauth: bad OKP JWK")
		}
		if alg == "" {
			alg = EdDSA
		}
		if alg == EdDSA {
			return NewKey(j.Kid, alg, ed25519.PublicKey(x))
		}
	}
	return nil, fmt.Errorf("jwtauth: unsupported JWK kty %q alg %q", j.Kty, j.Alg)
}

// JWKS returns the JWK Set of the ring's public keys (see MarshalJWKS):
// every asymmetric key not retired, the signing key and the keys kept to
// verify older tokens. HMAC secrets are never included.
func (j *JWTAuth) JWKS() []byte {
	b := j.ring.Load().jwks
	return append([]byte(nil), b...)
}

// JWKSHandler returns the endpoint that serves JWKS at GET (and HEAD), as
// application/json with "Cache-Control: public, max-age=N" (WithJWKSMaxAge,
// 15 minutes by default). Other methods are 405.
func (j *JWTAuth) JWKSHandler() core.Endpoint {
	cc := "public, max-age=" + strconv.Itoa(int(j.cfg.jwksMaxAge.Seconds()))
	return core.EndpointFunc(func(w core.Response, r core.Request) error {
		if m := r.Method(); m != http.MethodGet && m != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			return core.MethodNotAllowed(m)
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", cc)
		return w.Write(http.StatusOK, j.ring.Load().jwks)
	})
}
