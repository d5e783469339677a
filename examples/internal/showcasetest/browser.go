package showcasetest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/oauth2"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// browserTimeout bounds each browser test: a page that never comes fails
// it rather than the whole package's run.
const browserTimeout = 90 * time.Second

// ChromiumPath is the Chromium (or Chrome) the browser tests drive:
// REINHARDT_CHROMIUM, else the first of chromium, chromium-browser,
// google-chrome on PATH. Without one the tests skip, unless
// REINHARDT_REQUIRE_CHROMIUM=1 or CI=true (scripts/deps.sh installs
// Debian's chromium and sets it), when they fail.
func ChromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("REINHARDT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("REINHARDT_REQUIRE_CHROMIUM") == "1" || os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (REINHARDT_CHROMIUM, chromium on PATH), and the browser tests are required: run scripts/deps.sh as root")
	}
	t.Skip("no Chromium found: the browser tests need chromium on PATH or REINHARDT_CHROMIUM (scripts/deps.sh installs it)")
	return ""
}

// Browser runs the showcase's pages in headless Chromium, driven by
// chromedp, on one server: log in through the form and out again, enroll
// TOTP from the account page's QR code and log in again with a code,
// approve an OAuth2 consent and arrive at the client's redirect URI with
// a code, reset a password from the link a real SMTP server received, and
// end one browser's session from another's account page.
// One browser serves every test, each in a tab of its own, without the
// cookies of the tests before; each test saves a screenshot of its last page in its
// output directory (go test -artifacts keeps it).
func Browser(t *testing.T, start Starter) {
	chromium := ChromiumPath(t)
	mailServer := StartSMTP(t)
	db := TempDB(t)
	base, out := start(t, []string{"-db", db, "-secret", resetSecret, "-smtp", mailServer.URL})
	creds := DemoCredentials(out)
	if creds["admin"] == "" || creds["alice"] == "" {
		t.Fatalf("no demo credentials printed:\n%s", out)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium),
		chromedp.WindowSize(1024, 900), chromedp.Flag("disable-gpu", true))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Run(browserCtx); err != nil { // start the browser once
		t.Fatalf("start Chromium %s: %v", chromium, err)
	}

	b := &chrome{base: base, ctx: browserCtx, opts: opts}
	t.Run("LoginLogout", func(t *testing.T) { b.loginLogout(t, creds["admin"]) })
	t.Run("TOTP", func(t *testing.T) { b.enrollTOTP(t, creds["alice"]) })
	t.Run("Consent", func(t *testing.T) { b.consent(t, db, creds["admin"]) })
	t.Run("PasswordReset", func(t *testing.T) { b.passwordReset(t, mailServer) })
	t.Run("Sessions", func(t *testing.T) { b.activeSessions(t, creds["admin"]) })
}

// chrome is the browser of the tests and the server they visit.
type chrome struct {
	base string
	ctx  context.Context
	opts []chromedp.ExecAllocatorOption // how the browser was started
}

// isolated starts a browser of its own (its own profile and cookies: a
// second Chromium, since headless Chromium opens no tab in a new browser
// context) and returns its tab, closed when the test ends.
func (b *chrome) isolated(t *testing.T) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), b.opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	run(t, ctx, "start a browser")
	return ctx
}

