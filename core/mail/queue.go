package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	netmail "net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Queue.
const (
	// DefaultQueueCapacity is how many messages wait in the buffer before
	// Enqueue refuses more (ErrQueueFull).
	DefaultQueueCapacity = 256
	// DefaultQueueWorkers is how many messages are sent at once.
	DefaultQueueWorkers = 2
	// DefaultQueueAttempts is how many times a message is tried in all
	// when its failures are temporary: the first send and 4 retries.
	DefaultQueueAttempts = 5
	// DefaultQueueBackoff is the wait before the first retry; each
	// further wait doubles it, up to DefaultQueueMaxBackoff: 1 s, 2 s,
	// 4 s, 8 s with the defaults (each wait drawn between half and all of
	// its value, so that the retries of many messages spread out).
	DefaultQueueBackoff = time.Second
	// DefaultQueueMaxBackoff caps the wait between two attempts.
	DefaultQueueMaxBackoff = 30 * time.Second
)

// Errors of Queue.Enqueue.
var (
	// ErrQueueFull: the buffer is full; the message was not queued.
	ErrQueueFull = errors.New("mail: queue full, message not queued")
	// ErrQueueClosed: Close was called; the message was not queued.
	ErrQueueClosed = errors.New("mail: queue closed, message not queued")
)

// Queue sends messages through a Mailer in the background, so that a
// request handler that sends mail never waits for a mail server: Enqueue
// validates and buffers a message and returns at once. A fixed number of
// workers, started by NewQueue, send the buffered messages, retrying
// temporary failures (Temporary) with exponential backoff; a permanent
// failure is not retried.
//
// No message is lost silently: a full or closed queue is an error of
// Enqueue, and a message that finally fails, or that Close could not
// deliver in time, is logged at level Error with its recipients' domains,
// the number of attempts and the error (with recipient addresses
// redacted; never the subject, the body or anything from them, such as
// a token), and counted in Stats.
//
// A Queue is also a Mailer whose Send is Enqueue, so code written
// against Mailer gets the queue by being given one. It is safe for
// concurrent use.
type Queue struct {
	mailer     Mailer
	ch         chan *Message
	attempts   int
	backoff    time.Duration
	maxBackoff time.Duration
	logger     *slog.Logger

	mu     sync.RWMutex // guards closed against Enqueue's send on ch
	closed bool

	ctx    context.Context // the workers'; cancelled when Close gives up
	cancel context.CancelFunc
	wg     sync.WaitGroup
	done   chan struct{} // closed when every worker has returned

	enqueued, sent, retries, refused, failed atomic.Int64
}

// QueueStats counts what a Queue did since it was made.
type QueueStats struct {
	// Enqueued messages were accepted by Enqueue.
	Enqueued int64
	// Sent messages were accepted by the Mailer.
	Sent int64
	// Retries counts the attempts after a temporary failure.
	Retries int64
	// Refused messages were refused by Enqueue: the queue was full or
	// closed.
	Refused int64
	// Failed messages were given up: a permanent failure, the last
	// attempt failing, or Close's deadline passing before they were sent.
	Failed int64
}

// QueueOption configures a Queue.
type QueueOption func(*queueOptions)

type queueOptions struct {
	capacity, workers, attempts int
	backoff, maxBackoff         time.Duration
	logger                      *slog.Logger
}

// WithCapacity sets how many messages may wait; default
// DefaultQueueCapacity (256).
func WithCapacity(n int) QueueOption { return func(o *queueOptions) { o.capacity = n } }

// WithWorkers sets how many messages are sent at once; default
// DefaultQueueWorkers (2).
func WithWorkers(n int) QueueOption { return func(o *queueOptions) { o.workers = n } }

// WithAttempts sets how many times in all a message with temporary
// failures is tried; default DefaultQueueAttempts (5). 1 means no retry.
func WithAttempts(n int) QueueOption { return func(o *queueOptions) { o.attempts = n } }

// WithBackoff sets the wait before the first retry and the cap of the
// waits, which double; defaults DefaultQueueBackoff (1 s) and
// DefaultQueueMaxBackoff (30 s).
func WithBackoff(first, maximum time.Duration) QueueOption {
	return func(o *queueOptions) { o.backoff, o.maxBackoff = first, maximum }
}

// WithLogger sets the logger of lost and refused messages; default
// slog.Default().
func WithLogger(l *slog.Logger) QueueOption { return func(o *queueOptions) { o.logger = l } }

