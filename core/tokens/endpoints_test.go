package tokens_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/tokens"
)

type pairBody struct {
	Refresh string `json:"refresh"`
	Access  string `json:"access"`
}

func decodePair(t testing.TB, body string) pairBody {
	t.Helper()
	var p pairBody
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.Access == "" || p.Refresh == "" {
		t.Fatalf("not a token pair: %s (%v)", body, err)
	}
	return p
}

func TestObtainPair(t *testing.T) {
	e := newEnv(t)
	ep := &tokens.ObtainPairEndpoint{Manager: e.m, Backend: e.backend}

	rec := post(t, ep, `{"username":"alice","password":"alice password"}`)
	if rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), `{"refresh":"`) || !strings.Contains(rec.Body.String(), `","access":"`) {
		t.Fatalf("obtain: %d %s; want 200 {\"refresh\",\"access\"} (simplejwt's order)", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	p := decodePair(t, rec.Body.String())
	c, err := e.j.VerifyAccess(context.Background(), p.Access)
	if err != nil || c.UserID != e.alice.GetID() {
		t.Fatalf("the access token: %+v, %v", c, err)
	}
	if _, err := e.j.VerifyRefresh(context.Background(), p.Refresh); err != nil {
		t.Fatalf("the refresh token: %v", err)
	}
	if u, _ := e.users.GetByID(context.Background(), e.alice.ID); u.LastLogin != nil {
		t.Error("last_login was recorded without UPDATE_LAST_LOGIN")
	}

	// A form body and a username with spaces around it (DRF strips it).
	rec = do(t, ep, http.MethodPost, "application/x-www-form-urlencoded", "username=+alice+&password=alice+password", nil)
	if rec.Code != 200 {
		t.Errorf("form obtain: %d %s", rec.Code, rec.Body)
	}

	noAccount := `{"detail":"No active account found with the given credentials"}`
	for name, body := range map[string]string{
		"wrong password":  `{"username":"alice","password":"wrong"}`,
		"unknown user":    `{"username":"nobody","password":"alice password"}`,
		"password spaces": `{"username":"alice","password":" alice password "}`,
	} {
		expect(t, name, post(t, ep, body), 401, noAccount, bearer)
	}
	carol := e.user(t, "carol", "carol password", nil)
	e.deactivate(t, carol)
	expect(t, "inactive user", post(t, ep, `{"username":"carol","password":"carol password"}`), 401, noAccount, bearer)

	for _, tc := range []struct{ body, want string }{
		{`{}`, `{"username":["This field is required."],"password":["This field is required."]}`},
		{`{"password":"x"}`, `{"username":["This field is required."]}`},
		{`{"username":"alice"}`, `{"password":["This field is required."]}`},
		{`{"username":"","password":"  "}`, `{"username":["This field may not be blank."],"password":["This field may not be blank."]}`},
		{`{"username":null,"password":true}`, `{"username":["This field may not be null."],"password":["Not a valid string."]}`},
		{`{"username":["alice"],"password":{"a":1}}`, `{"username":["Not a valid string."],"password":["Not a valid string."]}`},
		{`{"username":"alice","password":"` + strings.Repeat("x", core.MaxPasswordBytes+1) + `"}`, `{"password":["Ensure this field has no more than 4096 characters."]}`},
	} {
		expect(t, tc.body[:min(len(tc.body), 40)], post(t, ep, tc.body), 400, tc.want, "")
	}
	// A number is a string to DRF.
	if rec := post(t, ep, `{"username":123,"password":"x"}`); rec.Code != 401 {
		t.Errorf("numeric username: %d %s", rec.Code, rec.Body)
	}
	expect(t, "GET", do(t, ep, http.MethodGet, "", "", nil), 405, `{"detail":"Method \"GET\" not allowed."}`, "")
	if rec := post(t, ep, `{"username":"alice","password":"alice password","extra":1}`); rec.Code != 400 {
		t.Errorf("unknown field: %d %s", rec.Code, rec.Body)
	}
	if rec := post(t, ep, `{"username":`); rec.Code != 400 {
		t.Errorf("malformed JSON: %d %s", rec.Code, rec.Body)
	}

	// UPDATE_LAST_LOGIN.
	ep.LastLogin = e.backend
	e.clk.Advance(time.Minute)
	if rec := post(t, ep, `{"username":"alice","password":"alice password"}`); rec.Code != 200 {
		t.Fatalf("obtain: %d %s", rec.Code, rec.Body)
	}
	if u, _ := e.users.GetByID(context.Background(), e.alice.ID); u.LastLogin == nil || !u.LastLogin.Equal(e.clk.Now()) {
		t.Errorf("last_login = %v, want %v", u.LastLogin, e.clk.Now())
	}
}

// TestObtainPairLongPasswordNotHashed: a password over the cap is refused
// before the backend sees it.
func TestObtainPairLongPasswordNotHashed(t *testing.T) {
	e := newEnv(t)
	calls := 0
	backend := backendFunc(func(ctx context.Context, u, p string) (core.User, error) {
		calls++
		return e.backend.Authenticate(ctx, u, p)
	})
	ep := &tokens.ObtainPairEndpoint{Manager: e.m, Backend: backend}
	post(t, ep, `{"username":"alice","password":"`+strings.Repeat("é", core.MaxPasswordBytes/2+1)+`"}`)
	if calls != 0 {
		t.Error("the backend was asked to check an over-long password")
	}
	if rec := post(t, ep, `{"username":"alice","password":"`+strings.Repeat("x", core.MaxPasswordBytes)+`"}`); rec.Code != 401 || calls != 1 {
		t.Errorf("a password of exactly the cap: %d, %d calls", rec.Code, calls)
	}
}

type backendFunc func(ctx context.Context, username, password string) (core.User, error)

func (f backendFunc) Authenticate(ctx context.Context, u, p string) (core.User, error) {
	return f(ctx, u, p)
}
func (f backendFunc) GetUser(context.Context, string) (core.User, error) { return nil, nil }

func TestRefreshEndpoint(t *testing.T) {
	e := newEnv(t)
	ep := &tokens.RefreshEndpoint{Manager: e.m}
	first := e.pair(t, e.alice)
	e.clk.Advance(time.Second)

	rec := post(t, ep, `{"refresh":`+jsonString(first.Refresh)+`}`)
	if rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), `{"access":"`) || !strings.Contains(rec.Body.String(), `","refresh":"`) {
		t.Fatalf("refresh: %d %s; want 200 {\"access\",\"refresh\"} (simplejwt's order)", rec.Code, rec.Body)
	}
	second := decodePair(t, rec.Body.String())

	// The spent token again: 401, and the family is gone.
	expect(t, "spent token", post(t, ep, `{"refresh":`+jsonString(first.Refresh)+`}`), 401,
		`{"detail":"Token is blacklisted","code":"token_not_valid"}`, bearer)
	if _, err := e.j.VerifyAccess(context.Background(), second.Access); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Errorf("the rotated access token after reuse: %v", err)
	}
	expect(t, "token of a revoked family", post(t, ep, `{"refresh":`+jsonString(second.Refresh)+`}`), 401,
		`{"detail":"Token family is blacklisted","code":"token_not_valid"}`, bearer)

	expect(t, "garbage", post(t, ep, `{"refresh":"nonsense"}`), 401,
		`{"detail":"Token is invalid","code":"token_not_valid"}`, bearer)
	other := e.pair(t, e.alice)
	expect(t, "access token", post(t, ep, `{"refresh":`+jsonString(other.Access)+`}`), 401,
		`{"detail":"Token has wrong type","code":"token_not_valid"}`, bearer)
	expect(t, "missing", post(t, ep, `{}`), 400, `{"refresh":["This field is required."]}`, "")
	expect(t, "blank", post(t, ep, `{"refresh":" "}`), 400, `{"refresh":["This field may not be blank."]}`, "")
	expect(t, "GET", do(t, ep, http.MethodGet, "", "", nil), 405, `{"detail":"Method \"GET\" not allowed."}`, "")

	// Expired.
	e.clk.Advance(jwtauth.DefaultRefreshTTL + time.Second)
	expect(t, "expired", post(t, ep, `{"refresh":`+jsonString(other.Refresh)+`}`), 401,
		`{"detail":"Token is expired","code":"token_not_valid"}`, bearer)

	// An inactive user (simplejwt's USER_AUTHENTICATION_RULE).
	bobs := e.pair(t, e.bob)
	e.deactivate(t, e.bob)
	expect(t, "inactive user", post(t, ep, `{"refresh":`+jsonString(bobs.Refresh)+`}`), 401,
		`{"detail":"No active account found for the given token."}`, bearer)
}

