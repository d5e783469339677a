package mail

import (
	"fmt"
	"maps"
	"slices"

	gomail "github.com/wneessen/go-mail"
)

// toMsg validates m and builds go-mail's message of it: UTF-8, a
// text/plain part, and with HTML a multipart/alternative of the text and
// the HTML (the HTML last, the part a mail reader prefers). enc is the
// body encoding: quoted-printable for SMTP (7-bit safe whatever the
// server), 8bit for the console (readable, as Django's console backend).
func toMsg(m *Message, enc gomail.Encoding) (*gomail.Msg, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithEncoding(enc), gomail.WithNoDefaultUserAgent())
	from, err := parseAddress("From", m.From)
	if err != nil {
		return nil, err
	}
	msg.FromMailAddress(from)
	for i, to := range m.To {
		a, err := parseAddress(fmt.Sprintf("To[%d]", i), to)
		if err != nil {
			return nil, err
		}
		msg.AddToMailAddress(a)
	}
	msg.Subject(m.Subject)
	for _, name := range slices.Sorted(maps.Keys(m.Headers)) {
		msg.SetGenHeader(gomail.Header(name), m.Headers[name])
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}
