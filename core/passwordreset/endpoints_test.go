package passwordreset_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
	"github.com/reinhardt-go/auth/core/mail"
	"github.com/reinhardt-go/auth/core/passwordreset"
	"github.com/reinhardt-go/auth/core/throttle"
	"github.com/reinhardt-go/auth/stores/memory"
)

const resetSecret = "endpoint-test-secret-of-32-bytes-or-more"

// resetFixture is a user store, a token generator and the endpoints over
// them, mail going through a Queue to an in-memory outbox.
type resetFixture struct {
	users   *core.DefaultUserManager
	tokens  *passwordreset.Generator
	outbox  *mail.Memory
	queue   *mail.Queue
	request *passwordreset.RequestEndpoint
	confirm *passwordreset.ConfirmEndpoint
	ended   []string // ids PasswordChanged was called with
}

func newResetFixture(t testing.TB) *resetFixture {
	t.Helper()
	f := &resetFixture{users: core.NewDefaultUserManager(), outbox: &mail.Memory{}}
	fast := hashers.NewPBKDF2SHA256Hasher()
	fast.Iterations = 1000
	f.users.Hashers = hashers.New(fast)
	f.tokens = newGenerator(t, resetSecret)
	q, err := mail.NewQueue(f.outbox, mail.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close(context.Background()) })
	f.queue = q
	f.request = &passwordreset.RequestEndpoint{Users: f.users, Tokens: f.tokens, Queue: q,
		Origin: "https://shop.example", From: "Shop <noreply@shop.example>"}
	f.confirm = &passwordreset.ConfirmEndpoint{Users: f.users, Tokens: f.tokens,
		PasswordChanged: func(_ context.Context, u core.BaseUser) error {
			f.ended = append(f.ended, u.GetID())
			return nil
		}}
	return f
}

func (f *resetFixture) create(t testing.TB, username, email string, password *string, extra map[string]any) *core.DefaultUser {
	t.Helper()
	if extra == nil {
		extra = map[string]any{}
	}
	extra["email"] = email
	u, err := f.users.CreateUser(context.Background(), username, password, extra)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func pw(s string) *string { return &s }

// post serves body to ep as a JSON POST from 192.0.2.1 and renders the
// error as an adapter does.
func post(ep core.Endpoint, body string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.RemoteAddr = "192.0.2.1:1234"
	req.Header.Set("Content-Type", "application/json")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	rec := httptest.NewRecorder()
	if err := ep.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
		_ = core.WriteError(core.NewHTTPResponse(rec), err, "")
	}
	return rec
}

func expect(t *testing.T, rec *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	if rec.Code != status || rec.Body.String() != body {
		t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), status, body)
	}
}

// drain waits until the queue has handed every queued mail to the outbox.
func (f *resetFixture) drain(t *testing.T) []mail.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := f.queue.Stats()
		if s.Sent+s.Failed == s.Enqueued {
			return f.outbox.Outbox()
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained: %+v", s)
		}
		time.Sleep(time.Millisecond)
	}
}

var linkRE = regexp.MustCompile(`https://shop\.example/accounts/reset/([A-Za-z0-9_-]+)/([0-9a-z]+-[0-9a-f]+)`)

