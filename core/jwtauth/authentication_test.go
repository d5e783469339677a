package jwtauth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
)

const (
	invalidBody = `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is invalid"}]}`
	expiredBody = `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is expired"}]}`
)

func authFixture(t *testing.T, opts ...jwtauth.Option) (*jwtauth.JWTAuth, *jwtauth.Authentication, *clock) {
	t.Helper()
	clk := newClock(t0)
	j := mustNew(t, secret, append([]jwtauth.Option{clk.Option()}, opts...)...)
	us := newUsers(
		&core.SimpleUser{ID: "42", Username: "alice", Active: true},
		&core.SimpleUser{ID: "7", Username: "bob", Active: false},
	)
	return j, jwtauth.NewAuthentication(j, us), clk
}

func TestAuthenticationSuccess(t *testing.T) {
	j, a, _ := authFixture(t)
	tok, _ := j.GenerateToken("42", "alice")
	for _, h := range []string{"Bearer " + tok, "  Bearer\t" + tok + "  ", "Bearer " + tok + "\r\n"} {
		id, err := a.Authenticate(request("Authorization: " + h))
		if err != nil {
			t.Fatalf("%q: %v", h, err)
		}
		c, ok := id.Credentials.(*jwtauth.Claims)
		if id.User.GetUsername() != "alice" || id.Method != "jwt" || !ok || c.UserID != "42" {
			t.Errorf("identity = %+v", id)
		}
	}
	if a.Challenge() != `Bearer realm="api"` {
		t.Errorf("challenge %q", a.Challenge())
	}
	a.Realm = "shop"
	if a.Challenge() != `Bearer realm="shop"` {
		t.Errorf("challenge %q", a.Challenge())
	}

	// user_id as a JSON number (simplejwt before 5.5, integer pks).
	num := sign(t, jwt.SigningMethodHS256, secret, accessClaims(t0, 42), nil)
	id, err := a.Authenticate(request("Authorization: Bearer " + num))
	if err != nil || id.User.GetID() != "42" {
		t.Fatalf("numeric user_id: %v, %v", id, err)
	}
}

func TestAuthenticationNotOurs(t *testing.T) {
	_, a, _ := authFixture(t)
	for _, h := range []string{
		"",
		"   ",
		"Basic YWxpY2U6c2VjcmV0",
		"bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", // case-sensitive, as simplejwt
		"BEARER eyJhbGciOiJIUzI1NiJ9.e30.sig",
		"Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
		"Bearer 2YotnFZFEjr1zCsicMWpAA",         // RFC 6749's opaque access token
		"Bearer abc.def.ghi",                    // dots, but no JSON header
		"Bearer eyJhbGciOiJIUzI1NiJ9..sig",      // empty payload
		"Bearer eyJhbGciOiJIUzI1NiJ9.e30.s.x",   // four segments
		"Bearer eyJhbGciOiJIUzI1NiJ9.e30+.sig",  // not base64url
		"Bearerx " + strings.Repeat("a", 1<<20), // another scheme, huge: not scanned
		strings.Repeat("B", 1<<20),
		strings.Repeat(" ", 1<<20) + "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", // the scheme is looked for in the first bytes only
	} {
		id, err := a.Authenticate(request("Authorization: " + h))
		if id != nil || err != nil {
			t.Errorf("%.40q: got %v, %v; want nil, nil", h, id, err)
		}
	}
	// No Authorization header at all.
	if id, err := a.Authenticate(request()); id != nil || err != nil {
		t.Errorf("no header: %v %v", id, err)
	}
}

