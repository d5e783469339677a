package mail_test

import (
	"bytes"
	"context"
	"errors"
	"mime"
	"net/http"
	netmail "net/mail"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core/mail"
)

// FuzzNewSMTP: the URL parser (configuration, but often read from the
// environment) never panics, never repeats a password in its error, and
// never accepts credentials that could travel in clear text.
func FuzzNewSMTP(f *testing.F) {
	for _, s := range []string{
		"smtp://localhost:1025", "smtps://u:p@mail.example.com", "smtp://u:p@mail.example.com:587?starttls=mandatory",
		"smtp://[::1]:25?starttls=none", "smtp://u:p%00@host", "smtp://host:99999", "smtp://u:p@host?starttls=none",
		"smtp://host/?starttls=opportunistic#x", "smtps://h?starttls=none", "smtp://u:p@[fe80::1%25lo]:25",
	} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, insecure bool) {
		var opts []mail.SMTPOption
		if insecure {
			opts = append(opts, mail.WithInsecureAuth())
		}
		s, err := mail.NewSMTP(raw, opts...)
		u, perr := url.Parse(raw)
		if err != nil {
			if !errors.Is(err, mail.ErrInvalidURL) && !errors.Is(err, mail.ErrInsecureAuth) {
				t.Fatalf("%q: unexpected error %v", raw, err)
			}
			if perr == nil && u.User != nil {
				if pw, ok := u.User.Password(); ok && len(pw) >= 4 && strings.Contains(err.Error(), pw) {
					t.Fatalf("%q: the error repeats the password: %v", raw, err)
				}
			}
			return
		}
		if perr != nil {
			t.Fatalf("%q accepted but not a URL: %v", raw, perr)
		}
		if desc := s.String(); strings.Contains(desc, "@") {
			t.Fatalf("%q: String shows the credentials: %s", raw, desc)
		}
		if u.User != nil && u.Scheme == "smtp" && !insecure && u.Query().Get("starttls") == "none" {
			t.Fatalf("%q accepted: credentials with starttls=none", raw)
		}
		if insecure {
			h := u.Hostname()
			a, err := netip.ParseAddr(h)
			if !strings.EqualFold(h, "localhost") && (err != nil || !a.IsLoopback()) {
				t.Fatalf("%q: WithInsecureAuth accepted for %s", raw, h)
			}
		}
	})
}

// FuzzMessage: a message Validate accepts renders to a message whose
// header holds exactly the fields it should (no injected one), with the
// subject and the recipients it was given.
func FuzzMessage(f *testing.F) {
	f.Add("Hello", "alice@example.org", "Site <noreply@example.com>", "X-Tag", "v", "body")
	f.Add("Réinitialisation", "Bob <bob@example.net>", "noreply@example.com", "Auto-Submitted", "auto-generated", "a\r\n.\r\nb")
	f.Add("a\r\nBcc: eve@example.net", "alice@example.org", "noreply@example.com", "X", "y", "")
	f.Add(strings.Repeat("long subject ", 20), `"quoted local"@example.org`, "noreply@example.com", "Bcc", "eve@example.net", "x")
	f.Fuzz(func(t *testing.T, subject, to, from, hname, hvalue, text string) {
		m := &mail.Message{From: from, To: []string{to}, Subject: subject, Text: text, Headers: map[string]string{hname: hvalue}}
		if m.Validate() != nil {
			return
		}
		var buf bytes.Buffer
		if err := (&mail.Console{Writer: &buf}).Send(context.Background(), m); err != nil {
			t.Fatalf("valid message not rendered: %v", err)
		}
		msg, err := netmail.ReadMessage(&buf)
		if err != nil {
			t.Fatalf("rendered message does not parse: %v", err)
		}
		want := map[string]bool{"Date": true, "Message-Id": true, "Mime-Version": true, "Subject": true, "From": true, "To": true,
			"Content-Type": true, "Content-Transfer-Encoding": true, http.CanonicalHeaderKey(hname): true}
		for k := range msg.Header {
			if !want[k] {
				t.Fatalf("unexpected header %q in %v", k, msg.Header)
			}
		}
		if len(msg.Header["To"]) != 1 || len(msg.Header["From"]) != 1 || len(msg.Header["Subject"]) != 1 {
			t.Fatalf("header fields repeated: %v", msg.Header)
		}
		got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		// (a header's leading and trailing white space is not part of
		// its value)
		if err != nil || strings.TrimSpace(got) != strings.TrimSpace(subject) {
			t.Fatalf("subject %q read back as %q (%v)", subject, got, err)
		}
		tos, err := msg.Header.AddressList("To")
		want1, _ := netmail.ParseAddress(to)
		if err != nil || len(tos) != 1 || tos[0].Address != want1.Address {
			t.Fatalf("To %q read back as %v (%v)", to, tos, err)
		}
	})
}
