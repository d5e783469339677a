package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/reinhardt-go/auth/core/mail"
)

func TestConsole(t *testing.T) {
	var buf bytes.Buffer
	c := &mail.Console{Writer: &buf}
	m := resetMessage()
	for range 2 {
		if err := c.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	out := buf.String()
	sep := strings.Repeat("-", 79) + "\n"
	msgs := strings.Split(out, sep)
	if len(msgs) != 3 || msgs[2] != "" {
		t.Fatalf("want two messages each ended by 79 dashes, got:\n%s", out)
	}
	p := parseReceived(t, []byte(msgs[0]))
	if p.subject != m.Subject || p.text != m.Text || p.html != m.HTML {
		t.Errorf("console message read back: %+v", p)
	}
	// Readable as it is: the link is not quoted-printable.
	if !strings.Contains(msgs[0], "http://127.0.0.1:8000/accounts/reset/MQ/c3x7k2-0123456789abcdef0123456789abcdef\n") {
		t.Errorf("the link is not readable in:\n%s", msgs[0])
	}

	// An invalid message: an error, nothing written.
	buf.Reset()
	if err := c.Send(context.Background(), &mail.Message{From: "noreply@example.com", To: []string{"a@example.org"}, Subject: "a\nb"}); !errors.Is(err, mail.ErrHeaderInjection) || buf.Len() != 0 {
		t.Errorf("invalid message: %v, wrote %q", err, buf.String())
	}

	// To a logger: one record with the whole message.
	var logs bytes.Buffer
	lc := &mail.Console{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	if err := lc.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Msg, Subject, Message string
		To                    []string
	}
	if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %s", err, logs.String())
	}
	if rec.Msg != "mail" || rec.Subject != m.Subject || len(rec.To) != 2 || !strings.Contains(rec.Message, "accounts/reset/MQ/") {
		t.Errorf("log record %+v", rec)
	}
}

func TestMemory(t *testing.T) {
	var mem mail.Memory
	m := resetMessage()
	if err := mem.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	// The outbox keeps a copy: the caller's later writes change nothing.
	m.To[0], m.Headers["Auto-Submitted"], m.Subject = "eve@example.net", "no", "changed"
	out := mem.Outbox()
	if len(out) != 1 || out[0].To[0] != "alice@example.org" || out[0].Headers["Auto-Submitted"] != "auto-generated" || out[0].Subject != "Réinitialisation du mot de passe" {
		t.Fatalf("outbox %+v", out)
	}
	out[0].To[0] = "eve@example.net"
	if mem.Outbox()[0].To[0] != "alice@example.org" {
		t.Error("Outbox returned the kept message itself")
	}
	if err := mem.Send(context.Background(), &mail.Message{From: "x", To: []string{"a@example.org"}}); !errors.Is(err, mail.ErrInvalidAddress) || len(mem.Outbox()) != 1 {
		t.Errorf("invalid message: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := mem.Send(ctx, resetMessage()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}

	// Safe for concurrent use (run with -race).
	mem.Clear()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			m := resetMessage()
			m.Subject = fmt.Sprint(i)
			if err := mem.Send(context.Background(), m); err != nil {
				t.Error(err)
			}
			_ = mem.Outbox()
		})
	}
	wg.Wait()
	if n := len(mem.Outbox()); n != 20 {
		t.Errorf("outbox holds %d messages, want 20", n)
	}
}

func TestNewSMTP(t *testing.T) {
	for _, good := range []string{
		"smtp://localhost", "smtp://127.0.0.1:1025", "smtp://[::1]:25", "smtps://mail.example.com",
		"smtp://mail.example.com:587/", "smtp://u:p@mail.example.com:587", "smtps://u%40x:p%2Fw@mail.example.com",
		"smtp://mail.example.com?starttls=mandatory", "smtp://localhost:1025?starttls=none",
		"smtp://u:p@mail.example.com?starttls=opportunistic", // made mandatory
	} {
		s, err := mail.NewSMTP(good)
		if err != nil {
			t.Errorf("%s: %v", good, err)
			continue
		}
		if strings.Contains(s.String(), ":p@") || strings.Contains(s.String(), "p%2Fw") {
			t.Errorf("String shows the password: %s", s)
		}
	}
	for _, bad := range []string{
		"", "mail.example.com:25", "http://mail.example.com", "smtp:mail.example.com", "smtp://", "smtp://:25",
		"smtp://mail.example.com:0", "smtp://mail.example.com:65536", "smtp://mail.example.com:x", "smtp://mail.example.com:",
		"smtp://mail.example.com:025", "smtp://mail.example.com/path", "smtp://mail.example.com#f", "smtp://mail.example.com?x=1",
		"smtp://mail.example.com?starttls=always", "smtp://mail.example.com?starttls=none&starttls=none",
		"smtps://mail.example.com?starttls=mandatory", "smtp://user@mail.example.com", "smtp://user:@mail.example.com",
		"smtp://:secretpw@mail.example.com", "smtp://mail.exa mple.com", "smtp://mail.example.com\r\n",
		"smtp://[fe80::1%25eth0]:25", "smtp://mail_example.com", "smtp://u:secretpw@mail.example.com?starttls=none",
		"smtp://u:secretpw@mail example.com",
	} {
		_, err := mail.NewSMTP(bad)
		if err == nil {
			t.Errorf("%q accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "secretpw") {
			t.Errorf("%q: the error shows the password: %v", bad, err)
		}
	}
	if _, err := mail.NewSMTP("smtps://mail.example.com", mail.WithTLSPolicy(mail.StartTLSMandatory)); err == nil {
		t.Error("a STARTTLS policy for smtps:// accepted")
	}
	if _, err := mail.NewSMTP("smtp://mail.example.com", mail.WithTimeout(-1)); err == nil {
		t.Error("a negative timeout accepted")
	}
	if _, err := mail.NewSMTP("smtp://mail.example.com", mail.WithTLSPolicy(mail.TLSPolicy(7))); err == nil {
		t.Error("an unknown policy accepted")
	}
}
