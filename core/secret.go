package core

import "crypto/rand"

// secretKeyChars is Django's get_random_secret_key alphabet.
const secretKeyChars = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"

// NewSecretKey returns a new site secret key as Django's
// get_random_secret_key makes one: 50 characters of
// a-z0-9!@#$%^&*(-_=+), uniformly from crypto/rand (about 282 bits).
func NewSecretKey() string {
	const n = len(secretKeyChars)
	const limit = 256 - 256%n // reject bytes that would bias the choice
	out := make([]byte, 0, 50)
	var buf [64]byte
	for len(out) < 50 {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails (Go 1.24+)
		for _, b := range buf {
			if int(b) < limit && len(out) < 50 {
				out = append(out, secretKeyChars[int(b)%n])
			}
		}
	}
	return string(out)
}
