package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestDjangoTimeText(t *testing.T) {
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2021, 4, 6, 12, 30, 45, 123456000, time.UTC), "2021-04-06 12:30:45.123456"},
		{time.Date(2021, 4, 6, 12, 30, 45, 0, time.UTC), "2021-04-06 12:30:45"},
		{time.Date(2021, 4, 6, 12, 30, 45, 1000, time.UTC), "2021-04-06 12:30:45.000001"},
		{time.Date(2021, 4, 6, 14, 30, 45, 500000000, time.FixedZone("CEST", 2*3600)), "2021-04-06 12:30:45.500000"},
	} {
		if got := formatDjangoTime(tc.in); got != tc.want {
			t.Errorf("formatDjangoTime(%v) = %q, want %q", tc.in, got, tc.want)
		}
		back, err := parseDjangoTime(tc.want)
		if err != nil || !back.Equal(tc.in) || back.Location() != time.UTC {
			t.Errorf("parseDjangoTime(%q) = %v, %v", tc.want, back, err)
		}
	}
	for in, want := range map[string]time.Time{
		"2021-04-06T12:30:45.123456+00:00": time.Date(2021, 4, 6, 12, 30, 45, 123456000, time.UTC),
		"2021-04-06 12:30:45+02:00":        time.Date(2021, 4, 6, 10, 30, 45, 0, time.UTC),
		"2021-04-06T12:30:45Z":             time.Date(2021, 4, 6, 12, 30, 45, 0, time.UTC),
		"2021-04-06 12:30:45.5":            time.Date(2021, 4, 6, 12, 30, 45, 500000000, time.UTC),
		"2021-04-06 12:30":                 time.Date(2021, 4, 6, 12, 30, 0, 0, time.UTC),
		"2021-04-06":                       time.Date(2021, 4, 6, 0, 0, 0, 0, time.UTC),
	} {
		if got, err := parseDjangoTime(in); err != nil || !got.Equal(want) {
			t.Errorf("parseDjangoTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2021-13-01 00:00:00"} {
		if _, err := parseDjangoTime(bad); err == nil {
			t.Errorf("parseDjangoTime(%q) succeeded", bad)
		}
	}
	var n nullTime
	for _, v := range []any{"2021-04-06 12:30:45", []byte("2021-04-06 12:30:45"), time.Date(2021, 4, 6, 14, 30, 45, 0, time.FixedZone("X", 7200))} {
		if err := n.Scan(v); err != nil || !n.Valid || !n.Time.Equal(time.Date(2021, 4, 6, 12, 30, 45, 0, time.UTC)) || n.Time.Location() != time.UTC {
			t.Errorf("Scan(%T) = %v %v, %v", v, n.Time, n.Valid, err)
		}
	}
	if err := n.Scan(nil); err != nil || n.Valid || n.ptr() != nil {
		t.Errorf("Scan(nil): %v %v", n.Valid, err)
	}
	if err := n.Scan(42); err == nil {
		t.Errorf("Scan(42) succeeded")
	}
	if err := n.Scan("nonsense"); err == nil || n.Valid {
		t.Errorf("Scan(nonsense) succeeded")
	}
}

func TestRebind(t *testing.T) {
	q := `SELECT 1 FROM t WHERE a = ? AND b IN (?, ?)`
	if got := rebind(SQLite, q); got != q {
		t.Errorf("SQLite rebind changed the query: %s", got)
	}
	if got := rebind(Postgres, q); got != `SELECT 1 FROM t WHERE a = $1 AND b IN ($2, $3)` {
		t.Errorf("Postgres rebind: %s", got)
	}
	// The PostgreSQL statements have no "?" left.
	pq := queriesFor(Postgres)
	for _, s := range []string{pq.userByUsername, pq.userByID, pq.insertUser, pq.updateUser, pq.insertUserPerm, pq.recordMigration} {
		if strings.Contains(s, "?") {
			t.Errorf("placeholder left in %s", s)
		}
	}
}

// TestQueryPlan: loading a user searches every table through an index;
// only the one-row CTE is scanned.
func TestQueryPlan(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		q   string
		arg any
	}{"by username": {s.q.userByUsername, "x"}, "by id": {s.q.userByID, 1}} {
		rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+tc.q, tc.arg)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if len(plan) < 5 {
			t.Fatalf("%s: plan %q", name, plan)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") && !strings.HasPrefix(step, "SCAN u") {
				t.Errorf("%s: full scan in the plan: %q\n%s", name, step, strings.Join(plan, "\n"))
			}
		}
	}
}
