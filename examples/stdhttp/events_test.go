package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/reinhardt-go/auth/core/events"
	"github.com/reinhardt-go/auth/core/oauth2"
	"github.com/reinhardt-go/auth/core/passwordreset"
	"github.com/reinhardt-go/auth/examples/internal/showcase"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// recorder keeps every event the showcase emits.
type recorder struct {
	mu   sync.Mutex
	all  []events.Event
	next int
}

func (r *recorder) HandleEvent(_ context.Context, e events.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, e)
	return nil
}

// take returns the kinds emitted since the last take.
func (r *recorder) take() []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.all[r.next:]
	r.next = len(r.all)
	return out
}

// eventsClient drives the showcase's routes like a browser and an API
// client at once: a cookie jar for the session and CSRF cookies.
type eventsClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (c *eventsClient) do(method, path, body string, headers ...string) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		if strings.HasPrefix(body, "client_id=") {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	req.Header.Set("X-Request-Id", "events-test")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, b
}

// csrf returns the headers of an unsafe request under the session.
func (c *eventsClient) csrf() []string {
	c.t.Helper()
	code, b := c.do("GET", "/api/auth/csrf", "")
	var body struct {
		Token string `json:"csrfToken"`
	}
	if code != 200 || json.Unmarshal(b, &body) != nil || body.Token == "" {
		c.t.Fatalf("csrf: %d %s", code, b)
	}
	return []string{"X-CSRFToken: " + body.Token, "Origin: " + c.base}
}

