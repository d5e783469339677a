// Package mfa is time-based one-time password (TOTP, RFC 6238) multi-factor
// authentication: the reference's MFAAuthentication, over
// github.com/pquerna/otp.
//
//	m, err := mfa.New("MyApp", store, secretKey) // store: mfa.NewMemoryStore() or sqlstore's MFA()
//	e, err := m.RegisterUser(ctx, userID, "alice")  // e.URL (otpauth://), e.QRCodePNG
//	codes, err := m.Confirm(ctx, userID, "123456")   // first valid code: MFA is on; 10 recovery codes, shown once
//	ok, err := m.VerifyCode(ctx, userID, "123456")   // during login
//
// # Defaults
//
// Codes have 6 digits over HMAC-SHA1 with a 30-second step, which is what
// every authenticator app understands. VerifyCode accepts the code of the
// current step and of the previous one (PastSteps 1, FutureSteps 0):
// a code typed just before its step ended still works, a code two steps
// old does not. Secrets are 20 random bytes (160 bits, RFC 4226's
// recommendation) from crypto/rand.
//
// # One use per code
//
// A code is accepted at most once. Each user's record keeps the last
// accepted time step, and a code is accepted only when the store advances
// that step to the code's step with a compare-and-set (Store.AdvanceStep):
// a replayed code, ten concurrent submissions of one code, or a code of a
// step before the last accepted one, succeed at most once in total.
//
// # Secrets at rest
//
// The TOTP secret is stored encrypted with AES-256-GCM under a key derived
// with HKDF-SHA256 from the application's secret key, with the user id as
// additional data, so a ciphertext copied to another user's row does not
// decrypt. New takes a key ring: the first key encrypts, every key
// decrypts, and each ciphertext names the key id it was made with, so the
// secret key can be rotated without re-enrolling users (re-encryption
// happens when a user enrolls again).
//
// # Recovery codes
//
// Confirm and NewRecoveryCodes return 10 single-use recovery codes
// (RecoveryCodes), shown to the user once. The store keeps their SHA-256
// hashes only. A recovery code has 80 random bits, so no salt or slow hash
// is needed: the hash cannot be reversed by guessing, unlike a password's,
// and a fast unkeyed hash keeps the codes valid across key rotations. The
// memory store compares hashes in constant time; the SQL store looks the
// hash up by equality, which reveals nothing about an unguessable value.
//
// The login paths of the adapters (an "otp" field next to the password)
// use VerifyOTP, which takes either a TOTP code or a recovery code.
package mfa
