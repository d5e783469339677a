package core_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
)

// fastHashers is a registry with cheap parameters, for tests that hash a
// lot; the security defaults are tested in package hashers.
func fastHashers() *hashers.Registry {
	pbkdf2 := hashers.NewPBKDF2SHA256Hasher()
	pbkdf2.Iterations = 1000
	sha1 := hashers.NewPBKDF2SHA1Hasher()
	sha1.Iterations = 1000
	return hashers.New(pbkdf2, sha1, hashers.NewMD5Hasher())
}

// req builds a core.Request for method and path with headers as
// "Name: value" strings, from remote.
func req(method, path, remote string, headers ...string) core.Request {
	r := httptest.NewRequest(method, path, nil)
	if remote != "" {
		r.RemoteAddr = remote
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		r.Header.Add(k, strings.TrimSpace(v))
	}
	return core.NewHTTPRequest(r)
}

func reqBody(method, path, contentType, body string) core.Request {
	r := httptest.NewRequest(method, path, io.NopCloser(bytes.NewBufferString(body)))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return core.NewHTTPRequest(r)
}

// recorder renders into an httptest.ResponseRecorder.
func recorder() (*httptest.ResponseRecorder, core.Response) {
	rec := httptest.NewRecorder()
	return rec, core.NewHTTPResponse(rec)
}

func mustUser(t *testing.T, m *core.DefaultUserManager, name, pw string, extra map[string]any) *core.DefaultUser {
	t.Helper()
	u, err := m.CreateUser(context.Background(), name, &pw, extra)
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	return u
}

func checkStatus(t *testing.T, rec *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	if rec.Code != status || rec.Body.String() != body {
		t.Fatalf("got %d %s, want %d %s", rec.Code, rec.Body.String(), status, body)
	}
}

var _ = http.StatusOK

// requireDjango returns the Python that has Debian's python3-django, or
// skips; with REINHARDT_REQUIRE_DJANGO=1 (make test sets it when Django is
// installed, and in CI) a missing Django fails the test instead.
func requireDjango(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import django").Run(); err != nil {
		if os.Getenv("REINHARDT_REQUIRE_DJANGO") == "1" {
			t.Fatalf("Django is required (REINHARDT_REQUIRE_DJANGO=1) but %s cannot import it: %v", py, err)
		}
		t.Skipf("python3-django not installed: %v", err)
	}
	return py
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// requireDRF returns the Python that has Debian's DRF (which
// python3-djangorestframework-simplejwt brings), or skips as requireDjango
// does, and fails as it does under REINHARDT_REQUIRE_DJANGO=1.
func requireDRF(t *testing.T) string {
	t.Helper()
	py := requireDjango(t)
	if err := exec.Command(py, "-c", "import rest_framework").Run(); err != nil {
		if os.Getenv("REINHARDT_REQUIRE_DJANGO") == "1" {
			t.Fatalf("DRF is required (REINHARDT_REQUIRE_DJANGO=1) but %s cannot import it: %v", py, err)
		}
		t.Skipf("python3-djangorestframework not installed: %v", err)
	}
	return py
}

// drfJSONParse runs DRF's JSONParser on each body (as bytes, UTF-8 by
// default) and returns, for each, the ParseError's detail or "ok " and the
// parsed data as JSON.
func drfJSONParse(t *testing.T, py string, bodies []string) []string {
	t.Helper()
	const script = `
import base64, io, json, sys
import django
from django.conf import settings
settings.configure()
django.setup()
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
out = []
for b in json.load(sys.stdin):
    try:
        out.append("ok " + json.dumps(JSONParser().parse(io.BytesIO(base64.b64decode(b)), parser_context={}), ensure_ascii=False))
    except ParseError as e:
        out.append(str(e.detail))
json.dump(out, sys.stdout)
`
	enc := make([][]byte, len(bodies))
	for i, b := range bodies {
		enc[i] = []byte(b) // encoding/json writes []byte as base64
	}
	in, _ := json.Marshal(enc)
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("DRF's JSONParser: %v\n%s", err, stderr.String())
	}
	var out []string
	if err := json.Unmarshal(b, &out); err != nil || len(out) != len(bodies) {
		t.Fatalf("DRF's JSONParser printed %q: %v", b, err)
	}
	return out
}
