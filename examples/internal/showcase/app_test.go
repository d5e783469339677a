package showcase

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// A -secret that Django's check security.W009 would flag is used, with a
// warning; a good one, or the generated one, brings none.
func TestWeakSecretWarned(t *testing.T) {
	for secret, weak := range map[string]bool{
		"longer-than-32-bytes-but-under-50-chars":               true,
		strings.Repeat("ab", 40):                                true, // 80 characters, 2 distinct
		"django-insecure-" + strings.Repeat("q7$Kz", 10):        true,
		"Long-and-random-enough-secret-key-0123456789-abcdefgh": false,
		"": false, // generated and kept in the database
	} {
		var logs bytes.Buffer
		args := []string{"-db", "sqlite:" + filepath.Join(t.TempDir(), "s.sqlite3"), "-demo=false"}
		if secret != "" {
			args = append(args, "-secret", secret)
		}
		cfg, err := ParseFlags("test", args, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		a, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		_ = a.Close()
		if secret != "" && string(a.Secret) != secret {
			t.Errorf("%q: secret not used", secret)
		}
		if got := strings.Contains(logs.String(), "check=security.W009"); got != weak {
			t.Errorf("-secret %q: warned %v, want %v; log:\n%s", secret, got, weak, logs.String())
		}
	}
}

// The timeouts have defaults, are configurable, and cannot be switched
// off.
func TestTimeoutFlags(t *testing.T) {
	none := func(string) string { return "" }
	cfg, err := ParseFlags("test", nil, none)
	if err != nil || cfg.Timeouts != (Timeouts{DefaultReadHeaderTimeout, DefaultReadTimeout, DefaultWriteTimeout, DefaultIdleTimeout}) {
		t.Fatalf("defaults: %+v %v", cfg.Timeouts, err)
	}
	cfg, err = ParseFlags("test", []string{"-read-header-timeout", "1s", "-read-timeout", "2s", "-write-timeout", "3s", "-idle-timeout", "4s"}, none)
	if err != nil || cfg.Timeouts != (Timeouts{time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second}) {
		t.Fatalf("flags: %+v %v", cfg.Timeouts, err)
	}
	for _, flag := range []string{"-read-header-timeout", "-read-timeout", "-write-timeout", "-idle-timeout"} {
		if _, err := ParseFlags("test", []string{flag, "0"}, none); err == nil {
			t.Errorf("%s 0 accepted", flag)
		}
	}
}
