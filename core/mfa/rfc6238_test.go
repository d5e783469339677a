package mfa

import (
	"context"
	"encoding/base32"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TestRFC6238Vectors checks VerifyCode against RFC 6238 Appendix B (8
// digits, 30-second steps, T0 = 0) with the per-algorithm seeds of the
// RFC's Appendix A reference code.
func TestRFC6238Vectors(t *testing.T) {
	seeds := map[otp.Algorithm]string{
		otp.AlgorithmSHA1:   "12345678901234567890",
		otp.AlgorithmSHA256: "12345678901234567890123456789012",
		otp.AlgorithmSHA512: "1234567890123456789012345678901234567890123456789012345678901234",
	}
	vectors := []struct {
		unix                 int64
		sha1, sha256, sha512 string
	}{
		{59, "94287082", "46119246", "90693936"},
		{1111111109, "07081804", "68084774", "25091201"},
		{1111111111, "14050471", "67062674", "99943326"},
		{1234567890, "89005924", "91819424", "93441116"},
		{2000000000, "69279037", "90698825", "38618901"},
		{20000000000, "65353130", "77737706", "47863826"},
	}
	ctx := context.Background()
	for _, v := range vectors {
		for alg, code := range map[otp.Algorithm]string{otp.AlgorithmSHA1: v.sha1, otp.AlgorithmSHA256: v.sha256, otp.AlgorithmSHA512: v.sha512} {
			m, err := New("RFC", NewMemoryStore(), make([]byte, 32))
			if err != nil {
				t.Fatal(err)
			}
			m.Digits, m.Algorithm, m.PastSteps = otp.DigitsEight, alg, 0
			now := time.Unix(v.unix, 0)
			m.Now = func() time.Time { return now }
			beginSecret(t, m, "u", []byte(seeds[alg]))
			// One digit off is refused; the vector confirms the
			// enrollment and is consumed by it.
			wrong := []byte(code)
			wrong[7] = '0' + (wrong[7]-'0'+1)%10
			if _, err := m.Confirm(ctx, "u", string(wrong)); err != ErrInvalidCode {
				t.Errorf("%v at %d: Confirm(%s) error = %v; want ErrInvalidCode", alg, v.unix, wrong, err)
			}
			if codes, err := m.Confirm(ctx, "u", code); err != nil || len(codes) != RecoveryCodes {
				t.Errorf("%v at %d: Confirm(%s) = %d codes, %v; want success", alg, v.unix, code, len(codes), err)
			}
			if ok, err := m.VerifyCode(ctx, "u", code); ok || err != nil {
				t.Errorf("%v at %d: %s = %v, %v after Confirm used it; want false", alg, v.unix, code, ok, err)
			}
			// The next step's code is accepted.
			next := time.Unix(v.unix+30, 0)
			m.Now = func() time.Time { return next }
			want, err := totp.GenerateCodeCustom(base32.StdEncoding.EncodeToString([]byte(seeds[alg])), next, totp.ValidateOpts{Digits: otp.DigitsEight, Algorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := m.VerifyCode(ctx, "u", want); !ok || err != nil {
				t.Errorf("%v at %d: next step's code = %v, %v; want true", alg, v.unix, ok, err)
			}
		}
	}
}

// beginSecret stores an unconfirmed enrollment of user with a known secret.
func beginSecret(t testing.TB, m *MFAAuthentication, user string, secret []byte) {
	t.Helper()
	sealed, err := m.keys.seal(user, secret)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.Store.Begin(ctx, Record{UserID: user, Secret: sealed, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
}
