package showcase

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
)

// serve runs ep on a request and returns the recorded response.
func serve(ep core.Endpoint, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, target, nil)
	if err := ep.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
		_ = core.WriteError(core.NewHTTPResponse(rec), err, `Bearer realm="api"`)
	}
	return rec
}

// TestHTMLErrors: a page's errors are HTML pages with the status the API
// would give — a throttled request 429 with Retry-After, a refused CSRF
// check 403, a wrong method 405 with Allow — never JSON, and a server
// error's cause goes to the log, not to the page.
func TestHTMLErrors(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	for _, c := range []struct {
		name       string
		err        error
		status     int
		header     [2]string
		shows      string
		hidden     string
		logsTheErr bool
	}{
		{name: "throttled", err: core.Throttled(42 * time.Second), status: 429, header: [2]string{"Retry-After", "42"}, shows: "Too many attempts"},
		{name: "CSRF", err: core.PermissionDenied("CSRF Failed: CSRF token missing."), status: 403, shows: "CSRF Failed: CSRF token missing."},
		{name: "bad credentials", err: core.ErrAuthenticationFailed, status: 403, shows: core.ErrAuthenticationFailed.Detail},
		{name: "not found", err: NotFound(), status: 404, shows: "Not found."},
		{name: "store down", err: errors.New("connection refused to 10.0.0.7"), status: 500, hidden: "10.0.0.7", logsTheErr: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			logs.Reset()
			ep := htmlErrors(logger, core.EndpointFunc(func(core.Response, core.Request) error { return c.err }))
			rec := serve(ep, http.MethodPost, "/account")
			body := rec.Body.String()
			if rec.Code != c.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.HasPrefix(body, "<!DOCTYPE html>") {
				t.Fatalf("got %d %q %.200s; want %d as HTML", rec.Code, rec.Header().Get("Content-Type"), body, c.status)
			}
			if c.header[0] != "" && rec.Header().Get(c.header[0]) != c.header[1] {
				t.Errorf("%s: %q, want %q", c.header[0], rec.Header().Get(c.header[0]), c.header[1])
			}
			if !strings.Contains(body, c.shows) || !strings.Contains(body, `role="alert"`) {
				t.Errorf("the page does not show %q in an alert:\n%s", c.shows, body)
			}
			if c.hidden != "" && strings.Contains(body, c.hidden) {
				t.Errorf("the page shows the cause %q", c.hidden)
			}
			if got := strings.Contains(logs.String(), c.hidden) && c.hidden != ""; got != c.logsTheErr {
				t.Errorf("logged %q", logs.String())
			}
			if rec.Header().Get("X-Frame-Options") != "DENY" || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Errorf("a page that other sites may frame: %v", rec.Header())
			}
		})
	}
}

// TestPagesRender: every page template renders with empty data and with
// errors, each input labelled and its errors tied to it.
func TestPagesRender(t *testing.T) {
	d := &page{User: &pageUser{Username: "alice"}, CSRFToken: "tok", Enrollment: &pageEnrollment{Secret: "S", URL: "otpauth://totp/x", QR: "data:image/png;base64,AA=="},
		Errors: map[string][]string{"new_password2": {"The two password fields didn’t match."}}, FormErrors: []string{"Nope."}, ValidLink: true, Section: "password"}
	for _, name := range []string{"home", "login", "account", "error", "password_reset_form", "password_reset_done", "password_reset_confirm", "password_reset_complete"} {
		var b bytes.Buffer
		if err := pageTemplate(name).Execute(&b, d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		html := b.String()
		if !strings.Contains(html, `<html lang="en">`) || !strings.Contains(html, "<h1>") || !strings.Contains(html, StylesheetPath) {
			t.Errorf("%s: no lang, heading or stylesheet", name)
		}
		for _, id := range inputIDs.FindAllStringSubmatch(html, -1) {
			if !strings.Contains(html, `<label for="`+id[1]+`">`) {
				t.Errorf("%s: input %s has no label", name, id[1])
			}
		}
	}
	var b bytes.Buffer
	if err := accountTemplate.Execute(&b, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `aria-describedby="id_new_password2_errors" aria-invalid="true"`) ||
		!strings.Contains(b.String(), `<span class="errorlist" id="id_new_password2_errors">`) {
		t.Errorf("the field's error is not tied to it:\n%s", b.String())
	}
}

// inputIDs finds the ids of a page's visible inputs.
var inputIDs = regexp.MustCompile(`<input type="(?:text|password|email)" name="[^"]+" id="([^"]+)"`)
