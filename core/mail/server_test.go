package mail_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serverConfig says how a test SMTP server behaves.
type serverConfig struct {
	// tls, when set, is offered with STARTTLS, or from the first byte
	// with implicitTLS.
	tls         *tls.Config
	implicitTLS bool
	// user and pass, when set, are the credentials AUTH PLAIN accepts;
	// allowInsecureAuth offers AUTH without TLS.
	user, pass        string
	allowInsecureAuth bool
	// dataErr, when set, answers the nth DATA (counted from 1).
	dataErr func(n int) error
	// rcptErr, when set, answers each RCPT.
	rcptErr func(to string) error
	// gate, when set, holds every DATA until it is closed.
	gate chan struct{}
	// listen is the address to listen on; default 127.0.0.1:0.
	listen string
}

// received is one message the test server accepted.
type received struct {
	from string
	to   []string
	data []byte
	tls  bool
	user string
}

// testServer is a real SMTP server (emersion/go-smtp) on a free localhost
// port, recording what it receives.
type testServer struct {
	t    *testing.T
	cfg  serverConfig
	addr string // host:port
	port string
	stop chan struct{}

	mu          sync.Mutex
	msgs        []received
	dataCalls   int
	authCalls   int
	dataStarted chan struct{} // one value per DATA begun
}

// String summarises r for test failures (not its bytes).
func (r received) String() string {
	return fmt.Sprintf("{from %s to %v, %d bytes, tls %v, user %q}", r.from, r.to, len(r.data), r.tls, r.user)
}

func startServer(t *testing.T, cfg serverConfig) *testServer {
	t.Helper()
	listen := cfg.listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.implicitTLS {
		ln = tls.NewListener(ln, cfg.tls)
	}
	ts := &testServer{t: t, cfg: cfg, addr: ln.Addr().String(), stop: make(chan struct{}), dataStarted: make(chan struct{}, 100)}
	_, ts.port, _ = net.SplitHostPort(ts.addr)
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{ts: ts, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.AllowInsecureAuth = cfg.allowInsecureAuth
	if !cfg.implicitTLS {
		s.TLSConfig = cfg.tls
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = s.Serve(ln)
	}()
	t.Cleanup(func() {
		close(ts.stop)
		_ = s.Close()
		<-served
	})
	return ts
}

func (ts *testServer) received() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

func (ts *testServer) counts() (data, auth int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.dataCalls, ts.authCalls
}

// session is one connection's SMTP session.
type session struct {
	ts   *testServer
	conn *smtp.Conn
	from string
	to   []string
	user string
}

func (s *session) AuthMechanisms() []string {
	if s.ts.cfg.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.ts.mu.Lock()
		s.ts.authCalls++
		s.ts.mu.Unlock()
		if user != s.ts.cfg.user || pass != s.ts.cfg.pass {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.ts.cfg.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if f := s.ts.cfg.rcptErr; f != nil {
		if err := f(to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ts.mu.Lock()
	s.ts.dataCalls++
	n := s.ts.dataCalls
	s.ts.mu.Unlock()
	s.ts.dataStarted <- struct{}{}
	if g := s.ts.cfg.gate; g != nil {
		select {
		case <-g:
		case <-s.ts.stop:
			return errors.New("server stopping")
		}
	}
	if f := s.ts.cfg.dataErr; f != nil {
		if err := f(n); err != nil {
			return err
		}
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.ts.mu.Lock()
	s.ts.msgs = append(s.ts.msgs, received{from: s.from, to: s.to, data: data, tls: isTLS, user: s.user})
	s.ts.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// selfSigned returns a server configuration with a new self-signed
// certificate for 127.0.0.1 and localhost, and a client configuration
// trusting it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mail test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12},
		&tls.Config{RootCAs: pool}
}

// parsed is a received message read back: its headers (decoded) and
// bodies.
type parsed struct {
	header      netmail.Header
	subject     string
	contentType string
	text, html  string
}

func parseReceived(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the received message does not parse: %v\n%s", err, data)
	}
	p := parsed{header: msg.Header}
	p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	p.contentType = mediaType
	if !strings.HasPrefix(mediaType, "multipart/") {
		p.text = readBody(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
		return p
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable itself
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			p.text = lf(body)
		case "text/html":
			p.html = lf(body)
		default:
			t.Fatalf("unexpected part %q", ct)
		}
	}
	return p
}

func readBody(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	if strings.EqualFold(cte, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return lf(b)
}

// lf turns the CRLF line ends of the wire into LF.
func lf(b []byte) string { return strings.ReplaceAll(string(b), "\r\n", "\n") }