// TestSecurityEvents drives every action that emits a security event
// through the showcase's real routes (net/http, SQLite), and checks that
// each emits its event once, with its user, the client address and the
// request id; that the audit table holds one row per event and the
// /metrics counters moved as much; that every kind of events.Kinds was
// seen; and that no password, token, code, reset token, cookie or key
// used in the flows appears in any field of any event (read by
// reflection), in any audit row, in the metrics or in the log.
func TestSecurityEvents(t *testing.T) {
	ctx := context.Background()
	secretKey := "events-test-secret-key-" + strings.Repeat("Zq8", 12)
	db := "sqlite:" + t.TempDir() + "/events.sqlite3"
	cfg, err := showcase.ParseFlags("test", []string{"-db", db, "-secret", secretKey, "-login-rate", "8/min"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	var logMu sync.Mutex
	app, err := showcase.Open(ctx, cfg, slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	rec := &recorder{}
	app.Events.Subscribe(rec)
	srv := httptest.NewServer(routes(app))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &eventsClient{t: t, base: srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}

	password := "First-pass-phrase-4711"
	wrong := "Wrong-guess-phrase-0815"
	if _, err := app.Store.CreateUser(ctx, "carol", &password, map[string]any{"email": "carol@example.com"}); err != nil {
		t.Fatal(err)
	}
	carol, err := app.Store.GetByUsername(ctx, "carol")
	if err != nil {
		t.Fatal(err)
	}
	id := carol.GetID()
	secrets := []string{secretKey, password, wrong}
	keep := func(s ...string) {
		for _, v := range s {
			if v == "" {
				t.Fatal("an empty secret")
			}
		}
		secrets = append(secrets, s...)
	}

	// expect checks the events of one action: their kinds in order, and
	// each event's user (when want has one) and source.
	expect := func(action string, want ...string) []events.Event {
		t.Helper()
		got := rec.take()
		var kinds []string
		for _, e := range got {
			kinds = append(kinds, string(e.Kind()))
			m := e.EventMeta()
			if m.At.IsZero() || m.RemoteAddr != "127.0.0.1" || m.RequestID != "events-test" {
				t.Errorf("%s: %s has meta %+v", action, e.Kind(), m)
			}
		}
		if !slices.Equal(kinds, want) {
			t.Fatalf("%s: events %v, want %v", action, kinds, want)
		}
		return got
	}
	userOf := func(action string, e events.Event, want string) {
		t.Helper()
		if got := e.EventMeta().UserID; got != want {
			t.Errorf("%s: %s has user %q, want %q", action, e.Kind(), got, want)
		}
	}

	// A wrong password at the token endpoint: user_login_failed, no user.
	if code, b := c.do("POST", "/api/token", `{"username":"carol","password":"`+wrong+`"}`); code != 401 {
		t.Fatalf("wrong password: %d %s", code, b)
	}
	e := expect("wrong password", "user_login_failed")
	if f := e[0].(*events.LoginFailed); f.Username != "carol" || f.Reason != events.ReasonCredentials || f.Method != events.MethodJWT || f.UserID != "" {
		t.Errorf("login failure %+v", f)
	}

	// A token login, a rotation, and the spent refresh token again.
	pair := obtain(t, c, "carol", password, "")
	userOf("token login", expect("token login", "user_logged_in")[0], id)
	code, b := c.do("POST", "/api/token/refresh", `{"refresh":"`+pair.Refresh+`"}`)
	var rotated tokenPair
	if code != 200 || json.Unmarshal(b, &rotated) != nil {
		t.Fatalf("refresh: %d %s", code, b)
	}
	keep(pair.Access, pair.Refresh, rotated.Access, rotated.Refresh)
	expect("refresh")
	if code, b := c.do("POST", "/api/token/refresh", `{"refresh":"`+pair.Refresh+`"}`); code != 401 {
		t.Fatalf("reuse: %d %s", code, b)
	}
	e = expect("refresh token reuse", "token_family_revoked")
	userOf("reuse", e[0], id)
	if r := e[0].(*events.TokenFamilyRevoked).Reason; r != "compromised" {
		t.Errorf("reuse revoked the family for %q", r)
	}

	// A session login, then a password change under it.
	if code, b := c.do("POST", "/api/auth/login", `{"username":"carol","password":"`+password+`"}`, c.csrf()...); code != 200 {
		t.Fatalf("session login: %d %s", code, b)
	}
	userOf("session login", expect("session login", "user_logged_in")[0], id)
	for _, ck := range jar.Cookies(mustURL(t, srv.URL)) {
		keep(ck.Value)
	}
	password2 := "Second-pass-phrase-9137"
	keep(password2)
	if code, b := c.do("POST", "/api/auth/password/change", `{"old_password":"`+password+`","new_password":"`+password2+`"}`, c.csrf()...); code != 204 {
		t.Fatalf("password change: %d %s", code, b)
	}
	e = expect("password change", "sessions_ended", "password_changed")
	userOf("password change", e[0], id)
	userOf("password change", e[1], id)
	if cause := e[0].(*events.SessionsEnded).Cause; cause != events.KindPasswordChanged {
		t.Errorf("sessions ended by %q", cause)
	}

	// MFA on (enroll, confirm with the current code).
	code, b = c.do("POST", "/api/mfa/totp/enroll", "", c.csrf()...)
	var enrolled struct {
		Secret string `json:"secret"`
		URL    string `json:"otpauth_url"`
	}
	if code != 200 || json.Unmarshal(b, &enrolled) != nil {
		t.Fatalf("enroll: %d %s", code, b)
	}
	keep(enrolled.Secret, enrolled.URL)
	now := time.Now()
	current, err := totp.GenerateCode(enrolled.Secret, now)
	if err != nil {
		t.Fatal(err)
	}
	keep(current)
	expect("enroll")
	if code, b := c.do("POST", "/api/mfa/totp/confirm", `{"code":"`+current+`"}`, c.csrf()...); code != 204 {
		t.Fatalf("confirm: %d %s", code, b)
	}
	userOf("mfa on", expect("mfa on", "mfa_enabled")[0], id)
	code, b = c.do("POST", "/api/mfa/recovery-codes", "", c.csrf()...)
	var recovery struct {
		Codes []string `json:"codes"`
	}
	if code != 200 || json.Unmarshal(b, &recovery) != nil || len(recovery.Codes) == 0 {
		t.Fatalf("recovery codes: %d %s", code, b)
	}
	keep(recovery.Codes...)
	expect("recovery codes")

	// A wrong one-time code at the token endpoint: a failure that names
	// the user (the password was right).
	wrongOTP := current
	for step := 20; wrongOTP == current || slices.Contains(secrets, wrongOTP); step++ {
		wrongOTP, _ = totp.GenerateCode(enrolled.Secret, now.Add(time.Duration(step)*30*time.Second))
	}
	keep(wrongOTP)
	if code, b := c.do("POST", "/api/token", `{"username":"carol","password":"`+password2+`","otp":"`+wrongOTP+`"}`); code != 401 {
		t.Fatalf("wrong code: %d %s", code, b)
	}
	e = expect("wrong code", "user_login_failed")
	userOf("wrong code", e[0], id)
	if f := e[0].(*events.LoginFailed); f.Reason != events.ReasonOTP {
		t.Errorf("wrong code reason %q", f.Reason)
	}

	// MFA off with a recovery code.
	if code, b := c.do("POST", "/api/mfa/totp/disable", `{"code":"`+recovery.Codes[0]+`"}`, c.csrf()...); code != 204 {
		t.Fatalf("disable: %d %s", code, b)
	}
	userOf("mfa off", expect("mfa off", "mfa_disabled")[0], id)

	// A wrong Basic password: a failure of the "basic" path.
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("carol:"+wrong))
	keep(basic[len("Basic "):])
	if code, b := c.do("GET", "/api/me", "", "Authorization: "+basic); code != 401 && code != 403 {
		t.Fatalf("basic: %d %s", code, b)
	}
	if f := expect("basic", "user_login_failed")[0].(*events.LoginFailed); f.Method != events.MethodBasic {
		t.Errorf("basic failure %+v", f)
	}

	// Logout of the session.
	if code, b := c.do("POST", "/api/auth/logout", "", c.csrf()...); code != 204 {
		t.Fatalf("logout: %d %s", code, b)
	}
	userOf("logout", expect("logout", "user_logged_out")[0], id)

	// Log out everywhere, with a bearer token.
	pair2 := obtain(t, c, "carol", password2, "")
	keep(pair2.Access, pair2.Refresh)
	expect("second token login", "user_logged_in")
	if code, b := c.do("POST", "/api/auth/logout-all", "", "Authorization: Bearer "+pair2.Access); code != 204 {
		t.Fatalf("logout-all: %d %s", code, b)
	}
	e = expect("logout everywhere", "sessions_ended")
	userOf("logout everywhere", e[0], id)
	if cause := e[0].(*events.SessionsEnded).Cause; cause != "" {
		t.Errorf("logout everywhere has cause %q", cause)
	}

	// A password reset through its link.
	carol, err = app.Store.GetByUsername(ctx, "carol")
	if err != nil {
		t.Fatal(err)
	}
	gen, err := passwordreset.New(app.Secret)
	if err != nil {
		t.Fatal(err)
	}
	resetToken, uid := gen.MakeToken(carol), passwordreset.EncodeUID(id)
	password3 := "Third-pass-phrase-2468"
	keep(resetToken, password3)
	if code, b := c.do("POST", "/api/auth/password/reset/confirm", `{"uid":"`+uid+`","token":"`+resetToken+`","new_password":"`+password3+`"}`); code != 204 {
		t.Fatalf("reset confirm: %d %s", code, b)
	}
	e = expect("password reset", "sessions_ended", "password_reset")
	userOf("password reset", e[1], id)
	if cause := e[0].(*events.SessionsEnded).Cause; cause != events.KindPasswordReset {
		t.Errorf("sessions ended by %q", cause)
	}

	// A client revokes its OAuth2 token.
	verifier := strings.Repeat("v", 43)
	sum := sha256.Sum256([]byte(verifier))
	grant, err := app.OAuth2.GenerateAuthorizationCode(ctx, oauth2.AuthorizationRequest{
		ClientID: showcase.DemoPublicClient, RedirectURI: showcase.DemoRedirectURI, UserID: id, Scope: "read",
		CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:]), CodeChallengeMethod: oauth2.PKCEMethodS256,
	})
	if err != nil {
		t.Fatal(err)
	}
	client, err := app.OAuth2.AuthenticateClient(ctx, showcase.DemoPublicClient, "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := app.OAuth2.ExchangeCode(ctx, client, oauth2.ExchangeRequest{Code: grant, RedirectURI: showcase.DemoRedirectURI, CodeVerifier: verifier})
	if err != nil {
		t.Fatal(err)
	}
	keep(grant, tok.AccessToken, tok.RefreshToken)
	if code, b := c.do("POST", "/o/revoke_token", "client_id="+showcase.DemoPublicClient+"&token="+url.QueryEscape(tok.AccessToken)); code != 200 {
		t.Fatalf("revoke: %d %s", code, b)
	}
	if r := expect("oauth2 revoke", "oauth2_token_revoked")[0].(*events.OAuth2TokenRevoked); r.ClientID != showcase.DemoPublicClient {
		t.Errorf("revoked %+v", r)
	}

	// Credential stuffing: wrong passwords for one username until the
	// login throttle (8/min here) refuses.
	typed := strings.Repeat("m", 200) // over Django's max_length: capped in the events
	var th *events.Throttled
	for i := 0; th == nil; i++ {
		code, b := c.do("POST", "/api/token", `{"username":"`+typed+`","password":"`+wrong+`"}`)
		switch {
		case code == 401:
			if u := expect("stuffing", "user_login_failed")[0].(*events.LoginFailed).Username; u != strings.Repeat("m", events.MaxUsernameRunes) {
				t.Errorf("typed username kept as %d bytes", len(u))
			}
		case code == 429 && i > 0:
			th = expect("throttled", "throttled")[0].(*events.Throttled)
		default:
			t.Fatalf("stuffing %d: %d %s", i, code, b)
		}
	}
	if th.Scope != "login" || th.Wait <= 0 || th.Username != strings.Repeat("m", events.MaxUsernameRunes) {
		t.Errorf("throttled %+v", th)
	}

	// Every kind was seen.
	if rest := rec.take(); len(rest) != 0 {
		t.Fatalf("%d events after the last action", len(rest))
	}
	rec.mu.Lock()
	all := slices.Clone(rec.all)
	rec.mu.Unlock()
	perKind := map[events.Kind]int{}
	for _, e := range all {
		perKind[e.Kind()]++
	}
	for _, k := range events.Kinds() {
		if perKind[k] == 0 {
			t.Errorf("no %s event in the flows", k)
		}
	}

	// The audit log holds each event once.
	rows, err := app.Audit.Entries(ctx, sqlstore.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	rowKinds := map[events.Kind]int{}
	for _, r := range rows {
		rowKinds[r.Kind]++
		if r.RemoteAddr != "127.0.0.1" || r.RequestID != "events-test" {
			t.Errorf("audit row %+v", r)
		}
	}
	if !reflect.DeepEqual(rowKinds, perKind) {
		t.Errorf("audit rows by kind %v, events %v", rowKinds, perKind)
	}

	// The counters moved as much.
	code, metrics := c.do("GET", "/metrics", "")
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	counted := map[events.Kind]int{}
	line := regexp.MustCompile(`^reinhardt_security_events_total\{kind="([a-z0-9_]+)"\} (\d+)$`)
	sc := bufio.NewScanner(bytes.NewReader(metrics))
	for sc.Scan() {
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			n, _ := strconv.Atoi(m[2])
			if n > 0 {
				counted[events.Kind(m[1])] = n
			}
		}
	}
	if !reflect.DeepEqual(counted, perKind) {
		t.Errorf("counters %v, events %v", counted, perKind)
	}
	if !strings.Contains(string(metrics), "reinhardt_security_event_subscriber_failures_total 0") {
		t.Error("a subscriber failed")
	}

	// No secret anywhere.
	for _, e := range all {
		for _, v := range fieldValues(reflect.ValueOf(e)) {
			for _, s := range secrets {
				if strings.Contains(v, s) {
					t.Errorf("%s carries a secret %q in a field: %q", e.Kind(), s, v)
				}
			}
		}
	}
	for _, r := range rows {
		for _, v := range []string{string(r.Kind), r.UserID, r.RemoteAddr, r.RequestID, r.Detail} {
			for _, s := range secrets {
				if strings.Contains(v, s) {
					t.Errorf("audit row %d carries a secret %q", r.ID, s)
				}
			}
		}
	}
	logMu.Lock()
	logText := logs.String()
	logMu.Unlock()
	for _, s := range secrets {
		if strings.Contains(string(metrics), s) {
			t.Errorf("/metrics carries a secret %q", s)
		}
		if strings.Contains(logText, s) {
			t.Errorf("the log carries a secret %q", s)
		}
	}
}

// fieldValues returns every string an event holds, field by field, as
// text: strings, numbers, times and whatever else its fields hold.
func fieldValues(v reflect.Value) []string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return fieldValues(v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return []string{t.String()}
		}
		var out []string
		for i := range v.NumField() {
			out = append(out, fieldValues(v.Field(i))...)
		}
		return out
	case reflect.Slice, reflect.Array:
		var out []string
		for i := range v.Len() {
			out = append(out, fieldValues(v.Index(i))...)
		}
		return out
	case reflect.Map:
		var out []string
		for _, k := range v.MapKeys() {
			out = append(out, fieldValues(k)...)
			out = append(out, fieldValues(v.MapIndex(k))...)
		}
		return out
	}
	return []string{fmt.Sprint(v.Interface())}
}

