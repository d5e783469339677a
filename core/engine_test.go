package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/reinhardt-go/auth/core"
)

// stub is an authenticator with a fixed answer.
type stub struct {
	id        *core.Identity
	err       error
	challenge string
	calls     int
}

func (s *stub) Authenticate(core.Request) (*core.Identity, error) { s.calls++; return s.id, s.err }
func (s *stub) Challenge() string                                 { return s.challenge }

type noChallenge struct{ stub }

func (n *noChallenge) Challenge() string { return "" }

func TestEngineOrderAndFirstDecides(t *testing.T) {
	alice := &core.SimpleUser{ID: "1", Username: "alice", Active: true}
	absent := &stub{}
	first := &stub{id: &core.Identity{User: alice, Method: "basic"}}
	never := &stub{err: errors.New("must not run")}
	e := core.NewEngine(absent, first, never)
	id, err := e.Authenticate(req("GET", "/", ""))
	if err != nil || id.User != alice || id.Method != "basic" || never.calls != 0 || absent.calls != 1 {
		t.Fatalf("%+v %v", id, err)
	}
	// Nobody recognises the request: anonymous.
	e = core.NewEngine(&stub{}, &stub{})
	id, err = e.Authenticate(req("GET", "/", ""))
	if err != nil || id.User.IsAuthenticated() {
		t.Fatal("not anonymous")
	}
	// A present-and-wrong credential stops the chain.
	bad := core.NewAuthError(core.ErrInvalidToken, "Token is invalid")
	later := &stub{id: &core.Identity{User: alice}}
	e = core.NewEngine(&stub{err: bad}, later)
	if _, err := e.Authenticate(req("GET", "/", "")); !errors.Is(err, core.ErrInvalidToken) || later.calls != 0 {
		t.Fatalf("error did not stop the chain: %v", err)
	}
}

// TestEngineRepeatedAuthorization: a request with two Authorization
// headers is refused before any authenticator runs, whichever they hold,
// so that neither is believed.
func TestEngineRepeatedAuthorization(t *testing.T) {
	alice := &core.SimpleUser{ID: "1", Username: "alice", Active: true}
	for _, headers := range [][]string{
		{"Authorization: Basic YWxpY2U6cHctYWxpY2U=", "Authorization: Basic YWRtaW46cHctYWRtaW4="},
		{"Authorization: Basic YWxpY2U6cHctYWxpY2U=", "Authorization: Basic YWxpY2U6cHctYWxpY2U="},
		{"Authorization:", "Authorization: Bearer x"},
	} {
		a := &stub{id: &core.Identity{User: alice, Method: "basic"}, challenge: `Basic realm="api"`}
		e := core.NewEngine(a)
		id, err := e.Authenticate(req("GET", "/", "", headers...))
		if !errors.Is(err, core.ErrAuthorizationHeader) || id != nil || a.calls != 0 {
			t.Errorf("%q: %+v %v, %d calls; want ErrAuthorizationHeader before any authenticator", headers, id, err, a.calls)
		}
		api := core.ToAPIError(err)
		if api.Status != http.StatusUnauthorized || api.Detail != "Invalid Authorization header. It must be sent once." {
			t.Errorf("rendered %+v", api)
		}
	}
	// Once is fine.
	a := &stub{id: &core.Identity{User: alice, Method: "basic"}}
	if id, err := core.NewEngine(a).Authenticate(req("GET", "/", "", "Authorization: Basic YWxpY2U6cHctYWxpY2U=")); err != nil || id.User != alice {
		t.Fatalf("one header: %+v %v", id, err)
	}
}

