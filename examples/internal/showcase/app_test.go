package showcase

import (
	"bytes"
	"context"
	"log/slog"
	"net"
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

// TestOrigin: reset links name the address the server listens on, and
// localhost for a wildcard address.
func TestOrigin(t *testing.T) {
	for _, c := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8000}, "http://127.0.0.1:8000"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8000}, "http://[::1]:8000"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8000}, "http://localhost:8000"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 80}, "http://localhost:80"},
	} {
		if got := origin(c.addr); got != c.want {
			t.Errorf("origin(%v) = %q, want %q", c.addr, got, c.want)
		}
	}
}

// TestMailFlags: -smtp and -reset-rate from flags or the environment; a
// malformed value stops the server at start, never a silent default.
func TestMailFlags(t *testing.T) {
	env := map[string]string{"REINHARDT_SMTP": "smtp://mail.example:2525", "REINHARDT_RESET_RATE": "3/day"}
	cfg, err := ParseFlags("test", nil, func(k string) string { return env[k] })
	if err != nil || cfg.SMTP != "smtp://mail.example:2525" || cfg.ResetRate != "3/day" {
		t.Fatalf("from the environment: %q %q %v", cfg.SMTP, cfg.ResetRate, err)
	}
	if _, err := ParseFlags("test", []string{"-reset-rate", "often"}, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "-reset-rate") {
		t.Errorf("-reset-rate often: %v", err)
	}
	cfg, err = ParseFlags("test", []string{"-db", "sqlite::memory:", "-smtp", "http://mail.example"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if a, err := Open(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "-smtp") {
		if a != nil {
			_ = a.Close()
		}
		t.Errorf("-smtp http://mail.example: %v", err)
	}
}

// TestRequestTimeoutFlag: -request-timeout and REINHARDT_REQUEST_TIMEOUT
// set the deadline RequestContext gives each request; zero is refused.
func TestRequestTimeoutFlag(t *testing.T) {
	none := func(string) string { return "" }
	cfg, err := ParseFlags("test", nil, none)
	if err != nil || cfg.RequestTimeout != DefaultRequestTimeout {
		t.Fatalf("default: %v %v", cfg.RequestTimeout, err)
	}
	env := func(k string) string {
		if k == "REINHARDT_REQUEST_TIMEOUT" {
			return "1500ms"
		}
		return ""
	}
	if cfg, err = ParseFlags("test", nil, env); err != nil || cfg.RequestTimeout != 1500*time.Millisecond {
		t.Fatalf("environment: %v %v", cfg.RequestTimeout, err)
	}
	if cfg, err = ParseFlags("test", []string{"-request-timeout", "2s"}, env); err != nil || cfg.RequestTimeout != 2*time.Second {
		t.Fatalf("flag: %v %v", cfg.RequestTimeout, err)
	}
	if _, err := ParseFlags("test", []string{"-request-timeout", "0"}, none); err == nil {
		t.Error("-request-timeout 0 accepted")
	}
	a := &App{Config: cfg}
	ctx, cancel := a.RequestContext(t.Context())
	defer cancel()
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > 2*time.Second || time.Until(d) < time.Second {
		t.Errorf("RequestContext deadline %v (ok %v), want in 2s", d, ok)
	}
}
