package showcase

import (
	"context"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/mfa"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/usersessions"
)

// AccountPath is the account page's path.
const AccountPath = "/account"

// noticeKey is the session key of a success message the next page shows
// once (Django's messages framework, reduced to one message).
const noticeKey = "_showcase_notice"

// Messages of the account page.
const (
	msgPasswordMismatch = "The two password fields didn’t match."
	msgPasswordChanged  = "Your password was changed."
	msgMFAOn            = "Two-factor authentication is on."
	msgMFAOff           = "Two-factor authentication is off."
	msgNewCodes         = "These are your new recovery codes: the old ones no longer work."
	msgUnknownAction    = "Choose one of the page's buttons."
	msgSessionEnded     = "That session was logged out."
	msgNoSuchSession    = "That session has already ended."
)

// pageIdentity authenticates r through engine for a page, as the
// middleware does for the API, and returns the context carrying the
// identity; an error (a bad credential, a store failure) is the page's to
// render.
func pageIdentity(engine *core.Engine, r core.Request) (context.Context, *core.Identity, error) {
	id, err := engine.Authenticate(r)
	if err != nil {
		return nil, nil, err
	}
	return core.WithAuth(r.Context(), engine, id), id, nil
}

// HomePage is GET / : what the showcase is, links to its pages and API,
// and the logged-in user with a logout button.
type HomePage struct {
	Engine *core.Engine
	CSRF   *csrf.Protector
}

// Serve implements core.Endpoint.
func (p *HomePage) Serve(w core.Response, r core.Request) error {
	if m := r.Method(); m != http.MethodGet && m != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return core.MethodNotAllowed(m)
	}
	_, id, err := pageIdentity(p.Engine, r)
	if err != nil {
		return err
	}
	d := &page{User: viewUser(id.User)}
	if err := csrfToken(p.CSRF, w, r, d); err != nil {
		return err
	}
	return writeHTML(w, http.StatusOK, homeTemplate, d)
}

// AccountPage is /account, Django's login_required views for a user's own
// account on one page: GET shows the user, two-factor authentication,
// this session and the password change form; POST, under the CSRF check,
// does what its action button names, through the same endpoints as the
// JSON API (the same throttles, second factor and validators):
//
//   - enroll: MFAEnroll, then the page shows the QR code (a data: URL of
//     its PNG), the key and its otpauth:// URL, and asks for a code;
//   - confirm (totp_code): MFAConfirm, then MFARecoveryCodes; the page
//     shows the recovery codes, once;
//   - recovery-codes (recovery_code): MFARecoveryCodes; the new codes,
//     once;
//   - disable (disable_code): MFADisable;
//   - password (old_password, new_password1, new_password2): the two new
//     ones must match (Django's PasswordChangeForm), then PasswordChange;
//     this session lives on;
//   - logout-all: LogoutAll, and this session ends too: 302 to the login
//     page;
//   - end-session (session): one of the user's sessions, named by the
//     handle the page lists, ends (Sessions.EndUserSession, which ends
//     only the user's own); ending this browser's is a logout.
//
// The page lists the user's live sessions, this browser's marked, each
// with its own "Log out" button, when the session store can list them
// (Sessions set); otherwise it shows this session only and says so.
//
// A refused form is the page again with the errors at its fields; a
// throttled request is an HTML 429 with Retry-After. An anonymous visitor
// is sent to the login page with next=/account.
type AccountPage struct {
	Engine *core.Engine
	CSRF   *csrf.Protector
	Auth   *sessions.SessionAuthentication
	MFA    *mfa.MFAAuthentication
	// The library's endpoints the actions call.
	MFAEnroll, MFAConfirm, MFADisable, MFARecoveryCodes, PasswordChange, LogoutAll core.Endpoint
	// Sessions lists and ends the user's sessions: the session backend,
	// when it is a usersessions.Lister; nil otherwise.
	Sessions usersessions.Lister
	Logger   *slog.Logger
}

// accountForm is the account page's POST body.
type accountForm struct {
	Action       *string `json:"action"`
	TOTPCode     *string `json:"totp_code"`
	RecoveryCode *string `json:"recovery_code"`
	DisableCode  *string `json:"disable_code"`
	OldPassword  *string `json:"old_password"`
	NewPassword1 *string `json:"new_password1"`
	NewPassword2 *string `json:"new_password2"`
	Session      *string `json:"session"`
}

