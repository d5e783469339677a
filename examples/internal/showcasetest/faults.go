package showcasetest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/mfa"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/examples/internal/showcase"
	"github.com/reinhardt-go/auth/internal/faultstore"
)

// faultTimeout is the server's -request-timeout in FaultInjection: a
// stalled store ends the request then, with 503.
const faultTimeout = time.Second

// FaultInjection runs the showcase of run over stores wrapped by
// internal/faultstore and, for each flow (session, JWT, Basic and OAuth2
// authentication; session login, token obtain, refresh, logout, OAuth2
// code exchange, login with a second factor), each store method the flow
// calls (found by running it once) and each mode, checks that:
//
//   - fail and stall: the request is never answered 2xx when the flow
//     grants something (an identity, credentials), never 500, and a
//     stalled store is answered (503) at the request's deadline, not held;
//     a logout answered 2xx has ended the session;
//   - garbage: whatever is answered, the credentials the flow got or used
//     authenticate as the right user or as nobody, never as another; and
//     never 500.
//
// full runs every mode; otherwise only fail (every method of every flow)
// and stall of the methods of session authentication, the subset the
// other frameworks run.
func FaultInjection(t *testing.T, run showcase.RunFunc, full bool) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	sw := &faultstore.Switch{}
	ctx := showcase.WithStoreWrapper(context.Background(), &showcase.StoreWrapper{
		Users:    func(s core.UserStore) core.UserStore { return faultstore.Users{UserStore: s, S: sw} },
		Sessions: func(b sessions.SessionBackend) sessions.SessionBackend { return faultstore.WrapSessions(b, sw) },
		Tokens:   func(s showcase.TokenStore) showcase.TokenStore { return faultstore.Tokens{Store: s, S: sw} },
		Throttle: func(s throttle.Store) throttle.Store { return faultstore.Throttle{Store: s, S: sw} },
		MFA:      func(s mfa.Store) mfa.Store { return faultstore.MFA{Store: s, S: sw} },
		OAuth2:   func(s oauth2store.Store) oauth2store.Store { return faultstore.OAuth2{Store: s, S: sw} },
	})
	base, out := inProcess(run, ctx)(t, []string{"-db", TempDB(t), "-secret", "test-secret-key-for-the-fault-injection",
		"-request-timeout", faultTimeout.String(), "-login-rate", "10000/min"})
	creds := DemoCredentials(out)
	m := demoClientLine.FindStringSubmatch(out)
	if creds["alice"] == "" || creds["admin"] == "" || m == nil {
		t.Fatalf("no demo credentials printed:\n%s", out)
	}
	e := &faultEnv{t: t, base: base, c: NewClient(t, base), alice: creds["alice"], admin: creds["admin"], clientSecret: m[1]}
	e.recovery = e.enrollAdmin()

	combos, start := 0, time.Now()
	for _, f := range faultFlows() {
		t.Run(f.name, func(t *testing.T) {
			e.t, e.c = t, NewClient(t, e.base)
			// Which store methods the flow calls: one run with every
			// store passing, which must succeed.
			st := f.prepare(e)
			sw.Reset()
			o := f.do(e, st)
			methods := sw.Called()
			sw.Reset()
			o.resolve()
			if o.status/100 != 2 || (f.user != "" && o.user != f.user) {
				t.Fatalf("with every store passing: %d, as %q; want 2xx as %q", o.status, o.user, f.user)
			}
			for _, method := range methods {
				for _, mode := range faultstore.Modes {
					if !full && mode != faultstore.Fail && !(mode == faultstore.Stall && f.name == "SessionAuth") {
						continue
					}
					combos++
					sw.Reset()
					st := f.prepare(e)
					sw.Reset()
					sw.Set(method, mode)
					o := f.do(e, st)
					called := sw.Calls(method) > 0
					sw.Reset()
					o.resolve()
					t.Logf("%s %s: %d %q called=%v", method, mode, o.status, o.user, called)
					e.check(f, method, mode, called, st, o)
				}
			}
		})
	}
	t.Logf("%d combinations (flow × store method × mode) in %v", combos, time.Since(start).Round(time.Millisecond))
}

// faultEnv is the server under test and its demo users.
type faultEnv struct {
	t            *testing.T
	base         string
	c            *Client
	alice, admin string
	clientSecret string
	recovery     []string // admin's unused recovery codes
}

// faultFlow is one flow: prepare (every store passing) makes what do
// needs; do sends the request under test and tells who its outcome
// authenticates as. user is the right user, "" when the flow grants no
// identity.
type faultFlow struct {
	name    string
	user    string
	logout  bool // a 2xx means the session ended
	prepare func(e *faultEnv) flowState
	do      func(e *faultEnv, st flowState) outcome
}

// flowState is what prepare made.
type flowState struct {
	b               *browser
	access, refresh string
	code, verifier  string
}

