package passwordreset

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/reinhardt-go/auth/core/mail"
)

//go:embed templates/reset_subject.txt templates/reset_email.txt templates/reset_email.html
var templateFiles embed.FS

// MailData is what the reset mail's templates are given: Django's
// PasswordResetForm context (email, domain, site_name, uid, token,
// protocol, user), with the whole link ready made.
type MailData struct {
	// Email is the user's stored address, the one the mail goes to.
	Email string
	// Username is the user's username (Django's user.get_username).
	Username string
	// SiteName names the site (Django's site_name).
	SiteName string
	// Protocol and Domain are the scheme and host of the site's origin
	// (Django's protocol and domain).
	Protocol, Domain string
	// UID and Token are the link's two parts: EncodeUID of the primary
	// key and the Generator's token.
	UID, Token string
	// Link is the whole reset link: the origin, the endpoint's Path, UID,
	// "/", Token.
	Link string
}

// Templates make the reset mail. Subject is rendered to one line (its
// line breaks removed, as Django removes them); HTML, when not nil, is
// the mail's HTML alternative.
type Templates struct {
	Subject *texttemplate.Template
	Text    *texttemplate.Template
	HTML    *htmltemplate.Template
}

// DefaultTemplates returns the built-in templates, worded as Django's
// registration/password_reset_subject.txt and password_reset_email.html:
// "Password reset on {site}", the link, the username, "The {site} team";
// and an HTML alternative with the same text and the link as a link.
func DefaultTemplates() *Templates {
	return &Templates{
		Subject: texttemplate.Must(texttemplate.ParseFS(templateFiles, "templates/reset_subject.txt")),
		Text:    texttemplate.Must(texttemplate.ParseFS(templateFiles, "templates/reset_email.txt")),
		HTML:    htmltemplate.Must(htmltemplate.ParseFS(templateFiles, "templates/reset_email.html")),
	}
}

// Message renders the mail for d, from from to d.Email.
func (t *Templates) Message(from string, d *MailData) (*mail.Message, error) {
	var subject, text, html bytes.Buffer
	if err := t.Subject.Execute(&subject, d); err != nil {
		return nil, fmt.Errorf("passwordreset: subject template: %w", err)
	}
	if err := t.Text.Execute(&text, d); err != nil {
		return nil, fmt.Errorf("passwordreset: text template: %w", err)
	}
	if t.HTML != nil {
		if err := t.HTML.Execute(&html, d); err != nil {
			return nil, fmt.Errorf("passwordreset: HTML template: %w", err)
		}
	}
	return &mail.Message{
		From:    from,
		To:      []string{d.Email},
		Subject: oneLine(subject.String()),
		Text:    text.String(),
		HTML:    html.String(),
		Headers: map[string]string{"Auto-Submitted": "auto-generated"},
	}, nil
}

// oneLine is Django's "".join(subject.splitlines()): the subject's lines
// joined without their line breaks.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), "")
}
