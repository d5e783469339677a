package migrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/internal/logtag"
)

// Result counts what CopyWith did.
type Result struct {
	// Total is the number of live sessions the source listed.
	Total int
	// Copied sessions were imported into the target.
	Copied int
	// Existing sessions were already in the target under their storage
	// key and were left as they are there.
	Existing int
	// Expired sessions expired between the listing and their copy.
	Expired int
}

// Options configures CopyWith.
type Options struct {
	// Progress, when set, is called with (0, total) once the source is
	// listed and then after every session, done counting every session
	// handled, whatever became of it.
	Progress func(done, total int)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Copy copies the live sessions of from into to — Django's sessions
// moving from one SESSION_ENGINE to another, and `authctl
// migratesessions` — and returns how many it copied; progress (optional)
// is called as Options.Progress. Sessions keep their storage key
// (so their clients keep their cookies), data and expiry; in to they
// start again at version 1. See CopyWith.
func Copy(ctx context.Context, from sessions.Lister, to sessions.Importer, progress func(done, total int)) (copied int, err error) {
	res, err := CopyWith(ctx, from, to, Options{Progress: progress})
	return res.Copied, err
}

// CopyWith is Copy with options and the full count.
//
// It lists the source first (Range, in the namespace of ctx), keeping a
// copy of every live record, then imports them one by one: a session the
// target already holds is left alone (counted as Existing), one that
// expired meanwhile is skipped (Expired); the first other error stops
// the migration and is returned with the counts so far — the sessions
// copied stay copied, and running it again copies the rest. The source
// is not changed.
//
// Both backends must key sessions the same way (StorageKey, the same
// namespace): wrappers that transform data (compression) may differ on
// either side, as Range and Import see the data untransformed. Run it
// while the application is stopped or still on the source: a session
// saved to the source after it was listed keeps its older copy in the
// target, and a client whose session was loaded from the source at
// version v gets ErrConflict (409) once when it saves to the target.
//
// The listing holds every live session in memory; migrate a very large
// store namespace by namespace (sessions.WithNamespace, tenant.NewContext).
func CopyWith(ctx context.Context, from sessions.Lister, to sessions.Importer, opts Options) (Result, error) {
	if from == nil || to == nil {
		return Result{}, errors.New("sessions: Copy needs a source and a target")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	type item struct {
		key string
		rec sessions.Record
	}
	var items []item
	t0 := now()
	if err := from.Range(ctx, func(key string, rec sessions.Record) bool {
		if rec.Expiry.After(t0) {
			items = append(items, item{key, sessions.Record{Data: bytes.Clone(rec.Data), Expiry: rec.Expiry}})
		}
		return true
	}); err != nil {
		return Result{}, fmt.Errorf("sessions: migrate: listing the source: %w", err)
	}
	res := Result{Total: len(items)}
	if opts.Progress != nil {
		opts.Progress(0, res.Total)
	}
	for i, it := range items {
		if err := sessions.CheckContext(ctx, "sessions: migrate"); err != nil {
			return res, err
		}
		if !it.rec.Expiry.After(now()) {
			res.Expired++
		} else {
			err := to.Import(ctx, it.key, it.rec)
			switch {
			case err == nil:
				res.Copied++
			case errors.Is(err, sessions.ErrConflict):
				res.Existing++
			default:
				return res, fmt.Errorf("sessions: migrate: session %s: %w", logtag.Key(it.key), err)
			}
		}
		if opts.Progress != nil {
			opts.Progress(i+1, res.Total)
		}
	}
	return res, nil
}
