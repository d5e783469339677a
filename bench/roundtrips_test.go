package bench_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestRoundTrips counts the round trips each library makes to Redis and
// PostgreSQL per load-modify-save request, and which commands (Redis) or
// statements (PostgreSQL) they carry: every library's setup runs against
// a TCP proxy in front of the real server, which counts the client's
// turns, a turn being everything the client sends before the server
// answers (so a pipeline is one round trip). After warm-up requests
// (connections made, statements prepared), 100 requests are counted.
// reinhardt and the floors must make exactly two per request, one to load
// and one to save; the others are reported.
//
//	env $(cat ../.bin/services.env) go test -run RoundTrips -v
func TestRoundTrips(t *testing.T) {
	const warmup, requests = 10, 100
	for _, st := range stores {
		var envName, proto string
		switch st.name {
		case "redis":
			envName, proto = "REINHARDT_TEST_REDIS", "redis"
		case "postgres":
			envName, proto = "REINHARDT_TEST_POSTGRES", "postgres"
		default:
			continue
		}
		for _, lib := range st.libs {
			t.Run(st.name+"/"+lib.name, func(t *testing.T) {
				base := os.Getenv(envName)
				if base == "" {
					t.Skipf("%s is not set (scripts/services.sh start provides it)", envName)
				}
				u, err := url.Parse(base)
				if err != nil {
					t.Fatal(err)
				}
				p := startProxy(t, proto, u.Host)
				u.Host = p.addr()
				t.Setenv(envName, u.String())

				last := 0
				h, name := lib.setup(t, func(n int) { last = n })
				cookie := serve(t, h, name, "")
				for range warmup {
					cookie = serve(t, h, name, cookie)
				}
				mark := p.mark()
				for range requests {
					cookie = serve(t, h, name, cookie)
				}
				turns := p.since(mark)
				if last != 1+warmup+requests {
					t.Fatalf("the counter is %d after %d requests", last, 1+warmup+requests)
				}
				per := float64(len(turns)) / requests
				t.Logf("%.2f round trips per request: %s", per, summarize(turns, requests))
				if (lib.name == "reinhardt" || strings.HasPrefix(lib.name, "floor")) && len(turns) != 2*requests {
					t.Errorf("%d round trips for %d requests; want 2 per request", len(turns), requests)
				}
			})
		}
	}
}

// summarize describes the turns: each distinct turn with how many times
// it came per request, in order of first appearance.
func summarize(turns []string, requests int) string {
	var order []string
	n := map[string]int{}
	for _, tn := range turns {
		if n[tn] == 0 {
			order = append(order, tn)
		}
		n[tn]++
	}
	parts := make([]string, len(order))
	for i, tn := range order {
		parts[i] = fmt.Sprintf("[%s] ×%s", tn, strconv.FormatFloat(float64(n[tn])/float64(requests), 'f', -1, 64))
	}
	return strings.Join(parts, ", ")
}

// proxy forwards TCP connections to a server and records every turn of
// the client: each run of bytes the client sends before the server sends
// any, described by the messages it holds.
type proxy struct {
	ln     net.Listener
	target string
	proto  string

	mu    sync.Mutex
	turns []string
}

func startProxy(t *testing.T, proto, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, proto: proto}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			wg.Go(func() { p.handle(c) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// mark returns the number of turns so far, for since.
func (p *proxy) mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.turns)
}

// since returns the turns after mark.
func (p *proxy) since(mark int) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.turns[mark:])
}

