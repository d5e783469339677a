package replicated

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/logtag"
)

// Mode is how Backend writes its secondary.
type Mode int

const (
	// Async writes the primary, returns, and writes the
	// secondary in the background through a bounded queue: eventual
	// consistency, the highest throughput. A write that still fails after
	// the retries, or that finds the queue full, is reported (OnFailure,
	// the Logger, Stats and the metrics), never dropped silently.
	Async Mode = iota
	// Sync writes both in parallel; the write succeeds only if
	// both do, and the error names the replica that failed.
	Sync
	// Acknowledged writes the primary, then the secondary, and
	// returns once the secondary acknowledged; a secondary that fails
	// after the retries is an error that says the primary succeeded.
	Acknowledged
)

// String returns the mode's name.
func (m Mode) String() string {
	switch m {
	case Async:
		return "async"
	case Sync:
		return "sync"
	case Acknowledged:
		return "acknowledged"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// RetryPolicy is how often, and how far apart, a failed write to the
// secondary is tried again. The zero value means the defaults.
type RetryPolicy struct {
	// Attempts is the number of tries of each write, the first included.
	// Default 3.
	Attempts int
	// Delay is the wait before the second try; it doubles before each
	// further one. Default 50 ms.
	Delay time.Duration
	// MaxDelay caps the wait. Default 2 s.
	MaxDelay time.Duration
}

func (p RetryPolicy) attempts() int {
	if p.Attempts <= 0 {
		return 3
	}
	return p.Attempts
}

func (p RetryPolicy) delay() time.Duration {
	if p.Delay <= 0 {
		return 50 * time.Millisecond
	}
	return p.Delay
}

func (p RetryPolicy) maxDelay() time.Duration {
	if p.MaxDelay <= 0 {
		return 2 * time.Second
	}
	return p.MaxDelay
}

// ReplicaError is the error of a replicated write that failed on one
// replica: Replica is "primary" or "secondary", Op the operation ("save",
// "delete", "import", "cleanup"), and PrimaryWritten tells whether the
// primary holds the write nonetheless (a secondary failure in Sync or
// Acknowledged mode: there is no transaction across two stores, so the
// primary's write is not undone; the session's next save then conflicts
// and the replica is resynchronized). It unwraps to the cause, so
// errors.Is(err, ErrConflict) and errors.Is(err,
// core.ErrStoreUnavailable) see through it.
type ReplicaError struct {
	Op             string
	Replica        string
	PrimaryWritten bool
	Attempts       int
	Err            error
}

// Error names the replica, the attempts and whether the primary was
// written.
func (e *ReplicaError) Error() string {
	if e.Replica == "primary" {
		return fmt.Sprintf("sessions: replicated %s: the primary failed: %v", e.Op, e.Err)
	}
	primary := "the primary was not written"
	if e.PrimaryWritten {
		primary = "the primary succeeded"
	}
	return fmt.Sprintf("sessions: replicated %s: the secondary failed after %d attempt(s) (%s): %v", e.Op, e.Attempts, primary, e.Err)
}

// Unwrap returns the cause.
func (e *ReplicaError) Unwrap() error { return e.Err }

// ErrQueueFull is the cause reported for an asynchronous write
// the queue had no room for.
var ErrQueueFull = errors.New("sessions: replication queue full")

// ErrClosed is the cause reported for an asynchronous write
// after Close, or one abandoned by a Shutdown whose context ended.
var ErrClosed = errors.New("sessions: replication closed")

// Failure is what Backend reports when a write
// to the secondary is lost: failed after its retries, or dropped (queue
// full, closed). Session is a short hash of the session's storage key
// (never the key); it is "" for operations on no single session.
type Failure struct {
	Op       string
	Session  string
	Mode     Mode
	Attempts int
	Dropped  bool
	Err      error
}

// Stats counts what the replication did since the backend was
// made.
type Stats struct {
	// Replicated writes landed on the secondary.
	Replicated int64
	// Retries of failed writes.
	Retries int64
	// Resyncs: sessions the secondary held at another version, copied
	// again from the primary.
	Resyncs int64
	// Failures: writes lost after their retries.
	Failures int64
	// Dropped: asynchronous writes the queue had no room for, or that
	// arrived after Close.
	Dropped int64
	// Pending asynchronous writes, queued or running.
	Pending int64
}

// DefaultQueueSize is the default capacity of the asynchronous
// queue, over all its workers.
const DefaultQueueSize = 4096

// maxResyncSteps bounds the saves a resynchronization makes to bring the
// secondary's version up to the primary's.
const maxResyncSteps = 64

// readOnlyVersion is the version of a record read from the secondary
// under ReadFallback: no backend ever reaches it, so a save from such a
// record always gets ErrConflict.
const readOnlyVersion = 1<<63 - 1

// Backend keeps every session in two backends, Primary
// and Secondary, for high availability: the reference's
// Backend with its three modes (Mode),
// configurable retries (RetryPolicy) and failure reporting.
//
// Reads (Load, Exists, Range) go to the primary; with ReadFallback, a
// Load or Exists the primary fails is answered by the secondary, read
// only. Writes go to both as the mode says.
//
// Versions: the primary decides. A save succeeds or conflicts as the
// primary answers (ErrConflict), and only writes the primary accepted
// reach the secondary (in Sync mode, where both are written at once, a
// write the secondary accepted but the primary refused is undone by
// resynchronizing). The secondary is written with the primary's own
// version rule — the record the primary took at version v is saved on the
// secondary from version v — so a secondary that has seen every write
// holds each session at the primary's version, byte for byte. Writes of
// one session are replicated in the order the primary accepted them (the
// asynchronous queue has one worker per shard of sessions). When the
// secondary refuses a write with ErrConflict — it missed writes (it was
// down, the queue was full), or holds a session the primary never had —
// the session is resynchronized: its current record is read from the
// primary (none: the secondary's copy is deleted) and written on the
// secondary whatever its version (Import/force semantics), stepping the
// secondary's version up to the primary's with at most 64 saves (beyond
// that it keeps a lower version and resynchronizes at each write), then
// the primary is read again, and the copy is redone if it moved meanwhile.
// A session read from the secondary (ReadFallback) carries a version no
// save matches, so it cannot overwrite the primary's.
//
// It refuses client-side backends (CookieSessionBackend, and wrappers over
// one): their ids are the sealed data, which another backend cannot
// store; replicate the cookie backend's GenerationStore instead. It
// forwards Cleaner (both backends), Lister (the primary), Importer (both,
// replicated as writes are) and DataLimiter (the smaller limit), and
// answers errors.ErrUnsupported for one a backend lacks. Close drains the
// asynchronous queue.
//
// Make it with New and set the fields before the
// first write; it is safe for concurrent use.
type Backend struct {
	// Primary is the authoritative backend. Required.
	Primary sessions.SessionBackend
	// Secondary is the replica. Required.
	Secondary sessions.SessionBackend
	// Mode is how the secondary is written. Default Async.
	Mode Mode
	// Retry is the retry policy for secondary writes.
	Retry RetryPolicy
	// AttemptTimeout bounds each try on the secondary. Default 5 s.
	AttemptTimeout time.Duration
	// QueueSize is the capacity of the asynchronous queue. Default
	// DefaultQueueSize.
	QueueSize int
	// Workers is the number of asynchronous writers; writes of one
	// session always go to the same one, in order. Default 4.
	Workers int
	// ReadFallback answers a Load or Exists the primary failed from the
	// secondary. The session is then read-only: saving it gets
	// ErrConflict. Default false: a primary failure fails the request
	// closed. With Async the secondary may lag: a session
	// logged out an instant before the primary went down may still be
	// read there.
	ReadFallback bool
	// OnFailure is called for every lost write (after the Logger and the
	// stats), from the goroutine that gave up. Optional.
	OnFailure func(Failure)
	// Logger receives lost writes at Error level, never a session key or
	// data; nil means slog.Default().
	Logger *slog.Logger

	startOnce     sync.Once
	mu            sync.RWMutex // guards closed against sends on queues
	closed        bool
	queues        []chan replTask
	wg            sync.WaitGroup
	abandonOnce   sync.Once
	abandonCtx    context.Context // done when a Shutdown gives up
	abandonCancel context.CancelFunc
	abandoned     atomic.Bool
	closeOnce     sync.Once
	seed          maphash.Seed

	replicated, retries, resyncs, failures, dropped, pending atomic.Int64
}

// New returns primary replicated to secondary in
// mode, with the default retries, queue and workers. It refuses nil and
// client-side backends.
func New(primary, secondary sessions.SessionBackend, mode Mode) (*Backend, error) {
	if primary == nil || secondary == nil {
		return nil, errors.New("sessions: replication needs a primary and a secondary backend")
	}
	for _, b := range []sessions.SessionBackend{primary, secondary} {
		if isClientSide(b) {
			return nil, fmt.Errorf("sessions: %T keeps sessions in the client's cookie, which cannot be replicated (replicate its sessions.GenerationStore): %w", b, errors.ErrUnsupported)
		}
	}
	if mode < Async || mode > Acknowledged {
		return nil, fmt.Errorf("sessions: unknown replication mode %d", int(mode))
	}
	return &Backend{Primary: primary, Secondary: secondary, Mode: mode}, nil
}

// isClientSide reports whether b keeps sessions in the client: the cookie
// backend, a wrapper over one, or a ClientSideBackend this package does not
// know to be server-side.
func isClientSide(b sessions.SessionBackend) bool {
	switch v := b.(type) {
	case *sessions.CookieSessionBackend:
		return true
	case interface {
		Unwrap() sessions.SessionBackend
	}:
		return isClientSide(v.Unwrap())
	case sessions.ClientSideBackend:
		return true
	}
	return false
}

// Unwrap returns the primary.
func (r *Backend) Unwrap() sessions.SessionBackend { return r.Primary }

func (r *Backend) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

func (r *Backend) attemptTimeout() time.Duration {
	if r.AttemptTimeout > 0 {
		return r.AttemptTimeout
	}
	return 5 * time.Second
}

// Stats returns the replication's counters.
func (r *Backend) Stats() Stats {
	return Stats{
		Replicated: r.replicated.Load(),
		Retries:    r.retries.Load(),
		Resyncs:    r.resyncs.Load(),
		Failures:   r.failures.Load(),
		Dropped:    r.dropped.Load(),
		Pending:    r.pending.Load(),
	}
}

// replOp is what a replication task does on the secondary.
type replOp int

const (
	replSave replOp = iota
	replDelete
	replImport
	replResync
)

func (o replOp) String() string {
	return [...]string{"save", "delete", "import", "resync"}[o]
}

// replTask is one write of the secondary.
type replTask struct {
	ctx     context.Context // values of the request (its namespace), never its cancellation
	op      replOp
	id      sessions.SessionID
	key     string // storage key, for imports
	rec     sessions.Record
	barrier chan struct{}
}

func (t replTask) tag() string {
	if t.op == replImport {
		return logtag.Key(t.key)
	}
	return logtag.Key(sessions.StorageKey(t.ctx, t.id))
}

// Load implements SessionBackend: the primary's record; with
// ReadFallback, the secondary's (read-only) when the primary fails.
func (r *Backend) Load(ctx context.Context, id sessions.SessionID) (sessions.Record, bool, error) {
	rec, found, err := r.Primary.Load(ctx, id)
	if err == nil || !r.ReadFallback || ctx.Err() != nil {
		return rec, found, err
	}
	srec, sfound, serr := r.Secondary.Load(ctx, id)
	if serr != nil {
		return sessions.Record{}, false, err
	}
	r.logger().WarnContext(ctx, "sessions: primary failed; session read from the secondary, read-only", "session", logtag.Key(sessions.StorageKey(ctx, id)), "found", sfound, "error", err)
	if sfound {
		srec.Version = readOnlyVersion
	}
	return srec, sfound, nil
}

// Exists implements SessionBackend.
func (r *Backend) Exists(ctx context.Context, id sessions.SessionID) (bool, error) {
	_, found, err := r.Load(ctx, id)
	return found, err
}

// Save implements SessionBackend.
func (r *Backend) Save(ctx context.Context, id sessions.SessionID, rec sessions.Record) error {
	return r.write(ctx, replTask{op: replSave, id: id, rec: rec}, func(ctx context.Context, b sessions.SessionBackend) error {
		return b.Save(ctx, id, rec)
	})
}

// Delete implements SessionBackend.
func (r *Backend) Delete(ctx context.Context, id sessions.SessionID) error {
	return r.write(ctx, replTask{op: replDelete, id: id}, func(ctx context.Context, b sessions.SessionBackend) error {
		return b.Delete(ctx, id)
	})
}

// Import implements Importer when both backends do.
func (r *Backend) Import(ctx context.Context, key string, rec sessions.Record) error {
	_, ok1 := r.Primary.(sessions.Importer)
	_, ok2 := r.Secondary.(sessions.Importer)
	if !ok1 || !ok2 {
		return fmt.Errorf("replicated sessions: %T or %T has no Import: %w", r.Primary, r.Secondary, errors.ErrUnsupported)
	}
	return r.write(ctx, replTask{op: replImport, key: key, rec: rec}, func(ctx context.Context, b sessions.SessionBackend) error {
		return b.(sessions.Importer).Import(ctx, key, rec)
	})
}

// write runs a write on the primary and, as the mode says, the secondary.
func (r *Backend) write(ctx context.Context, t replTask, do func(context.Context, sessions.SessionBackend) error) error {
	t.ctx = ctx
	if r.Mode == Sync {
		return r.writeSync(ctx, t, do)
	}
	if err := do(ctx, r.Primary); err != nil {
		return primaryError(t, err)
	}
	if r.Mode == Acknowledged {
		attempts, err := r.apply(ctx, t)
		if err != nil {
			r.report(ctx, t, attempts, false, err)
			return secondaryError(t, attempts, err)
		}
		r.replicated.Add(1)
		return nil
	}
	r.enqueue(t)
	return nil
}

// primaryError names the primary in err, unless err is a conflict: the
// primary's answer to a stale version is the write's normal outcome.
func primaryError(t replTask, err error) error {
	if errors.Is(err, sessions.ErrConflict) {
		return err
	}
	return &ReplicaError{Op: t.op.String(), Replica: "primary", Err: err}
}

// secondaryError is the error of a write the primary took and the
// secondary lost. A conflict of the secondary must not read as the
// write's conflict (the caller would retry a write that landed), so it
// is flattened.
func secondaryError(t replTask, attempts int, err error) error {
	if errors.Is(err, sessions.ErrConflict) {
		err = errors.New(err.Error())
	}
	return &ReplicaError{Op: t.op.String(), Replica: "secondary", PrimaryWritten: true, Attempts: attempts, Err: err}
}

// writeSync writes both backends at once.
func (r *Backend) writeSync(ctx context.Context, t replTask, do func(context.Context, sessions.SessionBackend) error) error {
	secErr := make(chan error, 1)
	go func() { secErr <- do(ctx, r.Secondary) }()
	errP := do(ctx, r.Primary)
	errS := <-secErr
	if errP != nil {
		if errS == nil && t.op != replImport {
			// The secondary took a write the primary refused: copy
			// the primary's state back onto it.
			r.enqueue(replTask{ctx: ctx, op: replResync, id: t.id})
		}
		return primaryError(t, errP)
	}
	if errS == nil {
		r.replicated.Add(1)
		return nil
	}
	attempts := 1
	switch {
	case errors.Is(errS, sessions.ErrConflict) && t.op == replSave:
		var n int
		n, errS = r.retryN(ctx, 0, nil, func(ctx context.Context) error { return r.resync(ctx, t.id) })
		attempts += n
	case retryable(errS) && ctx.Err() == nil:
		var n int
		n, errS = r.retryN(ctx, 1, errS, func(ctx context.Context) error { return r.applyOnce(ctx, t) })
		attempts += n
	}
	if errS != nil {
		r.report(ctx, t, attempts, false, errS)
		return secondaryError(t, attempts, errS)
	}
	r.replicated.Add(1)
	return nil
}

// apply writes t on the secondary with the retry policy and returns the
// attempts made.
func (r *Backend) apply(ctx context.Context, t replTask) (int, error) {
	return r.retryN(ctx, 0, nil, func(ctx context.Context) error { return r.applyOnce(ctx, t) })
}

// retryN runs f until it succeeds, fails for good, or the attempts run
// out, waiting the policy's delays between tries. done tries already
// failed (with prev), so it starts with a wait.
func (r *Backend) retryN(ctx context.Context, done int, prev error, f func(context.Context) error) (int, error) {
	delay := r.Retry.delay()
	err := prev
	n := 0
	for attempt := done + 1; attempt <= r.Retry.attempts(); attempt++ {
		if attempt > 1 {
			if !r.sleep(ctx, delay) {
				break
			}
			delay = min(delay*2, r.Retry.maxDelay())
			r.retries.Add(1)
		}
		actx, cancel := context.WithTimeout(ctx, r.attemptTimeout())
		err = f(actx)
		cancel()
		n++
		if err == nil || !retryable(err) || ctx.Err() != nil {
			break
		}
	}
	return n, err
}

// sleep waits d, or less when ctx ends or a Shutdown gives up; it
// reports whether the full wait passed.
func (r *Backend) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-r.abandonContext().Done():
	}
	return false
}

