// Package mail sends the library's mail (password-reset links, for
// one): Django's email backends, in Go.
//
// A [Mailer] sends one [Message] (From, To, Subject, a text body and an
// optional HTML alternative, extra headers). Every address is checked
// with core.ValidEmail, and CR or LF in a header value is refused
// ([ErrHeaderInjection]), as Django's BadHeaderError refuses it. Three
// Mailers come with the package:
//
//   - [SMTP] (Django's smtp backend) hands each message to an SMTP
//     server, on github.com/wneessen/go-mail. [NewSMTP] reads the server
//     from a URL: smtp://host:port (STARTTLS required, only when
//     offered for a server on a loopback address, or by the starttls
//     parameter), smtps://host:port (TLS from the start), with
//     user:password for AUTH. A password is never sent over a connection
//     that is not TLS: credentials make STARTTLS mandatory, and only
//     [WithInsecureAuth], for a server on localhost, lifts that. Timeouts
//     bound connecting and each command ([DefaultTimeout], 15 s) and each
//     Send ([DefaultSendTimeout], 1 minute).
//   - [Console] (Django's console backend) writes each whole message to an
//     io.Writer or a slog.Logger, for development.
//   - [Memory] (Django's locmem backend) keeps the messages in an outbox
//     ([Memory.Outbox]) for tests.
//
// A [Queue] wraps any Mailer so that sending never holds up an HTTP
// response: [Queue.Enqueue] validates and buffers a message and returns
// at once, a fixed number of workers send it, temporary failures
// ([Temporary]: SMTP 4xx, network errors, timeouts) are retried with
// exponential backoff and permanent ones (SMTP 5xx) are not, and
// [Queue.Close] drains the buffer before its context ends. A refused or
// lost message is an error of Enqueue or a log record and a count in
// [Queue.Stats], never silent; the logs name recipients' domains and
// errors, never a body.
//
//	smtp, err := mail.NewSMTP("smtp://mailer:secret@mail.example.com:587")
//	...
//	q, err := mail.NewQueue(smtp)
//	...
//	defer q.Close(shutdownCtx)
//	err = q.Enqueue(&mail.Message{From: "noreply@example.com", To: []string{email},
//		Subject: "Password reset", Text: body})
package mail