func (p *proxy) handle(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	var (
		mu      sync.Mutex
		waiting = true // the server spoke last (or nobody yet)
		turn    = -1   // index in p.turns of the client's current turn
		names   []string
	)
	parse := redisCommands
	if p.proto == "postgres" {
		parse = newPostgresMessages()
	}
	var in []byte
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 {
				mu.Lock()
				waiting = true // before the client can see the answer
				mu.Unlock()
				if _, werr := client.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				client.Close()
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			mu.Lock()
			p.mu.Lock()
			if waiting {
				waiting = false
				p.turns = append(p.turns, "")
				turn, names = len(p.turns)-1, nil
			}
			in = append(in, buf[:n]...)
			var got []string
			got, in = parse(in)
			names = append(names, got...)
			p.turns[turn] = strings.Join(names, " ")
			p.mu.Unlock()
			mu.Unlock()
			if _, werr := server.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	server.Close()
	<-done
}

// redisCommands reads the complete RESP commands at the start of in (arrays
// of bulk strings, as clients send them) and returns their names and what
// is left.
func redisCommands(in []byte) ([]string, []byte) {
	var names []string
	for len(in) > 0 {
		if in[0] != '*' {
			return append(names, "?"), nil
		}
		count, rest, ok := respLine(in[1:])
		if !ok {
			return names, in
		}
		var name string
		complete := true
		for i := range count {
			if len(rest) == 0 {
				complete = false
				break
			}
			if rest[0] != '$' {
				return append(names, "?"), nil
			}
			size, after, ok := respLine(rest[1:])
			if !ok || len(after) < size+2 {
				complete = false
				break
			}
			if i == 0 {
				name = strings.ToUpper(string(after[:size]))
			}
			rest = after[size+2:]
		}
		if !complete {
			return names, in
		}
		names = append(names, name)
		in = rest
	}
	return names, in
}

// respLine reads a decimal number ended by CRLF.
func respLine(b []byte) (int, []byte, bool) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 {
		return 0, b, false
	}
	n, err := strconv.Atoi(string(b[:i]))
	if err != nil {
		return 0, b, false
	}
	return n, b[i+2:], true
}

// newPostgresMessages returns a reader of the frontend messages of one
// PostgreSQL connection: the untyped startup packets (SSLRequest,
// StartupMessage), then typed messages. Each is named by its type, with
// the first word of its SQL for Parse, Query and Bind (of the statement
// a Parse on this connection prepared).
func newPostgresMessages() func([]byte) ([]string, []byte) {
	startup := true
	statements := map[string]string{} // prepared statement name: first word of its SQL
	return func(in []byte) ([]string, []byte) {
		var names []string
		for {
			if startup {
				if len(in) < 8 {
					return names, in
				}
				size := int(binary.BigEndian.Uint32(in))
				if size < 8 || len(in) < size {
					return names, in
				}
				switch code := binary.BigEndian.Uint32(in[4:]); code {
				case 80877103, 80877104: // SSLRequest, GSSENCRequest: a StartupMessage follows
					names = append(names, "SSLRequest")
				default:
					names = append(names, "Startup")
					startup = false
				}
				in = in[size:]
				continue
			}
			if len(in) < 5 {
				return names, in
			}
			size := int(binary.BigEndian.Uint32(in[1:]))
			if size < 4 || len(in) < 1+size {
				return names, in
			}
			body := in[5 : 1+size]
			name := pgMessageNames[in[0]]
			if name == "" {
				name = string(in[0])
			}
			switch in[0] {
			case 'P': // Parse: statement name, query
				if st, q, ok := cut0(body); ok {
					statements[string(st)] = firstWord(q)
					name += " " + firstWord(q)
				}
			case 'Q': // Query: query
				name += " " + firstWord(body)
			case 'B': // Bind: portal, statement
				if _, rest, ok := cut0(body); ok {
					if st, _, ok := cut0(rest); ok {
						name += " " + statements[string(st)]
					}
				}
			}
			names = append(names, name)
			in = in[1+size:]
		}
	}
}

var pgMessageNames = map[byte]string{
	'P': "Parse", 'B': "Bind", 'D': "Describe", 'E': "Execute", 'S': "Sync", 'H': "Flush",
	'Q': "Query", 'C': "Close", 'X': "Terminate", 'p': "Password",
}

// cut0 splits b at its first NUL.
func cut0(b []byte) (before, after []byte, ok bool) { return bytes.Cut(b, []byte{0}) }

func firstWord(q []byte) string {
	f := strings.Fields(string(q))
	if len(f) == 0 {
		return ""
	}
	return strings.ToUpper(f[0])
}
