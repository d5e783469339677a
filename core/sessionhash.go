package core

import (
	"encoding/hex"

	"github.com/reinhardt-go/auth/core/signing"
)

// sessionAuthHashSalt is the key salt Django uses for the session auth hash.
const sessionAuthHashSalt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"

// GetSessionAuthHash returns Django's get_session_auth_hash() for u under
// the site's secret key: salted_hmac(key_salt, password_hash, secret,
// "sha256").hexdigest(), 64 hex characters. A session stores it at login;
// when the password (and so the hash) changes, every other session stops
// matching and is logged out.
func GetSessionAuthHash(u BaseUser, secret []byte) string {
	return SaltedHMAC(sessionAuthHashSalt, u.PasswordHash(), secret)
}

// SaltedHMAC is Django's django.utils.crypto.salted_hmac with SHA-256,
// returned as lower-case hex: HMAC-SHA256 keyed with
// SHA256(keySalt + secret) over value. signing.SaltedHMAC has the other
// algorithm and the raw digest.
func SaltedHMAC(keySalt, value string, secret []byte) string {
	return hex.EncodeToString(signing.SaltedHMAC(signing.SHA256, keySalt, []byte(value), secret))
}
