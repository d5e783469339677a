package djangotest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Python is the interpreter that has Debian's python3-django.
const Python = "/usr/bin/python3"

// Required reports whether a missing Django fails the tests instead of
// skipping them: CI=true or REINHARDT_REQUIRE_DJANGO=1.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("REINHARDT_REQUIRE_DJANGO") == "1"
}

// Require skips t when Python cannot import django, or fails it when
// Django is Required.
func Require(t testing.TB) {
	t.Helper()
	out, err := exec.Command(Python, "-c", "import django").CombinedOutput()
	if err == nil {
		return
	}
	msg := Python + " cannot import django (apt-get install python3-django): " + err.Error() + ": " + strings.TrimSpace(string(out))
	if Required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Run requires Django (Require), runs script with Python, the JSON of req
// on its stdin and env added to the environment (TZ=UTC unless env sets
// TZ), and decodes its stdout as JSON into reply. A failing script fails
// the test with its stderr.
func Run(t testing.TB, script string, req, reply any, env ...string) {
	t.Helper()
	Require(t)
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Python, "-c", script)
	cmd.Env = append(append(os.Environ(), "TZ=UTC", "PYTHONDONTWRITEBYTECODE=1"), env...)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("Django script: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(out, reply); err != nil {
		t.Fatalf("Django script output: %v\n%s", err, out)
	}
}