// Serve implements core.Endpoint.
func (p *AccountPage) Serve(w core.Response, r core.Request) error {
	switch r.Method() {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		return core.MethodNotAllowed(r.Method())
	}
	s := sessions.FromContext(r.Context())
	if err := p.CSRF.Check(r, s); err != nil {
		return err
	}
	ctx, id, err := pageIdentity(p.Engine, r)
	if err != nil {
		return err
	}
	if !id.User.IsAuthenticated() {
		return redirect(w, "/accounts/login?next="+url.QueryEscape(AccountPath))
	}
	d := &page{User: viewUser(id.User)}
	if r.Method() != http.MethodPost {
		if s != nil && r.Method() == http.MethodGet { // a HEAD leaves the notice for the GET
			if n, ok := sessions.GetAs[string](s, noticeKey); ok {
				d.Notice = n
				s.Delete(noticeKey)
			}
		}
		return p.show(w, r, ctx, id, s, d)
	}
	var in accountForm
	if err := core.DecodeBody(r, 0, &in); err != nil {
		return err
	}
	d.Section = deref(in.Action)
	call := func(ep core.Endpoint, fields map[string]string) (*captured, error) {
		return callEndpoint(ep, w, r, ctx, fields)
	}
	// refused sorts an endpoint's error into the page's fields (the
	// endpoint's "code" is the page's field), or returns it.
	refused := func(err error, code string) error {
		if formErrors(err, d, map[string]string{"code": code, "new_password": "new_password2"}) {
			return nil
		}
		return err
	}
	// A logout here records the client as the request's other events do.
	evctx := events.WithSource(ctx, events.SourceFrom(core.EventContext(r)))
	switch d.Section {
	case "enroll":
		c, err := call(p.MFAEnroll, nil)
		if err != nil {
			if err := refused(err, ""); err != nil {
				return err
			}
			break
		}
		var e struct {
			Secret string `json:"secret"`
			URL    string `json:"otpauth_url"`
			QR     string `json:"qr_png"`
		}
		if err := json.Unmarshal(c.body, &e); err != nil {
			return err
		}
		// Both made here: an otpauth: URL and a base64 PNG the
		// enrollment endpoint wrote, not anything the browser sent.
		d.Enrollment = &pageEnrollment{Secret: e.Secret, URL: template.URL(e.URL), QR: template.URL("data:image/png;base64," + e.QR)}
	case "confirm":
		if _, err := call(p.MFAConfirm, code(in.TOTPCode)); err != nil {
			d.Enrollment = &pageEnrollment{} // the form again, without the key (the store keeps it sealed)
			if err := refused(err, "totp_code"); err != nil {
				return err
			}
			break
		}
		// The codes of a fresh enrollment, given without a code.
		c, err := call(p.MFARecoveryCodes, nil)
		if err != nil {
			return err
		}
		if err := p.codes(c, d); err != nil {
			return err
		}
		d.Notice = msgMFAOn
	case "recovery-codes":
		c, err := call(p.MFARecoveryCodes, code(in.RecoveryCode))
		if err != nil {
			if err := refused(err, "recovery_code"); err != nil {
				return err
			}
			break
		}
		if err := p.codes(c, d); err != nil {
			return err
		}
		d.Notice = msgNewCodes
	case "disable":
		if _, err := call(p.MFADisable, code(in.DisableCode)); err != nil {
			if err := refused(err, "disable_code"); err != nil {
				return err
			}
			break
		}
		return p.done(w, s, msgMFAOff)
	case "password":
		if deref(in.NewPassword1) != deref(in.NewPassword2) {
			d.Errors = map[string][]string{"new_password2": {msgPasswordMismatch}}
			break
		}
		fields := map[string]string{"old_password": deref(in.OldPassword), "new_password": deref(in.NewPassword1)}
		if _, err := call(p.PasswordChange, fields); err != nil {
			if err := refused(err, ""); err != nil {
				return err
			}
			break
		}
		return p.done(w, s, msgPasswordChanged)
	case "logout-all":
		if _, err := call(p.LogoutAll, nil); err != nil {
			return err
		}
		if err := p.Auth.Logout(evctx, s); err != nil {
			return err
		}
		return redirect(w, "/accounts/login")
	case "end-session":
		if p.Sessions == nil {
			d.FormErrors = []string{msgUnknownAction}
			break
		}
		h := deref(in.Session)
		if s != nil && s.Key() != "" && h == usersessions.HandleOf(ctx, s.Key()) {
			if err := p.Auth.Logout(evctx, s); err != nil {
				return err
			}
			return redirect(w, "/accounts/login")
		}
		ended, err := p.Sessions.EndUserSession(ctx, id.User.GetID(), h)
		if err != nil {
			return err
		}
		if !ended {
			d.FormErrors = []string{msgNoSuchSession}
			break
		}
		return p.done(w, s, msgSessionEnded)
	default:
		d.FormErrors = []string{msgUnknownAction}
	}
	return p.show(w, r, ctx, id, s, d)
}

// code is the body of an MFA endpoint's code: none when the form left it
// empty (the endpoint then says it is required, where it is).
func code(v *string) map[string]string {
	if v == nil || *v == "" {
		return nil
	}
	return map[string]string{"code": *v}
}

// codes puts the recovery codes of a RecoveryCodes answer on the page.
func (p *AccountPage) codes(c *captured, d *page) error {
	var rc struct {
		Codes []string `json:"codes"`
	}
	if err := json.Unmarshal(c.body, &rc); err != nil {
		return err
	}
	d.RecoveryCodes = rc.Codes
	return nil
}

// done keeps msg for the next page and redirects to the account page
// (post/redirect/get: reloading it does not post again).
func (p *AccountPage) done(w core.Response, s *sessions.Session, msg string) error {
	if s != nil {
		s.Set(noticeKey, msg)
	}
	return redirect(w, AccountPath)
}

// show renders the account page for the identity id.
func (p *AccountPage) show(w core.Response, r core.Request, ctx context.Context, id *core.Identity, s *sessions.Session, d *page) error {
	on, err := p.MFA.Enabled(ctx, id.User.GetID())
	if err != nil {
		return err
	}
	d.MFA = on
	if on {
		d.Enrollment = nil
	}
	d.Session = pageSessionOf(s)
	if p.Sessions != nil {
		list, err := p.Sessions.UserSessions(ctx, id.User.GetID())
		if err != nil {
			return err
		}
		var current string
		if s != nil && s.Key() != "" {
			current = usersessions.HandleOf(ctx, s.Key())
		}
		d.UserSessions, d.SessionsListed = pageUserSessions(list, current), true
	}
	if d.Errors != nil || d.FormErrors != nil {
		d.Notice = ""
	}
	if err := csrfToken(p.CSRF, w, r, d); err != nil {
		return err
	}
	return writeHTML(w, http.StatusOK, accountTemplate, d)
}
