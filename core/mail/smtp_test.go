package mail_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/reinhardt-go/auth/core/mail"
	"github.com/reinhardt-go/auth/internal/testnet"
)

func resetMessage() *mail.Message {
	return &mail.Message{
		From:    "Example <noreply@example.com>",
		To:      []string{"alice@example.org", "Bob <bob@example.net>"},
		Subject: "Réinitialisation du mot de passe",
		Text:    "Follow the link:\nhttp://127.0.0.1:8000/accounts/reset/MQ/c3x7k2-0123456789abcdef0123456789abcdef\n",
		HTML:    `<p>Follow <a href="http://127.0.0.1:8000/accounts/reset/MQ/c3x7k2-0123456789abcdef0123456789abcdef">the link</a>.</p>`,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"},
	}
}

func newSMTP(t *testing.T, rawURL string, opts ...mail.SMTPOption) *mail.SMTP {
	t.Helper()
	s, err := mail.NewSMTP(rawURL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSMTPDelivers(t *testing.T) {
	ts := startServer(t, serverConfig{})
	s := newSMTP(t, "smtp://"+ts.addr)
	m := resetMessage()
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := ts.received()
	if len(got) != 1 {
		t.Fatalf("the server received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.from != "noreply@example.com" || strings.Join(r.to, ",") != "alice@example.org,bob@example.net" {
		t.Errorf("envelope from %q to %q", r.from, r.to)
	}
	p := parseReceived(t, r.data)
	if p.subject != m.Subject {
		t.Errorf("Subject %q, want %q", p.subject, m.Subject)
	}
	from, _ := p.header.AddressList("From")
	to, _ := p.header.AddressList("To")
	if len(from) != 1 || from[0].Address != "noreply@example.com" || from[0].Name != "Example" {
		t.Errorf("From %v", from)
	}
	if len(to) != 2 || to[0].Address != "alice@example.org" || to[1].Address != "bob@example.net" || to[1].Name != "Bob" {
		t.Errorf("To %v", to)
	}
	if v := p.header.Get("Auto-Submitted"); v != "auto-generated" {
		t.Errorf("Auto-Submitted %q", v)
	}
	if p.header.Get("Date") == "" || p.header.Get("Message-Id") == "" || p.header.Get("Mime-Version") != "1.0" {
		t.Errorf("Date, Message-ID or MIME-Version missing: %v", p.header)
	}
	if p.contentType != "multipart/alternative" {
		t.Errorf("Content-Type %q", p.contentType)
	}
	if p.text != m.Text {
		t.Errorf("text body %q, want %q", p.text, m.Text)
	}
	if p.html != m.HTML {
		t.Errorf("HTML body %q, want %q", p.html, m.HTML)
	}
	if r.tls {
		t.Error("TLS without STARTTLS on offer?")
	}
}

func TestSMTPTextOnly(t *testing.T) {
	ts := startServer(t, serverConfig{})
	// A line of one dot would end DATA if it were not dot-stuffed.
	m := &mail.Message{From: "noreply@example.com", To: []string{"alice@example.org"}, Subject: "Hi", Text: "Grüße, " + strings.Repeat("long line ", 20) + "\n.\n..\nend\n"}
	if err := newSMTP(t, "smtp://"+ts.addr).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	p := parseReceived(t, ts.received()[0].data)
	if p.contentType != "text/plain" || p.text != m.Text || p.html != "" {
		t.Errorf("got %q %q %q", p.contentType, p.text, p.html)
	}
}

func TestSMTPIPv6(t *testing.T) {
	if ln, err := net.Listen("tcp", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	} else {
		_ = ln.Close()
	}
	ts := startServer(t, serverConfig{listen: "[::1]:0"})
	if err := newSMTP(t, "smtp://"+ts.addr).Send(context.Background(), resetMessage()); err != nil {
		t.Fatal(err)
	}
	if n := len(ts.received()); n != 1 {
		t.Errorf("%d delivered", n)
	}
}

func TestSMTPStartTLS(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	ts := startServer(t, serverConfig{tls: serverTLS})
	for _, policy := range []mail.TLSPolicy{mail.StartTLSOpportunistic, mail.StartTLSMandatory} {
		if err := newSMTP(t, "smtp://"+ts.addr, mail.WithTLSConfig(clientTLS), mail.WithTLSPolicy(policy)).Send(context.Background(), resetMessage()); err != nil {
			t.Fatalf("%v: %v", policy, err)
		}
	}
	for i, r := range ts.received() {
		if !r.tls {
			t.Errorf("message %d was not sent over TLS", i)
		}
	}

	// A certificate the client does not trust: refused, and not retried.
	err := newSMTP(t, "smtp://"+ts.addr).Send(context.Background(), resetMessage())
	if err == nil || mail.Temporary(err) {
		t.Errorf("untrusted certificate: %v (temporary %v)", err, mail.Temporary(err))
	}
	// starttls=none: clear text, even where STARTTLS is on offer.
	if err := newSMTP(t, "smtp://"+ts.addr+"?starttls=none").Send(context.Background(), resetMessage()); err != nil {
		t.Fatal(err)
	}
	if got := ts.received(); len(got) != 3 || got[2].tls {
		t.Errorf("starttls=none: %d messages, last over TLS: %v", len(got), got[len(got)-1].tls)
	}

	// Mandatory STARTTLS and a server that does not offer it: nothing sent.
	plain := startServer(t, serverConfig{})
	err = newSMTP(t, "smtp://"+plain.addr+"?starttls=mandatory").Send(context.Background(), resetMessage())
	if err == nil || mail.Temporary(err) {
		t.Errorf("mandatory STARTTLS without an offer: %v", err)
	}
	if n, _ := plain.counts(); n != 0 {
		t.Errorf("the server received %d messages", n)
	}
}

func TestSMTPAuthOverTLS(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	ts := startServer(t, serverConfig{tls: serverTLS, user: "mailer", pass: "p@ss:word/"})
	// STARTTLS, then AUTH PLAIN; the password percent-encoded in the URL.
	if err := newSMTP(t, "smtp://mailer:p%40ss%3Aword%2F@"+ts.addr, mail.WithTLSConfig(clientTLS)).Send(context.Background(), resetMessage()); err != nil {
		t.Fatal(err)
	}
	got := ts.received()
	if len(got) != 1 || got[0].user != "mailer" || !got[0].tls {
		t.Fatalf("received %v", got)
	}

	// A wrong password: the server's 535, permanent.
	err := newSMTP(t, "smtp://mailer:wrong@"+ts.addr, mail.WithTLSConfig(clientTLS)).Send(context.Background(), resetMessage())
	if err == nil || mail.Temporary(err) || !strings.Contains(err.Error(), "535") {
		t.Errorf("wrong password: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the password: %v", err)
	}

	// smtps://: TLS from the first byte, then AUTH PLAIN.
	implicit := startServer(t, serverConfig{tls: serverTLS, implicitTLS: true, user: "mailer", pass: "secret"})
	if err := newSMTP(t, "smtps://mailer:secret@"+implicit.addr, mail.WithTLSConfig(clientTLS)).Send(context.Background(), resetMessage()); err != nil {
		t.Fatal(err)
	}
	if got := implicit.received(); len(got) != 1 || got[0].user != "mailer" || !got[0].tls {
		t.Fatalf("smtps received %v", got)
	}

	// Credentials and a TLS server that offers no AUTH: not sent unauthenticated.
	noAuth := startServer(t, serverConfig{tls: serverTLS})
	err = newSMTP(t, "smtp://mailer:secret@"+noAuth.addr, mail.WithTLSConfig(clientTLS)).Send(context.Background(), resetMessage())
	if !errors.Is(err, mail.ErrNoAuthMechanism) || mail.Temporary(err) {
		t.Errorf("no AUTH on offer: %v", err)
	}
	if n, _ := noAuth.counts(); n != 0 {
		t.Errorf("sent unauthenticated")
	}
}

func TestSMTPRefusesAuthInClearText(t *testing.T) {
	// A server that offers AUTH PLAIN without TLS and no STARTTLS, as a
	// man in the middle stripping STARTTLS would.
	ts := startServer(t, serverConfig{allowInsecureAuth: true, user: "mailer", pass: "secret"})
	for _, opts := range [][]mail.SMTPOption{
		nil,
		{mail.WithTLSPolicy(mail.StartTLSOpportunistic)}, // credentials make it mandatory still
	} {
		err := newSMTP(t, "smtp://mailer:secret@"+ts.addr, opts...).Send(context.Background(), resetMessage())
		if err == nil || mail.Temporary(err) {
			t.Errorf("sent with credentials in clear text: %v", err)
		}
	}
	if data, auth := ts.counts(); data != 0 || auth != 0 {
		t.Errorf("the server saw %d AUTH and %d DATA", auth, data)
	}
	// Refused when configured, too.
	for _, u := range []string{"smtp://mailer:secret@" + ts.addr + "?starttls=none"} {
		if _, err := mail.NewSMTP(u); !errors.Is(err, mail.ErrInsecureAuth) {
			t.Errorf("%s: %v", u, err)
		}
	}
	if _, err := mail.NewSMTP("smtp://mailer:secret@mail.example.com", mail.WithInsecureAuth()); !errors.Is(err, mail.ErrInsecureAuth) {
		t.Errorf("WithInsecureAuth for a remote host: %v", err)
	}

	// WithInsecureAuth, for a development server on localhost: allowed.
	if err := newSMTP(t, "smtp://mailer:secret@"+ts.addr, mail.WithInsecureAuth()).Send(context.Background(), resetMessage()); err != nil {
		t.Fatal(err)
	}
	if got := ts.received(); len(got) != 1 || got[0].user != "mailer" || got[0].tls {
		t.Errorf("received %v", got)
	}
}

func TestSMTPReplies(t *testing.T) {
	ts := startServer(t, serverConfig{
		rcptErr: func(to string) error {
			if strings.HasPrefix(to, "gone@") {
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
			}
			return nil
		},
		dataErr: func(n int) error {
			if n == 1 {
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
			}
			return nil
		},
	})
	s := newSMTP(t, "smtp://"+ts.addr)
	m := resetMessage()
	err := s.Send(context.Background(), m)
	if err == nil || !mail.Temporary(err) || !strings.Contains(err.Error(), "451") {
		t.Errorf("451: %v (temporary %v)", err, mail.Temporary(err))
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Errorf("second try: %v", err)
	}
	m.To = []string{"gone@example.org"}
	err = s.Send(context.Background(), m)
	if err == nil || mail.Temporary(err) || !strings.Contains(err.Error(), "550") {
		t.Errorf("550: %v (temporary %v)", err, mail.Temporary(err))
	}
}

func TestSMTPTimeouts(t *testing.T) {
	// A server that accepts connections and never says a word.
	addr := testnet.SilentServer(t)

	for _, tc := range []struct {
		name string
		s    *mail.SMTP
		ctx  time.Duration
	}{
		{"command timeout", newSMTP(t, "smtp://"+addr, mail.WithTimeout(300*time.Millisecond)), 0},
		{"send timeout", newSMTP(t, "smtp://"+addr, mail.WithSendTimeout(300*time.Millisecond)), 0},
		{"context", newSMTP(t, "smtp://"+addr), 300 * time.Millisecond},
	} {
		ctx := context.Background()
		if tc.ctx > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, tc.ctx)
			defer cancel()
		}
		start := time.Now()
		err := tc.s.Send(ctx, resetMessage())
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%s: Send took %v", tc.name, took)
		}
		if err == nil || !mail.Temporary(err) {
			t.Errorf("%s: %v (temporary %v)", tc.name, err, mail.Temporary(err))
		}
	}
	// A server that hangs in DATA: the send timeout ends it.
	gate := make(chan struct{})
	ts := startServer(t, serverConfig{gate: gate})
	start := time.Now()
	err := newSMTP(t, "smtp://"+ts.addr, mail.WithSendTimeout(300*time.Millisecond)).Send(context.Background(), resetMessage())
	if took := time.Since(start); err == nil || !errors.Is(err, context.DeadlineExceeded) || took > 5*time.Second {
		t.Errorf("hung DATA: %v after %v", err, took)
	}
	close(gate)
}
