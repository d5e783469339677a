package sqlstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/reinhardt-go/auth/core/sessions"
)

// MaxPostgresSessionConns bounds the pgx pool Open makes on PostgreSQL for
// the session backend's per-request statements (see WithPgxPool), besides
// the MaxPostgresConns of the database/sql pool: at most 30 connections
// per Store in all. A URL's pool_max_conns parameter sets it instead.
const MaxPostgresSessionConns = 10

// WithPgxPool makes Open's PostgreSQL Store load and save sessions
// (DatabaseSessionBackend's Load, Save and Delete) through pool instead
// of a pgx pool of its own; everything else goes through the database/sql
// pool Open makes from the URL. The pool must be on the same database as
// the URL, with the same search_path; it stays the caller's, and
// Store.Close leaves it open. Open fails with ErrInvalidURL when the URL
// is not PostgreSQL's.
//
// Without the option, Open on a postgres:// URL makes that pool itself
// (MaxPostgresSessionConns connections at most) and Close closes it.
// Stores made by New use database/sql for everything.
func WithPgxPool(pool *pgxpool.Pool) OpenOption {
	return func(c *openConfig) { c.pool = pool }
}

// openPostgres is Open for a postgres:// URL: a database/sql pool over
// pgx's stdlib driver for everything, and a pgxpool for the session
// backend's per-request statements, where database/sql's own work (its
// connection pool, statement-per-connection map, driver value
// conversions) was about a third of the library's CPU per request.
func openPostgres(ctx context.Context, rawURL string, oc openConfig) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(rawURL) // pgx's errors hide the password
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		// Name the program in pg_stat_activity, so that a process
		// waiting for the migration lock can say who holds it.
		cfg.ConnConfig.RuntimeParams["application_name"] = filepath.Base(os.Args[0])
	}
	db := stdlib.OpenDB(*cfg.ConnConfig.Copy())
	db.SetMaxOpenConns(MaxPostgresConns)
	db.SetMaxIdleConns(MaxPostgresConns)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	s := New(db, Postgres)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, s.fail(ctx, "connect", err)
	}
	if oc.pool != nil {
		s.pool, s.poolPrepares = oc.pool, prepares(oc.pool.Config().ConnConfig.DefaultQueryExecMode)
		return s, nil
	}
	if !poolMaxConnsSet(rawURL) {
		cfg.MaxConns = MaxPostgresSessionConns
	}
	cfg.MaxConnIdleTime = connMaxIdleTime
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		db.Close()
		return nil, s.fail(ctx, "connect", err)
	}
	s.pool, s.ownPool, s.poolPrepares = pool, true, prepares(cfg.ConnConfig.DefaultQueryExecMode)
	return s, nil
}

// prepares reports whether pgx prepares (or describes) the statements it
// runs in mode, and so sends each parameter as the type the statement
// declares.
func prepares(mode pgx.QueryExecMode) bool {
	switch mode {
	case pgx.QueryExecModeCacheStatement, pgx.QueryExecModeCacheDescribe, pgx.QueryExecModeDescribeExec:
		return true
	}
	return false
}

// poolMaxConnsSet reports whether rawURL sets pgxpool's pool_max_conns.
func poolMaxConnsSet(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Query().Has("pool_max_conns")
}

// connMaxIdleTime closes a pooled PostgreSQL connection unused this long.
const connMaxIdleTime = 5 * time.Minute

// loadPgx is load through the Store's pgx pool: the row's two columns
// are read from pgx's buffers (session_data decoded from its bytes, the
// expiry from its binary form), so that nothing but the record is
// allocated for them.
func (b *DatabaseSessionBackend) loadPgx(ctx context.Context, storageKey, col string, hashed bool) (sessions.Record, bool, error) {
	rows, err := b.s.pool.Query(ctx, b.q.load, col, timestamptz(b.now()))
	if err != nil {
		return sessions.Record{}, false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return sessions.Record{}, false, rows.Err()
	}
	vals, fds := rows.RawValues(), rows.FieldDescriptions()
	if len(vals) != 2 || len(fds) != 2 || vals[0] == nil || vals[1] == nil {
		return sessions.Record{}, false, nil
	}
	exp, ok := pgTime(rows.Conn().TypeMap(), fds[1], vals[1])
	if !ok {
		return sessions.Record{}, false, nil
	}
	key, version, data, ok := decodeSessionBytes(vals[0])
	if !ok || (hashed && key != storageKey) || (!hashed && key != "") {
		return sessions.Record{}, false, nil
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sessions.Record{}, false, err
	}
	return sessions.Record{Data: data, Expiry: exp, Version: version}, true, nil
}

// pgTime reads a finite timestamptz value of a row as pgx sent it: the
// binary form (microseconds since 2000-01-01 UTC) directly, any other
// through pgx's type map.
func pgTime(m *pgtype.Map, fd pgconn.FieldDescription, src []byte) (time.Time, bool) {
	if fd.DataTypeOID == pgtype.TimestamptzOID && fd.Format == pgtype.BinaryFormatCode {
		if len(src) != 8 {
			return time.Time{}, false
		}
		us := int64(binary.BigEndian.Uint64(src))
		if us == math.MaxInt64 || us == math.MinInt64 { // infinity
			return time.Time{}, false
		}
		return time.UnixMicro(us + y2kMicros).UTC(), true
	}
	var ts pgtype.Timestamptz
	if err := m.Scan(fd.DataTypeOID, fd.Format, src, &ts); err != nil || !ts.Valid || ts.InfinityModifier != pgtype.Finite {
		return time.Time{}, false
	}
	return ts.Time.UTC(), true
}

// y2kMicros is 2000-01-01 UTC, PostgreSQL's epoch, in Unix microseconds.
const y2kMicros = 946_684_800_000_000

// timestamptz is t as a pgx parameter that pgx encodes without boxing it
// again (a time.Time is wrapped once more on every encode), truncated to
// microseconds in UTC as dbTime does.
func timestamptz(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t.UTC().Truncate(time.Microsecond), Valid: true}
}
