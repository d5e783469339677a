package showcase

import (
	"errors"
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/passwordreset"
	"github.com/reinhardt-go/auth/core/sessions"
)

// The password-reset pages' paths, Django's under /accounts/ (the link
// the mail carries is passwordreset.DefaultPath + "{uidb64}/{token}").
const (
	ResetRequestPath  = "/accounts/password_reset/"
	ResetSentPath     = "/accounts/password_reset/done/"
	ResetLinkPrefix   = passwordreset.DefaultPath // "/accounts/reset/"
	ResetCompletePath = ResetLinkPrefix + "done/"
	// resetURLToken stands for the token in the URL of the form, once the
	// token is in the session (Django's reset_url_token).
	resetURLToken = "set-password"
	// resetTokenKey is the session key the token waits under (Django's
	// INTERNAL_RESET_SESSION_TOKEN).
	resetTokenKey = "_password_reset_token"
)

// ResetRequestPage is Django's PasswordResetView at ResetRequestPath: GET
// shows the form (email); POST, under the CSRF check, asks Request (the
// JSON API's passwordreset.RequestEndpoint: the same throttle, the same
// answer for a known and an unknown address) and redirects to
// ResetSentPath. A malformed address is the form again with the error; a
// throttled request an HTML 429 with Retry-After.
type ResetRequestPage struct {
	CSRF    *csrf.Protector
	Request core.Endpoint
}

// Serve implements core.Endpoint.
func (p *ResetRequestPage) Serve(w core.Response, r core.Request) error {
	d := &page{}
	switch r.Method() {
	case http.MethodGet, http.MethodHead:
		return p.show(w, r, d)
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		return core.MethodNotAllowed(r.Method())
	}
	if err := p.CSRF.Check(r, sessions.FromContext(r.Context())); err != nil {
		return err
	}
	var in struct {
		Email *string `json:"email"`
	}
	if err := core.DecodeBody(r, 0, &in); err != nil {
		return err
	}
	d.Values = map[string]string{"email": deref(in.Email)}
	fields := map[string]string{}
	if in.Email != nil {
		fields["email"] = *in.Email
	}
	if _, err := callEndpoint(p.Request, w, r, r.Context(), fields); err != nil {
		if !formErrors(err, d, nil) {
			return err
		}
		return p.show(w, r, d)
	}
	return redirect(w, ResetSentPath)
}

func (p *ResetRequestPage) show(w core.Response, r core.Request, d *page) error {
	if err := csrfToken(p.CSRF, w, r, d); err != nil {
		return err
	}
	return writeHTML(w, http.StatusOK, resetFormTemplate, d)
}

// staticPage serves t at GET and HEAD.
func staticPage(t *template.Template) core.Endpoint {
	return core.EndpointFunc(func(w core.Response, r core.Request) error {
		if m := r.Method(); m != http.MethodGet && m != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			return core.MethodNotAllowed(m)
		}
		return writeHTML(w, http.StatusOK, t, &page{})
	})
}

// ResetLinkPages are Django's PasswordResetConfirmView and
// PasswordResetCompleteView under ResetLinkPrefix:
//
//   - GET {uidb64}/{token}, the link of the mail: a good link's token goes
//     into the session and the browser is redirected (302) to
//     {uidb64}/set-password/, so that the token leaves the address bar
//     and no Referer carries it; a bad, expired or used link is a page
//     that says so (200, as Django's);
//   - GET {uidb64}/set-password/: the form (new_password1,
//     new_password2) while the session's token is good;
//   - POST {uidb64}/set-password/, under the CSRF check: the two passwords
//     must match, then Confirm (the JSON API's endpoint: Django's
//     validators judged with the user, every session and token of the
//     user ended) sets it; the session forgets the token and the browser
//     goes to done/;
//   - GET done/: the password is set, log in.
//
// Any other path under the prefix is the site's 404 (JSON, as for every
// unknown path).
type ResetLinkPages struct {
	CSRF    *csrf.Protector
	Confirm *passwordreset.ConfirmEndpoint
}

// errNoSessionMiddleware: a page that keeps state in the session is
// served without the session middleware.
var errNoSessionMiddleware = errors.New("showcase: the password-reset pages need the session middleware")

