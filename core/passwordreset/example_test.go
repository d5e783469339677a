package passwordreset_test

import (
	"fmt"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/passwordreset"
)

// A reset link's uid and token, checked when the link comes back, and dead
// once the password has changed. The token is the one Django 3.2 makes for
// the same user at the same time with the same secret key.
func Example() {
	tokens, err := passwordreset.New([]byte("django-insecure-example-key"))
	if err != nil {
		panic(err)
	}
	tokens.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) } // a fixed clock for the output
	user := &core.DefaultUser{ID: 42, Username: "alice", Email: "alice@example.com",
		Password: "pbkdf2_sha256$1000000$salt$hash"}

	uid, token := passwordreset.EncodeUID(user.GetID()), tokens.MakeToken(user)
	fmt.Printf("/reset/%s/%s/\n", uid, token)

	pk, err := passwordreset.DecodeUID(uid) // look the user up by pk
	fmt.Println(pk, err, tokens.CheckToken(user, token))

	user.Password = "pbkdf2_sha256$1000000$salt2$newhash" // the reset
	fmt.Println(tokens.CheckToken(user, token))
	// Output:
	// /reset/NDI/d1rcit-ae12b4d7034f56a6e207d09459254408/
	// 42 <nil> true
	// false
}
