package mail

import (
	"context"
	"errors"
	"fmt"
	"maps"
	netmail "net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core"
)

// Mailer sends mail. It is Django's email backend (send_messages), one
// message at a time.
//
// The contract every implementation keeps:
//
//   - Send validates m first (Message.Validate) and returns that error,
//     having sent nothing, when m is not a message that can be sent.
//   - Send returns nil only once the message has been accepted for
//     delivery: by the SMTP server (its reply to the end of DATA), by the
//     console writer, by the in-memory outbox, or, for a Queue, by the
//     queue's buffer.
//   - Send does not wait past the end of ctx: when ctx is done before the
//     message is accepted, it gives up promptly (an SMTP connection is
//     closed) and returns an error. (A Queue never waits, so it has
//     nothing to give up.)
//   - An error that a later attempt may cure (a 4xx reply, a network
//     failure, a timeout) is one for which Temporary reports true; any
//     other error is permanent (a 5xx reply, an invalid message, a refused
//     TLS or authentication requirement) and retrying it is pointless.
//   - Send is safe for concurrent use, and does not keep m or change it
//     after it returns (an implementation that keeps the message keeps a
//     copy).
type Mailer interface {
	Send(ctx context.Context, m *Message) error
}

// Message is one mail: Django's EmailMessage with the parts this library
// sends. Every address is a bare address ("alice@example.com") or one with
// a display name ("Alice <alice@example.com>"); its address part must be
// one core.ValidEmail accepts (Django's EmailValidator).
type Message struct {
	// From is the sender (Django's DEFAULT_FROM_EMAIL); it is also the
	// envelope sender (SMTP's MAIL FROM).
	From string
	// To holds the recipients, one or more.
	To []string
	// Subject is the subject line, on one line: CR and LF are refused
	// (header injection), as Django's BadHeaderError refuses them.
	Subject string
	// Text is the plain-text body.
	Text string
	// HTML is an optional HTML alternative of Text (Django's
	// EmailMultiAlternatives with "text/html"); empty means none, and the
	// message is then a single text/plain part.
	HTML string
	// Headers are extra header fields (Django's EmailMessage headers),
	// such as "Auto-Submitted" or "X-Mailer". A name is one or more
	// printable ASCII characters other than ":" and space; the fields the
	// message sets itself (From, To, Cc, Bcc, Reply-To, Sender, Subject,
	// MIME-Version, Content-*) cannot be given here. A value may not hold
	// CR, LF or another control character other than tab.
	Headers map[string]string
}

// Errors of Message.Validate. Each is wrapped with the field it concerns
// ("…: To[1]"), never its value; test with errors.Is.
var (
	// ErrNoRecipient: the message has no address in To.
	ErrNoRecipient = errors.New("mail: the message has no recipient")
	// ErrInvalidAddress: From or one of To is not an address Django's
	// EmailValidator accepts.
	ErrInvalidAddress = errors.New("mail: not a valid email address")
	// ErrHeaderInjection: a header value (the subject, an address or an
	// extra header) holds CR, LF or another control character, which
	// would end the header and start another.
	ErrHeaderInjection = errors.New("mail: header value holds CR, LF or another control character (header injection)")
	// ErrInvalidHeader: an extra header's name is malformed or names a
	// field the message sets itself.
	ErrInvalidHeader = errors.New("mail: invalid extra header")
	// ErrNotUTF8: a header value or a body is not valid UTF-8, the
	// charset the message declares.
	ErrNotUTF8 = errors.New("mail: text is not UTF-8")
)

// reservedHeaders are the fields a Message sets from its own fields (or
// that describe its MIME structure); Headers cannot set them.
var reservedHeaders = []string{"from", "to", "cc", "bcc", "reply-to", "sender", "subject", "mime-version"}

// Validate reports whether m can be sent: one sender and at least one
// recipient whose addresses core.ValidEmail accepts, no CR, LF or other
// control character in any header value, and UTF-8 text throughout. Every Mailer calls it
// before sending; Queue.Enqueue calls it at once, so an invalid message
// is an error for the caller, never a mail lost later.
func (m *Message) Validate() error {
	if m == nil {
		return fmt.Errorf("%w: nil message", ErrNoRecipient)
	}
	if _, err := parseAddress("From", m.From); err != nil {
		return err
	}
	if len(m.To) == 0 {
		return ErrNoRecipient
	}
	for i, to := range m.To {
		if _, err := parseAddress(fmt.Sprintf("To[%d]", i), to); err != nil {
			return err
		}
	}
	if err := checkHeaderValue("Subject", m.Subject); err != nil {
		return err
	}
	if !utf8.ValidString(m.Text) {
		return fmt.Errorf("%w: Text", ErrNotUTF8)
	}
	if !utf8.ValidString(m.HTML) {
		return fmt.Errorf("%w: HTML", ErrNotUTF8)
	}
	for _, name := range slices.Sorted(maps.Keys(m.Headers)) {
		if !headerNameOK(name) {
			return fmt.Errorf("%w: a name is empty or holds a character other than printable ASCII, or a colon", ErrInvalidHeader)
		}
		lower := strings.ToLower(name)
		if slices.Contains(reservedHeaders, lower) || strings.HasPrefix(lower, "content-") {
			return fmt.Errorf("%w: %s is set by the message itself", ErrInvalidHeader, name)
		}
		if err := checkHeaderValue("header "+name, m.Headers[name]); err != nil {
			return err
		}
	}
	return nil
}

// parseAddress reads an address as net/mail does ("a@b.example" or
// "Name <a@b.example>") and checks its address part with core.ValidEmail.
// The error names the field, never the address (it is personal data,
// and errors end in logs).
func parseAddress(field, s string) (*netmail.Address, error) {
	if err := checkHeaderValue(field, s); err != nil {
		return nil, err
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || !core.ValidEmail(a.Address) {
		return nil, fmt.Errorf("%w: %s", ErrInvalidAddress, field)
	}
	return a, nil
}

// checkHeaderValue refuses a header value that is not UTF-8 or holds a
// control character (ErrHeaderInjection).
func checkHeaderValue(field, v string) error {
	if !headerValueOK(v) {
		return fmt.Errorf("%w: %s", ErrHeaderInjection, field)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: %s", ErrNotUTF8, field)
	}
	return nil
}

// headerValueOK: no ASCII control character but tab (CR and LF above
// all), no DEL.
func headerValueOK(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// headerNameOK: RFC 5322's field-name, printable ASCII but ":" (and
// space, which is not printable there).
func headerNameOK(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// domains returns the distinct domains of m's recipients, for logs that
// must say where a mail went without naming who received it.
func (m *Message) domains() []string {
	var ds []string
	for _, to := range m.To {
		d := "?"
		if a, err := netmail.ParseAddress(to); err == nil {
			if at := strings.LastIndexByte(a.Address, '@'); at >= 0 {
				d = strings.ToLower(a.Address[at+1:])
			}
		}
		if !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	return ds
}

// clone returns a deep copy of m, so that a Mailer that keeps a message
// is not changed by its caller's later writes.
func (m *Message) clone() *Message {
	c := *m
	c.To = slices.Clone(m.To)
	c.Headers = maps.Clone(m.Headers)
	return &c
}
