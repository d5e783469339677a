package showcase

import (
	"errors"
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

// Serve implements core.Endpoint.
func (p *LoginPage) Serve(w core.Response, r core.Request) error {
	switch r.Method() {
	case http.MethodGet, http.MethodHead:
		return p.show(w, r, &page{Next: r.Query("next")})
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
	form := &page{Values: map[string]string{"username": deref(in.Username)}, Next: deref(in.Next)}
	if form.Values["username"] == "" || deref(in.Password) == "" {
		form.FormErrors = []string{msgFieldMissing}
		return p.show(w, r, form)
	}
	otp := strings.TrimSpace(deref(in.OTP))
	if len(otp) > core.MaxOTPBytes {
		form.FormErrors, form.OTP = []string{core.ErrInvalidOTP.Detail}, true
		return p.show(w, r, form)
	}
	_, err := p.Login.LogIn(w, r, form.Values["username"], *in.Password, otp)
	switch {
	case err == nil:
		to := LoginRedirectURL
		if SafeNext(form.Next) {
			to = form.Next
		}
		w.Header().Set("Location", to)
		return w.Write(http.StatusFound, nil)
	case errors.Is(err, core.ErrInvalidCredentials):
		form.FormErrors = []string{msgLoginInvalid}
	case errors.Is(err, core.ErrMFARequired):
		form.FormErrors, form.OTP = []string{msgLoginOTP}, true
	case errors.Is(err, core.ErrInvalidOTP):
		form.FormErrors, form.OTP = []string{core.ErrInvalidOTP.Detail}, true
	default:
		return err // throttled (429, Retry-After) or the store failed
	}
	return p.show(w, r, form)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// show renders the form with a CSRF token (setting the csrftoken cookie
// when the browser has none), never cached.
func (p *LoginPage) show(w core.Response, r core.Request, form *page) error {
	if err := csrfToken(p.CSRF, w, r, form); err != nil {
		return err
	}
	return writeHTML(w, http.StatusOK, loginTemplate, form)
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
	if err := p.Auth.Logout(core.EventContext(r), s); err != nil {
		return err
	}
	w.Header().Set("Location", "/accounts/login")
	return w.Write(http.StatusFound, nil)
}