// resetUID is the form of a uidb64 segment (URL-safe base64).
var resetUID = regexp.MustCompile(`\A[0-9A-Za-z_-]{1,256}\z`)

// resetToken is the form of a token segment (Django's
// [0-9A-Za-z]{1,13}-[0-9A-Za-z]{1,40}, more loosely bounded).
var resetToken = regexp.MustCompile(`\A[0-9A-Za-z]{1,13}-[0-9A-Za-z]{1,128}\z`)

// Serve implements core.Endpoint.
func (p *ResetLinkPages) Serve(w core.Response, r core.Request) error {
	rest, ok := strings.CutPrefix(r.Path(), ResetLinkPrefix)
	if !ok {
		return p.notFound(w)
	}
	if rest == "done/" {
		return staticPage(resetCompleteTemplate).Serve(w, r)
	}
	parts := strings.Split(rest, "/")
	switch {
	case len(parts) == 3 && parts[1] == resetURLToken && parts[2] == "" && resetUID.MatchString(parts[0]):
		return p.setPassword(w, r, parts[0])
	case len(parts) == 2 && resetUID.MatchString(parts[0]) && resetToken.MatchString(parts[1]):
		return p.link(w, r, parts[0], parts[1])
	}
	return p.notFound(w)
}

// notFound is the 404 of a path no page has, the same as for any unknown
// path of the site (Echo routes a longer path here: its last parameter
// takes the rest of the path).
func (p *ResetLinkPages) notFound(w core.Response) error {
	return core.WriteError(w, NotFound(), "")
}

// link is GET {uidb64}/{token}.
func (p *ResetLinkPages) link(w core.Response, r core.Request, uid, token string) error {
	if m := r.Method(); m != http.MethodGet && m != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return core.MethodNotAllowed(m)
	}
	s := sessions.FromContext(r.Context())
	if s == nil {
		return errNoSessionMiddleware
	}
	ok, err := p.Confirm.ValidLink(r.Context(), uid, token)
	if err != nil {
		return err
	}
	if !ok {
		return p.show(w, r, &page{})
	}
	s.Set(resetTokenKey, token)
	return redirect(w, ResetLinkPrefix+uid+"/"+resetURLToken+"/")
}

// setPassword is {uidb64}/set-password/.
func (p *ResetLinkPages) setPassword(w core.Response, r core.Request, uid string) error {
	switch r.Method() {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		return core.MethodNotAllowed(r.Method())
	}
	s := sessions.FromContext(r.Context())
	if s == nil {
		return errNoSessionMiddleware
	}
	if err := p.CSRF.Check(r, s); err != nil {
		return err
	}
	token, _ := sessions.GetAs[string](s, resetTokenKey)
	ok, err := p.Confirm.ValidLink(r.Context(), uid, token)
	if err != nil {
		return err
	}
	d := &page{ValidLink: ok, Action: ResetLinkPrefix + uid + "/" + resetURLToken + "/"}
	if !ok || r.Method() != http.MethodPost {
		return p.show(w, r, d)
	}
	var in struct {
		New1 *string `json:"new_password1"`
		New2 *string `json:"new_password2"`
	}
	if err := core.DecodeBody(r, 0, &in); err != nil {
		return err
	}
	if deref(in.New1) != deref(in.New2) {
		d.Errors = map[string][]string{"new_password2": {msgPasswordMismatch}}
		return p.show(w, r, d)
	}
	fields := map[string]string{"uid": uid, "token": token, "new_password": deref(in.New1)}
	if _, err := callEndpoint(p.Confirm, w, r, r.Context(), fields); err != nil {
		if !formErrors(err, d, map[string]string{"new_password": "new_password2"}) {
			return err
		}
		if d.Errors["uid"] != nil || d.Errors["token"] != nil {
			d.ValidLink = false // used meanwhile, in another tab
		}
		return p.show(w, r, d)
	}
	s.Delete(resetTokenKey)
	return redirect(w, ResetCompletePath)
}

func (p *ResetLinkPages) show(w core.Response, r core.Request, d *page) error {
	if err := csrfToken(p.CSRF, w, r, d); err != nil {
		return err
	}
	return writeHTML(w, http.StatusOK, resetConfirmTemplate, d)
}