// NewQueue returns a Queue sending through m, its workers running.
// Call Close to stop them.
func NewQueue(m Mailer, opts ...QueueOption) (*Queue, error) {
	if m == nil {
		return nil, errors.New("mail: NewQueue without a Mailer")
	}
	o := queueOptions{
		capacity: DefaultQueueCapacity, workers: DefaultQueueWorkers, attempts: DefaultQueueAttempts,
		backoff: DefaultQueueBackoff, maxBackoff: DefaultQueueMaxBackoff,
	}
	for _, f := range opts {
		f(&o)
	}
	switch {
	case o.capacity < 1, o.workers < 1, o.attempts < 1:
		return nil, fmt.Errorf("mail: queue capacity %d, workers %d, attempts %d: each must be at least 1", o.capacity, o.workers, o.attempts)
	case o.backoff <= 0 || o.maxBackoff < o.backoff:
		return nil, fmt.Errorf("mail: queue backoff %v up to %v: must be positive, the maximum at least the first", o.backoff, o.maxBackoff)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	q := &Queue{
		mailer: m, ch: make(chan *Message, o.capacity), attempts: o.attempts,
		backoff: o.backoff, maxBackoff: o.maxBackoff, logger: o.logger, done: make(chan struct{}),
	}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	q.wg.Add(o.workers)
	for range o.workers {
		go q.work()
	}
	go func() {
		q.wg.Wait()
		close(q.done)
	}()
	return q, nil
}

// Enqueue validates m and queues a copy of it, without waiting: it
// returns the validation error, ErrQueueFull or ErrQueueClosed (the last
// two also logged and counted as Refused), or nil once the message is
// queued.
func (q *Queue) Enqueue(m *Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	c := m.clone()
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		q.refuse(c, ErrQueueClosed)
		return ErrQueueClosed
	}
	select {
	case q.ch <- c:
		q.enqueued.Add(1)
		return nil
	default:
		q.refuse(c, ErrQueueFull)
		return ErrQueueFull
	}
}

// Send is Enqueue (ctx is not needed: Enqueue does not wait), so that a
// Queue is a Mailer.
func (q *Queue) Send(_ context.Context, m *Message) error { return q.Enqueue(m) }

// Close stops taking messages and waits until the workers have sent what
// the buffer holds. When ctx is done first, the workers give up: the
// message being sent is abandoned (its Send's context is cancelled), the
// rest are logged and counted as Failed, and Close returns an error
// wrapping ctx.Err() once every worker has returned (promptly, for
// Mailers that honour their context, as the Mailer contract asks). After
// Close, no goroutine of the Queue is left. Calling it again waits the
// same way and returns nil.
func (q *Queue) Close(ctx context.Context) error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
	q.mu.Unlock()
	select {
	case <-q.done:
		q.cancel()
		return nil
	case <-ctx.Done():
		select {
		case <-q.done: // drained just in time
			q.cancel()
			return nil
		default:
		}
		q.cancel()
		<-q.done
		return fmt.Errorf("mail: queue closed before every message was sent: %w", ctx.Err())
	}
}

// Stats returns the queue's counts so far.
func (q *Queue) Stats() QueueStats {
	return QueueStats{
		Enqueued: q.enqueued.Load(), Sent: q.sent.Load(), Retries: q.retries.Load(),
		Refused: q.refused.Load(), Failed: q.failed.Load(),
	}
}

// work sends queued messages until the channel is closed and drained.
func (q *Queue) work() {
	defer q.wg.Done()
	for m := range q.ch {
		q.deliver(m)
	}
}

// deliver tries m up to q.attempts times while its failures are
// temporary and the queue is not giving up.
func (q *Queue) deliver(m *Message) {
	wait := q.backoff
	for attempt := 1; ; attempt++ {
		if err := q.ctx.Err(); err != nil {
			q.fail(m, attempt-1, fmt.Errorf("mail: queue closed before sending: %w", err))
			return
		}
		err := q.mailer.Send(q.ctx, m)
		if err == nil {
			q.sent.Add(1)
			return
		}
		if !Temporary(err) || attempt >= q.attempts {
			q.fail(m, attempt, err)
			return
		}
		q.retries.Add(1)
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-t.C:
		case <-q.ctx.Done():
			t.Stop()
			q.fail(m, attempt, err)
			return
		}
		wait = min(2*wait, q.maxBackoff)
	}
}

// fail logs and counts a message given up.
func (q *Queue) fail(m *Message, attempts int, err error) {
	q.failed.Add(1)
	q.logger.LogAttrs(context.Background(), slog.LevelError, "mail: message not delivered",
		slog.Any("domains", m.domains()), slog.Int("attempts", attempts),
		slog.Bool("temporary", Temporary(err)), slog.String("error", redact(err.Error(), m)))
}

// refuse logs and counts a message Enqueue refused.
func (q *Queue) refuse(m *Message, err error) {
	q.refused.Add(1)
	q.logger.LogAttrs(context.Background(), slog.LevelError, "mail: message refused by the queue",
		slog.Any("domains", m.domains()), slog.String("error", err.Error()))
}

// redact replaces the local part of each of m's recipient addresses in
// s (a server's reply may quote them) by "…": the log says which
// domain, not who.
func redact(s string, m *Message) string {
	for _, to := range m.To {
		a, err := netmail.ParseAddress(to)
		if err != nil {
			continue
		}
		if at := strings.LastIndexByte(a.Address, '@'); at > 0 {
			s = strings.ReplaceAll(s, a.Address, "…"+a.Address[at:])
		}
	}
	return s
}
