package mfa

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// HKDF info strings: one key for encryption, one for the key id, so the id
// (stored in the clear) says nothing about the encryption key.
const (
	infoEncrypt = "reinhardt-auth mfa totp secret v1"
	infoKeyID   = "reinhardt-auth mfa key id v1"
)

// MinKeyLen is the shortest secret key New accepts, in bytes.
const MinKeyLen = 32

var errDecrypt = errors.New("mfa: the stored secret does not decrypt with any key")

// keyRing encrypts with its first key and decrypts with any.
type keyRing struct {
	keys []ringKey
}

type ringKey struct {
	id   string // 8 hex digits
	aead cipher.AEAD
}

func newKeyRing(secrets [][]byte) (*keyRing, error) {
	if len(secrets) == 0 {
		return nil, errors.New("mfa: no secret key")
	}
	r := &keyRing{}
	for i, s := range secrets {
		if len(s) < MinKeyLen {
			return nil, fmt.Errorf("mfa: secret key %d is shorter than %d bytes", i, MinKeyLen)
		}
		k, err := hkdf.Key(sha256.New, s, nil, infoEncrypt, 32)
		if err != nil {
			return nil, err
		}
		id, err := hkdf.Key(sha256.New, s, nil, infoKeyID, 4)
		if err != nil {
			return nil, err
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		r.keys = append(r.keys, ringKey{id: hex.EncodeToString(id), aead: aead})
	}
	return r, nil
}

// seal encrypts plaintext for userID: "v1$<key id>$<base64url(nonce|ciphertext)>".
func (r *keyRing) seal(userID string, plaintext []byte) (string, error) {
	k := r.keys[0]
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := k.aead.Seal(nonce, nonce, plaintext, []byte(userID))
	return "v1$" + k.id + "$" + base64.RawURLEncoding.EncodeToString(out), nil
}

// open decrypts a sealed value of userID with the key it names.
func (r *keyRing) open(userID, sealed string) ([]byte, error) {
	version, rest, ok := strings.Cut(sealed, "$")
	id, body, ok2 := strings.Cut(rest, "$")
	if !ok || !ok2 || version != "v1" {
		return nil, errDecrypt
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return nil, errDecrypt
	}
	for _, k := range r.keys {
		if k.id != id || len(raw) < k.aead.NonceSize() {
			continue
		}
		n := k.aead.NonceSize()
		if p, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(userID)); err == nil {
			return p, nil
		}
	}
	return nil, errDecrypt
}
