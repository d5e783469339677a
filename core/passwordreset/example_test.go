package passwordreset_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/mail"
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

// The two endpoints over an in-memory user store: a request mails the
// link (through a queue, to an in-memory outbox here), and the link's uid
// and token, with a new password, confirm the reset.
func ExampleRequestEndpoint() {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	password := "correct horse battery staple"
	alice, _ := users.CreateUser(ctx, "alice", &password, map[string]any{"email": "alice@example.com"})

	tokens, _ := passwordreset.New([]byte("django-insecure-example-key"))
	outbox := &mail.Memory{}
	queue, _ := mail.NewQueue(outbox)
	request := &passwordreset.RequestEndpoint{Users: users, Tokens: tokens, Queue: queue,
		Origin: "https://example.com", From: "noreply@example.com"}
	confirm := &passwordreset.ConfirmEndpoint{Users: users, Tokens: tokens}

	serve := func(ep core.Endpoint, body string) int {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		if err := ep.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
			_ = core.WriteError(core.NewHTTPResponse(rec), err, "")
		}
		return rec.Code
	}
	fmt.Println(serve(request, `{"email":"ALICE@example.com"}`), serve(request, `{"email":"nobody@example.com"}`))
	_ = queue.Close(ctx) // sends what is queued
	m := outbox.Outbox()[0]
	fmt.Println(m.To, m.Subject)

	link := regexp.MustCompile(`https://example.com/accounts/reset/(\S+)/(\S+)`).FindStringSubmatch(m.Text)
	fmt.Println(link[1] == passwordreset.EncodeUID(alice.GetID()))
	body := `{"uid":"` + link[1] + `","token":"` + link[2] + `","new_password":"N3w-long-passphrase"}`
	fmt.Println(serve(confirm, body), serve(confirm, body)) // the second time, the token is used up
	// Output:
	// 204 204
	// [alice@example.com] Password reset on example.com
	// true
	// 204 400
}
