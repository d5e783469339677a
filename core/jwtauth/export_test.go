package jwtauth

import "github.com/golang-jwt/jwt/v5"

// InsecureHMACKey makes an HMAC key without the length check, so that the
// tests can verify published vectors signed with short secrets (simplejwt's
// "not_secret"). The package offers no such thing.
func InsecureHMACKey(kid string, alg Algorithm, secret []byte) *Key {
	k := &Key{kid: kid, alg: alg, method: alg.method(), sign: secret, verify: secret}
	if hm, ok := k.method.(*jwt.SigningMethodHMAC); ok {
		k.mac = newMacPool(hm.Hash.New, secret)
	}
	return k
}

// CacheLen is the number of cached verifications.
func CacheLen(j *JWTAuth) int {
	if j.cache == nil {
		return 0
	}
	return j.cache.len()
}
