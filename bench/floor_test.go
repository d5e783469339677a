package bench_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net/http"
	"time"

	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	goredis "github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/redisstore"
)

// The floor: the least any session library must do per load-modify-save
// request on a server-side store, over the same harness, with no session
// logic at all (no hashing of the key, no versions, no encoding, no
// timeouts beyond the store's expiry): read the session id from the
// cookie, fetch the value stored under it (one round trip), write a value
// of the same size back with an expiry (one round trip), set the cookie.
// Its time is what the round trips and the harness cost; a library's time
// divided by the floor's is how much faster any library could be than it.

// floorValueSize is the size of the value the floor reads and writes back:
// about what reinhardt stores for the benchmark's session (its version
// and expiry, 16 bytes, and the JSON of the counter and the creation
// time, about 40).
const floorValueSize = 64

// floorHandler serves the floor's requests: load returns the value stored
// under id (nil when there is none), save stores it (created is true for
// a new session). The counter is the value's first 8 bytes.
func floorHandler(count func(int), load func(ctx context.Context, id string) ([]byte, error), save func(ctx context.Context, id string, v []byte, created bool) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var v []byte
		id := ""
		if c, err := r.Cookie("session"); err == nil {
			id = c.Value
			if v, err = load(ctx, id); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		created := v == nil
		if created {
			id, v = string(sessions.GenerateKey()), make([]byte, floorValueSize)
		}
		if len(v) < 8 {
			http.Error(w, "short value", http.StatusInternalServerError)
			return
		}
		n := binary.BigEndian.Uint64(v) + 1
		out := make([]byte, len(v))
		copy(out, v)
		binary.BigEndian.PutUint64(out, n)
		if err := save(ctx, id, out, created); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		count(int(n))
		http.SetCookie(w, &http.Cookie{Name: "session", Value: id, Path: "/", MaxAge: int(idleTimeout / time.Second), Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		w.WriteHeader(http.StatusOK)
	})
}

// floorRedis is a bare go-redis GET of the session's key, then a SET of
// the new value with an expiry (SET … EX), on the client reinhardt's Redis
// backend uses (redisstore.Open, go-redis' defaults).
func floorRedis(b testing.TB, count func(int)) (http.Handler, string) {
	c, err := redisstore.Open(env(b, "REINHARDT_TEST_REDIS"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	prefix := redisPrefix(b)
	return floorHandler(count, func(ctx context.Context, id string) ([]byte, error) {
		v, err := c.Get(ctx, prefix+id).Bytes()
		if err == goredis.Nil {
			return nil, nil
		}
		return v, err
	}, func(ctx context.Context, id string, v []byte, _ bool) error {
		return c.Set(ctx, prefix+id, v, idleTimeout).Err()
	}), "session"
}

// floorPostgres is a bare SELECT of the session's row by its key, then an
// UPDATE of it (an INSERT for the first request), over pgx's own pool,
// whose statement cache makes each one round trip.
func floorPostgres(b testing.TB, count func(int)) (http.Handler, string) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, postgresSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, `CREATE TABLE floor_sessions (key TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	return floorHandler(count, func(ctx context.Context, id string) ([]byte, error) {
		var data []byte
		var exp time.Time
		err := pool.QueryRow(ctx, `SELECT data, expiry FROM floor_sessions WHERE key = $1`, id).Scan(&data, &exp)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !exp.After(time.Now())) {
			return nil, nil
		}
		return data, err
	}, func(ctx context.Context, id string, v []byte, created bool) error {
		exp := time.Now().Add(idleTimeout)
		if created {
			_, err := pool.Exec(ctx, `INSERT INTO floor_sessions (key, data, expiry) VALUES ($1, $2, $3)`, id, v, exp)
			return err
		}
		_, err := pool.Exec(ctx, `UPDATE floor_sessions SET data = $2, expiry = $3 WHERE key = $1`, id, v, exp)
		return err
	}), "session"
}

// floorCASRedis is the floor with reinhardt's versioned write and nothing
// else of reinhardt's: redisstore.Cache's Get, then its CompareAndSet
// (the Lua compare-and-set script, EVALSHA) of the value with the version
// read, instead of a blind SET … EX. The session id is the key, as in the
// floor: no hashing, no JSON, no expiry header. reinhardt ÷ floor-cas is
// what reinhardt's session work costs over its store's two round trips;
// floor-cas ÷ floor is what the compare-and-set costs over a blind write.
func floorCASRedis(b testing.TB, count func(int)) (http.Handler, string) {
	c, err := redisstore.Open(env(b, "REINHARDT_TEST_REDIS"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	cache := redisstore.NewCache(c, redisstore.WithPrefix(redisPrefix(b)))
	versions := map[string]uint64{} // one request at a time
	return floorHandler(count, func(ctx context.Context, id string) ([]byte, error) {
		v, ver, found, err := cache.Get(ctx, id)
		if err != nil || !found {
			return nil, err
		}
		versions[id] = ver
		return v, nil
	}, func(ctx context.Context, id string, v []byte, created bool) error {
		ver := versions[id]
		if created {
			ver = 0
		}
		ok, err := cache.CompareAndSet(ctx, id, v, idleTimeout, ver)
		if err == nil && !ok {
			err = sessions.ConflictError("floor-cas")
		}
		return err
	}), "session"
}

// floorCASPostgres is the floor with reinhardt's versioned write: the
// UPDATE also compares the version read by the SELECT and that the row
// is live (… AND version = $4 AND expiry > $5), and fails when no row
// changed, as sqlstore's does; the same pgxpool, no session logic.
func floorCASPostgres(b testing.TB, count func(int)) (http.Handler, string) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, postgresSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, `CREATE TABLE floor_sessions (key TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL, version BIGINT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	versions := map[string]int64{} // one request at a time
	return floorHandler(count, func(ctx context.Context, id string) ([]byte, error) {
		var data []byte
		var exp time.Time
		var ver int64
		err := pool.QueryRow(ctx, `SELECT data, expiry, version FROM floor_sessions WHERE key = $1`, id).Scan(&data, &exp, &ver)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !exp.After(time.Now())) {
			return nil, nil
		}
		versions[id] = ver
		return data, err
	}, func(ctx context.Context, id string, v []byte, created bool) error {
		now := time.Now()
		exp := now.Add(idleTimeout)
		if created {
			_, err := pool.Exec(ctx, `INSERT INTO floor_sessions (key, data, expiry, version) VALUES ($1, $2, $3, 1)`, id, v, exp)
			return err
		}
		tag, err := pool.Exec(ctx, `UPDATE floor_sessions SET data = $2, expiry = $3, version = version + 1 WHERE key = $1 AND version = $4 AND expiry > $5`, id, v, exp, versions[id], now)
		if err == nil && tag.RowsAffected() != 1 {
			err = sessions.ConflictError("floor-cas")
		}
		return err
	}), "session"
}
