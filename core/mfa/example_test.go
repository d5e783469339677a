package mfa_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/reinhardt-go/auth/core/mfa"
)

// The reference's snippet: register a user, then verify a code from the
// user's authenticator app (here computed from the secret).
func Example() {
	ctx := context.Background()
	secretKey := []byte("an application secret key of at least 32 bytes")
	m, err := mfa.New("MyApp", mfa.NewMemoryStore(), secretKey)
	if err != nil {
		panic(err)
	}

	// Register user for MFA: the user scans e.QRCodePNG (or e.URL).
	e, err := m.RegisterUser(ctx, "42", "alice")
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(e.URL, "otpauth://totp/MyApp:alice?"))

	// The first code confirms the enrollment and returns the recovery codes.
	first, _ := totp.GenerateCode(e.Secret, time.Now())
	recovery, err := m.Confirm(ctx, "42", first)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(recovery), "recovery codes")

	// During login: a code is good once, a recovery code too.
	ok, _ := m.VerifyCode(ctx, "42", first)
	fmt.Println("same code again:", ok)
	ok, _ = m.VerifyOTP(ctx, "42", recovery[0])
	fmt.Println("recovery code:", ok)
	ok, _ = m.VerifyOTP(ctx, "42", recovery[0])
	fmt.Println("recovery code again:", ok)
	// Output:
	// true
	// 10 recovery codes
	// same code again: false
	// recovery code: true
	// recovery code again: false
}
