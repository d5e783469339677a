package sqlstore

import (
	"fmt"
	"strings"
	"time"
)

// Django keeps datetimes in UTC with microsecond precision. On SQLite it
// writes them as text, str(datetime) of the naive UTC value:
// "2006-01-02 15:04:05.000001", or without the fraction when the
// microseconds are zero. On PostgreSQL the columns are timestamptz, on
// MariaDB/MySQL datetime(6) holding UTC (every session's time_zone is
// '+00:00').

// dbTime converts t to what Django would write: the UTC instant truncated
// to microseconds, as text on SQLite.
func (s *Store) dbTime(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	switch {
	case s.dialect == SQLite:
		return formatDjangoTime(t)
	case s.dialect == MySQL && t.IsZero():
		// go-sql-driver/mysql sends the zero time.Time as MySQL's zero
		// date, which strict mode refuses in a datetime column; year 1
		// reads back as the zero time.
		return "0001-01-01 00:00:00"
	}
	return t
}

// dbTimePtr is dbTime for a nullable column.
func (s *Store) dbTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.dbTime(*t)
}

func formatDjangoTime(t time.Time) string {
	t = t.UTC()
	out := t.Format("2006-01-02 15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		out += fmt.Sprintf(".%06d", us)
	}
	return out
}

// parseDjangoTime reads what Django's SQLite backend (or another writer of
// ISO 8601 text) stored: date and time separated by a space or "T", an
// optional fraction and an optional offset ("Z", "+00:00"). A value without
// an offset is UTC, as Django with USE_TZ stores it.
func parseDjangoTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10] + " " + s[11:]
	}
	for _, layout := range []string{
		"2006-01-02 15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999Z0700",
		"2006-01-02 15:04",
		"2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("sqlstore: unrecognised datetime text of length %d", len(s))
}

// nullTime scans a datetime column of either dialect: time.Time (pgx, or
// modernc parsing a column declared datetime), text, or NULL. The result is
// in UTC.
type nullTime struct {
	Time  time.Time
	Valid bool
}

func (n *nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.Time, n.Valid = time.Time{}, false
		return nil
	case time.Time:
		n.Time, n.Valid = x.UTC(), true
		return nil
	case string:
		t, err := parseDjangoTime(x)
		n.Time, n.Valid = t, err == nil
		return err
	case []byte:
		t, err := parseDjangoTime(string(x))
		n.Time, n.Valid = t, err == nil
		return err
	}
	return fmt.Errorf("sqlstore: cannot read %T as a datetime", v)
}

// ptr returns the time, or nil for NULL.
func (n nullTime) ptr() *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time
	return &t
}
