package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/compress"
	"github.com/reinhardt-go/auth/core/sessions/instrumented"
	"github.com/reinhardt-go/auth/core/sessions/internal/extratest"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/core/sessions/migrate"
	"github.com/reinhardt-go/auth/core/sessions/replicated"
	"github.com/reinhardt-go/auth/core/sessions/tenant"
)

// migratable is a backend both listed and imported.
type migratable interface {
	sessions.SessionBackend
	sessions.Lister
	sessions.Importer
}

// seed saves n live sessions and two short-lived ones in ctx.
func seed(t testing.TB, ctx context.Context, b sessions.SessionBackend, n int) []sessions.SessionID {
	t.Helper()
	var ids []sessions.SessionID
	for i := range n {
		id := sessions.GenerateKey()
		ids = append(ids, id)
		if err := b.Save(ctx, id, sessiontest.Rec(fmt.Sprintf("session %d", i), 0)); err != nil {
			t.Fatal(err)
		}
		if err := b.Save(ctx, id, sessiontest.Rec(fmt.Sprintf("session %d, v2", i), 1)); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		short := sessiontest.Rec("short", 0)
		short.Expiry = time.Now().Add(5 * time.Millisecond)
		if err := b.Save(ctx, sessions.GenerateKey(), short); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(10 * time.Millisecond)
	return ids
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		from, to func(t *testing.T) migratable
	}{
		{"memory to memory",
			func(t *testing.T) migratable { return sessiontest.NewMemory(t) },
			func(t *testing.T) migratable { return sessiontest.NewMemory(t) }},
		{"zstd(memory) to instrumented(memory)",
			func(t *testing.T) migratable {
				return compress.New(sessiontest.NewMemory(t), compress.Zstd)
			},
			func(t *testing.T) migratable {
				return instrumented.New(sessiontest.NewMemory(t), extratest.MustAnalytics(t, prometheus.NewRegistry()))
			}},
		{"memory to replicated(memory, gzip(memory))",
			func(t *testing.T) migratable { return sessiontest.NewMemory(t) },
			func(t *testing.T) migratable {
				return extratest.NewReplicated(t, sessiontest.NewMemory(t), compress.New(sessiontest.NewMemory(t), compress.Gzip), replicated.Acknowledged)
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			from, to := c.from(t), c.to(t)
			ids := seed(t, ctx, from, 10)
			var calls [][2]int
			copied, err := migrate.Copy(ctx, from, to, func(done, total int) { calls = append(calls, [2]int{done, total}) })
			if err != nil || copied != 10 {
				t.Fatalf("Migrate = %d, %v", copied, err)
			}
			if len(calls) != 11 || calls[0] != [2]int{0, 10} || calls[10] != [2]int{10, 10} {
				t.Errorf("progress calls: %v", calls)
			}
			for i, id := range ids {
				got := sessiontest.MustLoad(t, ctx, to, id)
				src := sessiontest.MustLoad(t, ctx, from, id)
				if string(got.Data) != fmt.Sprintf("session %d, v2", i) || got.Version != 1 || !got.Expiry.Equal(src.Expiry) {
					t.Errorf("migrated %q v%d expiry %v", got.Data, got.Version, got.Expiry)
				}
			}
			// Again: everything is already there.
			res, err := migrate.CopyWith(ctx, from, to, migrate.Options{})
			if err != nil || res != (migrate.Result{Total: 10, Existing: 10}) {
				t.Errorf("second run = %+v, %v", res, err)
			}
		})
	}
}

