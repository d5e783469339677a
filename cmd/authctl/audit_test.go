package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// TestClearSessionsAudit: clearsessions prunes the audit events older
// than the retention (90 days by default, --audit-retention otherwise),
// keeps the rest, keeps them all with a negative retention, and refuses
// a retention of 0.
func TestClearSessionsAudit(t *testing.T) {
	db := migratedDB(t)
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	audit := s.AuditLog()
	now := time.Now()
	for _, age := range []time.Duration{100 * 24 * time.Hour, 91 * 24 * time.Hour, 10 * 24 * time.Hour, time.Hour} {
		e := &events.LoggedIn{Method: events.MethodSession}
		e.At, e.UserID = now.Add(-age), "1"
		if err := audit.HandleEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	count := func() int {
		s, err := sqlstore.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		rows, err := s.AuditLog().Entries(ctx, sqlstore.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	if code, out, errs := runCmd(t, "", nil, "-db", db, "clearsessions"); code != 0 || !strings.Contains(out, "and 2 audit events past their retention") {
		t.Fatalf("clearsessions: %d %q %q", code, out, errs)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d audit events left, want 2", n)
	}
	if code, out, errs := runCmd(t, "", nil, "-db", db, "clearsessions", "--audit-retention", "-1s"); code != 0 || !strings.Contains(out, "and 0 audit events") {
		t.Fatalf("clearsessions, negative retention: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd(t, "", nil, "-db", db, "clearsessions", "--audit-retention", "0"); code != 1 || !strings.Contains(errs, "--audit-retention 0") {
		t.Fatalf("clearsessions --audit-retention 0: %d %q", code, errs)
	}
	if code, out, errs := runCmd(t, "", nil, "-db", db, "clearsessions", "--audit-retention", "24h"); code != 0 || !strings.Contains(out, "and 1 audit events") {
		t.Fatalf("clearsessions --audit-retention 24h: %d %q %q", code, out, errs)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d audit events left, want 1", n)
	}
	if code, _, _ := runCmd(t, "", nil, "-db", db, "clearsessions", "extra"); code != 2 {
		t.Fatal("clearsessions with an argument")
	}
}