func TestAuthenticationFailures(t *testing.T) {
	j, a, clk := authFixture(t)
	good, _ := j.GenerateToken("42", "alice")
	inactive, _ := j.GenerateToken("7", "bob")
	unknown, _ := j.GenerateToken("999", "ghost")
	noUser, _ := j.GenerateToken("", "nobody")
	pair, _ := j.NewPair("42", nil)
	expired := sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"token_type": "access", "exp": t0.Add(-time.Second).Unix(), "iat": t0.Add(-time.Hour).Unix(), "jti": "x", "user_id": "42"}, nil)
	noExp := sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"token_type": "access", "iat": t0.Unix(), "jti": "x", "user_id": "42"}, nil)
	_ = clk
	wrongType := strings.Replace(invalidBody, "Token is invalid", "Token has wrong type", 1)
	noExpBody := strings.Replace(invalidBody, "Token is invalid", "Token has no 'exp' claim", 1)
	parts := strings.Split(good, ".")

	for _, tc := range []struct {
		name, header, body string
		kind               error
	}{
		{"scheme only", "Bearer", `{"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}`, core.ErrInvalidToken},
		{"three parts", "Bearer " + good + " extra", `{"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}`, core.ErrInvalidToken},
		{"tampered", "Bearer " + parts[0] + "." + seg(`{"user_id":"1"}`) + "." + parts[2], invalidBody, core.ErrInvalidToken},
		{"alg none", "Bearer " + seg(`{"alg":"none"}`) + "." + parts[1] + ".", invalidBody, core.ErrInvalidToken},
		{"expired", "Bearer " + expired, expiredBody, core.ErrInvalidToken},
		{"no exp", "Bearer " + noExp, noExpBody, core.ErrInvalidToken},
		{"refresh as access", "Bearer " + pair.Refresh, wrongType, core.ErrInvalidToken},
		{"1 MB of dots", "Bearer " + strings.Repeat(".", 1<<20), invalidBody, core.ErrInvalidToken},
		{"token over 8 KiB", "Bearer e" + strings.Repeat("A", jwtauth.MaxTokenBytes) + ".e30.x", invalidBody, core.ErrInvalidToken},
		{"no user_id", "Bearer " + noUser, `{"detail":"Token contained no recognizable user identification","code":"token_not_valid"}`, core.ErrInvalidToken},
		{"unknown user", "Bearer " + unknown, `{"detail":"User not found","code":"user_not_found"}`, core.ErrUserNotFound},
		{"inactive user", "Bearer " + inactive, `{"detail":"User is inactive","code":"user_inactive"}`, core.ErrInvalidCredentials},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := a.Authenticate(request("Authorization: " + tc.header))
			if err == nil {
				t.Fatalf("authenticated: %+v", id)
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.kind)
			}
			status, body, challenge := render(err, a.Challenge())
			if status != 401 || body != tc.body || challenge != `Bearer realm="api"` {
				t.Errorf("rendered %d %s %q\nwant 401 %s", status, body, challenge, tc.body)
			}
		})
	}
}

func TestAuthenticationStoreFailure(t *testing.T) {
	j, _, _ := authFixture(t)
	tok, _ := j.GenerateToken("42", "alice")
	down := &users{err: errors.Join(core.ErrStoreUnavailable, errors.New("db down"))}
	a := jwtauth.NewAuthentication(j, down)
	_, err := a.Authenticate(request("Authorization: Bearer " + tok))
	if status, _, _ := render(err, a.Challenge()); status != 503 {
		t.Errorf("store failure rendered %d, want 503", status)
	}
}

func TestAuthenticationStateless(t *testing.T) {
	j, _, _ := authFixture(t)
	a := jwtauth.NewAuthentication(j, nil)
	tok, _ := j.GenerateToken("42", "alice")
	id, err := a.Authenticate(request("Authorization: Bearer " + tok))
	if err != nil {
		t.Fatal(err)
	}
	u := id.User
	if u.GetID() != "42" || u.GetUsername() != "alice" || !u.IsAuthenticated() || !u.IsActive() || u.IsAdmin() {
		t.Errorf("token user %+v", u)
	}
}

