package mail

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	gomail "github.com/wneessen/go-mail"
)

// consoleSeparator ends each message Console writes, as Django's console
// backend ends it: a line of 79 dashes.
var consoleSeparator = strings.Repeat("-", 79) + "\n"

// Console is a Mailer for development (Django's console.EmailBackend):
// it sends nothing and writes each whole message, headers and MIME parts
// with the bodies in readable 8-bit, to Writer or Logger. Messages and the
// links in them (a password-reset token) land in the output: never use it
// in production. The zero value writes to os.Stdout, as Django's does.
// It is safe for concurrent use; messages are written whole, one at a
// time.
type Console struct {
	// Writer receives each message followed by a line of 79 dashes; nil
	// means os.Stdout. Ignored when Logger is set.
	Writer io.Writer
	// Logger, when set, receives each message as one Info record "mail"
	// with the attributes from, to, subject and message (the whole
	// message as text) instead of Writer.
	Logger *slog.Logger

	mu sync.Mutex
}

// Send validates m, renders it and writes it; ctx is honoured before
// writing.
func (c *Console) Send(ctx context.Context, m *Message) error {
	msg, err := toMsg(m, gomail.NoEncoding)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.Logger != nil {
		c.Logger.InfoContext(ctx, "mail", "from", m.From, "to", m.To, "subject", m.Subject, "message", buf.String())
		return nil
	}
	buf.WriteString(consoleSeparator)
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.Writer
	if w == nil {
		w = os.Stdout
	}
	_, err = w.Write(buf.Bytes())
	return err
}
