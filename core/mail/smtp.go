package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Defaults of SMTP.
const (
	// DefaultTimeout bounds connecting to the server and each SMTP
	// command (go-mail's default). Django's EMAIL_TIMEOUT has none.
	DefaultTimeout = 15 * time.Second
	// DefaultSendTimeout bounds one Send as a whole, whatever the
	// server's pace.
	DefaultSendTimeout = time.Minute
	// DefaultSMTPPort is the port of an smtp:// URL without one
	// (Django's EMAIL_PORT).
	DefaultSMTPPort = 25
	// DefaultSMTPSPort is the port of an smtps:// URL without one
	// (submissions, RFC 8314).
	DefaultSMTPSPort = 465
)

// TLSPolicy says whether SMTP upgrades a plain smtp:// connection with
// STARTTLS. An smtps:// connection is TLS from its first byte and has no
// policy.
type TLSPolicy int

const (
	// StartTLSOpportunistic, the default for a server on a loopback
	// address without credentials, upgrades when the server offers
	// STARTTLS and sends in clear text when it does not (Django's
	// EMAIL_USE_TLS, without the refusal).
	StartTLSOpportunistic TLSPolicy = iota
	// StartTLSMandatory refuses to send when the server does not offer
	// STARTTLS or the handshake fails. It is the default for any server
	// that is not on a loopback address, so that an attacker on the path
	// cannot strip STARTTLS and read the mail (a password-reset link is a
	// credential), and the policy whenever the URL carries credentials,
	// so that a password never travels in clear text.
	StartTLSMandatory
	// NoStartTLS never upgrades: for a development server on localhost
	// only.
	NoStartTLS
)

// String is the policy's name in an smtp:// URL's starttls parameter.
func (p TLSPolicy) String() string {
	switch p {
	case StartTLSOpportunistic:
		return "opportunistic"
	case StartTLSMandatory:
		return "mandatory"
	case NoStartTLS:
		return "none"
	}
	return "TLSPolicy(" + strconv.Itoa(int(p)) + ")"
}

// Errors of NewSMTP and SMTP.Send.
var (
	// ErrInvalidURL: the SMTP URL is not one NewSMTP reads. Its wrapping
	// error says why, never repeating the URL (it may hold a password).
	ErrInvalidURL = errors.New("mail: invalid SMTP URL")
	// ErrInsecureAuth: credentials would travel in clear text, over a
	// connection that is not TLS. NewSMTP refuses such a configuration,
	// and Send refuses to authenticate on such a connection, unless
	// WithInsecureAuth allowed it for a server on localhost.
	ErrInsecureAuth = errors.New("mail: refusing to send SMTP credentials over a connection that is not TLS")
	// ErrNoAuthMechanism: credentials are configured and the server
	// offers neither AUTH PLAIN nor AUTH LOGIN; the mail is not sent
	// unauthenticated.
	ErrNoAuthMechanism = errors.New("mail: the SMTP server offers neither AUTH PLAIN nor AUTH LOGIN")
)

// SMTP is a Mailer that hands each message to an SMTP server (Django's
// smtp.EmailBackend), on go-mail, one connection per Send. Build it with
// NewSMTP; it is safe for concurrent use.
type SMTP struct {
	host, addr         string
	port               int
	implicitTLS        bool
	username, password string
	policy             TLSPolicy
	policySet          bool // by the URL's starttls parameter
	tlsConfig          *tls.Config
	timeout            time.Duration
	sendTimeout        time.Duration
	insecureAuth       bool
}

// SMTPOption configures an SMTP mailer.
type SMTPOption func(*smtpOptions)

type smtpOptions struct {
	policy       *TLSPolicy
	tlsConfig    *tls.Config
	timeout      time.Duration
	sendTimeout  time.Duration
	insecureAuth bool
}

// WithTLSPolicy sets the STARTTLS policy of an smtp:// URL, overriding its
// starttls parameter; default StartTLSMandatory, or StartTLSOpportunistic
// for a server on a loopback address without credentials; always
// StartTLSMandatory when the URL carries credentials (which no policy
// weakens: NoStartTLS with credentials is an error unless
// WithInsecureAuth).
func WithTLSPolicy(p TLSPolicy) SMTPOption {
	return func(o *smtpOptions) { o.policy = &p }
}

// WithTLSConfig sets the TLS configuration of STARTTLS and smtps:// (a
// private CA's RootCAs, client certificates); a copy is used, with
// ServerName set to the URL's host when empty and TLS 1.2 at least.
// Default: the system's roots, the URL's host.
func WithTLSConfig(c *tls.Config) SMTPOption {
	return func(o *smtpOptions) { o.tlsConfig = c }
}

// WithTimeout bounds connecting and each SMTP command; default
// DefaultTimeout (15 s).
func WithTimeout(d time.Duration) SMTPOption {
	return func(o *smtpOptions) { o.timeout = d }
}

