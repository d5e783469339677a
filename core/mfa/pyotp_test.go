package mfa_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core/mfa"
)

// python is Debian's interpreter, where python3-pyotp is installed.
const python = "/usr/bin/python3"

// requirePyOTP skips the test when python cannot import pyotp, or fails
// it when REINHARDT_REQUIRE_DJANGO=1 (set by scripts/deps.sh when the
// Python side is installed, and in CI), as stores/sqlstore's interop
// tests do.
func requirePyOTP(t *testing.T) {
	t.Helper()
	if err := exec.Command(python, "-c", "import pyotp").Run(); err != nil {
		if os.Getenv("REINHARDT_REQUIRE_DJANGO") == "1" {
			t.Fatalf("REINHARDT_REQUIRE_DJANGO=1 but %s cannot import pyotp: %v", python, err)
		}
		t.Skipf("%s cannot import pyotp (%v); set REINHARDT_REQUIRE_DJANGO=1 to make this fatal", python, err)
	}
}

// pyotp runs a pyotp one-liner; argv[1:] are args.
func pyotp(t *testing.T, script string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, append([]string{"-c", "import sys, pyotp\n" + script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("pyotp: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestPyOTPInterop: the otpauth URL made here gives pyotp the same TOTP;
// codes pyotp makes verify here, and codes made here verify in pyotp.
func TestPyOTPInterop(t *testing.T) {
	requirePyOTP(t)
	ctx := context.Background()
	m, c := newMFA(t, mfa.NewMemoryStore())
	e, err := m.RegisterUser(ctx, "1", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	// pyotp parses the URL and makes the code that confirms enrollment.
	at := func() string { return c.Now().Format("2006-01-02T15:04:05Z") }
	const fromURL = `from datetime import datetime, timezone
t = pyotp.parse_uri(sys.argv[1])
assert t.issuer == "Example App" and t.name == "alice@example.com", (t.issuer, t.name)
print(t.at(datetime.strptime(sys.argv[2], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)))`
	if _, err := m.Confirm(ctx, "1", pyotp(t, fromURL, e.URL, at())); err != nil {
		t.Fatalf("Confirm with pyotp's code: %v", err)
	}
	for range 3 {
		c.add(30 * time.Second)
		if ok, err := m.VerifyCode(ctx, "1", pyotp(t, fromURL, e.URL, at())); !ok || err != nil {
			t.Fatalf("pyotp's code at %s = %v, %v; want true", at(), ok, err)
		}
		// The other way: pyotp verifies a code made here.
		mine := codeAt(t, e.Secret, c.Now())
		got := pyotp(t, `from datetime import datetime, timezone
print(pyotp.TOTP(sys.argv[1]).verify(sys.argv[2], datetime.strptime(sys.argv[3], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)))`, e.Secret, mine, at())
		if got != "True" {
			t.Fatalf("pyotp.verify(%s) = %s", mine, got)
		}
	}
}
