package mail_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/reinhardt-go/auth/core/mail"
)

// A password-reset handler enqueues its mail and answers at once; the
// queue's workers send it. In tests the Mailer is a Memory, whose outbox
// the test reads (Django's mail.outbox); in production it is
// mail.NewSMTP("smtp://user:password@mail.example.com:587").
func ExampleQueue() {
	outbox := &mail.Memory{}
	q, err := mail.NewQueue(outbox)
	if err != nil {
		log.Fatal(err)
	}

	err = q.Enqueue(&mail.Message{
		From:    "Example <noreply@example.com>",
		To:      []string{"alice@example.org"},
		Subject: "Password reset on example.com",
		Text:    "Follow this link to choose a new password: https://example.com/accounts/reset/MQ/c3x7k2-abc\n",
	})
	if err != nil {
		log.Fatal(err) // invalid, or the queue is full: the handler knows at once
	}

	// At shutdown: send what is queued, within a deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Close(ctx); err != nil {
		log.Print(err)
	}

	for _, m := range outbox.Outbox() {
		fmt.Println(m.To[0], "-", m.Subject)
	}
	fmt.Printf("%+v\n", q.Stats())
	// Output:
	// alice@example.org - Password reset on example.com
	// {Enqueued:1 Sent:1 Retries:0 Refused:0 Failed:0}
}

// Header injection is refused before anything is sent.
func ExampleMessage_Validate() {
	m := &mail.Message{
		From:    "noreply@example.com",
		To:      []string{"alice@example.org"},
		Subject: "Hello\r\nBcc: everyone@example.net",
	}
	fmt.Println(m.Validate())
	// Output:
	// mail: header value holds CR, LF or another control character (header injection): Subject
}

// The SMTP mailer's configuration, from a URL: credentials make STARTTLS
// mandatory, so the password never travels in clear text.
func ExampleNewSMTP() {
	s, err := mail.NewSMTP("smtp://mailer:s3cret@mail.example.com:587", mail.WithTimeout(10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s)

	_, err = mail.NewSMTP("smtp://mailer:s3cret@mail.example.com:587?starttls=none")
	fmt.Println(err)
	// Output:
	// (with credentials) smtp://mail.example.com:587
	// mail: refusing to send SMTP credentials over a connection that is not TLS: credentials with starttls=none
}
