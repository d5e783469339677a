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
