package jwtauth

// InsecureHMACKey makes an HMAC key without the length check, so that the
// tests can verify published vectors signed with short secrets (simplejwt's
// "not_secret"). The package offers no such thing.
func InsecureHMACKey(kid string, alg Algorithm, secret []byte) *Key {
	return &Key{kid: kid, alg: alg, method: alg.method(), sign: secret, verify: secret}
}

// CacheLen is the number of cached verifications.
func CacheLen(j *JWTAuth) int {
	if j.cache == nil {
		return 0
	}
	return j.cache.len()
}
