package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// TestAuditLog is the audit log's conformance test on every dialect: an
// event dispatched to the log is one row with its meta in the columns
// and its own fields as JSON, too-long values are cut to the columns,
// filters and order hold, and Prune deletes exactly the rows older than
// the retention (the default, a custom one, never with a negative one).
func TestAuditLog(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		s := open(t)
		ctx := context.Background()
		audit := s.AuditLog()
		d := events.New(audit)
		t0 := time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)
		src := events.WithSource(ctx, events.Source{RemoteAddr: "2001:db8::1", RequestID: "req-1"})

		failed := &events.LoginFailed{Username: "bób", Reason: events.ReasonCredentials, Method: events.MethodJWT}
		failed.At = t0
		d.Emit(src, failed)
		in := &events.LoggedIn{Method: events.MethodSession}
		in.At, in.UserID = t0.Add(time.Second), "42"
		d.Emit(src, in)
		long := &events.Throttled{Scope: "login", Username: strings.Repeat("é", 150), Wait: time.Minute}
		long.At, long.UserID, long.RemoteAddr, long.RequestID = t0.Add(2*time.Second), strings.Repeat("u", 300), strings.Repeat("a", 100), strings.Repeat("r", 200)
		d.Emit(ctx, long)
		if n := d.Failures(); n != 0 {
			t.Fatalf("%d subscriber failures", n)
		}

		all, err := audit.Entries(ctx, sqlstore.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 {
			t.Fatalf("%d rows, want 3: %+v", len(all), all)
		}
		if all[0].Kind != events.KindThrottled || all[1].Kind != events.KindLoggedIn || all[2].Kind != events.KindLoginFailed {
			t.Fatalf("not newest first: %s %s %s", all[0].Kind, all[1].Kind, all[2].Kind)
		}
		f := all[2]
		if !f.At.Equal(t0.Truncate(time.Microsecond)) || f.UserID != "" || f.RemoteAddr != "2001:db8::1" || f.RequestID != "req-1" {
			t.Fatalf("login failure row: %+v", f)
		}
		var detail map[string]any
		if err := json.Unmarshal([]byte(f.Detail), &detail); err != nil {
			t.Fatal(err)
		}
		if detail["username"] != "bób" || detail["reason"] != "credentials" || detail["method"] != "jwt" || len(detail) != 3 {
			t.Fatalf("detail %s", f.Detail)
		}
		th := all[0]
		if len(th.UserID) != 255 || len(th.RemoteAddr) != 64 || len(th.RequestID) != 128 {
			t.Fatalf("long values not cut to the columns: %d %d %d", len(th.UserID), len(th.RemoteAddr), len(th.RequestID))
		}
		if !strings.Contains(th.Detail, strings.Repeat("é", 150)) {
			t.Fatalf("a typed username of 150 runes was not kept whole: %s", th.Detail)
		}

		mine, err := audit.Entries(ctx, sqlstore.AuditFilter{UserID: "42"})
		if err != nil || len(mine) != 1 || mine[0].Kind != events.KindLoggedIn {
			t.Fatalf("by user: %+v %v", mine, err)
		}
		kind, err := audit.Entries(ctx, sqlstore.AuditFilter{Kind: events.KindLoginFailed, Since: t0.Add(-time.Hour)})
		if err != nil || len(kind) != 1 {
			t.Fatalf("by kind: %+v %v", kind, err)
		}
		if late, err := audit.Entries(ctx, sqlstore.AuditFilter{Since: t0.Add(time.Second)}); err != nil || len(late) != 2 {
			t.Fatalf("since: %+v %v", late, err)
		}

		// The default retention keeps 90 days.
		if n, err := audit.Prune(ctx, t0.Add(sqlstore.DefaultAuditRetention)); err != nil || n != 0 {
			t.Fatalf("prune at the retention's edge: %d %v", n, err)
		}
		if n, err := audit.Prune(ctx, t0.Add(sqlstore.DefaultAuditRetention+1500*time.Millisecond)); err != nil || n != 2 {
			t.Fatalf("prune past two rows' retention: %d %v", n, err)
		}
		forever := s.AuditLog()
		forever.Retention = -1
		if n, err := forever.Prune(ctx, t0.Add(100*365*24*time.Hour)); err != nil || n != 0 {
			t.Fatalf("negative retention pruned: %d %v", n, err)
		}
		short := s.AuditLog()
		short.Retention = time.Hour
		if n, err := short.Prune(ctx, t0.Add(2*time.Hour)); err != nil || n != 1 {
			t.Fatalf("prune with a retention of an hour: %d %v", n, err)
		}
		if rest, err := audit.Entries(ctx, sqlstore.AuditFilter{}); err != nil || len(rest) != 0 {
			t.Fatalf("after pruning: %+v %v", rest, err)
		}
	})
}

// TestAuditLogStoreDown: a closed database is an error wrapping
// core.ErrStoreUnavailable from the subscriber, which the dispatcher
// counts instead of failing the request.
func TestAuditLogStoreDown(t *testing.T) {
	s := openMemory(t)
	audit := s.AuditLog()
	s.Close()
	err := audit.HandleEvent(context.Background(), &events.PasswordChanged{})
	if !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatalf("err = %v", err)
	}
	d := events.New(audit)
	d.Logger = discardLogger()
	d.Emit(context.Background(), &events.PasswordChanged{})
	if d.Failures() != 1 {
		t.Fatalf("failures = %d", d.Failures())
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