// abandonContext is done once a Shutdown gives up waiting: the writes in
// flight are canceled.
func (r *Backend) abandonContext() context.Context {
	r.abandonOnce.Do(func() { r.abandonCtx, r.abandonCancel = context.WithCancel(context.Background()) })
	return r.abandonCtx
}

// retryable tells failures worth another try (the store was unreachable,
// timed out) from final ones.
func retryable(err error) bool {
	return !errors.Is(err, sessions.ErrTooLarge) && !errors.Is(err, core.ErrInvalidInput) &&
		!errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, sessions.ErrConflict)
}

// applyOnce writes t on the secondary once.
func (r *Backend) applyOnce(ctx context.Context, t replTask) error {
	switch t.op {
	case replSave:
		err := r.Secondary.Save(ctx, t.id, t.rec)
		if errors.Is(err, sessions.ErrConflict) {
			return r.resync(ctx, t.id)
		}
		return err
	case replDelete:
		return r.Secondary.Delete(ctx, t.id)
	case replImport:
		err := r.Secondary.(sessions.Importer).Import(ctx, t.key, t.rec)
		if errors.Is(err, sessions.ErrConflict) {
			return fmt.Errorf("the secondary holds another record under that storage key: %w", err)
		}
		return err
	case replResync:
		return r.resync(ctx, t.id)
	}
	return fmt.Errorf("sessions: unknown replication op %d", t.op)
}

