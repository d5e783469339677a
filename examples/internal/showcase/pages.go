package showcase

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"unicode"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/sessions"
)

// LoginRedirectURL is where a login without a safe next goes (Django's
// LOGIN_REDIRECT_URL).
const LoginRedirectURL = "/"

// Messages of the login page: the first is Django's AuthenticationForm's.
const (
	msgLoginInvalid = "Please enter a correct username and password. Note that both fields may be case-sensitive."
	msgLoginOTP     = "This account has two-factor authentication on: enter the current code from your authenticator app, or a recovery code."
	msgFieldMissing = "Username and password are both required."
)

// LoginPage is Django's LoginView as a plain HTML page: GET shows the form
// (username, password, otp, next, csrfmiddlewaretoken); POST, under the
// CSRF check, logs the session in exactly as POST /api/auth/login does
// (sessions.LoginEndpoint.LogIn: the same login throttle, one-time code
// throttle and second factor) and redirects with 302 to next when it is a
// path on this site (SafeNext, Django's url_has_allowed_host_and_scheme
// restricted to same-origin paths), else to LoginRedirectURL. A wrong
// username, password or code shows the form again with an error; a
// throttled login is 429 with Retry-After.
type LoginPage struct {
	Login *sessions.LoginEndpoint
	CSRF  *csrf.Protector
}

// loginForm is the login page's data.
type loginForm struct {
	Username, Next, CSRFToken, Error string
	OTP                              bool // ask for the code
}

var loginTemplate = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Log in</title></head>
<body>
<h1>Log in</h1>
{{if .Error}}<p class="errornote" role="alert">{{.Error}}</p>
{{end}}<form method="post" action="/accounts/login">
<input type="hidden" name="csrfmiddlewaretoken" value="{{.CSRFToken}}">
<input type="hidden" name="next" value="{{.Next}}">
<p><label for="id_username">Username:</label> <input type="text" name="username" id="id_username" value="{{.Username}}" autocomplete="username" required{{if not .OTP}} autofocus{{end}}></p>
<p><label for="id_password">Password:</label> <input type="password" name="password" id="id_password" autocomplete="current-password" required></p>
<p><label for="id_otp">Authentication code (if two-factor authentication is on):</label> <input type="text" name="otp" id="id_otp" autocomplete="one-time-code" inputmode="numeric"{{if .OTP}} autofocus{{end}}></p>
<button type="submit">Log in</button>
</form>
</body>
</html>
`))

// Serve implements core.Endpoint.
func (p *LoginPage) Serve(w core.Response, r core.Request) error {
	switch r.Method() {
	case http.MethodGet, http.MethodHead:
		return p.show(w, r, http.StatusOK, loginForm{Next: r.Query("next")})
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		return core.MethodNotAllowed(r.Method())
	}
	// CSRF first, as Django's middleware checks it before the view.
	if err := p.CSRF.Check(r, sessions.FromContext(r.Context())); err != nil {
		return err
	}
	var in struct {
		Username *string `json:"username"`
		Password *string `json:"password"`
		OTP      *string `json:"otp"`
		Next     *string `json:"next"`
	}
	if err := core.DecodeBody(r, 0, &in); err != nil {
		return err
	}
	form := loginForm{Username: deref(in.Username), Next: deref(in.Next)}
	if form.Username == "" || deref(in.Password) == "" {
		form.Error = msgFieldMissing
		return p.show(w, r, http.StatusOK, form)
	}
	otp := strings.TrimSpace(deref(in.OTP))
	if len(otp) > core.MaxOTPBytes {
		form.Error, form.OTP = core.ErrInvalidOTP.Detail, true
		return p.show(w, r, http.StatusOK, form)
	}
	_, err := p.Login.LogIn(w, r, form.Username, *in.Password, otp)
	switch {
	case err == nil:
		to := LoginRedirectURL
		if SafeNext(form.Next) {
			to = form.Next
		}
		w.Header().Set("Location", to)
		return w.Write(http.StatusFound, nil)
	case errors.Is(err, core.ErrInvalidCredentials):
		form.Error = msgLoginInvalid
	case errors.Is(err, core.ErrMFARequired):
		form.Error, form.OTP = msgLoginOTP, true
	case errors.Is(err, core.ErrInvalidOTP):
		form.Error, form.OTP = core.ErrInvalidOTP.Detail, true
	default:
		return err // throttled (429, Retry-After) or the store failed
	}
	return p.show(w, r, http.StatusOK, form)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// show renders the form with a CSRF token (setting the csrftoken cookie
// when the browser has none), never cached.
func (p *LoginPage) show(w core.Response, r core.Request, status int, form loginForm) error {
	tok, err := p.CSRF.Token(r, w)
	if err != nil {
		return err
	}
	form.CSRFToken = tok
	return writeHTML(w, status, loginTemplate, form)
}

// writeHTML renders t as an HTML page that no cache keeps (Django's
// never_cache).
func writeHTML(w core.Response, status int, t *template.Template, data any) error {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private")
	return w.Write(status, b.Bytes())
}

// SafeNext reports whether next is a path on this site, where a login may
// redirect: Django's url_has_allowed_host_and_scheme with no allowed host
// other than the request's own, and stricter — only an absolute path
// ("/…"), never a scheme, a host ("//evil", "/\evil", which browsers read
// as "//evil"), white space or a control character anywhere (browsers
// drop tabs and newlines, so "/\t/evil" is "//evil" to them).
func SafeNext(next string) bool {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return false
	}
	for _, c := range next {
		if c == '\\' || unicode.IsSpace(c) || unicode.IsControl(c) || c == unicode.ReplacementChar || !unicode.IsPrint(c) {
			return false
		}
	}
	return true
}

// LogoutPage is Django's LogoutView for POST: under the CSRF check, the
// session is flushed (deleted on the server), then a 302 to the login
// page.
type LogoutPage struct {
	Auth *sessions.SessionAuthentication
	CSRF *csrf.Protector
}

// Serve implements core.Endpoint.
func (p *LogoutPage) Serve(w core.Response, r core.Request) error {
	if r.Method() != http.MethodPost {
		w.Header().Set("Allow", "POST")
		return core.MethodNotAllowed(r.Method())
	}
	s := sessions.FromContext(r.Context())
	if err := p.CSRF.Check(r, s); err != nil {
		return err
	}
	if err := p.Auth.Logout(r.Context(), s); err != nil {
		return err
	}
	w.Header().Set("Location", "/accounts/login")
	return w.Write(http.StatusFound, nil)
}
