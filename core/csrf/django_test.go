package csrf_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
)

// djangoScript runs Django's own CSRF code (python3-django, 3.2 on
// Debian: the masking is the one of 4.x) on what Go made, and makes
// tokens for Go to check.
const djangoScript = `
import json, sys
from django.conf import settings
settings.configure(ALLOWED_HOSTS=["testserver"], SECRET_KEY="x" * 50,
                   CSRF_FAILURE_VIEW="__main__.fail", USE_TZ=True)
import django
django.setup()
from django.http import HttpResponse, HttpResponseForbidden
from django.middleware import csrf
from django.test import RequestFactory

def fail(request, reason=""):
    return HttpResponseForbidden(reason)

def view(request):
    return HttpResponse("ok")

def django_accepts(cookie, token, form):
    rf = RequestFactory()
    if form:
        req = rf.post("/x", data={"csrfmiddlewaretoken": token})
    else:
        req = rf.post("/x", HTTP_X_CSRFTOKEN=token)
    req.COOKIES[settings.CSRF_COOKIE_NAME] = cookie
    mw = csrf.CsrfViewMiddleware(lambda r: HttpResponse())
    mw.process_request(req)
    resp = mw.process_view(req, view, (), {})
    return None if resp is None else resp.content.decode()

inp = json.load(sys.stdin)
out = {"verdicts": [], "made": []}
for c in inp["cases"]:
    out["verdicts"].append(django_accepts(c["cookie"], c["token"], c["form"]))
for _ in range(20):
    req = RequestFactory().get("/")
    token = csrf.get_token(req)  # a new secret, kept masked in the cookie (3.2)
    cookie = req.META["CSRF_COOKIE"]
    out["made"].append({"secret": csrf._unmask_cipher_token(cookie), "cookie": cookie, "token": token})
json.dump(out, sys.stdout)
`

const djangoPython = "/usr/bin/python3"

// djangoAvailable reports whether /usr/bin/python3 imports Django; tests
// that need it skip otherwise, unless REINHARDT_REQUIRE_DJANGO=1.
func djangoAvailable(t *testing.T) {
	t.Helper()
	err := exec.Command(djangoPython, "-c", "import django").Run()
	if err == nil {
		return
	}
	if os.Getenv("REINHARDT_REQUIRE_DJANGO") == "1" {
		t.Fatalf("REINHARDT_REQUIRE_DJANGO=1 but %s cannot import django: %v", djangoPython, err)
	}
	t.Skipf("%s cannot import django (apt-get install python3-django): %v", djangoPython, err)
}

type djangoCase struct {
	Cookie string `json:"cookie"`
	Token  string `json:"token"`
	Form   bool   `json:"form"`
}

type djangoMade struct {
	Secret, Cookie, Token string
}

func runDjango(t *testing.T, cases []djangoCase) (verdicts []*string, made []djangoMade) {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "csrf_check.py")
	if err := os.WriteFile(script, []byte(djangoScript), 0o600); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]any{"cases": cases})
	cmd := exec.Command(djangoPython, script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("Django: %v\n%s", err, stderr.String())
	}
	var res struct {
		Verdicts []*string    `json:"verdicts"`
		Made     []djangoMade `json:"made"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("Django's answer %q: %v", out, err)
	}
	if len(res.Verdicts) != len(cases) {
		t.Fatalf("Django judged %d of %d cases", len(res.Verdicts), len(cases))
	}
	return res.Verdicts, res.Made
}

// TestDjangoInterop: tokens made here pass Django's CsrfViewMiddleware
// with the cookie made here (bare, as Django 4.1+ sets it, and masked, as
// 3.2 does), wrong ones fail there; tokens and cookies Django made pass
// Check here.
func TestDjangoInterop(t *testing.T) {
	djangoAvailable(t)
	p := newProtector(t, csrf.WithSecureCookie(false))
	var cases []djangoCase
	var want []bool
	for i := range 10 {
		w := httptest.NewRecorder()
		tok, err := p.Token(request(t, p, reqOpts{method: "GET", insecure: true}), core.NewHTTPResponse(w))
		if err != nil {
			t.Fatal(err)
		}
		cookie := cookiesOf(w)[0].Value
		form := i%2 == 0
		cases = append(cases,
			djangoCase{cookie, tok, form},
			djangoCase{csrf.MaskSecret(cookie), tok, form},
			djangoCase{cookie, csrf.MaskSecret(csrf.NewSecret()), form},
		)
		want = append(want, true, true, false)
	}
	verdicts, made := runDjango(t, cases)
	for i, v := range verdicts {
		if accepted := v == nil; accepted != want[i] {
			reason := "accepted"
			if v != nil {
				reason = *v
			}
			t.Errorf("Django on %+v: %s; want accepted=%v", cases[i], reason, want[i])
		}
	}
	if len(made) == 0 {
		t.Fatal("Django made no tokens")
	}
	for _, m := range made {
		if secret, ok := csrf.UnmaskToken(m.Cookie); !ok || secret != m.Secret {
			t.Errorf("UnmaskToken(Django's %s) = %s; want %s", m.Cookie, secret, m.Secret)
		}
		for _, cookie := range []string{m.Cookie, m.Secret} {
			for _, form := range []bool{false, true} {
				o := reqOpts{insecure: true, cookie: cookie, headers: map[string]string{"Origin": "http://example.com"}}
				if form {
					o.form = url.Values{"csrfmiddlewaretoken": {m.Token}}
				} else {
					o.headers["X-CSRFToken"] = m.Token
				}
				expectPass(t, p.Check(request(t, p, o), nil))
			}
		}
	}
}

// TestDjangoReasonHeaderLabel checks the header label of the reasons
// against Django's HttpHeaders.parse_header_name.
func TestDjangoReasonHeaderLabel(t *testing.T) {
	djangoAvailable(t)
	out, err := exec.Command(djangoPython, "-c",
		`from django.http.request import HttpHeaders; print(repr(HttpHeaders.parse_header_name("HTTP_X_CSRFTOKEN")))`).Output()
	if err != nil {
		t.Fatal(err)
	}
	label := strings.TrimSpace(string(out))
	p := newProtector(t)
	secret := csrf.NewSecret()
	r := request(t, p, reqOpts{cookie: secret, headers: map[string]string{"Sec-Fetch-Site": "same-origin", "X-CSRFToken": csrf.MaskSecret(csrf.NewSecret())}})
	expectDenied(t, p.Check(r, nil), "CSRF token from the "+label+" HTTP header incorrect.")
}
