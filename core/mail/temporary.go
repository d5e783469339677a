package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/textproto"
	"syscall"

	gomail "github.com/wneessen/go-mail"
)

// Temporary reports whether a Mailer's error may be cured by sending
// again later, which is what a Queue retries:
//
//   - an SMTP reply 4xx is temporary, 5xx permanent (RFC 5321 section
//     4.2.1);
//   - a network failure without a reply (refused or reset connection, a
//     timeout, the connection ending mid-conversation, a Send's own
//     deadline) is temporary;
//   - a certificate the TLS configuration does not trust, a refused
//     authentication requirement (ErrInsecureAuth, ErrNoAuthMechanism), a
//     missing STARTTLS under StartTLSMandatory, an invalid message, a
//     cancelled context and any error not listed here are permanent.
func Temporary(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		switch se.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			return false // the message, not the server
		}
		if code := se.ErrorCode(); code >= 400 {
			return code < 500
		}
		return true // no reply code: the connection failed mid-transaction
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 400 && te.Code < 500
	}
	var (
		cve *tls.CertificateVerificationError
		uae x509.UnknownAuthorityError
		hne x509.HostnameError
		cie x509.CertificateInvalidError
	)
	if errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &hne) || errors.As(err, &cie) {
		return false
	}
	if errors.Is(err, ErrInsecureAuth) || errors.Is(err, ErrNoAuthMechanism) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}