// activeSessions: logged in from two browsers, the account page lists
// both sessions, this browser's marked; ending the other one from the
// first browser logs the second out (its account page sends it to the
// login page), and the first stays logged in with one session listed.
func (b *chrome) activeSessions(t *testing.T, password string) {
	first, second := b.isolated(t), b.isolated(t)
	rows := func(ctx context.Context) int {
		var n int
		run(t, ctx, "count the sessions", chromedp.Evaluate(`document.querySelectorAll("#sessions tbody tr").length`, &n))
		return n
	}
	account := func(ctx context.Context, what string) {
		run(t, ctx, what, chromedp.Navigate(b.base+"/account"), chromedp.WaitVisible("#sessions", chromedp.ByQuery))
	}
	// The earlier tests' sessions of admin may still be live: count
	// from the first browser's login on.
	b.logIn(t, first, "/accounts/login", "admin", password, "")
	account(first, "account page")
	before := rows(first)
	b.logIn(t, second, "/accounts/login", "admin", password, "")
	account(first, "account page after the second login")
	if n := rows(first); n != before+1 {
		t.Fatalf("the account page lists %d sessions after a second browser logged in; want %d", n, before+1)
	}
	if got := text(t, first, "#sessions tbody tr:first-child"); !strings.Contains(got, "(this browser)") {
		t.Errorf("the first row is not this browser's: %q", got)
	}
	screenshot(t, first, "sessions")
	// The rows after this browser's are the newest logins first: the
	// second browser's is the second row.
	run(t, first, "log the other browser out",
		submit(`#sessions tbody tr:nth-child(2) button[name="action"][value="end-session"]`),
		chromedp.WaitVisible("#sessions", chromedp.ByQuery))
	if got := text(t, first, `[role="status"]`); !strings.Contains(got, "That session was logged out.") {
		t.Errorf("after ending the other session the page says %q", got)
	}
	if n := rows(first); n != before {
		t.Errorf("after ending the other session the page lists %d sessions; want %d", n, before)
	}
	run(t, second, "the other browser's account page", chromedp.Navigate(b.base+"/account"), chromedp.WaitVisible("#id_username", chromedp.ByQuery))
	if u := location(t, second); u.Path != "/accounts/login" {
		t.Errorf("the logged-out browser's account page sent it to %s; want the login page", u)
	}
	account(first, "the first browser's account page")
	if u := location(t, first); u.Path != "/account" {
		t.Errorf("the first browser was logged out too: it is at %s", u)
	}
}

// tab opens a tab without cookies (the browser's are cleared: the tests
// run one after the other), closed when the test ends.
func (b *chrome) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
	})
	run(t, ctx, "clear the cookies", network.ClearBrowserCookies())
	return ctx
}

