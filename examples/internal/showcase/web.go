package showcase

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/passwordreset"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/usersessions"
)

// The pages' templates and stylesheet, shared by the four example
// programs: layout.html holds the page around every other template's
// "title" and "content", and the form pieces ("csrf", "formerrors",
// "input").
//
//go:embed templates/*.html static/showcase.css
var webFiles embed.FS

// StylesheetPath is where the showcase serves its one stylesheet.
const StylesheetPath = "/static/showcase.css"

// pageTemplate parses layout.html with the page name.html; executing the
// result renders the whole page.
func pageTemplate(name string) *template.Template {
	t := template.Must(template.New(name).Funcs(template.FuncMap{"field": newField}).
		ParseFS(webFiles, "templates/layout.html", "templates/"+name+".html"))
	return t.Lookup("layout")
}

// The pages, parsed once.
var (
	homeTemplate          = pageTemplate("home")
	loginTemplate         = pageTemplate("login")
	accountTemplate       = pageTemplate("account")
	errorTemplate         = pageTemplate("error")
	resetFormTemplate     = pageTemplate("password_reset_form")
	resetDoneTemplate     = pageTemplate("password_reset_done")
	resetConfirmTemplate  = pageTemplate("password_reset_confirm")
	resetCompleteTemplate = pageTemplate("password_reset_complete")
)

// ConsentTemplate is the showcase's consent page, given to the provider
// through its template hook (oauth2.Config.ConsentTemplate), in the
// pages' layout: plain HTML that works without JavaScript. Its data is an
// oauth2.ConsentPage.
var ConsentTemplate = pageTemplate("consent")

// page is the data of the showcase's own pages (the consent page has the
// provider's oauth2.ConsentPage). Each page uses the fields it needs.
type page struct {
	// User is the logged-in user, nil for an anonymous visitor.
	User      *pageUser
	CSRFToken string
	// Values are the submitted values shown again (never a password);
	// Errors the messages of each field, by field name; FormErrors those
	// of no one field.
	Values     map[string]string
	Errors     map[string][]string
	FormErrors []string
	// Section names the form of the account page the errors belong to.
	Section string
	// Notice is a success message, shown once.
	Notice string

	// The login page.
	Next string
	OTP  bool // ask for the one-time code

	// The account page.
	MFA           bool
	Enrollment    *pageEnrollment
	RecoveryCodes []string
	Session       pageSession
	// UserSessions are the user's live sessions, this one marked, when
	// the session store can list them (SessionsListed).
	UserSessions   []pageUserSession
	SessionsListed bool

	// The password-reset pages.
	ValidLink bool
	Action    string

	// The error page.
	Heading, Message string
}

// pageUser is what the pages show of a user.
type pageUser struct {
	Username, Email, FullName string
	IsStaff, IsSuperuser      bool
}

// pageEnrollment is a TOTP enrollment begun on the account page: the key,
// its otpauth:// URL and the QR code PNG as a data: URL.
type pageEnrollment struct {
	Secret string
	URL    template.URL
	QR     template.URL
}

// pageSession is the account page's current session.
type pageSession struct{ LoginAt, Expires string }

// fieldView is one input of a form, for the "input" template.
type fieldView struct {
	ID, Name, Label, Type, Value, Autocomplete string
	Errors                                     []string
	Required, Autofocus                        bool
}

// newField is the template function "field": the input name of the page
// d, with its label, type, autocomplete token, and whether it is required
// and focused first; its value (never a password's) and errors come from
// d.
func newField(d *page, name, label, typ, autocomplete string, required, autofocus bool) fieldView {
	f := fieldView{ID: "id_" + name, Name: name, Label: label, Type: typ, Autocomplete: autocomplete,
		Required: required, Autofocus: autofocus}
	if typ != "password" {
		f.Value = d.Values[name]
	}
	f.Errors = d.Errors[name]
	if len(f.Errors) > 0 {
		f.Autofocus = true
	}
	return f
}

// writeHTML renders t as an HTML page that no cache keeps (Django's
// never_cache), no other site frames (the clickjacking protection Django's
// XFrameOptionsMiddleware gives) and whose URL no other site sees in a
// Referer.
func writeHTML(w core.Response, status int, t *template.Template, data any) error {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "same-origin")
	return w.Write(status, b.Bytes())
}

// redirect answers 302 to a path of this site.
func redirect(w core.Response, to string) error {
	w.Header().Set("Location", to)
	return w.Write(http.StatusFound, nil)
}

// htmlErrors makes an endpoint's returned errors HTML pages: the status
// core.WriteError would give, with Retry-After for a throttled request,
// and the message in the pages' layout, never JSON. A server error's
// cause goes to logger, not to the page.
func htmlErrors(logger *slog.Logger, ep core.Endpoint) core.Endpoint {
	return core.EndpointFunc(func(w core.Response, r core.Request) error {
		err := ep.Serve(w, r)
		if err == nil {
			return nil
		}
		return writeErrorPage(w, r, logger, err)
	})
}

