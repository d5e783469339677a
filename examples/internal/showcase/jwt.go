package showcase

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/reinhardt-go/auth/core/jwtauth"
)

// newJWT builds the token signer and verifier: HS256 with the site secret
// (as simplejwt signs with SECRET_KEY, so tokens interoperate with a
// Django project sharing the secret), or an asymmetric algorithm with the
// PEM private key in -jwt-key, named by its RFC 7638 thumbprint.
// revocation is consulted on every verification (blacklist, revoked
// families, logout-all stamps).
func newJWT(cfg Config, secret []byte, revocation jwtauth.Revocation) (*jwtauth.JWTAuth, error) {
	opts := []jwtauth.Option{
		jwtauth.WithAccessTTL(cfg.AccessTTL), jwtauth.WithRefreshTTL(cfg.RefreshTTL),
		jwtauth.WithRevocation(revocation),
	}
	alg := jwtauth.Algorithm(cfg.JWTAlg)
	switch alg {
	case jwtauth.HS256:
		if cfg.JWTKey != "" {
			return nil, errors.New("-jwt-key is for RS256, ES256 and EdDSA; HS256 signs with the secret")
		}
		j, err := jwtauth.New(secret, opts...)
		if err != nil {
			return nil, fmt.Errorf("HS256 needs a secret of at least 32 bytes (-secret): %w", err)
		}
		return j, nil
	case jwtauth.RS256, jwtauth.ES256, jwtauth.EdDSA:
		if cfg.JWTKey == "" {
			return nil, fmt.Errorf("-jwt-alg %s needs -jwt-key, a PEM private key", alg)
		}
		priv, err := readPrivateKey(cfg.JWTKey)
		if err != nil {
			return nil, err
		}
		k, err := jwtauth.NewKey("", alg, priv)
		if err != nil {
			return nil, err
		}
		kid, err := jwtauth.Thumbprint(k)
		if err != nil {
			return nil, err
		}
		if k, err = jwtauth.NewKey(kid, alg, priv); err != nil {
			return nil, err
		}
		return jwtauth.NewWithKey(k, opts...)
	}
	return nil, fmt.Errorf("-jwt-alg %q: want HS256, RS256, ES256 or EdDSA", cfg.JWTAlg)
}

// readPrivateKey reads a PKCS#8, PKCS#1 (RSA) or SEC 1 (EC) PEM private key.
func readPrivateKey(path string) (any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-jwt-key: %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, fmt.Errorf("-jwt-key %s: no PEM block", path)
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("-jwt-key %s: not a PKCS#8, PKCS#1 or EC private key", path)
}
