package showcase

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// openTest opens the App of args (flags) and closes it when the test ends.
func openTest(t *testing.T, args ...string) *App {
	t.Helper()
	cfg, err := ParseFlags("test", args, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// The database the showcase creates keeps the generated secret key and
// the password hashes: it, its -wal and its -shm are for the owner only.
func TestDatabaseIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "var", "showcase.sqlite3")
	openTest(t, "-db", "sqlite:"+path)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(p), perm)
		}
	}
}