type tokenPair struct {
	Access  string `json:"access"`
	Refresh string `json:"refresh"`
}

func obtain(t *testing.T, c *eventsClient, username, password, otp string) tokenPair {
	t.Helper()
	code, b := c.do("POST", "/api/token", `{"username":"`+username+`","password":"`+password+`","otp":"`+otp+`"}`)
	var p tokenPair
	if code != 200 || json.Unmarshal(b, &p) != nil || p.Access == "" {
		t.Fatalf("obtain: %d %s", code, b)
	}
	return p
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// lockedWriter serializes the log's writes.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestPanickingSubscriber: a subscriber that panics or fails does not
// turn a login into a 500: the login answers 200, and the failures are
// logged and counted on /metrics.
func TestPanickingSubscriber(t *testing.T) {
	ctx := context.Background()
	cfg, err := showcase.ParseFlags("test", []string{"-db", "sqlite::memory:", "-demo=false"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	var mu sync.Mutex
	app, err := showcase.Open(ctx, cfg, slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	app.Events.Subscribe(events.SubscriberFunc(func(context.Context, events.Event) error { panic("subscriber bug") }))
	srv := httptest.NewServer(routes(app))
	defer srv.Close()
	c := &eventsClient{t: t, base: srv.URL, c: srv.Client()}
	password := "Some-pass-phrase-1357"
	if _, err := app.Store.CreateUser(ctx, "dave", &password, nil); err != nil {
		t.Fatal(err)
	}
	obtain(t, c, "dave", password, "")
	if code, b := c.do("POST", "/api/token", `{"username":"dave","password":"not-it"}`); code != 401 {
		t.Fatalf("wrong password: %d %s", code, b)
	}
	_, metrics := c.do("GET", "/metrics", "")
	if !strings.Contains(string(metrics), "reinhardt_security_event_subscriber_failures_total 2") {
		t.Error("the failures are not counted")
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Count(logs.String(), "a subscriber panicked") != 2 {
		t.Errorf("log:\n%s", logs.String())
	}
}