// writeErrorPage renders err as the error page.
func writeErrorPage(w core.Response, r core.Request, logger *slog.Logger, err error) error {
	ae := core.ToAPIError(err)
	status, heading := ae.Status, http.StatusText(ae.Status)
	var te *core.ThrottledError
	if errors.As(err, &te) && te.Wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(te.Wait))
		heading = "Too many attempts"
	}
	if status == http.StatusUnauthorized {
		// A page has no WWW-Authenticate challenge to give: DRF's 403.
		status, heading = http.StatusForbidden, http.StatusText(http.StatusForbidden)
	}
	msg := ae.Detail
	var ve core.ValidationError
	if errors.As(err, &ve) {
		msg = "The form could not be read: " + ve.Error()
	}
	if status >= 500 && logger != nil {
		logger.LogAttrs(r.Context(), slog.LevelError, "page failed", slog.String("path", loggedPath(r.Path())), slog.String("error", err.Error()))
	}
	if heading == "" {
		heading = "Error"
	}
	return writeHTML(w, status, errorTemplate, &page{Heading: heading, Message: msg})
}

// The pages call the library's JSON endpoints (the same throttles, second
// factor and validators as the API) with the values of their forms:
// endpointRequest is the page's request with a JSON body of those values,
// and captured keeps what the endpoint answers for the page to render.

// endpointRequest is r carrying body as its JSON body, and ctx (with the
// identity the page authenticated) as its context.
type endpointRequest struct {
	core.Request
	ctx  context.Context
	body []byte
}

func (e endpointRequest) Context() context.Context { return e.ctx }
func (e endpointRequest) Method() string           { return http.MethodPost }
func (e endpointRequest) Body() io.Reader          { return bytes.NewReader(e.body) }

// Header is r's, but for the body's type.
func (e endpointRequest) Header(name string) string {
	if http.CanonicalHeaderKey(name) == "Content-Type" {
		return "application/json"
	}
	return e.Request.Header(name)
}

// Host is r's host, for the checks that compare it with Origin.
func (e endpointRequest) Host() string {
	if h, ok := e.Request.(interface{ Host() string }); ok {
		return h.Host()
	}
	return e.Request.Header("Host")
}

// captured is the response an endpoint writes for a page: its headers and
// cookies go to the page's response (a new CSRF cookie, say), its status
// and body are kept.
type captured struct {
	w      core.Response
	status int
	body   []byte
}

func (c *captured) Header() http.Header       { return c.w.Header() }
func (c *captured) SetCookie(ck *http.Cookie) { c.w.SetCookie(ck) }
func (c *captured) Write(status int, b []byte) error {
	c.status, c.body = status, append([]byte(nil), b...)
	return nil
}

// callEndpoint sends ep a POST of fields, as JSON, in the context ctx, and
// returns its answer. An error is the endpoint's.
func callEndpoint(ep core.Endpoint, w core.Response, r core.Request, ctx context.Context, fields map[string]string) (*captured, error) {
	body, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	c := &captured{w: w}
	if err := ep.Serve(c, endpointRequest{Request: r, ctx: ctx, body: body}); err != nil {
		return nil, err
	}
	return c, nil
}

// formErrors sorts an endpoint's error into the page's field errors (the
// endpoint's field names renamed by names, when given) and form errors.
// It reports false for an error that is no one's fault in the form (a
// throttled request, a failed store): the page renders that as an error
// page.
func formErrors(err error, d *page, names map[string]string) bool {
	var ve core.ValidationError
	if errors.As(err, &ve) {
		if d.Errors == nil {
			d.Errors = map[string][]string{}
		}
		for f, msgs := range ve {
			if n, ok := names[f]; ok {
				f = n
			}
			if f == "non_field_errors" || f == "" {
				d.FormErrors = append(d.FormErrors, msgs...)
				continue
			}
			d.Errors[f] = append(d.Errors[f], msgs...)
		}
		return true
	}
	var ae *core.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		d.FormErrors = append(d.FormErrors, ae.Detail)
		return true
	}
	return false
}

// csrfToken is the token of the page's forms (setting the csrftoken
// cookie when the browser has none).
func csrfToken(p *csrf.Protector, w core.Response, r core.Request, d *page) error {
	tok, err := p.Token(r, w)
	d.CSRFToken = tok
	return err
}

// viewUser is what the pages show of an authenticated user, or nil.
func viewUser(u core.User) *pageUser {
	if u == nil || !u.IsAuthenticated() {
		return nil
	}
	v := &pageUser{Username: u.GetUsername()}
	if du, ok := u.(*core.DefaultUser); ok {
		v.Email, v.IsStaff, v.IsSuperuser = du.Email, du.Staff, du.Superuser
		v.FullName = du.FirstName
		if du.LastName != "" {
			v.FullName += " " + du.LastName
		}
	}
	return v
}

// stylesheet serves StylesheetPath at GET and HEAD, cached for an hour.
func stylesheet() core.Endpoint {
	css, err := webFiles.ReadFile("static/showcase.css")
	if err != nil {
		panic(err) // embedded: present by construction
	}
	return core.EndpointFunc(func(w core.Response, r core.Request) error {
		if m := r.Method(); m != http.MethodGet && m != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			return core.MethodNotAllowed(m)
		}
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		return w.Write(http.StatusOK, css)
	})
}