// resync makes the secondary's record of id the primary's current one
// (or deletes it when the primary has none), whatever version the
// secondary holds. It never moves the secondary back to an older version
// of the primary: a secondary ahead of what was read from the primary
// means the primary moved on (read it again) unless the primary is still
// there, in which case the secondary diverged and is rebuilt. After
// writing, the primary is read again, and the copy redone if it moved. A
// primary that keeps moving means later writes, each replicated in its
// turn, supersede this one: it then stops without error.
func (r *Backend) resync(ctx context.Context, id sessions.SessionID) error {
	for range 4 {
		p, found, err := r.Primary.Load(ctx, id)
		if err != nil {
			return err
		}
		if !found {
			if err := r.Secondary.Delete(ctx, id); err != nil {
				return err
			}
		} else {
			cur, sfound, err := r.Secondary.Load(ctx, id)
			if err != nil {
				return err
			}
			if sfound && cur.Version == p.Version && bytes.Equal(cur.Data, p.Data) && cur.Expiry.Equal(p.Expiry) {
				return nil // already in step
			}
			if sfound && cur.Version > p.Version {
				again, found2, err := r.Primary.Load(ctx, id)
				if err != nil {
					return err
				}
				if !found2 || again.Version != p.Version {
					continue // the primary moved on: read it again
				}
			}
			if err := r.force(ctx, id, p, cur, sfound); err != nil {
				if errors.Is(err, sessions.ErrConflict) {
					continue // another writer of the secondary: read again
				}
				return err
			}
		}
		again, found2, err := r.Primary.Load(ctx, id)
		if err != nil {
			return err
		}
		if found2 == found && (!found || again.Version == p.Version) {
			r.resyncs.Add(1)
			return nil
		}
	}
	return nil
}