func TestAuthenticationHeaderTypesAndStore(t *testing.T) {
	clk := newClock(t0)
	j := mustNew(t, secret, clk.Option(), jwtauth.WithHeaderTypes("JWT", "Bearer"))
	m := core.NewDefaultUserManager()
	pw := "irrelevant-password"
	u, err := m.CreateUser(context.Background(), "carol", &pw, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := jwtauth.NewAuthentication(j, jwtauth.StoreUsers(m))
	if a.Challenge() != `JWT realm="api"` {
		t.Errorf("challenge %q", a.Challenge())
	}
	tok, _ := j.GenerateToken(u.GetID(), "carol")
	for _, scheme := range []string{"JWT", "Bearer"} {
		id, err := a.Authenticate(request("Authorization: " + scheme + " " + tok))
		if err != nil || id.User.GetUsername() != "carol" {
			t.Errorf("%s: %v %v", scheme, id, err)
		}
	}
	if id, err := a.Authenticate(request("Authorization: jwt " + tok)); id != nil || err != nil {
		t.Errorf("lower-case scheme matched")
	}
	// An inactive user from a UserStore is "User is inactive", not "not
	// found" (ModelBackend.GetUser would hide it).
	u.Active = false
	if err := m.Update(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	_, err = a.Authenticate(request("Authorization: JWT " + tok))
	if _, body, _ := render(err, a.Challenge()); body != `{"detail":"User is inactive","code":"user_inactive"}` {
		t.Errorf("body %s", body)
	}
	stranger, _ := j.GenerateToken("not-a-number", "x")
	_, err = a.Authenticate(request("Authorization: JWT " + stranger))
	if !errors.Is(err, core.ErrUserNotFound) {
		t.Errorf("err %v", err)
	}
}

// The authenticator in an Engine after Basic: an opaque Bearer token falls
// through to the next authenticator; a bad JWT stops the request.
func TestAuthenticationInEngine(t *testing.T) {
	j, a, _ := authFixture(t)
	next := &countingAuth{}
	e := core.NewEngine(a, next)
	id, err := e.Authenticate(request("Authorization: Bearer 2YotnFZFEjr1zCsicMWpAA"))
	if err != nil || id.User.IsAuthenticated() || next.calls != 1 {
		t.Errorf("opaque token: %v %v, next called %d", id, err, next.calls)
	}
	tok, _ := j.GenerateToken("42", "alice")
	id, err = e.Authenticate(request("Authorization: Bearer " + tok))
	if err != nil || id.User.GetUsername() != "alice" || next.calls != 1 {
		t.Errorf("jwt: %v %v", id, err)
	}
	_, err = e.Authenticate(request("Authorization: Bearer " + tok[:len(tok)-2] + "xx"))
	if err == nil || next.calls != 1 {
		t.Errorf("bad jwt fell through")
	}
	if e.Challenge() != `Bearer realm="api"` {
		t.Errorf("engine challenge %q", e.Challenge())
	}
}

type countingAuth struct{ calls int }

func (c *countingAuth) Authenticate(core.Request) (*core.Identity, error) {
	c.calls++
	return nil, nil
}

func TestParseAuthorization(t *testing.T) {
	types := []string{"Bearer"}
	tok := "eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln"
	got, ok, err := jwtauth.ParseAuthorization("Bearer "+tok, types)
	if got != tok || !ok || err != nil {
		t.Errorf("ParseAuthorization = %q %v %v", got, ok, err)
	}
	if !jwtauth.LooksLikeJWT(tok) || !jwtauth.LooksLikeJWT("eyJ.e30.") {
		t.Error("LooksLikeJWT false on JWS shapes")
	}
	for _, s := range []string{"", ".", "..", "e..", "x.y.z", "eyJ.e30", "eyJ.e30.a.b", "eyJ.e3=.a", strings.Repeat("e", jwtauth.MaxTokenBytes+1)} {
		if jwtauth.LooksLikeJWT(s) {
			t.Errorf("LooksLikeJWT(%.20q) = true", s)
		}
	}
}