// TestRequestMailsEachEligibleUser: every active user with the address in
// any case and a usable password gets a link at the address the user has;
// an inactive user or one without a usable password gets none; the answer
// is 204 with no body either way.
func TestRequestMailsEachEligibleUser(t *testing.T) {
	f := newResetFixture(t)
	alice := f.create(t, "alice", "Alice@Example.com", pw("old-password-1"), nil)
	alias := f.create(t, "alice2", "alice@example.com", pw("old-password-2"), nil)
	f.create(t, "inactive", "alice@example.com", pw("old-password-3"), map[string]any{"is_active": false})
	f.create(t, "nopassword", "ALICE@example.com", nil, nil)

	known := post(f.request, `{"email":" ALICE@EXAMPLE.COM "}`, "Host: evil.example")
	expect(t, known, 204, "")
	msgs := f.drain(t)
	if len(msgs) != 2 {
		t.Fatalf("%d mails, want 2 (alice and alice2)", len(msgs))
	}
	// The queue's workers send in any order: each mail is matched by
	// its uid.
	byUID := map[string]mail.Message{}
	for _, m := range msgs {
		if match := linkRE.FindStringSubmatch(m.Text); match != nil {
			byUID[match[1]] = m
		}
	}
	for i, u := range []*core.DefaultUser{alice, alias} {
		m := byUID[passwordreset.EncodeUID(u.GetID())]
		if len(m.To) != 1 || m.To[0] != u.Email || m.From != "Shop <noreply@shop.example>" || m.Subject != "Password reset on shop.example" {
			t.Errorf("mail %d: to %v from %q subject %q", i, m.To, m.From, m.Subject)
		}
		match := linkRE.FindStringSubmatch(m.Text)
		if match == nil {
			t.Fatalf("mail %d has no link on the configured origin (the Host header is not trusted):\n%s", i, m.Text)
		}
		if !strings.Contains(m.HTML, `<a href="`+match[0]+`">`) {
			t.Errorf("mail %d: the HTML part lacks the link:\n%s", i, m.HTML)
		}
		if !strings.Contains(m.Text, "Your username, in case you’ve forgotten: "+u.Username) {
			t.Errorf("mail %d: no username in\n%s", i, m.Text)
		}
		pk, err := passwordreset.DecodeUID(match[1])
		if err != nil || pk != u.GetID() || !f.tokens.CheckToken(u, match[2]) {
			t.Errorf("mail %d: link %s does not confirm for %s", i, match[0], u.Username)
		}
	}

	f.outbox.Clear()
	unknown := post(f.request, `{"email":"nobody@example.com"}`)
	expect(t, unknown, known.Code, known.Body.String())
	if known.Header().Get("Content-Type") != unknown.Header().Get("Content-Type") {
		t.Errorf("Content-Type %q for a known address, %q for an unknown one", known.Header().Get("Content-Type"), unknown.Header().Get("Content-Type"))
	}
	if msgs := f.drain(t); len(msgs) != 0 {
		t.Errorf("%d mails for an unknown address", len(msgs))
	}
}

func TestRequestValidation(t *testing.T) {
	f := newResetFixture(t)
	for _, c := range []struct{ body, want string }{
		{`{}`, `{"email":["This field is required."]}`},
		{`{"email":"  "}`, `{"email":["This field may not be blank."]}`},
		{`{"email":"not an address"}`, `{"email":["Enter a valid email address."]}`},
		{`{"email":"` + strings.Repeat("a", 250) + `@x.example"}`, `{"email":["Ensure this field has no more than 254 characters."]}`},
		{`{"email":"a@example.com","extra":1}`, `{"detail":"JSON parse error - unknown field \"extra\""}`},
	} {
		expect(t, post(f.request, c.body), 400, c.want)
	}
	bad := &passwordreset.RequestEndpoint{Users: f.users, Tokens: f.tokens, Queue: f.queue, Origin: "shop.example"}
	if rec := post(bad, `{"email":"a@example.com"}`); rec.Code != 500 {
		t.Errorf("an origin without a scheme: %d, want 500 (a configuration error)", rec.Code)
	}
}

// TestRequestThrottled: requests count per e-mail address and per client
// address, known or not; past the rate, 429 with Retry-After.
func TestRequestThrottled(t *testing.T) {
	f := newResetFixture(t)
	f.create(t, "alice", "alice@example.com", pw("old-password-1"), nil)
	guard, err := throttle.NewResetThrottle("2/hour", memory.NewThrottleStore(0))
	if err != nil {
		t.Fatal(err)
	}
	f.request.Guard = guard
	expect(t, post(f.request, `{"email":"alice@example.com"}`), 204, "")
	expect(t, post(f.request, `{"email":"nobody@example.com"}`), 204, "")
	rec := post(f.request, `{"email":"other@example.com"}`)
	expect(t, rec, 429, `{"detail":"Request was throttled. Expected available in 1800 seconds."}`)
	if got := rec.Header().Get("Retry-After"); got != "1800" {
		t.Errorf("Retry-After %q", got)
	}
	if msgs := f.drain(t); len(msgs) != 1 {
		t.Errorf("%d mails, want 1", len(msgs))
	}
}