// force writes p on the secondary, which holds cur (when found), stepping
// the secondary's version up to p's with at most maxResyncSteps saves;
// a secondary at p's version or beyond is rebuilt from nothing.
func (r *Backend) force(ctx context.Context, id sessions.SessionID, p, cur sessions.Record, found bool) error {
	var from uint64
	if found {
		if cur.Version < p.Version {
			from = cur.Version
		} else if err := r.Secondary.Delete(ctx, id); err != nil {
			return err
		}
	}
	steps := p.Version - from
	if steps == 0 || steps > maxResyncSteps {
		steps = 1
	}
	for i := range steps {
		if err := r.Secondary.Save(ctx, id, sessions.Record{Data: p.Data, Expiry: p.Expiry, Version: from + i}); err != nil {
			return err
		}
	}
	return nil
}

// start makes the queues and the workers, once.
func (r *Backend) start() {
	r.startOnce.Do(func() {
		workers := r.Workers
		if workers <= 0 {
			workers = 4
		}
		size := r.QueueSize
		if size <= 0 {
			size = DefaultQueueSize
		}
		r.seed = maphash.MakeSeed()
		r.queues = make([]chan replTask, workers)
		for i := range r.queues {
			r.queues[i] = make(chan replTask, max(size/workers, 1))
			r.wg.Add(1)
			go r.worker(r.queues[i])
		}
	})
}