// WithSendTimeout bounds a whole Send; default DefaultSendTimeout (1
// minute).
func WithSendTimeout(d time.Duration) SMTPOption {
	return func(o *smtpOptions) { o.sendTimeout = d }
}

// WithInsecureAuth lets the credentials of an smtp:// URL travel in clear
// text when the server offers no STARTTLS: for a development server on
// localhost only, and NewSMTP refuses it for any other host.
func WithInsecureAuth() SMTPOption {
	return func(o *smtpOptions) { o.insecureAuth = true }
}

// NewSMTP returns an SMTP mailer for the server rawURL names:
//
//	smtp://host[:port][?starttls=opportunistic|mandatory|none]
//	smtps://host[:port]
//	smtp://user:password@host:587
//
// smtp:// connects in clear text and upgrades with STARTTLS by the
// policy (default: mandatory, opportunistic for a server on a loopback
// address; default port 25); smtps:// is TLS from the start (implicit TLS,
// default port 465). User and password, percent-encoded in the URL, are
// sent with AUTH PLAIN (or LOGIN when PLAIN is not offered) and only over
// TLS: with credentials an smtp:// URL's STARTTLS is mandatory. Anything
// else in the URL (a path, another parameter, a fragment, a user without
// a password) is an error wrapping ErrInvalidURL.
func NewSMTP(rawURL string, opts ...SMTPOption) (*SMTP, error) {
	var o smtpOptions
	for _, f := range opts {
		f(&o)
	}
	s, err := parseSMTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	if o.policy != nil {
		if s.implicitTLS {
			return nil, fmt.Errorf("%w: a STARTTLS policy for smtps://, which is TLS already", ErrInvalidURL)
		}
		if *o.policy < StartTLSOpportunistic || *o.policy > NoStartTLS {
			return nil, fmt.Errorf("mail: unknown TLS policy %v", *o.policy)
		}
		s.policy = *o.policy
	}
	if o.policy == nil && !s.policySet && !s.implicitTLS && !loopback(s.host) {
		s.policy = StartTLSMandatory
	}
	s.insecureAuth = o.insecureAuth
	if s.insecureAuth && !loopback(s.host) {
		return nil, fmt.Errorf("%w: WithInsecureAuth is for a server on localhost, not %s", ErrInsecureAuth, s.host)
	}
	if s.username != "" && !s.implicitTLS && !s.insecureAuth {
		if s.policy == NoStartTLS {
			return nil, fmt.Errorf("%w: credentials with starttls=none", ErrInsecureAuth)
		}
		s.policy = StartTLSMandatory
	}
	s.timeout, s.sendTimeout = DefaultTimeout, DefaultSendTimeout
	if o.timeout != 0 {
		s.timeout = o.timeout
	}
	if o.sendTimeout != 0 {
		s.sendTimeout = o.sendTimeout
	}
	if s.timeout < 0 || s.sendTimeout < 0 {
		return nil, errors.New("mail: negative SMTP timeout")
	}
	s.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if o.tlsConfig != nil {
		s.tlsConfig = o.tlsConfig.Clone()
		s.tlsConfig.MinVersion = max(s.tlsConfig.MinVersion, tls.VersionTLS12)
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	return s, nil
}

// parseSMTPURL reads the URL's scheme, host, port, credentials and
// starttls parameter (the policy before credentials are considered).
func parseSMTPURL(rawURL string) (*SMTP, error) {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrInvalidURL, why) }
	if !headerValueOK(rawURL) || strings.ContainsAny(rawURL, " \t") {
		return nil, bad("control character or space")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, bad("not a URL") // url.Error would repeat the URL, password included
	}
	s := &SMTP{policy: StartTLSOpportunistic}
	switch u.Scheme {
	case "smtp":
		s.port = DefaultSMTPPort
	case "smtps":
		s.port, s.implicitTLS = DefaultSMTPSPort, true
	default:
		return nil, bad("the scheme is not smtp or smtps")
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" || u.RawFragment != "" {
		return nil, bad("only a scheme, credentials, a host and a port")
	}
	s.host = u.Hostname()
	if !hostOK(s.host) {
		return nil, bad("missing or malformed host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 || p[0] == '0' {
			return nil, bad("the port is not a number from 1 to 65535")
		}
		s.port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, bad("empty port")
	}
	s.addr = net.JoinHostPort(s.host, strconv.Itoa(s.port))
	if u.User != nil {
		pw, ok := u.User.Password()
		if u.User.Username() == "" || !ok || pw == "" {
			return nil, bad("credentials need both a user and a password")
		}
		s.username, s.password = u.User.Username(), pw
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, bad("malformed query")
	}
	for k, v := range q {
		if k != "starttls" || len(v) != 1 {
			return nil, bad("the only parameter is starttls, once")
		}
		if s.implicitTLS {
			return nil, bad("starttls with smtps://, which is TLS already")
		}
		s.policySet = true
		switch v[0] {
		case "opportunistic":
			s.policy = StartTLSOpportunistic
		case "mandatory":
			s.policy = StartTLSMandatory
		case "none":
			s.policy = NoStartTLS
		default:
			return nil, bad("starttls is opportunistic, mandatory or none")
		}
	}
	return s, nil
}