// TestRefreshEndpointRace: Refreshers concurrent requests with one
// refresh token get exactly one 200.
func TestRefreshEndpointRace(t *testing.T) {
	e := newEnv(t)
	ep := &tokens.RefreshEndpoint{Manager: e.m}
	p := e.pair(t, e.alice)
	body := `{"refresh":` + jsonString(p.Refresh) + `}`
	var wg sync.WaitGroup
	codes := make(chan int, 50)
	start := make(chan struct{})
	for range 50 {
		wg.Go(func() {
			<-start
			codes <- post(t, ep, body).Code
		})
	}
	close(start)
	wg.Wait()
	close(codes)
	n := map[int]int{}
	for c := range codes {
		n[c]++
	}
	if n[200] != 1 || n[401] != 49 {
		t.Errorf("statuses %v; want one 200 and 49 401", n)
	}
}

func TestVerifyEndpoint(t *testing.T) {
	e := newEnv(t)
	ep := &tokens.VerifyEndpoint{Manager: e.m}
	p := e.pair(t, e.alice)
	for name, tok := range map[string]string{"access": p.Access, "refresh": p.Refresh} {
		expect(t, name, post(t, ep, `{"token":`+jsonString(tok)+`}`), 200, `{}`, "")
	}
	// A token with nothing but exp (simplejwt's UntypedToken accepts it).
	bare, err := e.j.Sign(&jwtauth.Claims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(e.clk.Now().Add(time.Minute))}})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "bare token", post(t, ep, `{"token":`+jsonString(bare)+`}`), 200, `{}`, "")
	invalid := `{"detail":"Token is invalid","code":"token_not_valid"}`
	expect(t, "garbage", post(t, ep, `{"token":"a.b.c"}`), 401, invalid, bearer)
	expect(t, "tampered", post(t, ep, `{"token":`+jsonString(p.Access[:len(p.Access)-2]+"AA")+`}`), 401, invalid, bearer)
	expect(t, "missing", post(t, ep, `{"refresh":"x"}`), 400, `{"detail":"JSON parse error - unknown field \"refresh\""}`, "")
	expect(t, "no token", post(t, ep, `{}`), 400, `{"token":["This field is required."]}`, "")

	// A rotated-out refresh token: simplejwt's serializer error.
	e.clk.Advance(time.Second)
	p2, err := e.m.Refresh(context.Background(), p.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "rotated refresh token", post(t, ep, `{"token":`+jsonString(p.Refresh)+`}`), 400,
		`{"non_field_errors":["Token is blacklisted"]}`, "")
	expect(t, "the first access token", post(t, ep, `{"token":`+jsonString(p.Access)+`}`), 200, `{}`, "")
	expect(t, "the rotated pair", post(t, ep, `{"token":`+jsonString(p2.Access)+`}`), 200, `{}`, "")
	// A revoked family.
	if err := e.m.Blacklist(context.Background(), p2.Refresh); err != nil {
		t.Fatal(err)
	}
	expect(t, "revoked family", post(t, ep, `{"token":`+jsonString(p2.Access)+`}`), 401,
		`{"detail":"Token family is blacklisted","code":"token_not_valid"}`, bearer)
	// A family-less token from before a logout everywhere.
	plain, err := e.j.GenerateToken(e.bob.GetID(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.m.LogoutAll(context.Background(), e.bob.GetID()); err != nil {
		t.Fatal(err)
	}
	expect(t, "before logout-all", post(t, ep, `{"token":`+jsonString(plain)+`}`), 401,
		`{"detail":"Token is blacklisted","code":"token_not_valid"}`, bearer)
}

func TestBlacklistEndpoint(t *testing.T) {
	e := newEnv(t)
	ep := &tokens.BlacklistEndpoint{Manager: e.m}
	p := e.pair(t, e.alice)
	expect(t, "blacklist", post(t, ep, `{"refresh":`+jsonString(p.Refresh)+`}`), 200, `{}`, "")
	if _, err := e.j.VerifyAccess(context.Background(), p.Access); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Errorf("the access token of a logged-out family: %v", err)
	}
	expect(t, "again", post(t, ep, `{"refresh":`+jsonString(p.Refresh)+`}`), 401,
		`{"detail":"Token family is blacklisted","code":"token_not_valid"}`, bearer)
	if st, _ := e.bl.Stats(context.Background()); st.Total != 1 || st.ByReason[tokens.Logout] != 1 {
		t.Errorf("Stats = %+v", st)
	}

	// A spent token: refused as simplejwt does, and its family ends.
	q := e.pair(t, e.alice)
	e.clk.Advance(time.Second)
	q2, err := e.m.Refresh(context.Background(), q.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "spent token", post(t, ep, `{"refresh":`+jsonString(q.Refresh)+`}`), 401,
		`{"detail":"Token is blacklisted","code":"token_not_valid"}`, bearer)
	if _, err := e.j.VerifyAccess(context.Background(), q2.Access); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Errorf("the family of a spent token presented to the blacklist endpoint lives: %v", err)
	}
	expect(t, "access token", post(t, ep, `{"refresh":`+jsonString(q.Access)+`}`), 401,
		`{"detail":"Token has wrong type","code":"token_not_valid"}`, bearer)
	expect(t, "missing", post(t, ep, `{}`), 400, `{"refresh":["This field is required."]}`, "")
}