func (r *Backend) shard(t replTask) chan replTask {
	key := t.key
	if key == "" {
		key = sessions.Namespace(t.ctx) + string(t.id)
	}
	return r.queues[maphash.String(r.seed, key)%uint64(len(r.queues))]
}

// enqueue hands t to its worker, or reports it dropped.
func (r *Backend) enqueue(t replTask) {
	r.start()
	t.ctx = context.WithoutCancel(t.ctx)
	if t.op == replSave || t.op == replImport {
		t.rec.Data = bytes.Clone(t.rec.Data) // the caller's buffer is theirs after Save
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.reportDropped(t, ErrClosed)
		return
	}
	r.pending.Add(1)
	select {
	case r.shard(t) <- t:
	default:
		r.pending.Add(-1)
		r.reportDropped(t, ErrQueueFull)
	}
}

func (r *Backend) worker(q chan replTask) {
	defer r.wg.Done()
	for t := range q {
		if t.barrier != nil {
			close(t.barrier)
			continue
		}
		if r.abandoned.Load() {
			r.pending.Add(-1)
			r.reportDropped(t, ErrClosed)
			continue
		}
		ctx, cancel := context.WithCancel(t.ctx)
		stop := context.AfterFunc(r.abandonContext(), cancel)
		attempts, err := r.apply(ctx, t)
		stop()
		cancel()
		r.pending.Add(-1)
		if err != nil {
			r.report(t.ctx, t, attempts, false, err)
		} else {
			r.replicated.Add(1)
		}
	}
}