func TestEngineRendersDRF(t *testing.T) {
	ctx := context.Background()
	basic := core.NewHTTPBasicAuth()
	withChallenge := core.NewEngine(basic, &stub{})
	withoutChallenge := core.NewEngine(&noChallenge{}, basic)
	anon := core.NewPermissionContext(req("POST", "/", ""), nil)
	user := core.NewPermissionContext(req("POST", "/", ""), &core.Identity{User: &core.SimpleUser{ID: "1", Active: true}})

	var ordered core.FieldErrors
	ordered.Add("username", "This field is required.")
	ordered.Add("email", "")
	ordered.Set("password", []string{"This password is too short. It must contain at least 8 characters.", "This password is too common."})
	ordered.Add("non_field_errors", "<b>\"quoted\"</b>")
	cases := []struct {
		name      string
		e         *core.Engine
		err       error
		status    int
		challenge string
		body      string
	}{
		{"not authenticated, challenge", withChallenge, withChallenge.CheckPermissions(ctx, anon, core.IsAuthenticated{}), 401, `Basic realm="api"`, `{"detail":"Authentication credentials were not provided."}`},
		{"not authenticated, no challenge", withoutChallenge, withoutChallenge.CheckPermissions(ctx, anon, core.IsAuthenticated{}), 403, "", `{"detail":"Authentication credentials were not provided."}`},
		{"permission denied", withChallenge, withChallenge.CheckPermissions(ctx, user, core.IsAdminUser{}), 403, "", `{"detail":"You do not have permission to perform this action."}`},
		{"custom message", withChallenge, withChallenge.CheckPermissions(ctx, user, core.WithMessage(core.IsAdminUser{}, "Staff only <here>.")), 403, "", `{"detail":"Staff only <here>."}`},
		{"auth failed", withChallenge, core.NewAuthError(core.ErrInvalidCredentials, "Invalid username/password."), 401, `Basic realm="api"`, `{"detail":"Invalid username/password."}`},
		{"auth failed, no challenge", withoutChallenge, core.NewAuthError(core.ErrInvalidCredentials, "Invalid username/password."), 403, "", `{"detail":"Invalid username/password."}`},
		{"store down", withChallenge, fmt.Errorf("load user: %w", core.ErrStoreUnavailable), 503, "", `{"detail":"Service temporarily unavailable, try again later."}`},
		{"unexpected", withChallenge, errors.New("secret internals"), 500, "", `{"detail":"A server error occurred."}`},
		{"validation", withChallenge, core.ValidationError{"password": {"This password is too short. It must contain at least 8 characters."}}, 400, "", `{"password":["This password is too short. It must contain at least 8 characters."]}`},
		{"validation in declaration order, wrapped", withChallenge, fmt.Errorf("register: %w", ordered.Err()), 400, "", `{"username":["This field is required."],"password":["This password is too short. It must contain at least 8 characters.","This password is too common."],"non_field_errors":["<b>\"quoted\"</b>"]}`},
		{"no engine authenticators", core.NewEngine(), core.NewEngine().CheckPermissions(ctx, anon, core.IsAuthenticated{}), 403, "", `{"detail":"You do not have permission to perform this action."}`},
	}
	for _, c := range cases {
		rec, w := recorder()
		if err := c.e.WriteError(w, c.err); err != nil {
			t.Fatal(err)
		}
		if rec.Code != c.status || rec.Body.String() != c.body || rec.Header().Get("WWW-Authenticate") != c.challenge {
			t.Errorf("%s: got %d %q %s", c.name, rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body.String())
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: content type %q", c.name, ct)
		}
	}
	if err := withChallenge.CheckPermissions(ctx, user, core.IsAuthenticated{}, core.AllowAny{}); err != nil {
		t.Fatal(err)
	}
}