func TestLogoutAllEndpoint(t *testing.T) {
	e := newEnv(t)
	var also []string
	ep := &tokens.LogoutAllEndpoint{Manager: e.m, Also: func(ctx context.Context, u core.User) error {
		also = append(also, u.GetUsername())
		return nil
	}}
	p1, p2, pb := e.pair(t, e.alice), e.pair(t, e.alice), e.pair(t, e.bob)
	e.clk.Advance(time.Second)
	p3, err := e.m.Refresh(context.Background(), p2.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	// The access token is in the verified-token cache.
	if _, err := e.j.VerifyAccess(context.Background(), p1.Access); err != nil {
		t.Fatal(err)
	}
	anon := do(t, ep, http.MethodPost, "", "", context.Background())
	if anon.Code != 403 || len(also) != 0 { // no challenge in this engine
		t.Errorf("anonymous: %d %s", anon.Code, anon.Body)
	}
	ctx := core.WithIdentity(context.Background(), &core.Identity{User: e.alice, Method: "jwt"})
	rec := do(t, ep, http.MethodPost, "", "", ctx)
	if rec.Code != 204 || rec.Body.Len() != 0 || len(also) != 1 || also[0] != "alice" {
		t.Fatalf("logout-all: %d %q, also %v", rec.Code, rec.Body, also)
	}
	for i, p := range []*jwtauth.TokenPair{p1, p3} {
		if _, err := e.j.VerifyAccess(context.Background(), p.Access); !errors.Is(err, jwtauth.ErrRevoked) {
			t.Errorf("pair %d: the access token survived: %v", i, err)
		}
		if _, err := e.m.Refresh(context.Background(), p.Refresh); !errors.Is(err, jwtauth.ErrRevoked) {
			t.Errorf("pair %d: the refresh token survived: %v", i, err)
		}
	}
	if _, err := e.j.VerifyAccess(context.Background(), pb.Access); err != nil {
		t.Errorf("bob's token died: %v", err)
	}
	expect(t, "GET", do(t, ep, http.MethodGet, "", "", ctx), 405, `{"detail":"Method \"GET\" not allowed."}`, "")
}

// TestEndpointsFailClosed: a store failure is a 503, never a token.
func TestEndpointsFailClosed(t *testing.T) {
	e := newEnv(t)
	p := e.pair(t, e.alice)
	broken := &failingStore{RefreshStore: e.rs}
	m := tokens.NewTokenRotationManager(e.bl, broken)
	m.JWT, m.Users = e.j, e.backend
	for name, ep := range map[string]core.Endpoint{
		"obtain":    &tokens.ObtainPairEndpoint{Manager: m, Backend: e.backend},
		"refresh":   &tokens.RefreshEndpoint{Manager: m},
		"verify":    &tokens.VerifyEndpoint{Manager: m},
		"blacklist": &tokens.BlacklistEndpoint{Manager: m},
	} {
		body := `{"refresh":` + jsonString(p.Refresh) + `}`
		switch name {
		case "obtain":
			body = `{"username":"alice","password":"alice password"}`
		case "verify":
			body = `{"token":` + jsonString(p.Refresh) + `}`
		}
		expect(t, name, post(t, ep, body), 503, `{"detail":"Service temporarily unavailable, try again later."}`, "")
	}
	ctx := core.WithIdentity(context.Background(), &core.Identity{User: e.alice})
	rec := do(t, &tokens.LogoutAllEndpoint{Manager: m}, http.MethodPost, "", "", ctx)
	if rec.Code != 503 {
		t.Errorf("logout-all: %d %s", rec.Code, rec.Body)
	}
	// The hook fails closed too.
	j, err := jwtauth.New(secret, jwtauth.WithRevocation(m.Revocation()), jwtauth.WithClock(e.clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.VerifyAccess(context.Background(), p.Access); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("verification with a failing store = %v", err)
	}
}

var errBroken = errors.New("broken")

// failingStore fails every call as a store that is down.
type failingStore struct{ tokens.RefreshStore }

func (failingStore) fail() error { return errors.Join(core.ErrStoreUnavailable, errBroken) }
func (f failingStore) Issue(context.Context, tokens.RefreshRecord) error {
	return f.fail()
}
func (f failingStore) Consume(context.Context, string) (tokens.Consumption, error) {
	return tokens.Consumption{}, f.fail()
}
func (f failingStore) Family(context.Context, string) (tokens.Family, bool, error) {
	return tokens.Family{}, false, f.fail()
}
func (f failingStore) RevokeFamily(context.Context, string, tokens.BlacklistReason) error {
	return f.fail()
}
func (f failingStore) SetValidAfter(context.Context, string, time.Time) error { return f.fail() }
func (f failingStore) ValidAfter(context.Context, string) (time.Time, error) {
	return time.Time{}, f.fail()
}