func (r *Backend) reportDropped(t replTask, cause error) {
	r.report(t.ctx, t, 0, true, cause)
}

// report makes a lost write known: counters, log, callback.
func (r *Backend) report(ctx context.Context, t replTask, attempts int, dropped bool, err error) {
	if dropped {
		r.dropped.Add(1)
	} else {
		r.failures.Add(1)
	}
	f := Failure{Op: t.op.String(), Session: t.tag(), Mode: r.Mode, Attempts: attempts, Dropped: dropped, Err: err}
	r.logger().ErrorContext(ctx, "sessions: write to the secondary lost",
		"op", f.Op, "session", f.Session, "mode", f.Mode.String(), "attempts", attempts, "dropped", dropped, "error", err)
	if r.OnFailure != nil {
		r.OnFailure(f)
	}
}

// Drain waits until every asynchronous write queued before the call has
// been written or reported, or ctx ends.
func (r *Backend) Drain(ctx context.Context) error {
	r.start()
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return ErrClosed
	}
	barriers := make([]chan struct{}, len(r.queues))
	for i, q := range r.queues {
		barriers[i] = make(chan struct{})
		select {
		case q <- replTask{barrier: barriers[i]}:
		case <-ctx.Done():
			r.mu.RUnlock()
			return ctx.Err()
		}
	}
	r.mu.RUnlock()
	for _, b := range barriers {
		select {
		case <-b:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Shutdown stops taking asynchronous writes (later ones are reported as
// dropped), and waits for the queued ones to be written — with their
// retries — or, once ctx ends, reports those not yet written as dropped
// and returns ctx's error. It does not close the backends.
func (r *Backend) Shutdown(ctx context.Context) error {
	r.start()
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.closed = true
		for _, q := range r.queues {
			close(q)
		}
		r.mu.Unlock()
	})
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		if r.abandoned.CompareAndSwap(false, true) {
			r.abandonContext()
			r.abandonCancel()
		}
		<-done
		return ctx.Err()
	}
}