// outcome is the answer to the request under test, and who the
// credentials it used or got authenticate as afterwards ("" nobody).
type outcome struct {
	status int
	body   string
	user   string
	// who, when set, finds user once every store passes again (the
	// credentials the request got, used on /api/me).
	who func() string
}

// resolve fills user from who.
func (o *outcome) resolve() {
	if o.who != nil {
		o.user = o.who()
	}
}

// check judges one combination.
func (e *faultEnv) check(f faultFlow, method string, mode faultstore.Mode, called bool, st flowState, o outcome) {
	t := e.t
	t.Helper()
	what := f.name + " with " + method + " " + mode.String()
	if o.status == http.StatusInternalServerError {
		t.Errorf("%s: 500 %.200s", what, o.body)
	}
	if f.user != "" && o.user != "" && o.user != f.user {
		t.Errorf("%s: authenticates as %q; want %q or nobody", what, o.user, f.user)
	}
	if !called || mode == faultstore.Garbage {
		return
	}
	ok := o.status/100 == 2
	switch {
	case f.logout:
		if ok && st.b != nil && e.me(st.b, "") != "" {
			t.Errorf("%s: %d, but the session still authenticates", what, o.status)
		}
	case ok && f.user != "":
		t.Errorf("%s: %d as %q; want a refusal (401, 403, 503)", what, o.status, o.user)
	}
	if mode == faultstore.Stall && ok && f.user != "" {
		t.Errorf("%s: a stalled store answered %d", what, o.status)
	}
	if mode == faultstore.Stall && !ok && o.status != http.StatusServiceUnavailable {
		t.Errorf("%s: a stalled store answered %d %.200s; want 503 at the deadline", what, o.status, o.body)
	}
}

// me is who GET /api/me authenticates as with b's cookies or the bearer
// token, "" when nobody.
func (e *faultEnv) me(b *browser, access string) string {
	var r Response
	switch {
	case b != nil:
		r = b.do("GET", "/api/me", "", false)
	default:
		r = e.c.Do("GET", "/api/me", "", "", bearer(access))
	}
	return username(r)
}

// username is the username of an /api/me or login answer, "" unless 200.
func username(r Response) string {
	if r.Status != http.StatusOK {
		return ""
	}
	var v struct {
		Username string `json:"username"`
	}
	_ = json.Unmarshal([]byte(r.Body), &v)
	return v.Username
}

// loggedIn is a browser logged in as alice, with its CSRF token.
func (e *faultEnv) loggedIn() *browser {
	b := newBrowser(e.t, e.base)
	b.getCSRF()
	b.login("alice", e.alice)
	return b
}

// pair obtains alice's tokens.
func (e *faultEnv) pair() (string, string) {
	p := e.c.obtain("alice", e.alice)
	return p.Access, p.Refresh
}

// tokens reads an access/refresh pair from a token answer.
func tokensOf(r Response) (string, string) {
	var p struct {
		Access  string `json:"access"`
		Refresh string `json:"refresh"`
		Token   string `json:"access_token"`
	}
	_ = json.Unmarshal([]byte(r.Body), &p)
	if p.Token != "" {
		return p.Token, ""
	}
	return p.Access, p.Refresh
}