// hostOK: a host name of ASCII letters, digits, dots and hyphens, or an
// IP address (IPv6 without a zone).
func hostOK(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Zone() == ""
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '.' && c != '-' {
			return false
		}
	}
	return h[0] != '.' && h[0] != '-'
}

// loopback reports whether host is "localhost" or a loopback address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// String describes the server without the credentials.
func (s *SMTP) String() string {
	scheme := "smtp"
	if s.implicitTLS {
		scheme = "smtps"
	}
	user := ""
	if s.username != "" {
		user = "(with credentials) "
	}
	return user + scheme + "://" + s.addr
}

// Send validates m and hands it to the server on a new connection: the
// greeting, EHLO, STARTTLS by the policy, AUTH when configured (only over
// TLS), MAIL, RCPT for each recipient, DATA, QUIT. The body is
// quoted-printable UTF-8, the headers MIME-encoded where they are not
// ASCII; go-mail adds Date and Message-ID. A reply of the server is in
// the error (Temporary tells a 4xx from a 5xx).
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	msg, err := toMsg(m, gomail.EncodingQP)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.sendTimeout)
	defer cancel()
	var mu sync.Mutex
	var stops []func() bool
	defer func() {
		mu.Lock()
		for _, stop := range stops {
			stop()
		}
		mu.Unlock()
	}()
	// go-mail bounds each command by the timeout, but only the dial by
	// ctx: closing the connection when ctx is done bounds the rest. The
	// address is s.addr, not go-mail's, which leaves an IPv6 address
	// without its brackets.
	dial := func(dctx context.Context, network, _ string) (net.Conn, error) {
		d := net.Dialer{Timeout: s.timeout}
		conn, err := d.DialContext(dctx, network, s.addr)
		if err != nil {
			return nil, err
		}
		if s.implicitTLS {
			tc := tls.Client(conn, s.tlsConfig)
			if err := tc.HandshakeContext(dctx); err != nil {
				_ = conn.Close()
				return nil, err
			}
			conn = tc
		}
		mu.Lock()
		stops = append(stops, context.AfterFunc(ctx, func() { _ = conn.Close() }))
		mu.Unlock()
		return conn, nil
	}
	policy := map[TLSPolicy]gomail.TLSPolicy{
		StartTLSOpportunistic: gomail.TLSOpportunistic,
		StartTLSMandatory:     gomail.TLSMandatory,
		NoStartTLS:            gomail.NoTLS,
	}[s.policy]
	if s.implicitTLS {
		policy = gomail.NoTLS // TLS already: no STARTTLS on top
	}
	clientOpts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(s.tlsConfig),
		gomail.WithDialContextFunc(dial),
	}
	if s.username != "" {
		clientOpts = append(clientOpts, gomail.WithSMTPAuthCustom(&guardedAuth{
			host: s.host, username: s.username, password: s.password, allowPlainText: s.insecureAuth,
		}))
	}
	client, err := gomail.NewClient(s.host, clientOpts...)
	if err != nil {
		return fmt.Errorf("mail: SMTP client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			return fmt.Errorf("mail: SMTP %s: %w (%w)", s.addr, cerr, err)
		}
		return fmt.Errorf("mail: SMTP %s: %w", s.addr, err)
	}
	return nil
}

// guardedAuth is the SMTP authentication of one Send: it refuses to
// start on a connection that is not TLS (unless allowed for localhost),
// whatever the STARTTLS policy let through, then speaks PLAIN, or LOGIN
// when the server offers no PLAIN. go-mail's own PLAIN and LOGIN would
// send a password in clear text to any server named localhost.
type guardedAuth struct {
	host, username, password string
	allowPlainText           bool
	mech                     gosmtp.Auth
}

// Start implements go-mail's smtp.Auth.
func (a *guardedAuth) Start(server *gosmtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !a.allowPlainText {
		return "", nil, ErrInsecureAuth
	}
	offers := func(mech string) bool {
		return slices.ContainsFunc(server.Auth, func(m string) bool { return strings.EqualFold(m, mech) })
	}
	switch {
	case offers("PLAIN"):
		a.mech = gosmtp.PlainAuth("", a.username, a.password, a.host, true)
	case offers("LOGIN"):
		a.mech = gosmtp.LoginAuth(a.username, a.password, a.host, true)
	default:
		return "", nil, ErrNoAuthMechanism
	}
	return a.mech.Start(server)
}

// Next implements go-mail's smtp.Auth.
func (a *guardedAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if a.mech == nil {
		return nil, ErrNoAuthMechanism
	}
	return a.mech.Next(fromServer, more)
}
