package signing

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // Django's legacy algorithm, for verification of old values
	"crypto/sha256"
	"fmt"
	"hash"
)

// Algorithm names the hash of an HMAC as Django names it (the hashlib
// name passed as salted_hmac's algorithm).
type Algorithm string

const (
	// SHA256 is Django's default since 3.1 (DEFAULT_HASHING_ALGORITHM).
	SHA256 Algorithm = "sha256"
	// SHA1 is Django's algorithm before 3.1. Django 3.2 still accepts
	// values signed with it (its legacy_algorithm); so does Signer unless
	// WithoutLegacySHA1 is given.
	SHA1 Algorithm = "sha1"
)

// hash returns the constructor of a's hash, or an error for a name this
// package does not know.
func (a Algorithm) hash() (func() hash.Hash, error) {
	switch a {
	case SHA256:
		return sha256.New, nil
	case SHA1:
		return sha1.New, nil
	}
	return nil, fmt.Errorf("signing: unknown algorithm %q (want %q or %q)", string(a), SHA256, SHA1)
}

// SaltedHMAC is Django's django.utils.crypto.salted_hmac: the HMAC of value
// with alg, keyed with alg(keySalt + secret), as the raw digest. Django's
// hexdigest() is hex.EncodeToString of it. It panics only for an unknown
// alg, which is a programming error (the constants above are the known
// ones).
func SaltedHMAC(alg Algorithm, keySalt string, value, secret []byte) []byte {
	h, err := alg.hash()
	if err != nil {
		panic(err)
	}
	kh := h()
	kh.Write([]byte(keySalt))
	kh.Write(secret)
	mac := hmac.New(h, kh.Sum(nil))
	mac.Write(value)
	return mac.Sum(nil)
}
