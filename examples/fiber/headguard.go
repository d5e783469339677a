package main

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/reinhardt-go/auth/core"
)

// guardHeads works around a bug of fasthttp v1.51.0, the version Fiber
// 2.52.15 requires: when no line left in a request's header block has a
// colon ("Bad Header\r\n\r\n" as its last line), its parser waits for
// more data instead of refusing the request, so the connection hangs until
// ReadTimeout and then gets 408. net/http answers 400 at once, and the
// contract wants every showcase to. (fasthttp v1.78.0 answers 400 itself;
// once go.mod requires it, this file and the guardHeads call go.)
//
// The guard reads the first request head of each connection up to its
// blank line (at most maxHeaderBytes; beyond that fasthttp answers 431)
// before fasthttp sees it, and answers a head with a header line that has
// no colon with the 400 fasthttp gives other malformed heads, through the
// ErrorHandler. Later requests on a kept-alive connection are not
// guarded: finding their heads would mean parsing bodies.
func guardHeads(l net.Listener) net.Listener { return headGuard{l} }

type headGuard struct{ net.Listener }

func (l headGuard) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &guardedConn{Conn: c}, nil
}

type guardedConn struct {
	net.Conn
	checked bool
	pending []byte // the first head, read ahead and checked, not yet handed on
}

func (c *guardedConn) Read(p []byte) (int, error) {
	if !c.checked {
		c.checked = true
		if err := c.readHead(); err != nil {
			return 0, err
		}
	}
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// readHead reads until the end of the first header block. A read error
// ends the look-ahead: what was read is handed on, and the next read meets
// the error again (a passed deadline, EOF).
func (c *guardedConn) readHead() error {
	buf := make([]byte, 0, 4096)
	for {
		if end := headEnd(buf); end >= 0 {
			if !wellFormed(buf[:end]) {
				c.refuse()
				return io.EOF // fasthttp closes the connection quietly
			}
			break
		}
		if len(buf) > maxHeaderBytes {
			break
		}
		if len(buf) == cap(buf) {
			buf = append(buf, make([]byte, len(buf))...)[:len(buf)]
		}
		n, err := c.Conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if len(buf) == 0 {
				return err
			}
			break
		}
	}
	c.pending = buf
	return nil
}

// headEnd returns the length of the header block at the start of b (up to
// and including its blank line, CRLF or bare LF), or -1.
func headEnd(b []byte) int {
	for i := bytes.IndexByte(b, '\n'); i >= 0; {
		j := i + 1
		if j < len(b) && b[j] == '\r' {
			j++
		}
		if j < len(b) && b[j] == '\n' {
			return j + 1
		}
		k := bytes.IndexByte(b[i+1:], '\n')
		if k < 0 {
			return -1
		}
		i += 1 + k
	}
	return -1
}

// wellFormed reports whether every header line after the request line has
// a colon (a line starting with a space or tab continues the one before).
func wellFormed(head []byte) bool {
	lines := bytes.Split(head, []byte("\n"))
	for _, line := range lines[1:] {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return true
		}
		if line[0] != ' ' && line[0] != '\t' && bytes.IndexByte(line, ':') < 0 {
			return false
		}
	}
	return true
}

// malformed is what the ErrorHandler answers fasthttp's parse errors.
var malformed = func() []byte {
	body, _ := core.MarshalJSON(map[string]string{"detail": core.ParseError("").Detail})
	return []byte("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + string(body))
}()

func (c *guardedConn) refuse() {
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.Conn.Write(malformed)
}