// TestRequestQueueRefusal: a mail the queue refuses is logged, and the
// answer is still the unknown address's.
func TestRequestQueueRefusal(t *testing.T) {
	f := newResetFixture(t)
	f.create(t, "alice", "alice@example.com", pw("old-password-1"), nil)
	var logs strings.Builder
	f.request.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	if err := f.queue.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	expect(t, post(f.request, `{"email":"alice@example.com"}`), 204, "")
	if !strings.Contains(logs.String(), "reset mail not queued") || !strings.Contains(logs.String(), "user_id=1") {
		t.Errorf("no log of the refused mail: %q", logs.String())
	}
}

// confirmBody is a confirm request's JSON.
func confirmBody(uid, token, password string) string {
	return `{"uid":"` + uid + `","token":"` + token + `","new_password":"` + password + `"}`
}

// TestConfirm: refused attempts change nothing and leave the token good;
// the first good one sets the password, runs PasswordChanged and uses the
// token up.
func TestConfirm(t *testing.T) {
	f := newResetFixture(t)
	u := f.create(t, "alice", "alice@example.com", pw("old-password-1"), map[string]any{"first_name": "Wilhelmina"})
	inactive := f.create(t, "zed", "zed@example.com", pw("old-password-2"), map[string]any{"is_active": false})
	uid, token := passwordreset.EncodeUID(u.GetID()), f.tokens.MakeToken(u)
	altered := token[:len(token)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", token[len(token)-1])+1)%16])
	invalid := `{"uid":["Invalid value"]}`
	badToken := `{"token":["Invalid value"]}`
	for _, c := range []struct{ name, body, want string }{
		{"nothing", `{}`, `{"uid":["This field is required."],"token":["This field is required."],"new_password":["This field is required."]}`},
		{"blank", confirmBody("", "", ""), `{"uid":["This field may not be blank."],"token":["This field may not be blank."],"new_password":["This field may not be blank."]}`},
		{"uid not base64", confirmBody("!!", token, "N3w-long-passphrase"), invalid},
		{"uid padded", confirmBody(uid+"=", token, "N3w-long-passphrase"), invalid},
		{"unknown uid", confirmBody(passwordreset.EncodeUID("999"), token, "N3w-long-passphrase"), invalid},
		{"uid not a number", confirmBody(passwordreset.EncodeUID("abc"), token, "N3w-long-passphrase"), invalid},
		{"inactive user", confirmBody(passwordreset.EncodeUID(inactive.GetID()), f.tokens.MakeToken(inactive), "N3w-long-passphrase"), invalid},
		{"another user's uid", confirmBody(passwordreset.EncodeUID(inactive.GetID()), token, "N3w-long-passphrase"), invalid},
		{"altered token", confirmBody(uid, altered, "N3w-long-passphrase"), badToken},
		{"malformed token", confirmBody(uid, "x", "N3w-long-passphrase"), badToken},
		{"bad token and weak password", confirmBody(uid, altered, "alice"), badToken},
		{"weak password", confirmBody(uid, token, "alice"), `{"new_password":["The password is too similar to the username.","This password is too short. It must contain at least 8 characters.","This password is too common."]}`},
		{"similar to the first name", confirmBody(uid, token, "Wilhelmina-1"), `{"new_password":["The password is too similar to the first name."]}`},
		{"numeric", confirmBody(uid, token, "738291046512"), `{"new_password":["This password is entirely numeric."]}`},
	} {
		t.Run(c.name, func(t *testing.T) { expect(t, post(f.confirm, c.body), 400, c.want) })
	}
	stored, _ := f.users.GetByID(context.Background(), u.ID)
	if stored.Password != u.Password || len(f.ended) != 0 {
		t.Fatal("a refused attempt changed the password or ended the user's tokens")
	}

	expect(t, post(f.confirm, confirmBody(uid, token, "N3w-long-passphrase")), 204, "")
	stored, _ = f.users.GetByID(context.Background(), u.ID)
	if ok, _ := core.CheckPassword(context.Background(), stored, "N3w-long-passphrase"); !ok {
		t.Error("the new password does not verify")
	}
	if len(f.ended) != 1 || f.ended[0] != u.GetID() {
		t.Errorf("PasswordChanged calls %v, want [%s]", f.ended, u.GetID())
	}
	// Used: the password it hashed has changed.
	expect(t, post(f.confirm, confirmBody(uid, token, "Y3t-another-passphrase")), 400, badToken)
}

// TestConfirmExpired: a token older than Timeout is refused, one just
// within it accepted (the library's clock, injected).
func TestConfirmExpired(t *testing.T) {
	f := newResetFixture(t)
	u := f.create(t, "alice", "alice@example.com", pw("old-password-1"), nil)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.tokens.Now = func() time.Time { return now }
	uid, token := passwordreset.EncodeUID(u.GetID()), f.tokens.MakeToken(u)
	now = now.Add(passwordreset.DefaultTimeout + time.Second)
	expect(t, post(f.confirm, confirmBody(uid, token, "N3w-long-passphrase")), 400, `{"token":["Invalid value"]}`)
	now = now.Add(-time.Second)
	expect(t, post(f.confirm, confirmBody(uid, token, "N3w-long-passphrase")), 204, "")
}

// TestConfirmHookFails: when PasswordChanged fails, the password is not
// stored and the token stays good.
func TestConfirmHookFails(t *testing.T) {
	f := newResetFixture(t)
	u := f.create(t, "alice", "alice@example.com", pw("old-password-1"), nil)
	f.confirm.PasswordChanged = func(context.Context, core.BaseUser) error {
		return errors.Join(core.ErrStoreUnavailable, errors.New("token store down"))
	}
	uid, token := passwordreset.EncodeUID(u.GetID()), f.tokens.MakeToken(u)
	if rec := post(f.confirm, confirmBody(uid, token, "N3w-long-passphrase")); rec.Code != 503 {
		t.Errorf("hook failure: %d %s, want 503", rec.Code, rec.Body)
	}
	stored, _ := f.users.GetByID(context.Background(), u.ID)
	if stored.Password != u.Password || !f.tokens.CheckToken(stored, token) {
		t.Error("the password changed although the user's tokens could not be ended")
	}
}

// BenchmarkRequest compares the work for a known and an unknown address
// (the store lookup aside, which is one query either way).
func BenchmarkRequest(b *testing.B) {
	f := newResetFixture(b)
	f.create(b, "alice", "alice@example.com", pw("old-password-1"), nil)
	for _, email := range []string{"alice@example.com", "nobody@example.com"} {
		b.Run(strings.Split(email, "@")[0], func(b *testing.B) {
			for b.Loop() {
				if rec := post(f.request, `{"email":"`+email+`"}`); rec.Code != 204 {
					b.Fatal(rec.Code)
				}
				f.outbox.Clear()
			}
		})
	}
}

// TestValidLink: a link is good for an active user's fresh, unused token
// only, and checking it changes nothing; a used token is dead.
func TestValidLink(t *testing.T) {
	f := newResetFixture(t)
	ctx := context.Background()
	u := f.create(t, "alice", "alice@example.com", pw("old-password-1"), nil)
	inactive := f.create(t, "zed", "zed@example.com", pw("old-password-2"), map[string]any{"is_active": false})
	uid, token := passwordreset.EncodeUID(u.GetID()), f.tokens.MakeToken(u)
	for _, c := range []struct {
		name, uid, token string
		want             bool
	}{
		{"good", uid, token, true},
		{"empty uid", "", token, false},
		{"empty token", uid, "", false},
		{"uid not base64", "!!", token, false},
		{"unknown uid", passwordreset.EncodeUID("999"), token, false},
		{"another user's uid", passwordreset.EncodeUID(inactive.GetID()), token, false},
		{"inactive user", passwordreset.EncodeUID(inactive.GetID()), f.tokens.MakeToken(inactive), false},
		{"altered token", uid, token + "0", false},
		{"over-long token", uid, strings.Repeat("a", core.MaxPasswordBytes+1), false},
	} {
		if got, err := f.confirm.ValidLink(ctx, c.uid, c.token); err != nil || got != c.want {
			t.Errorf("%s: ValidLink = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if ok, _ := f.confirm.ValidLink(ctx, uid, token); !ok {
		t.Fatal("checking the link used it")
	}
	expect(t, post(f.confirm, confirmBody(uid, token, "N3w-long-passphrase")), 204, "")
	if ok, err := f.confirm.ValidLink(ctx, uid, token); ok || err != nil {
		t.Errorf("a used link: %v, %v; want false", ok, err)
	}
	if _, err := (&passwordreset.ConfirmEndpoint{}).ValidLink(ctx, uid, token); err == nil {
		t.Error("ValidLink without Users and Tokens: no error")
	}
}
