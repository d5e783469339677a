package djangosession_test

import (
	"fmt"

	"github.com/reinhardt-go/auth/core/sessions/djangosession"
)

// Read a session_data value from Django's django_session table and write
// one Django reads back.
func Example() {
	codec, err := djangosession.New([]byte("the Django project's SECRET_KEY"))
	if err != nil {
		panic(err)
	}
	// A row Django 3.2 wrote (here, Encode stands in for it).
	sessionData, err := codec.Encode([]byte(`{"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend"}`))
	if err != nil {
		panic(err)
	}
	data, err := codec.Decode(sessionData)
	fmt.Println(string(data), err)

	_, err = codec.Decode(sessionData + "x") // tampered: Django starts an empty session
	fmt.Println(err)
	// Output:
	// {"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend"} <nil>
	// djangosession: session data corrupted: signing: bad signature: signature does not match
}