// oauth2Code runs the code flow's browser side for alice and returns the
// code and its PKCE verifier.
func (e *faultEnv) oauth2Code() flowState {
	conf := &oauth2.Config{ClientID: demoConfidential, RedirectURL: demoRedirect, Scopes: []string{"read"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/o/authorize", TokenURL: e.base + "/o/token"}}
	verifier := oauth2.GenerateVerifier()
	q := NewFormBrowser(e.t, e.base).Authorize(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "alice", e.alice)
	return flowState{code: q.Get("code"), verifier: verifier}
}

// exchange trades a code for an OAuth2 token.
func (e *faultEnv) exchange(st flowState) Response {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {st.code}, "redirect_uri": {demoRedirect}, "code_verifier": {st.verifier}}
	return e.c.Do("POST", "/o/token", demoConfidential+":"+e.clientSecret, form.Encode(), "Content-Type: application/x-www-form-urlencoded")
}

// enrollAdmin turns TOTP on for admin and returns the recovery codes,
// each of which logs admin in once as the second factor.
func (e *faultEnv) enrollAdmin() []string {
	auth := bearer(e.c.obtain("admin", e.admin).Access)
	r := e.c.Do("POST", "/api/mfa/totp/enroll", "", "", auth)
	var en enrollment
	r.JSON(e.t, &en)
	code, err := totp.GenerateCode(en.Secret, time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if r := e.c.Do("POST", "/api/mfa/totp/confirm", "", `{"code":"`+code+`"}`, auth); r.Status/100 != 2 {
		e.t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	r = e.c.Do("POST", "/api/mfa/recovery-codes", "", "", auth)
	var rc struct {
		Codes []string `json:"codes"`
	}
	r.JSON(e.t, &rc)
	if len(rc.Codes) == 0 {
		e.t.Fatalf("recovery codes: %d %s", r.Status, r.Body)
	}
	return rc.Codes
}

// faultFlows are the flows, each with its request under test.
func faultFlows() []faultFlow {
	none := func(*faultEnv) flowState { return flowState{} }
	return []faultFlow{
		{name: "SessionAuth", user: "alice",
			prepare: func(e *faultEnv) flowState { return flowState{b: e.loggedIn()} },
			do: func(e *faultEnv, st flowState) outcome {
				r := st.b.do("GET", "/api/me", "", false)
				return outcome{status: r.Status, body: r.Body, user: username(r)}
			}},
		{name: "JWTAuth", user: "alice",
			prepare: func(e *faultEnv) flowState { a, _ := e.pair(); return flowState{access: a} },
			do: func(e *faultEnv, st flowState) outcome {
				r := e.c.Do("GET", "/api/me", "", "", bearer(st.access))
				return outcome{status: r.Status, body: r.Body, user: username(r)}
			}},
		{name: "BasicAuth", user: "alice", prepare: none,
			do: func(e *faultEnv, _ flowState) outcome {
				r := e.c.Do("GET", "/api/me", "alice:"+e.alice, "")
				return outcome{status: r.Status, body: r.Body, user: username(r)}
			}},
		{name: "SessionLogin", user: "alice",
			prepare: func(e *faultEnv) flowState {
				b := newBrowser(e.t, e.base)
				b.getCSRF()
				return flowState{b: b}
			},
			do: func(e *faultEnv, st flowState) outcome {
				r := st.b.do("POST", "/api/auth/login", `{"username":"alice","password":"`+e.alice+`"}`, true)
				return outcome{status: r.Status, body: r.Body, who: func() string { return e.me(st.b, "") }}
			}},
		{name: "TokenObtain", user: "alice", prepare: none,
			do: func(e *faultEnv, _ flowState) outcome {
				r := e.c.Do("POST", "/api/token", "", `{"username":"alice","password":"`+e.alice+`"}`)
				a, _ := tokensOf(r)
				return outcome{status: r.Status, body: r.Body, who: func() string { return e.meIf(a) }}
			}},
		{name: "Refresh", user: "alice",
			prepare: func(e *faultEnv) flowState { _, rf := e.pair(); return flowState{refresh: rf} },
			do: func(e *faultEnv, st flowState) outcome {
				r := e.c.Do("POST", "/api/token/refresh", "", `{"refresh":"`+st.refresh+`"}`)
				a, _ := tokensOf(r)
				return outcome{status: r.Status, body: r.Body, who: func() string { return e.meIf(a) }}
			}},
		{name: "Logout", logout: true,
			prepare: func(e *faultEnv) flowState { return flowState{b: e.loggedIn()} },
			do: func(e *faultEnv, st flowState) outcome {
				r := st.b.do("POST", "/api/auth/logout", "", true)
				return outcome{status: r.Status, body: r.Body}
			}},
		{name: "SecondFactorLogin", user: "admin", prepare: none,
			do: func(e *faultEnv, _ flowState) outcome {
				if len(e.recovery) == 0 {
					e.t.Fatal("out of recovery codes")
				}
				code := e.recovery[0]
				r := e.c.Do("POST", "/api/token", "", `{"username":"admin","password":"`+e.admin+`","otp":"`+code+`"}`)
				if r.Status == http.StatusOK {
					e.recovery = e.recovery[1:]
				}
				a, _ := tokensOf(r)
				return outcome{status: r.Status, body: r.Body, who: func() string { return e.meIf(a) }}
			}},
		{name: "OAuth2Token", user: "alice",
			prepare: func(e *faultEnv) flowState { return e.oauth2Code() },
			do: func(e *faultEnv, st flowState) outcome {
				r := e.exchange(st)
				a, _ := tokensOf(r)
				return outcome{status: r.Status, body: r.Body, who: func() string { return e.meIf(a) }}
			}},
		{name: "OAuth2Auth", user: "alice",
			prepare: func(e *faultEnv) flowState {
				a, _ := tokensOf(e.exchange(e.oauth2Code()))
				return flowState{access: a}
			},
			do: func(e *faultEnv, st flowState) outcome {
				r := e.c.Do("GET", "/api/me", "", "", bearer(st.access))
				return outcome{status: r.Status, body: r.Body, user: username(r)}
			}},
	}
}

// meIf is who access authenticates as (every store passing), "" for no
// token.
func (e *faultEnv) meIf(access string) string {
	if access == "" || strings.TrimSpace(access) == "" {
		return ""
	}
	return e.me(nil, access)
}
