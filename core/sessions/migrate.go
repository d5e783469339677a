package sessions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"
)

// MigrateResult counts what MigrateWith did.
type MigrateResult struct {
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

// MigrateOptions configures MigrateWith.
type MigrateOptions struct {
	// Progress, when set, is called with (0, total) once the source is
	// listed and then after every session, done counting every session
	// handled, whatever became of it.
	Progress func(done, total int)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Migrate copies the live sessions of from into to — Django's sessions
// moving from one SESSION_ENGINE to another, and `authctl
// migratesessions` — and returns how many it copied; progress (optional)
// is called as MigrateOptions.Progress. Sessions keep their storage key
// (so their clients keep their cookies), data and expiry; in to they
// start again at version 1. See MigrateWith.
func Migrate(ctx context.Context, from Lister, to Importer, progress func(done, total int)) (copied int, err error) {
	res, err := MigrateWith(ctx, from, to, MigrateOptions{Progress: progress})
	return res.Copied, err
}

// MigrateWith is Migrate with options and the full count.
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
// store namespace by namespace (WithNamespace, WithTenant).
func MigrateWith(ctx context.Context, from Lister, to Importer, opts MigrateOptions) (MigrateResult, error) {
	if from == nil || to == nil {
		return MigrateResult{}, errors.New("sessions: Migrate needs a source and a target")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	type item struct {
		key string
		rec Record
	}
	var items []item
	t0 := now()
	if err := from.Range(ctx, func(key string, rec Record) bool {
		if rec.Expiry.After(t0) {
			items = append(items, item{key, Record{Data: bytes.Clone(rec.Data), Expiry: rec.Expiry}})
		}
		return true
	}); err != nil {
		return MigrateResult{}, fmt.Errorf("sessions: migrate: listing the source: %w", err)
	}
	res := MigrateResult{Total: len(items)}
	if opts.Progress != nil {
		opts.Progress(0, res.Total)
	}
	for i, it := range items {
		if err := CheckContext(ctx, "sessions: migrate"); err != nil {
			return res, err
		}
		if !it.rec.Expiry.After(now()) {
			res.Expired++
		} else {
			err := to.Import(ctx, it.key, it.rec)
			switch {
			case err == nil:
				res.Copied++
			case errors.Is(err, ErrConflict):
				res.Existing++
			default:
				return res, fmt.Errorf("sessions: migrate: session %s: %w", shortStorageTag(it.key), err)
			}
		}
		if opts.Progress != nil {
			opts.Progress(i+1, res.Total)
		}
	}
	return res, nil
}
