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

// LegacySessionAuthHash is Django 3.1 and 3.2's
// _legacy_get_session_auth_hash(): the session auth hash of Django before
// 3.1 (and of a 3.1/3.2 project on DEFAULT_HASHING_ALGORITHM = 'sha1'),
// salted_hmac with SHA-1, 40 hex characters. Django 3.2's get_user still
// accepts it; so does sessions.SessionAuthentication.
func LegacySessionAuthHash(u BaseUser, secret []byte) string {
	return hex.EncodeToString(signing.SaltedHMAC(signing.SHA1, sessionAuthHashSalt, []byte(u.PasswordHash()), secret))
}

// SaltedHMAC is Django's django.utils.crypto.salted_hmac with SHA-256,
// returned as lower-case hex: HMAC-SHA256 keyed with
// SHA256(keySalt + secret) over value. signing.SaltedHMAC has the other
// algorithm and the raw digest.
func SaltedHMAC(keySalt, value string, secret []byte) string {
	return hex.EncodeToString(signing.SaltedHMAC(signing.SHA256, keySalt, []byte(value), secret))
}