// TestMigrateTenants: from a tenant of one backend into the same tenant of
// another, and from a plain backend into a tenant: clients keep their
// keys.
func TestMigrateTenants(t *testing.T) {
	ctx := context.Background()
	ctxA := tenant.NewContext(ctx, "acme")
	src := extratest.NewTenant(t, sessiontest.NewMemory(t), tenant.Config{})
	dst := extratest.NewTenant(t, sessiontest.NewMemory(t), tenant.Config{})
	ids := seed(t, ctxA, src, 5)
	_ = seed(t, tenant.NewContext(ctx, "globex"), src, 3)
	copied, err := migrate.Copy(ctxA, src, dst, nil)
	if err != nil || copied != 5 {
		t.Fatalf("Migrate = %d, %v", copied, err)
	}
	for _, id := range ids {
		sessiontest.MustLoad(t, ctxA, dst, id)
	}
	if n, _ := dst.CountSessions(ctx, "globex"); n != 0 {
		t.Errorf("globex got %d sessions", n)
	}

	plain := sessiontest.NewMemory(t)
	ids = seed(t, ctx, plain, 3)
	copied, err = migrate.Copy(ctxA, plain, dst, nil)
	if err != nil || copied != 3 {
		t.Fatalf("plain to tenant = %d, %v", copied, err)
	}
	for _, id := range ids {
		sessiontest.MustLoad(t, ctxA, dst, id)
	}
	// The cap applies to imported sessions too.
	capped := extratest.NewTenant(t, sessiontest.NewMemory(t), tenant.Config{MaxSessionsPerTenant: 2})
	copied, err = migrate.Copy(ctxA, plain, capped, nil)
	if copied != 2 || !errors.Is(err, tenant.ErrTooManySessions) {
		t.Errorf("into a capped tenant = %d, %v", copied, err)
	}
}

// migrateTarget fails imports after some succeed.
type migrateTarget struct {
	sessions.Importer
	left int
}

func (m *migrateTarget) Import(ctx context.Context, key string, rec sessions.Record) error {
	if m.left == 0 {
		return sessiontest.ErrFlaky
	}
	m.left--
	return m.Importer.Import(ctx, key, rec)
}

func TestMigrateErrors(t *testing.T) {
	ctx := context.Background()
	from := sessiontest.NewMemory(t)
	seed(t, ctx, from, 6)
	to := &migrateTarget{Importer: sessiontest.NewMemory(t), left: 4}
	res, err := migrate.CopyWith(ctx, from, to, migrate.Options{})
	if !errors.Is(err, core.ErrStoreUnavailable) || res.Copied != 4 || res.Total != 6 {
		t.Errorf("failing target: %+v, %v", res, err)
	}
	// Running it again copies the rest.
	to.left = 10
	if res, err := migrate.CopyWith(ctx, from, to, migrate.Options{}); err != nil || res.Copied != 2 || res.Existing != 4 {
		t.Errorf("second run: %+v, %v", res, err)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := migrate.Copy(cctx, from, sessiontest.NewMemory(t), nil); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("canceled: %v", err)
	}
	// Sessions that expire between the listing and their copy are skipped.
	clock := time.Now()
	res, err = migrate.CopyWith(ctx, from, sessiontest.NewMemory(t), migrate.Options{Now: func() time.Time {
		clock = clock.Add(2 * time.Hour) // every session is an hour long
		return clock
	}})
	if err != nil || res.Total != 0 {
		t.Errorf("a clock past every expiry: %+v, %v", res, err)
	}
	if _, err := migrate.Copy(ctx, nil, sessiontest.NewMemory(t), nil); err == nil {
		t.Error("a nil source was accepted")
	}
	if _, err := migrate.Copy(ctx, compress.New(sessiontest.Plain{SessionBackend: sessiontest.NewMemory(t)}, compress.Zstd), sessiontest.NewMemory(t), nil); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("a source without Range: %v", err)
	}
}

func TestMigrateExpiredMeanwhile(t *testing.T) {
	ctx := context.Background()
	from := sessiontest.NewMemory(t)
	seed(t, ctx, from, 3)
	start := time.Now()
	calls := 0
	res, err := migrate.CopyWith(ctx, from, sessiontest.NewMemory(t), migrate.Options{Now: func() time.Time {
		calls++
		if calls == 1 {
			return start // the listing
		}
		return start.Add(2 * time.Hour) // every copy
	}})
	if err != nil || res != (migrate.Result{Total: 3, Expired: 3}) {
		t.Errorf("%+v, %v", res, err)
	}
}