// pageUserSession is one row of the account page's sessions.
type pageUserSession struct {
	Handle                     string
	Current                    bool
	LoginAt, LastSeen, Expires string
	Client, IP                 string
}

// pageTime is how the account page writes a time.
const pageTime = "2006-01-02 15:04 MST"

// pageUserSessions describes the sessions of list for the account page,
// the one named current first (this browser), then the newest logins.
func pageUserSessions(list []usersessions.Session, current string) []pageUserSession {
	slices.SortFunc(list, func(a, b usersessions.Session) int {
		switch {
		case a.Handle == current && b.Handle != current:
			return -1
		case b.Handle == current && a.Handle != current:
			return 1
		}
		return b.Created.Compare(a.Created)
	})
	out := make([]pageUserSession, len(list))
	for i, u := range list {
		out[i] = pageUserSession{Handle: u.Handle, Current: u.Handle == current, LoginAt: u.Created.UTC().Format(pageTime),
			LastSeen: u.LastSeen.UTC().Format(pageTime), Expires: u.Expiry.UTC().Format(pageTime), Client: u.UserAgent, IP: u.IP}
		if out[i].Client == "" {
			out[i].Client = "Unknown browser"
		}
	}
	return out
}

// pageSessionOf describes the session s for the account page.
func pageSessionOf(s *sessions.Session) pageSession {
	if s == nil {
		return pageSession{}
	}
	var ps pageSession
	if ns, ok := sessions.GetAs[int64](s, sessions.LoginAtKey); ok {
		ps.LoginAt = time.Unix(0, ns).UTC().Format(pageTime)
	}
	if e := s.Expiry(); !e.IsZero() {
		ps.Expires = e.UTC().Format(pageTime)
	} else if ttl := s.TTL(); ttl > 0 {
		ps.Expires = "in " + ttl.String()
	}
	return ps
}

// PageRoute is an HTML page of the showcase: its path, with ":name" for a
// path segment (Gin's, Echo's and Fiber's syntax; net/http writes
// "{name}"), and its endpoint, which answers every method itself (405
// with Allow for those it does not take) and renders its errors as HTML.
type PageRoute struct {
	Path     string
	Endpoint core.Endpoint
}

// PageRoutes are the HTML pages each example mounts in its framework's
// idiom, outside the authentication middleware: a page authenticates the
// request itself, so that a refused one is an HTML page too.
func (a *App) PageRoutes() []PageRoute {
	return a.pages
}

// openPages builds the HTML pages over the endpoints of the JSON API.
func (a *App) openPages() {
	html := func(ep core.Endpoint) core.Endpoint { return htmlErrors(a.Logger, ep) }
	a.LoginPage = html(&LoginPage{Login: a.Login.(*sessions.LoginEndpoint), CSRF: a.CSRF})
	a.LogoutPage = html(&LogoutPage{Auth: a.SessionAuth, CSRF: a.CSRF})
	a.pages = []PageRoute{
		{Path: "/", Endpoint: html(&HomePage{Engine: a.Engine, CSRF: a.CSRF})},
		{Path: StylesheetPath, Endpoint: html(stylesheet())},
		{Path: "/accounts/login", Endpoint: a.LoginPage},
		{Path: "/accounts/logout", Endpoint: a.LogoutPage},
		{Path: AccountPath, Endpoint: html(&AccountPage{Engine: a.Engine, CSRF: a.CSRF, Auth: a.SessionAuth, MFA: a.MFA,
			MFAEnroll: a.MFAEnroll, MFAConfirm: a.MFAConfirm, MFADisable: a.MFADisable, MFARecoveryCodes: a.MFARecoveryCodes,
			PasswordChange: a.PasswordChange, LogoutAll: a.LogoutAll, Logger: a.Logger, Sessions: a.userSessions()})},
		{Path: ResetRequestPath, Endpoint: html(&ResetRequestPage{CSRF: a.CSRF, Request: a.PasswordReset})},
		{Path: ResetSentPath, Endpoint: html(staticPage(resetDoneTemplate))},
	}
	// The link pages: the fixed paths first (Fiber matches in order).
	links := html(&ResetLinkPages{CSRF: a.CSRF, Confirm: a.PasswordResetConfirm.(*passwordreset.ConfirmEndpoint)})
	for _, p := range []string{ResetCompletePath, ResetLinkPrefix + ":uidb64/" + resetURLToken + "/", ResetLinkPrefix + ":uidb64/:token"} {
		a.pages = append(a.pages, PageRoute{Path: p, Endpoint: links})
	}
}

// loggedPath is a request's path as a log may hold it: a password-reset
// link's uid and token (a credential until it is used) are left out.
func loggedPath(path string) string {
	if strings.HasPrefix(path, ResetLinkPrefix) && path != ResetLinkPrefix && path != ResetCompletePath {
		return ResetLinkPrefix + "…"
	}
	return path
}
