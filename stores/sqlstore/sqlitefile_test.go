package sqlstore_test

import (
	"bytes"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// requirePrivate fails unless the file at path exists and neither its
// group nor others may access it.
func requirePrivate(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 || perm&0o600 != 0o600 {
		t.Errorf("%s has mode %04o, want 0600", filepath.Base(path), perm)
	}
}

// requireSQLiteFilesPrivate fails unless the SQLite database at path and
// its -wal and -shm files exist and are private (0600).
func requireSQLiteFilesPrivate(t *testing.T, path string) {
	t.Helper()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		requirePrivate(t, p)
	}
}

// The database keeps password hashes (and the showcase's secret key): a
// new file, its write-ahead log and its shared-memory index are created
// for their owner only, whatever the umask allows; an existing file that
// others may read is warned about and left as it is.
func TestSQLiteFileModes(t *testing.T) {
	ctx := testCtx(t)
	path := filepath.Join(t.TempDir(), "auth.sqlite3")
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	s, err := sqlstore.Open(ctx, "sqlite:"+path, sqlstore.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "alice", new("pw-alice-long"), nil); err != nil {
		t.Fatal(err)
	}
	requireSQLiteFilesPrivate(t, path) // while open: the -wal and -shm exist
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	requirePrivate(t, path)
	if logs.Len() != 0 {
		t.Errorf("warnings for a private file: %s", logs.String())
	}

	// A file others may read (made by an older version, or copied) is
	// reported, not changed.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = sqlstore.Open(ctx, "sqlite:"+path, sqlstore.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if u, err := s.GetByUsername(ctx, "alice"); err != nil || u == nil {
		t.Fatalf("reopened: %v %v", u, err)
	}
	got := logs.String()
	if !strings.Contains(got, "level=WARN") || !strings.Contains(got, "file="+path+" ") || !strings.Contains(got, "mode=0644") {
		t.Errorf("no warning for a database others may read: %q", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("Open changed the mode of an existing file to %04o", st.Mode().Perm())
	}
}

// Every read-only connection of an SQLite file reads the file through a
// memory map of SQLiteMmapSize bytes (a page its cache lacks is then a
// memory access, not a read system call: at a million sessions most
// lookups miss the page cache); the writer does not map it; a URL's own
// _pragma=mmap_size(…) comes after Open's and wins.
func TestSQLiteReadPoolMapsTheFile(t *testing.T) {
	ctx := testCtx(t)
	mmapSize := func(t *testing.T, db *sql.DB) int64 {
		t.Helper()
		var n int64
		if err := db.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	path := filepath.Join(t.TempDir(), "auth.sqlite3")
	s, err := sqlstore.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := int64(sqlstore.SQLiteMmapSize)
	if strconv.IntSize == 32 {
		want = 0
	}
	// Hold several read connections at once so that each is a new one.
	var conns []*sql.Conn
	for range 4 {
		c, err := s.ReadDB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var n int64
		if err := c.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&n); err != nil || n != want {
			t.Errorf("read connection %d: mmap_size %d, %v; want %d", len(conns), n, err, want)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	if n := mmapSize(t, s.DB()); n != 0 {
		t.Errorf("writer: mmap_size %d, want 0", n)
	}

	off, err := sqlstore.Open(ctx, "sqlite:"+path+"?_pragma=mmap_size(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if n := mmapSize(t, off.ReadDB()); n != 0 {
		t.Errorf("with _pragma=mmap_size(0): mmap_size %d, want 0", n)
	}
}
