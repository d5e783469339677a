// Package signing is Django's django.core.signing in Go: values signed by
// a Django project that shares the secret key verify and load here, and
// the reverse, so that signed cookies, session data and links keep
// working while a service moves from Django to Go.
//
// # What lives here
//
//   - SaltedHMAC, Django's django.utils.crypto.salted_hmac (SHA256, and
//     the legacy SHA1).
//   - Signer (Django's Signer): value + ":" + URL-safe base64 of
//     salted_hmac(salt + "signer", value, key), checked in constant time.
//     SignObject and UnsignObject sign JSON, optionally zlib-compressed
//     (the payload then starts with '.').
//   - TimestampSigner (Django's TimestampSigner): the same with the time of
//     signing in base 62, so that Unsign can refuse old signatures.
//   - Dumps and Loads (Django's signing.dumps and signing.loads).
//   - The errors: ErrBadSignature (Django's BadSignature),
//     ErrSignatureExpired (SignatureExpired, also an ErrBadSignature),
//     ErrBadPayload and ErrTooLarge for a good signature over content that
//     does not decode.
//
// # Defaults
//
// As Django 3.2: separator ":", algorithm SHA256 with SHA1 signatures still
// accepted (WithoutLegacySHA1 refuses them, as Django 4.0 does), salts
// "django.core.signing.Signer", "django.core.signing.TimestampSigner" and,
// for Dumps and Loads, "django.core.signing". Keys are bytes (Django's
// SECRET_KEY as UTF-8); WithFallbackKeys adds Django's
// SECRET_KEY_FALLBACKS: signatures are made with the first key and
// accepted from any. A compressed payload may inflate to at most
// DefaultMaxDecompressedSize (1 MiB) before it is refused, so a small
// signed value cannot make the server allocate gigabytes; Django has no
// such bound. A maximum age of 0 checks no age (Django's max_age=None).
//
// # Differences from Django
//
// The JSON is written as Python writes it (non-ASCII as \uXXXX), so Django
// reads it back exactly; floats may be spelled differently (Go writes 1.0
// as 1). Payloads are read as Django reads them (latin-1), but base64 is
// decoded strictly, and a timestamp that is empty, negative or beyond an
// int64 is refused: Django never makes those, and Django itself fails on
// some of them with an exception other than BadSignature.
package signing
