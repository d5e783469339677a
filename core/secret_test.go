package core_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core"
)

// weakKeyVectors are keys on both sides of each of security.W009's three
// rules.
var weakKeyVectors = map[string]bool{
	"":                                  true,
	"short":                             true,
	strings.Repeat("x", 49):             true,
	strings.Repeat("abcd", 20):          true, // long, 4 distinct characters
	strings.Repeat("abcde", 10):         false,
	strings.Repeat("abcde", 9) + "abcd": true, // 49
	strings.Repeat("é", 25) + strings.Repeat("abcd", 7) + "ab": false, // 55 characters, 5 distinct; fewer bytes would not count
	strings.Repeat("é", 45) + "abcd":                           true,  // 49 characters in 94 bytes
	"django-insecure-" + strings.Repeat("k9#Lm2$", 8):          true,
	"Django-insecure-" + strings.Repeat("k9#Lm2$", 8):          false,
	"x-django-insecure-" + strings.Repeat("k9#Lm2$", 8):        false,
	"test-secret-key-for-the-showcase-suite":                   true,
	"0123456789abcdefghijklmnopqrstuvwxyz!@#$%^&*(-_=+)":       false,
}

func TestWeakSecretKey(t *testing.T) {
	for key, want := range weakKeyVectors {
		if got := core.WeakSecretKey(key); got != want {
			t.Errorf("WeakSecretKey(%q) = %v, want %v", key, got, want)
		}
	}
	for range 20 {
		if k := core.NewSecretKey(); core.WeakSecretKey(k) {
			t.Errorf("a generated key is weak: %q", k)
		}
	}
}

// The same verdicts as Django's own check.
func TestWeakSecretKeyDjango(t *testing.T) {
	py := requireDjango(t)
	keys := make([]string, 0, len(weakKeyVectors))
	for k := range weakKeyVectors {
		keys = append(keys, k)
	}
	in, _ := json.Marshal(keys)
	script := `
import json, sys
from django.conf import settings
settings.configure()
from django.core.checks.security.base import check_secret_key
out = []
for k in json.load(sys.stdin):
    settings.SECRET_KEY = k
    out.append(any(w.id == "security.W009" for w in check_secret_key(None)))
print(json.dumps(out))
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("django: %v", err)
	}
	var weak []bool
	if err := json.Unmarshal(out, &weak); err != nil || len(weak) != len(keys) {
		t.Fatalf("django answered %s", out)
	}
	for i, k := range keys {
		if core.WeakSecretKey(k) != weak[i] {
			t.Errorf("WeakSecretKey(%q) = %v, Django says %v", k, !weak[i], weak[i])
		}
	}
}
