package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/reinhardt-go/auth/core/throttle"
)

// ThrottleStore is the throttle.Store of the store's database, in the
// table reinhardt_throttle (migration 0006), for throttles shared by
// several processes. A hit is one statement — INSERT … ON CONFLICT DO
// UPDATE … WHERE the rate allows it … RETURNING — so the database's row
// lock orders concurrent hits on a key and exactly as many as the rate
// allows get through, across processes. The wait of a refused hit is read
// by a second statement. Times are Unix nanoseconds, the arithmetic of
// throttle.Rate.Apply.
//
// Every database error wraps core.ErrStoreUnavailable, so throttled
// requests fail closed. Rows of idle keys stay until CleanupExpired
// deletes them, as `authctl clearsessions` does with expired sessions and
// tokens: run it from time to time (a key costs one row of about 100
// bytes).
type ThrottleStore struct {
	s *Store
	q throttleQueries
}

type throttleQueries struct{ hit, peek, refund, cleanup string }

// NewThrottleStore returns the throttle store over s's database. The
// store must be migrated.
func NewThrottleStore(s *Store) *ThrottleStore {
	greatest := "max" // SQLite's two-argument max()
	if s.dialect != SQLite {
		greatest = "GREATEST"
	}
	q := throttleQueries{
		hit: `INSERT INTO "reinhardt_throttle" ("key", "tat") VALUES (?, ?)
ON CONFLICT ("key") DO UPDATE SET "tat" = ` + greatest + `("reinhardt_throttle"."tat", ?) + ?
WHERE ` + greatest + `("reinhardt_throttle"."tat", ?) - ? <= ?
RETURNING "tat"`,
		peek:    `SELECT "tat" FROM "reinhardt_throttle" WHERE "key" = ?`,
		refund:  `UPDATE "reinhardt_throttle" SET "tat" = ` + greatest + `("tat" - ?, ?) WHERE "key" = ? AND "tat" > ?`,
		cleanup: `DELETE FROM "reinhardt_throttle" WHERE "tat" <= ?`,
	}
	if s.dialect == MySQL {
		// No RETURNING: the affected-row count says whether the hit got
		// through (1 inserted, 2 updated; 0 when the condition kept the
		// row as it was, since a hit that gets through always moves tat
		// forward). Its arguments are those of the other dialects'
		// statement.
		q.hit = `INSERT INTO "reinhardt_throttle" ("key", "tat") VALUES (?, ?)
ON DUPLICATE KEY UPDATE "tat" = IF(GREATEST("tat", ?) - ? <= ?, GREATEST("tat", ?) + ?, "tat")`
	}
	for _, p := range []*string{&q.hit, &q.peek, &q.refund, &q.cleanup} {
		*p = rebind(s.dialect, *p)
	}
	return &ThrottleStore{s: s, q: q}
}

// Throttle returns NewThrottleStore(s).
func (s *Store) Throttle() *ThrottleStore { return NewThrottleStore(s) }

// throttleKeyLen is the longest key stored as it is.
const throttleKeyLen = 200

// throttleKey is the column value of key: the key itself when it is short
// printable ASCII, else "sha256:" and its hex digest.
func throttleKey(key []byte) string {
	if len(key) > 0 && len(key) <= throttleKeyLen && printableASCII(string(key)) {
		return string(key)
	}
	sum := sha256.Sum256(key)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Hit implements throttle.Store.
func (t *ThrottleStore) Hit(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) (throttle.Result, error) {
	k, n := throttleKey(key), now.UnixNano()
	interval := int64(rate.Interval())
	tolerance := int64(rate.Period) - interval
	st, err := t.s.prepared(ctx, t.s.db, t.q.hit)
	if err != nil {
		return throttle.Result{}, t.s.fail(ctx, "throttle hit", err)
	}
	if t.s.dialect == MySQL {
		var affected int64
		err := t.s.retryDeadlock(ctx, func() error {
			res, err := st.ExecContext(ctx, k, n+interval, n, n, tolerance, n, interval)
			if err == nil {
				affected, err = res.RowsAffected()
			}
			return err
		})
		if err != nil {
			return throttle.Result{}, t.s.fail(ctx, "throttle hit", err)
		}
		if affected > 0 {
			return throttle.Result{Allowed: true}, nil
		}
	} else {
		var tat int64
		err = st.QueryRowContext(ctx, k, n+interval, n, interval, n, n, tolerance).Scan(&tat)
		if err == nil {
			return throttle.Result{Allowed: true}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return throttle.Result{}, t.s.fail(ctx, "throttle hit", err)
		}
	}
	res, err := t.peek(ctx, k, rate, n)
	if err != nil {
		return throttle.Result{}, err
	}
	// Refused: the row was over the rate when the hit was made; if it ran
	// out since, the client may try again at once.
	return throttle.Result{Wait: max(res.Wait, time.Nanosecond)}, nil
}

// Peek implements throttle.Store.
func (t *ThrottleStore) Peek(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) (throttle.Result, error) {
	return t.peek(ctx, throttleKey(key), rate, now.UnixNano())
}

func (t *ThrottleStore) peek(ctx context.Context, k string, rate throttle.Rate, now int64) (throttle.Result, error) {
	st, err := t.s.prepared(ctx, t.s.rdb, t.q.peek)
	if err != nil {
		return throttle.Result{}, t.s.fail(ctx, "throttle peek", err)
	}
	var tat int64
	if err := st.QueryRowContext(ctx, k).Scan(&tat); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return throttle.Result{}, t.s.fail(ctx, "throttle peek", err)
	}
	_, ok, wait := rate.Apply(tat, now)
	return throttle.Result{Allowed: ok, Wait: wait}, nil
}

// Refund implements throttle.Store: one UPDATE, so the row lock orders it
// with concurrent hits.
func (t *ThrottleStore) Refund(ctx context.Context, key []byte, rate throttle.Rate, now time.Time) error {
	n := now.UnixNano()
	st, err := t.s.prepared(ctx, t.s.db, t.q.refund)
	if err != nil {
		return t.s.fail(ctx, "throttle refund", err)
	}
	if _, err := st.ExecContext(ctx, int64(rate.Interval()), n, throttleKey(key), n); err != nil {
		return t.s.fail(ctx, "throttle refund", err)
	}
	return nil
}

// CleanupExpired deletes the rows whose state has run out at now and
// returns how many it deleted.
func (t *ThrottleStore) CleanupExpired(ctx context.Context, now time.Time) (int, error) {
	res, err := t.s.db.ExecContext(ctx, t.q.cleanup, now.UnixNano())
	if err != nil {
		return 0, t.s.fail(ctx, "throttle cleanup", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.s.fail(ctx, "throttle cleanup", err)
	}
	return int(n), nil
}

var _ throttle.Store = (*ThrottleStore)(nil)