func TestEngineObjectPermissions(t *testing.T) {
	ctx := context.Background()
	type post struct{ author string }
	isAuthor := core.ObjectPermissionFunc(func(_ context.Context, pc *core.PermissionContext, obj any) bool {
		p, ok := obj.(*post)
		return ok && p.author == pc.User.GetID()
	})
	editor := &core.DefaultUser{ID: 2, Active: true, UserPermissions: []string{"blog.change_post"}}
	author := &core.DefaultUser{ID: 1, Active: true}
	other := &core.DefaultUser{ID: 3, Active: true}
	perms := []core.Permission{core.IsAuthenticatedOrReadOnly{}, core.Or(isAuthor, core.HasPerm{"blog.change_post"})}
	e := core.NewEngine(core.NewHTTPBasicAuth())
	p := &post{author: "1"}
	for u, want := range map[*core.DefaultUser]error{author: nil, editor: nil, other: core.ErrPermissionDenied} {
		pc := core.NewPermissionContext(req("PUT", "/", ""), &core.Identity{User: u})
		if err := e.CheckPermissions(ctx, pc, perms...); err != nil {
			t.Fatal(err)
		}
		if err := e.CheckObjectPermissions(ctx, pc, p, perms...); !errors.Is(err, want) && err != want {
			t.Errorf("user %d: %v", u.ID, err)
		}
	}
}

type logoutRecorder struct{ done bool }

func (l *logoutRecorder) Logout(context.Context) error { l.done = true; return nil }

func TestEngineRevoker(t *testing.T) {
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	mustUser(t, m, "sso", "pw", nil)
	u, _ := m.UserByUsername(context.Background(), "sso")
	sess := &logoutRecorder{}
	// A session-like authenticator that restored an identity the remote
	// user header established.
	session := &stub{id: &core.Identity{User: u, Method: "remote", Credentials: sess}}
	remote := core.NewRemoteUserAuthentication("X-Remote-User", m, mustPrefixes(t, "10.0.0.0/8")...)
	remote.ForceLogoutIfNoHeader = true
	e := core.NewEngine(session, remote)
	id, err := e.Authenticate(req("GET", "/", "10.1.2.3:5000"))
	if err != nil || id.User.IsAuthenticated() || !sess.done {
		t.Fatalf("identity not revoked: %+v %v logout=%v", id, err, sess.done)
	}
	// A header from an untrusted peer counts as absent.
	sess.done = false
	if id, _ := e.Authenticate(req("GET", "/", "192.0.2.7:5000", "X-Remote-User: sso")); id.User.IsAuthenticated() || !sess.done {
		t.Fatal("identity kept on a request from an untrusted peer")
	}
	remote.ForceLogoutIfNoHeader = false
	sess.done = false
	if id, _ := e.Authenticate(req("GET", "/", "10.1.2.3:5000")); !id.User.IsAuthenticated() || sess.done {
		t.Fatal("persistent remote user was logged out")
	}
}

var _ = http.StatusOK

// TestFieldErrors: an empty FieldErrors is no error, and a full one is
// still a ValidationError to errors.As.
func TestFieldErrors(t *testing.T) {
	var f core.FieldErrors
	f.Add("title", "")
	if err := f.Err(); err != nil || f.Len() != 0 {
		t.Fatalf("empty: %v, %d", err, f.Len())
	}
	f.Add("title", "This field is required.")
	f.Add("body", "This field is required.")
	f.Add("title", "Second.")
	var ve core.ValidationError
	if err := fmt.Errorf("wrapped: %w", f.Err()); !errors.As(err, &ve) || len(ve["title"]) != 2 || len(ve["body"]) != 1 {
		t.Fatalf("errors.As: %v", ve)
	}
	b, err := core.MarshalJSON(&f)
	if want := `{"title":["This field is required.","Second."],"body":["This field is required."]}`; err != nil || string(b) != want {
		t.Fatalf("got %s %v, want %s", b, err, want)
	}
}

// A validation error is the client's: 400 whatever asks (the engine's
// failure log, an adapter's error handler), never a 500.
func TestToAPIErrorValidation(t *testing.T) {
	for _, err := range []error{
		core.ValidationError{"non_field_errors": {"x"}},
		fmt.Errorf("wrapped: %w", core.ValidationError{"title": {"x"}}),
		fieldErrors("title", "x"),
	} {
		if ae := core.ToAPIError(err); ae.Status != http.StatusBadRequest {
			t.Errorf("%v: status %d, want 400", err, ae.Status)
		}
	}
}

func fieldErrors(field, message string) error {
	var fe core.FieldErrors
	fe.Add(field, message)
	return fe.Err()
}
