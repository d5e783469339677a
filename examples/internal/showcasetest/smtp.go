package showcasetest

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one message an SMTPServer received: its envelope, headers and
// the text and HTML parts, decoded.
type Mail struct {
	From       string
	To         []string
	Header     netmail.Header
	Text, HTML string
}

// SMTPServer is a real SMTP server (emersion/go-smtp) on a free localhost
// port, without TLS or authentication, that keeps what it receives: the
// mail server of the showcase's -smtp in tests.
type SMTPServer struct {
	// URL is the showcase's -smtp value: smtp://127.0.0.1:PORT.
	URL string

	t    *testing.T
	mu   sync.Mutex
	mail []Mail
}

// StartSMTP starts an SMTPServer, stopped when the test ends.
func StartSMTP(t *testing.T) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms := &SMTPServer{URL: "smtp://" + ln.Addr().String(), t: t}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{ms: ms}, nil
	}))
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = s.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		<-served
	})
	return ms
}

// Received returns the messages received so far, oldest first.
func (ms *SMTPServer) Received() []Mail {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]Mail(nil), ms.mail...)
}

// Await waits up to 10 seconds until n messages have arrived and returns
// them; it fails the test when they do not.
func (ms *SMTPServer) Await(n int) []Mail {
	ms.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := ms.Received(); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			ms.t.Fatalf("%d mails arrived in 10 s, want %d", len(ms.Received()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type smtpSession struct {
	ms   *SMTPServer
	from string
	to   []string
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parseMail(data)
	if err != nil {
		s.ms.t.Errorf("a received mail does not parse: %v\n%s", err, data)
		return err
	}
	m.From, m.To = s.from, s.to
	s.ms.mu.Lock()
	s.ms.mail = append(s.ms.mail, m)
	s.ms.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }

// parseMail reads a message's headers and its text/plain and text/html
// parts (a single part, or those of a multipart/alternative), undoing
// their transfer encoding.
func parseMail(data []byte) (Mail, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Mail{}, err
	}
	m := Mail{Header: msg.Header}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return m, err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		body, err := decodePart(msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
		m.Text = body
		return m, err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return m, err
		}
		body, err := decodePart(p.Header.Get("Content-Transfer-Encoding"), p)
		if err != nil {
			return m, err
		}
		switch pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); pt {
		case "text/plain":
			m.Text = body
		case "text/html":
			m.HTML = body
		}
	}
}

func decodePart(encoding string, r io.Reader) (string, error) {
	if strings.EqualFold(encoding, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	return string(b), err
}