// Close drains the asynchronous queue (Shutdown without a deadline). It
// always returns nil.
func (r *Backend) Close() error {
	return r.Shutdown(context.Background())
}

// CleanupExpired implements Cleaner when both backends do: it cleans
// both and returns the primary's count; a secondary failure is returned
// as a *ReplicaError with that count.
func (r *Backend) CleanupExpired(ctx context.Context) (int, error) {
	pc, ok1 := r.Primary.(sessions.Cleaner)
	sc, ok2 := r.Secondary.(sessions.Cleaner)
	if !ok1 || !ok2 {
		return 0, fmt.Errorf("replicated sessions: %T or %T has no CleanupExpired: %w", r.Primary, r.Secondary, errors.ErrUnsupported)
	}
	n, err := pc.CleanupExpired(ctx)
	if err != nil {
		return n, err
	}
	if _, err := sc.CleanupExpired(ctx); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return n, &ReplicaError{Op: "cleanup", Replica: "secondary", PrimaryWritten: true, Attempts: 1, Err: err}
	}
	return n, nil
}

// Range implements Lister with the primary's records.
func (r *Backend) Range(ctx context.Context, f func(string, sessions.Record) bool) error {
	l, ok := r.Primary.(sessions.Lister)
	if !ok {
		return fmt.Errorf("replicated sessions: %T has no Range: %w", r.Primary, errors.ErrUnsupported)
	}
	return l.Range(ctx, f)
}

// MaxData implements DataLimiter: the smaller limit of the two.
func (r *Backend) MaxData() int {
	n := sessions.MaxDataSize
	for _, b := range []sessions.SessionBackend{r.Primary, r.Secondary} {
		if l, ok := b.(sessions.DataLimiter); ok {
			n = min(n, l.MaxData())
		}
	}
	return n
}

var (
	_ sessions.SessionBackend = (*Backend)(nil)
	_ sessions.Cleaner        = (*Backend)(nil)
	_ sessions.Lister         = (*Backend)(nil)
	_ sessions.Importer       = (*Backend)(nil)
	_ sessions.DataLimiter    = (*Backend)(nil)
)
