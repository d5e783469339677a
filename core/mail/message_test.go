package mail_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core/mail"
)

func TestMessageValidate(t *testing.T) {
	valid := func() *mail.Message {
		return &mail.Message{From: "Site <noreply@example.com>", To: []string{"alice@example.org"}, Subject: "Hi\tthere", Text: "body\r\nwith lines", HTML: "<p>x</p>",
			Headers: map[string]string{"Auto-Submitted": "auto-generated", "X-Entity-Ref-ID": "42"}}
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid message: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*mail.Message)
		want   error
	}{
		{"nil To", func(m *mail.Message) { m.To = nil }, mail.ErrNoRecipient},
		{"empty From", func(m *mail.Message) { m.From = "" }, mail.ErrInvalidAddress},
		{"From without domain", func(m *mail.Message) { m.From = "noreply" }, mail.ErrInvalidAddress},
		{"From not Django's", func(m *mail.Message) { m.From = "a@b" }, mail.ErrInvalidAddress}, // net/mail accepts it, EmailValidator does not
		{"To invalid", func(m *mail.Message) { m.To = []string{"alice@example.org", "bob@"} }, mail.ErrInvalidAddress},
		{"To empty", func(m *mail.Message) { m.To = []string{""} }, mail.ErrInvalidAddress},
		{"To two addresses in one", func(m *mail.Message) { m.To = []string{"a@example.org, b@example.org"} }, mail.ErrInvalidAddress},
		{"CRLF in To", func(m *mail.Message) { m.To = []string{"alice@example.org\r\nBcc: eve@example.net"} }, mail.ErrHeaderInjection},
		{"LF in From's name", func(m *mail.Message) { m.From = "Site\n <noreply@example.com>" }, mail.ErrHeaderInjection},
		{"CR in Subject", func(m *mail.Message) { m.Subject = "Hi\rBcc: eve@example.net" }, mail.ErrHeaderInjection},
		{"LF in Subject", func(m *mail.Message) { m.Subject = "Hi\nBcc: eve@example.net" }, mail.ErrHeaderInjection},
		{"NUL in Subject", func(m *mail.Message) { m.Subject = "Hi\x00" }, mail.ErrHeaderInjection},
		{"CRLF in a header", func(m *mail.Message) { m.Headers["X-Tag"] = "a\r\nBcc: eve@example.net" }, mail.ErrHeaderInjection},
		{"colon in a header name", func(m *mail.Message) { m.Headers["Bcc: eve@example.net\r\nX"] = "v" }, mail.ErrInvalidHeader},
		{"space in a header name", func(m *mail.Message) { m.Headers["X Tag"] = "v" }, mail.ErrInvalidHeader},
		{"empty header name", func(m *mail.Message) { m.Headers[""] = "v" }, mail.ErrInvalidHeader},
		{"Bcc as a header", func(m *mail.Message) { m.Headers["bcc"] = "eve@example.net" }, mail.ErrInvalidHeader},
		{"Content-Type as a header", func(m *mail.Message) { m.Headers["Content-Type"] = "text/html" }, mail.ErrInvalidHeader},
		{"Subject not UTF-8", func(m *mail.Message) { m.Subject = "caf\xe9" }, mail.ErrNotUTF8},
		{"header not UTF-8", func(m *mail.Message) { m.Headers["X-Tag"] = "\xff" }, mail.ErrNotUTF8},
		{"From's name not UTF-8", func(m *mail.Message) { m.From = "\"Caf\xe9\" <noreply@example.com>" }, mail.ErrNotUTF8},
		{"Text not UTF-8", func(m *mail.Message) { m.Text = "\xc3(" }, mail.ErrNotUTF8},
		{"HTML not UTF-8", func(m *mail.Message) { m.HTML = "<p>\xa0</p>" }, mail.ErrNotUTF8},
		{"Subject as a header", func(m *mail.Message) { m.Headers["SUBJECT"] = "x" }, mail.ErrInvalidHeader},
	} {
		m := valid()
		tc.change(m)
		err := m.Validate()
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "eve@") {
			t.Errorf("%s: the error repeats the value: %v", tc.name, err)
		}
	}
	var nilMsg *mail.Message
	if err := nilMsg.Validate(); err == nil {
		t.Error("nil message valid")
	}
}
