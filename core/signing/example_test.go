package signing_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/reinhardt-go/auth/core/signing"
)

// Sign a value, check it, and see a tampered one refused. The signature is
// the one Django 3.2 makes with the same key and salt.
func ExampleSigner() {
	s, err := signing.NewSigner([]byte("django-insecure-example-key"), signing.WithSalt("newsletter.unsubscribe"))
	if err != nil {
		panic(err)
	}
	signed := s.Sign("alice@example.com")
	fmt.Println(signed)

	value, err := s.Unsign(signed)
	fmt.Println(value, err)

	_, err = s.Unsign("mallory@example.com" + signed[len("alice@example.com"):])
	fmt.Println(errors.Is(err, signing.ErrBadSignature))
	// Output:
	// alice@example.com:EPUvM140KW1pW7ru746eW6LCiRcfOru60Rbph51ybS4
	// alice@example.com <nil>
	// true
}

// Dumps and Loads carry a JSON value, as Django's signing.dumps and
// signing.loads, with a maximum age.
func ExampleDumps() {
	key := []byte("django-insecure-example-key")
	token, err := signing.Dumps(key, map[string]any{"user": "42", "next": "/home"}, true)
	if err != nil {
		panic(err)
	}
	var v map[string]string
	err = signing.Loads(key, token, &v, 10*time.Minute)
	fmt.Println(v["user"], v["next"], err)
	// Output: 42 /home <nil>
}
