package sqlstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// TestWithPgxPool: a PostgreSQL Store opened with WithPgxPool loads and
// saves sessions through the caller's pool (its statements are counted
// there), a session it saved reads back through another Store without the
// option (the same django_session rows), and Close leaves the pool open;
// with each of pgx's query modes, the simple protocol's text results and
// client-side parameters included.
func TestWithPgxPool(t *testing.T) {
	for _, mode := range []string{"", "cache_describe", "describe_exec", "exec", "simple_protocol"} {
		t.Run("mode="+mode, func(t *testing.T) { testWithPgxPool(t, mode) })
	}
}

func testWithPgxPool(t *testing.T, mode string) {
	ctx := testCtx(t)
	u, _ := postgresSchema(t)
	pu := u
	if mode != "" {
		pu += "&default_query_exec_mode=" + mode
	}
	pool, err := pgxpool.New(ctx, pu)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	s, err := sqlstore.Open(ctx, u, sqlstore.WithPgxPool(pool))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	before := pool.Stat().AcquireCount()
	b := s.Sessions()
	id := sessions.GenerateKey()
	exp := time.Now().Add(time.Hour)
	if err := b.Save(ctx, id, sessions.Record{Data: []byte(`{"n":1}`), Expiry: exp}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	rec, found, err := b.Load(ctx, id)
	if err != nil || !found || rec.Version != 1 || string(rec.Data) != `{"n":1}` {
		t.Fatalf("Load = %+v, %v, %v; want version 1 and the data", rec, found, err)
	}
	if !rec.Expiry.Equal(exp.Truncate(time.Microsecond)) {
		t.Errorf("Load's expiry %v; want %v", rec.Expiry, exp.Truncate(time.Microsecond))
	}
	if err := b.Save(ctx, id, sessions.Record{Data: []byte(`{"n":2}`), Expiry: exp, Version: 1}); err != nil {
		t.Fatalf("Save of version 1: %v", err)
	}
	if err := b.Save(ctx, id, sessions.Record{Data: []byte(`{"n":3}`), Expiry: exp, Version: 1}); !errors.Is(err, sessions.ErrConflict) {
		t.Fatalf("Save of a stale version = %v; want ErrConflict", err)
	}
	if got := pool.Stat().AcquireCount() - before; got != 4 {
		t.Errorf("the given pool served %d statements; want the 4 of Save, Load, Save, Save", got)
	}

	other := openURL(t, u) // no option: a pool of its own
	rec, found, err = other.Sessions().Load(ctx, id)
	if err != nil || !found || rec.Version != 2 || string(rec.Data) != `{"n":2}` {
		t.Fatalf("Load through another Store = %+v, %v, %v; want version 2", rec, found, err)
	}
	if !rec.Expiry.Equal(exp.Truncate(time.Microsecond)) {
		t.Errorf("expiry %v; want %v", rec.Expiry, exp.Truncate(time.Microsecond))
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pool.Ping(ctx); err != nil {
		t.Errorf("the caller's pool after Store.Close: %v; want it open", err)
	}
}

// TestWithPgxPoolNotPostgres: the option on another database's URL is
// refused, not ignored.
func TestWithPgxPoolNotPostgres(t *testing.T) {
	ctx := testCtx(t)
	pool, err := pgxpool.New(ctx, "postgres://localhost:1/none") // never connects
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s, err := sqlstore.Open(ctx, "sqlite::memory:", sqlstore.WithPgxPool(pool))
	if !errors.Is(err, sqlstore.ErrInvalidURL) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open(sqlite, WithPgxPool) = %v; want ErrInvalidURL", err)
	}
}