// run runs the actions in the tab, failing the test on an error.
func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// screenshot saves the tab's whole page as name.png in the test's output
// directory.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	run(t, ctx, "screenshot", chromedp.FullScreenshot(&png, 100))
	path := filepath.Join(t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// submit clicks the button sel of a form and waits until the page the
// form leads to has loaded (a new document, not the one clicked in).
// While the browser navigates, the page's scripts answer "target
// navigated or closed": the wait asks again.
func submit(sel string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var done bool
		if err := chromedp.Evaluate(`document.documentElement.dataset.stale = "1"; true`, &done).Do(ctx); err != nil {
			return err
		}
		if err := chromedp.Click(sel, chromedp.ByQuery).Do(ctx); err != nil && !navigating(err) {
			return err
		}
		for {
			done = false
			err := chromedp.Evaluate(`!!document.documentElement && !document.documentElement.dataset.stale && document.readyState === "complete"`, &done).Do(ctx)
			if err != nil && !navigating(err) {
				return err
			}
			if done {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
}

// navigating reports whether err is the DevTools protocol's answer for a
// page that is being replaced.
func navigating(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "navigated or closed") || strings.Contains(msg, "Cannot find context") ||
		strings.Contains(msg, "Execution context was destroyed")
}

// text is the text of the first element sel matches.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	run(t, ctx, "read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

// location is the tab's URL.
func location(t *testing.T, ctx context.Context) *url.URL {
	t.Helper()
	var s string
	run(t, ctx, "location", chromedp.Location(&s))
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// logIn fills the login form at loginURL and submits it; otp, when not
// empty, goes in the one-time code field.
func (b *chrome) logIn(t *testing.T, ctx context.Context, loginURL, username, password, otp string) {
	t.Helper()
	actions := []chromedp.Action{
		chromedp.Navigate(b.base + loginURL),
		chromedp.WaitVisible("#id_username", chromedp.ByQuery),
		chromedp.SendKeys("#id_username", username, chromedp.ByQuery),
		chromedp.SendKeys("#id_password", password, chromedp.ByQuery),
	}
	if otp != "" {
		actions = append(actions, chromedp.SendKeys("#id_otp", otp, chromedp.ByQuery))
	}
	actions = append(actions, submit(`button[type="submit"]`))
	run(t, ctx, "log in as "+username, actions...)
}

// loginLogout: a wrong password is an error on the page, tied to the
// form; the right one lands on the home page with the user named; the
// logout button ends the session.
func (b *chrome) loginLogout(t *testing.T, password string) {
	ctx := b.tab(t)
	b.logIn(t, ctx, "/accounts/login", "admin", "wrong", "")
	if got := text(t, ctx, `[role="alert"]`); !strings.Contains(got, "Please enter a correct username and password.") {
		t.Errorf("wrong password: the page says %q", got)
	}
	b.logIn(t, ctx, "/accounts/login", "admin", password, "")
	if u := location(t, ctx); u.Path != "/" {
		t.Fatalf("after the login the browser is at %s; want /", u)
	}
	if got := text(t, ctx, "main"); !strings.Contains(got, "You are logged in as admin.") {
		t.Fatalf("home page after the login: %q", got)
	}
	run(t, ctx, "account page", chromedp.Navigate(b.base+"/account"), chromedp.WaitVisible("#mfa_state", chromedp.ByQuery))
	screenshot(t, ctx, "account")
	run(t, ctx, "log out", chromedp.Navigate(b.base+"/"),
		submit(`form[action="/accounts/logout"] button`),
		chromedp.WaitVisible("#id_username", chromedp.ByQuery))
	if u := location(t, ctx); u.Path != "/accounts/login" {
		t.Errorf("after the logout the browser is at %s", u)
	}
	run(t, ctx, "account page after the logout", chromedp.Navigate(b.base+"/account"), chromedp.WaitVisible("#id_username", chromedp.ByQuery))
	if u := location(t, ctx); u.Path != "/accounts/login" || u.Query().Get("next") != "/account" {
		t.Errorf("the account page after the logout sent the browser to %s; want the login page", u)
	}
	screenshot(t, ctx, "logged-out")
}

// enrollTOTP: the account page shows the QR code (a PNG the browser
// decodes) and the key; the code of the key turns MFA on and shows ten
// recovery codes; the next login asks for a code and takes one.
func (b *chrome) enrollTOTP(t *testing.T, password string) {
	ctx := b.tab(t)
	b.logIn(t, ctx, "/accounts/login?next=/account", "alice", password, "")
	var qrWidth int
	run(t, ctx, "enroll",
		chromedp.WaitVisible(`button[value="enroll"]`, chromedp.ByQuery),
		submit(`button[value="enroll"]`),
		chromedp.WaitVisible("#totp_secret", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('figure img').naturalWidth`, &qrWidth))
	if qrWidth == 0 {
		t.Error("the QR code image does not decode")
	}
	secret := text(t, ctx, "#totp_secret")
	if href := text(t, ctx, "#totp_url"); !strings.HasPrefix(href, "otpauth://totp/") || !strings.Contains(href, "secret="+secret) {
		t.Errorf("otpauth URL %q for the key %q", href, secret)
	}
	screenshot(t, ctx, "enroll")

	// A wrong code: the error is on the page, tied to the field.
	run(t, ctx, "wrong code",
		chromedp.SendKeys("#id_totp_code", "000000", chromedp.ByQuery),
		submit(`button[value="confirm"]`),
		chromedp.WaitVisible("#id_totp_code_errors", chromedp.ByQuery))
	var described string
	var ok bool
	run(t, ctx, "aria-describedby", chromedp.AttributeValue("#id_totp_code", "aria-describedby", &described, &ok, chromedp.ByQuery))
	if described != "id_totp_code_errors" {
		t.Errorf("the code field's aria-describedby is %q", described)
	}

	// The code of the step before the current one (the window takes it),
	// so that the login below has a later one of its own to use.
	prev, err := totp.GenerateCode(secret, time.Now().Add(-30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var codes int
	run(t, ctx, "confirm",
		chromedp.SendKeys("#id_totp_code", prev, chromedp.ByQuery),
		submit(`button[value="confirm"]`),
		chromedp.WaitVisible("#recovery_codes", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#recovery_codes li').length`, &codes))
	if codes != 10 || text(t, ctx, "#mfa_state") != "on" {
		t.Errorf("after confirming: %d recovery codes, MFA %q", codes, text(t, ctx, "#mfa_state"))
	}
	screenshot(t, ctx, "recovery-codes")

	// Logged out, the password alone is not enough; a code logs in.
	run(t, ctx, "log out", submit(`form[action="/accounts/logout"] button`), chromedp.WaitVisible("#id_username", chromedp.ByQuery))
	b.logIn(t, ctx, "/accounts/login?next=/account", "alice", password, "")
	if got := text(t, ctx, `[role="alert"]`); !strings.Contains(got, "two-factor authentication on") {
		t.Fatalf("password without a code: the page says %q", got)
	}
	now, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if now == prev { // a step boundary passed between the two: take the next one
		time.Sleep(time.Until(time.Now().Truncate(30 * time.Second).Add(30 * time.Second)))
		now, _ = totp.GenerateCode(secret, time.Now())
	}
	b.logIn(t, ctx, "/accounts/login?next=/account", "alice", password, now)
	if u := location(t, ctx); u.Path != "/account" || text(t, ctx, "#mfa_state") != "on" {
		t.Fatalf("login with a code: at %s", u)
	}
	screenshot(t, ctx, "login-with-code")
}

// consent: a client whose redirect URI is a local server; the browser
// logs in on the way, approves, and arrives at the redirect URI with a
// code and the state.
func (b *chrome) consent(t *testing.T, db, password string) {
	var mu sync.Mutex
	var got url.Values
	client := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r) // the browser's /favicon.ico
			return
		}
		mu.Lock()
		got = r.URL.Query()
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!DOCTYPE html><html lang="en"><title>Client</title><h1 id="arrived">The client received the code</h1></html>`))
	}))
	t.Cleanup(client.Close)
	clientID := registerClient(t, db, client.URL+"/callback")

	ctx := b.tab(t)
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {client.URL + "/callback"},
		"scope": {"read"}, "state": {"browser-state"}}
	authorize := "/o/authorize?" + q.Encode()
	run(t, ctx, "authorize", chromedp.Navigate(b.base+authorize), chromedp.WaitVisible("#id_username", chromedp.ByQuery))
	if u := location(t, ctx); u.Path != "/accounts/login" || u.Query().Get("next") != authorize {
		t.Fatalf("authorize while logged out went to %s", u)
	}
	run(t, ctx, "log in",
		chromedp.SendKeys("#id_username", "admin", chromedp.ByQuery),
		chromedp.SendKeys("#id_password", password, chromedp.ByQuery),
		submit(`button[type="submit"]`),
		chromedp.WaitVisible(`button[value="Authorize"]`, chromedp.ByQuery))
	if h := text(t, ctx, "h1"); h != "Authorize Browser test client?" {
		t.Errorf("consent page heading %q", h)
	}
	screenshot(t, ctx, "consent")
	run(t, ctx, "allow", submit(`button[value="Authorize"]`), chromedp.WaitVisible("#arrived", chromedp.ByQuery))
	u := location(t, ctx)
	mu.Lock()
	defer mu.Unlock()
	if u.Host != strings.TrimPrefix(client.URL, "http://") || got.Get("code") == "" || got.Get("state") != "browser-state" {
		t.Errorf("after allowing the browser is at %s; the client got %v", u, got)
	}
	screenshot(t, ctx, "redirect-uri")
}

// registerClient registers a confidential client with the redirect URI in
// the server's database, as authctl createapplication does, and returns
// its client id.
func registerClient(t *testing.T, db, redirectURI string) string {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := jwtauth.NewKey("test", jwtauth.EdDSA, priv)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jwtauth.NewWithKey(k)
	if err != nil {
		t.Fatal(err)
	}
	protector, err := csrf.New()
	if err != nil {
		t.Fatal(err)
	}
	p, err := oauth2.NewProvider(oauth2.Config{Store: s.OAuth2(), Users: core.NewModelBackend(s), CSRF: protector,
		Issuer: "http://registrar.invalid", Signer: signer, Hashers: s.Hashers})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := p.RegisterApplication(ctx, oauth2.NewApplication{ClientType: oauth2.ClientConfidential, Name: "Browser test client",
		GrantTypes: []string{oauth2.GrantAuthorizationCode}, RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	return creds.ClientID
}

// passwordReset: the request form, the mail, the link (whose token the
// server moves out of the URL), mismatched and weak passwords refused on
// the page, the new one set, the link dead afterwards, and a login with
// the new password.
func (b *chrome) passwordReset(t *testing.T, mailServer *SMTPServer) {
	const password, newPassword = "Dora-explores-1", "Dora-was-reset-in-a-browser"
	c := NewClient(t, b.base)
	c.Expect(c.Do("POST", "/api/auth/register", "", `{"username":"dora","email":"dora@example.com","password":"`+password+`"}`), 201, "")
	sent := len(mailServer.Received())

	ctx := b.tab(t)
	run(t, ctx, "request",
		chromedp.Navigate(b.base+"/accounts/password_reset/"),
		chromedp.WaitVisible("#id_email", chromedp.ByQuery),
		chromedp.SendKeys("#id_email", "DORA@example.com", chromedp.ByQuery),
		submit(`button[type="submit"]`),
		chromedp.WaitVisible("main h1", chromedp.ByQuery))
	if u, h := location(t, ctx), text(t, ctx, "main h1"); u.Path != "/accounts/password_reset/done/" || h != "Password reset sent" {
		t.Fatalf("after the request: %s %q", u, h)
	}
	screenshot(t, ctx, "reset-sent")
	mails := mailServer.Await(sent + 1)
	link := resetLinkRE.FindString(mails[len(mails)-1].Text)
	if link == "" || !strings.HasPrefix(link, b.base) {
		t.Fatalf("no reset link on %s in the mail:\n%s", b.base, mails[len(mails)-1].Text)
	}
	m := resetLinkRE.FindStringSubmatch(link)
	uid, token := m[2], m[3]

	run(t, ctx, "open the link", chromedp.Navigate(link), chromedp.WaitVisible("#id_new_password1", chromedp.ByQuery))
	if u := location(t, ctx); u.Path != "/accounts/reset/"+uid+"/set-password/" || strings.Contains(u.String(), token) {
		t.Errorf("the form is at %s; want the token out of the URL", u)
	}
	run(t, ctx, "mismatched passwords",
		chromedp.SendKeys("#id_new_password1", newPassword, chromedp.ByQuery),
		chromedp.SendKeys("#id_new_password2", newPassword+"x", chromedp.ByQuery),
		submit(`button[type="submit"]`),
		chromedp.WaitVisible("#id_new_password2_errors", chromedp.ByQuery))
	if got := text(t, ctx, "#id_new_password2_errors"); !strings.Contains(got, "The two password fields didn’t match.") {
		t.Errorf("mismatched passwords: %q", got)
	}
	run(t, ctx, "weak password",
		chromedp.SendKeys("#id_new_password1", "dora", chromedp.ByQuery),
		chromedp.SendKeys("#id_new_password2", "dora", chromedp.ByQuery),
		submit(`button[type="submit"]`),
		chromedp.WaitVisible("#id_new_password2_errors", chromedp.ByQuery))
	if got := text(t, ctx, "#id_new_password2_errors"); !strings.Contains(got, "This password is too short.") {
		t.Errorf("a weak password: %q", got)
	}
	screenshot(t, ctx, "reset-refused")
	run(t, ctx, "new password",
		chromedp.SendKeys("#id_new_password1", newPassword, chromedp.ByQuery),
		chromedp.SendKeys("#id_new_password2", newPassword, chromedp.ByQuery),
		submit(`button[type="submit"]`),
		chromedp.WaitVisible(`main a[href="/accounts/login"]`, chromedp.ByQuery))
	if u := location(t, ctx); u.Path != "/accounts/reset/done/" {
		t.Errorf("after setting the password: %s", u)
	}
	screenshot(t, ctx, "reset-done")

	run(t, ctx, "the link again", chromedp.Navigate(link), chromedp.WaitVisible("main h1", chromedp.ByQuery))
	if h := text(t, ctx, "main h1"); h != "Password reset unsuccessful" {
		t.Errorf("a used link: %q", h)
	}
	b.logIn(t, ctx, "/accounts/login", "dora", newPassword, "")
	if got := text(t, ctx, "main"); !strings.Contains(got, "You are logged in as dora.") {
		t.Errorf("login with the new password: %q", got)
	}
}
