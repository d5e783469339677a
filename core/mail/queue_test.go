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
	"time"

	"github.com/emersion/go-smtp"
	"github.com/reinhardt-go/auth/core/mail"
	"go.uber.org/goleak"
)

// logRecords is a slog handler's output, read back.
type logRecords struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logRecords) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logRecords) logger() *slog.Logger { return slog.New(slog.NewJSONHandler(l, nil)) }

func (l *logRecords) records(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(l.buf.String()) {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func (l *logRecords) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newQueue(t *testing.T, m mail.Mailer, opts ...mail.QueueOption) *mail.Queue {
	t.Helper()
	q, err := mail.NewQueue(m, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func closeQueue(t *testing.T, q *mail.Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// checkLostLog checks that the log says where a lost mail went and why,
// and nothing of its content or its recipients' names.
func checkLostLog(t *testing.T, logs *logRecords, wantMsg, wantErr string) {
	t.Helper()
	recs := logs.records(t)
	if len(recs) == 0 {
		t.Fatal("nothing logged")
	}
	r := recs[0]
	if r["level"] != "ERROR" || r["msg"] != wantMsg || !strings.Contains(fmt.Sprint(r["error"]), wantErr) {
		t.Errorf("log record %v", r)
	}
	if d := fmt.Sprint(r["domains"]); !strings.Contains(d, "example.org") {
		t.Errorf("domains %v", d)
	}
	text := logs.text()
	for _, secret := range []string{"accounts/reset", "c3x7k2", "Follow", "Réinitialisation", "alice", "bob@", "gone@"} {
		if strings.Contains(text, secret) {
			t.Errorf("the log holds %q: %s", secret, text)
		}
	}
}

func TestQueueRetriesTemporaryFailures(t *testing.T) {
	ts := startServer(t, serverConfig{dataErr: func(n int) error {
		if n <= 2 {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "greylisted, try again later"}
		}
		return nil
	}})
	q := newQueue(t, newSMTP(t, "smtp://"+ts.addr), mail.WithBackoff(100*time.Millisecond, 150*time.Millisecond))
	start := time.Now()
	if err := q.Enqueue(resetMessage()); err != nil {
		t.Fatal(err)
	}
	closeQueue(t, q)
	// Waits of 50-100 ms, then 75-150 ms (each between half and all of
	// the doubled, capped backoff).
	if took := time.Since(start); took < 125*time.Millisecond {
		t.Errorf("two retries after %v: no backoff", took)
	}
	if data, _ := ts.counts(); data != 3 || len(ts.received()) != 1 {
		t.Errorf("DATA %d times, %d delivered; want 3 and 1", data, len(ts.received()))
	}
	if s := q.Stats(); s != (mail.QueueStats{Enqueued: 1, Sent: 1, Retries: 2}) {
		t.Errorf("stats %+v", s)
	}
}

func TestQueueGivesUp(t *testing.T) {
	// A 5xx is not retried.
	ts := startServer(t, serverConfig{rcptErr: func(to string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + to + ">: no such user"}
	}})
	var logs logRecords
	q := newQueue(t, newSMTP(t, "smtp://"+ts.addr), mail.WithBackoff(10*time.Millisecond, 40*time.Millisecond), mail.WithLogger(logs.logger()))
	m := resetMessage()
	m.To = []string{"gone@example.org"}
	if err := q.Enqueue(m); err != nil {
		t.Fatal(err)
	}
	closeQueue(t, q)
	if s := q.Stats(); s != (mail.QueueStats{Enqueued: 1, Failed: 1}) {
		t.Errorf("stats %+v", s)
	}
	checkLostLog(t, &logs, "mail: message not delivered", "550")
	if r := logs.records(t)[0]; r["attempts"] != 1.0 || r["temporary"] != false {
		t.Errorf("log record %v", r)
	}

	// A 4xx each time: tried WithAttempts times, then given up.
	always := startServer(t, serverConfig{dataErr: func(int) error {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "closing"}
	}})
	logs = logRecords{}
	q = newQueue(t, newSMTP(t, "smtp://"+always.addr), mail.WithAttempts(3), mail.WithBackoff(10*time.Millisecond, 20*time.Millisecond), mail.WithLogger(logs.logger()))
	if err := q.Enqueue(resetMessage()); err != nil {
		t.Fatal(err)
	}
	closeQueue(t, q)
	if data, _ := always.counts(); data != 3 {
		t.Errorf("DATA %d times, want 3", data)
	}
	if s := q.Stats(); s != (mail.QueueStats{Enqueued: 1, Retries: 2, Failed: 1}) {
		t.Errorf("stats %+v", s)
	}
	checkLostLog(t, &logs, "mail: message not delivered", "421")
	if r := logs.records(t)[0]; r["attempts"] != 3.0 || r["temporary"] != true {
		t.Errorf("log record %v", r)
	}
}

func TestQueueFull(t *testing.T) {
	gate := make(chan struct{})
	ts := startServer(t, serverConfig{gate: gate})
	var logs logRecords
	q := newQueue(t, newSMTP(t, "smtp://"+ts.addr), mail.WithWorkers(1), mail.WithCapacity(2), mail.WithLogger(logs.logger()))
	// The worker takes the first message and waits in DATA; two more fill the buffer.
	if err := q.Enqueue(resetMessage()); err != nil {
		t.Fatal(err)
	}
	<-ts.dataStarted
	for range 2 {
		if err := q.Enqueue(resetMessage()); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	if err := q.Enqueue(resetMessage()); !errors.Is(err, mail.ErrQueueFull) {
		t.Fatalf("a full queue: %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Enqueue on a full queue waited %v", took)
	}
	checkLostLog(t, &logs, "mail: message refused by the queue", "queue full")
	close(gate)
	closeQueue(t, q)
	if n := len(ts.received()); n != 3 {
		t.Errorf("%d delivered, want 3", n)
	}
	if s := q.Stats(); s != (mail.QueueStats{Enqueued: 3, Sent: 3, Refused: 1}) {
		t.Errorf("stats %+v", s)
	}
}

func TestQueueCloseDrains(t *testing.T) {
	ts := startServer(t, serverConfig{})
	q := newQueue(t, newSMTP(t, "smtp://"+ts.addr), mail.WithCapacity(20))
	for i := range 20 {
		m := resetMessage()
		m.Subject = fmt.Sprint("message ", i)
		if err := q.Enqueue(m); err != nil {
			t.Fatal(err)
		}
	}
	closeQueue(t, q)
	if n := len(ts.received()); n != 20 {
		t.Errorf("%d delivered, want 20", n)
	}
	var logs logRecords
	q2 := newQueue(t, &mail.Memory{}, mail.WithLogger(logs.logger()))
	closeQueue(t, q2)
	if err := q2.Enqueue(resetMessage()); !errors.Is(err, mail.ErrQueueClosed) {
		t.Errorf("Enqueue after Close: %v", err)
	}
	checkLostLog(t, &logs, "mail: message refused by the queue", "closed")
	closeQueue(t, q2) // a second Close is harmless
}

func TestQueueCloseDeadline(t *testing.T) {
	gate := make(chan struct{})
	ts := startServer(t, serverConfig{gate: gate})
	// No goroutine of the queue left once Close returns (the server's
	// own are ignored; its handler ends when the gate opens).
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer close(gate)
	var logs logRecords
	q := newQueue(t, newSMTP(t, "smtp://"+ts.addr), mail.WithWorkers(1), mail.WithLogger(logs.logger()))
	for range 3 {
		if err := q.Enqueue(resetMessage()); err != nil {
			t.Fatal(err)
		}
	}
	<-ts.dataStarted
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := q.Close(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close past its deadline: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Close took %v", took)
	}
	if s := q.Stats(); s != (mail.QueueStats{Enqueued: 3, Failed: 3}) {
		t.Errorf("stats %+v", s)
	}
	if recs := logs.records(t); len(recs) != 3 {
		t.Errorf("%d records for 3 lost messages", len(recs))
	}
	checkLostLog(t, &logs, "mail: message not delivered", "")
}

func TestQueueValidatesAndCopies(t *testing.T) {
	var mem mail.Memory
	q := newQueue(t, &mem)
	if err := q.Enqueue(&mail.Message{From: "noreply@example.com", To: []string{"a@example.org"}, Subject: "x\r\nBcc: eve@example.net"}); !errors.Is(err, mail.ErrHeaderInjection) {
		t.Errorf("invalid message: %v", err)
	}
	m := resetMessage()
	var mailer mail.Mailer = q // a Queue is a Mailer
	if err := mailer.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	m.Subject, m.To[0] = "changed", "eve@example.net"
	closeQueue(t, q)
	out := mem.Outbox()
	if len(out) != 1 || out[0].Subject == "changed" || out[0].To[0] != "alice@example.org" {
		t.Errorf("outbox %+v", out)
	}
	if s := q.Stats(); s != (mail.QueueStats{Enqueued: 1, Sent: 1}) {
		t.Errorf("stats %+v", s)
	}
	for _, opts := range [][]mail.QueueOption{{mail.WithCapacity(0)}, {mail.WithWorkers(0)}, {mail.WithAttempts(0)}, {mail.WithBackoff(0, time.Second)}, {mail.WithBackoff(time.Second, time.Millisecond)}} {
		if _, err := mail.NewQueue(&mem, opts...); err == nil {
			t.Error("bad option accepted")
		}
	}
	if _, err := mail.NewQueue(nil); err == nil {
		t.Error("nil Mailer accepted")
	}
}

// Enqueue racing Close: no panic, no goroutine left, every message
// either refused or accounted for.
func TestQueueConcurrentClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var logs logRecords
	var mem mail.Memory
	q := newQueue(t, &mem, mail.WithCapacity(8), mail.WithWorkers(3), mail.WithLogger(logs.logger()))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				_ = q.Enqueue(resetMessage())
			}
		})
	}
	time.Sleep(time.Millisecond)
	closeQueue(t, q)
	wg.Wait()
	s := q.Stats()
	if s.Enqueued+s.Refused != 400 || s.Sent != s.Enqueued || s.Failed != 0 || int64(len(mem.Outbox())) != s.Sent {
		t.Errorf("stats %+v, outbox %d", s, len(mem.Outbox()))
	}
}
