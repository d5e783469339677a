package mail

import (
	"errors"
	"testing"

	gosmtp "github.com/wneessen/go-mail/smtp"
)

// The authentication itself refuses a connection that is not TLS, even
// one to localhost, whatever let the connection through (go-mail's own
// PLAIN would send the password to a server named localhost).
func TestGuardedAuthRefusesClearText(t *testing.T) {
	for _, name := range []string{"localhost", "127.0.0.1", "mail.example.com"} {
		a := &guardedAuth{host: name, username: "u", password: "p"}
		if _, _, err := a.Start(&gosmtp.ServerInfo{Name: name, TLS: false, Auth: []string{"PLAIN"}}); !errors.Is(err, ErrInsecureAuth) {
			t.Errorf("%s without TLS: %v", name, err)
		}
		if mech, resp, err := a.Start(&gosmtp.ServerInfo{Name: name, TLS: true, Auth: []string{"LOGIN", "PLAIN"}}); err != nil || mech != "PLAIN" || string(resp) != "\x00u\x00p" {
			t.Errorf("%s with TLS: %q %q %v", name, mech, resp, err)
		}
		if mech, _, err := a.Start(&gosmtp.ServerInfo{Name: name, TLS: true, Auth: []string{"login"}}); err != nil || mech != "LOGIN" {
			t.Errorf("%s LOGIN: %q %v", name, mech, err)
		}
		if _, _, err := a.Start(&gosmtp.ServerInfo{Name: name, TLS: true, Auth: []string{"CRAM-MD5"}}); !errors.Is(err, ErrNoAuthMechanism) {
			t.Errorf("%s CRAM-MD5 only: %v", name, err)
		}
	}
	allowed := &guardedAuth{host: "localhost", username: "u", password: "p", allowPlainText: true}
	if _, _, err := allowed.Start(&gosmtp.ServerInfo{Name: "localhost", Auth: []string{"PLAIN"}}); err != nil {
		t.Errorf("allowed clear text: %v", err)
	}
}

// TestDefaultTLSPolicy: STARTTLS is mandatory by default for a server
// that is not on a loopback address (a reset link must not be readable by
// whoever strips STARTTLS on the way), opportunistic on loopback; an
// explicit starttls parameter or WithTLSPolicy wins.
func TestDefaultTLSPolicy(t *testing.T) {
	for _, c := range []struct {
		url  string
		opts []SMTPOption
		want TLSPolicy
	}{
		{"smtp://mail.example.com", nil, StartTLSMandatory},
		{"smtp://192.0.2.1:2525", nil, StartTLSMandatory},
		{"smtp://127.0.0.1:2525", nil, StartTLSOpportunistic},
		{"smtp://localhost:2525", nil, StartTLSOpportunistic},
		{"smtp://[::1]:2525", nil, StartTLSOpportunistic},
		{"smtp://mail.example.com?starttls=opportunistic", nil, StartTLSOpportunistic},
		{"smtp://mail.example.com?starttls=none", nil, NoStartTLS},
		{"smtp://mail.example.com", []SMTPOption{WithTLSPolicy(StartTLSOpportunistic)}, StartTLSOpportunistic},
		{"smtp://u:p@localhost:2525", nil, StartTLSMandatory},
	} {
		s, err := NewSMTP(c.url, c.opts...)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if s.policy != c.want {
			t.Errorf("%s: policy %v; want %v", c.url, s.policy, c.want)
		}
	}
}
