package tokens_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/tokens"
	"github.com/reinhardt-go/auth/stores/memory"
)

func TestIssuePairNeedsAUser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, u := range []core.User{nil, core.AnonymousUser{}, (*core.DefaultUser)(nil), &core.SimpleUser{Active: true}} {
		if _, err := e.m.IssuePair(ctx, u); err == nil {
			t.Errorf("IssuePair(%#v) succeeded", u)
		}
	}
	m := tokens.NewTokenRotationManager(e.bl, e.rs)
	if _, err := m.IssuePair(ctx, e.alice); err == nil {
		t.Error("IssuePair without JWT succeeded")
	}
	for name, f := range map[string]func() error{
		"Refresh":   func() error { _, err := m.Refresh(ctx, "x"); return err },
		"Blacklist": func() error { return m.Blacklist(ctx, "x") },
		"LogoutAll": func() error { return m.LogoutAll(ctx, "") },
	} {
		if f() == nil {
			t.Errorf("%s on an unconfigured manager succeeded", name)
		}
	}
	if m.TokenBlacklist() != e.bl || m.RefreshStore() != e.rs {
		t.Error("the accessors do not return the stores")
	}
}

// lookupFunc adapts a function to jwtauth.UserLookup.
type lookupFunc func(ctx context.Context, id string) (core.User, error)

func (f lookupFunc) GetUser(ctx context.Context, id string) (core.User, error) { return f(ctx, id) }

func TestRefreshRechecksTheUser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		users jwtauth.UserLookup
		want  error
	}{
		"gone":       {lookupFunc(func(context.Context, string) (core.User, error) { return nil, nil }), tokens.ErrNoActiveAccountForToken},
		"typed nil":  {lookupFunc(func(context.Context, string) (core.User, error) { return (*core.DefaultUser)(nil), nil }), tokens.ErrNoActiveAccountForToken},
		"inactive":   {jwtauth.StoreUsers(e.users), nil},
		"store down": {lookupFunc(func(context.Context, string) (core.User, error) { return nil, core.ErrStoreUnavailable }), core.ErrStoreUnavailable},
		"unchecked":  {nil, nil},
	} {
		t.Run(name, func(t *testing.T) {
			carol := e.user(t, "carol-"+name, "pw", nil)
			p := e.pair(t, carol)
			if name == "inactive" {
				e.deactivate(t, carol)
				tc.want = tokens.ErrNoActiveAccountForToken
			}
			if name == "unchecked" {
				e.deactivate(t, carol)
			}
			e.m.Users = tc.users
			defer func() { e.m.Users = e.backend }()
			_, err := e.m.Refresh(ctx, p.Refresh)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Refresh = %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				// Refused before it was spent: it refreshes once the user is back.
				e.m.Users = nil
				if _, err := e.m.Refresh(ctx, p.Refresh); err != nil {
					t.Errorf("the refused token was spent: %v", err)
				}
			}
		})
	}
}

// TestWithoutTheHook: with a JWTAuth whose hook is not the manager's, the
// manager's own operations still enforce its rules (only access tokens
// are then not revoked).
func TestWithoutTheHook(t *testing.T) {
	e := newEnv(t)
	j, err := jwtauth.New(secret, jwtauth.WithClock(e.clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	e.m.JWT = j
	ctx := context.Background()
	p := e.pair(t, e.alice)
	e.clk.Advance(time.Second)
	p2, err := e.m.Refresh(ctx, p.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	ep := &tokens.VerifyEndpoint{Manager: e.m}
	expect(t, "verify a rotated token", post(t, ep, `{"token":`+jsonString(p.Refresh)+`}`), 400, `{"non_field_errors":["Token is blacklisted"]}`, "")
	if _, err := e.m.Refresh(ctx, p.Refresh); !errors.Is(err, tokens.ErrBlacklisted) {
		t.Errorf("reuse = %v, want ErrBlacklisted", err)
	}
	if _, err := e.m.Refresh(ctx, p2.Refresh); !errors.Is(err, tokens.ErrFamilyRevoked) {
		t.Errorf("refresh in the revoked family = %v", err)
	}
	expect(t, "verify in a revoked family", post(t, ep, `{"token":`+jsonString(p2.Access)+`}`), 401, `{"detail":"Token family is blacklisted","code":"token_not_valid"}`, bearer)
	bl := &tokens.BlacklistEndpoint{Manager: e.m}
	q := e.pair(t, e.alice)
	expect(t, "blacklist", post(t, bl, `{"refresh":`+jsonString(q.Refresh)+`}`), 200, `{}`, "")
	expect(t, "blacklist again", post(t, bl, `{"refresh":`+jsonString(q.Refresh)+`}`), 401, `{"detail":"Token family is blacklisted","code":"token_not_valid"}`, bearer)
	if err := e.m.Blacklist(ctx, q.Refresh); err != nil {
		t.Errorf("Blacklist is not idempotent: %v", err)
	}
}

// TestForgedFamilies: a family_id that is not a string, names no family,
// or names another user's family is refused.
func TestForgedFamilies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alices := e.pair(t, e.alice)
	all, err := mustVerify(t, e, alices.Access).Map()
	if err != nil {
		t.Fatal(err)
	}
	for name, fam := range map[string]any{"number": 42, "empty": "", "unknown": jwtauth.NewJTI(), "another user's": all[tokens.FamilyClaim]} {
		p, err := e.j.NewPairClaims(&jwtauth.Claims{UserID: e.bob.GetID(), Extra: map[string]any{tokens.FamilyClaim: fam}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.j.VerifyAccess(ctx, p.Access); !errors.Is(err, jwtauth.ErrRevoked) {
			t.Errorf("%s family: the access token verifies (%v)", name, err)
		}
		if _, err := e.m.Refresh(ctx, p.Refresh); tokenError(t, err).Message != jwtauth.MsgInvalid || !errors.Is(err, tokens.ErrUnknownFamily) {
			t.Errorf("%s family: Refresh = %v", name, err)
		}
	}
}

func mustVerify(t *testing.T, e *env, token string) *jwtauth.Claims {
	t.Helper()
	c, err := e.j.Verify(context.Background(), token, jwtauth.UntypedToken)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestValidAfterGranularity: a token without a family, whose iat has
// whole seconds, is refused when iat <= the stamp: minted in the same
// second as the logout everywhere, before or after it, it does not
// survive; minted in the next second it does. A family made a microsecond
// after the stamp lives.
func TestValidAfterGranularity(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.alice.GetID()
	before, _ := e.j.GenerateToken(id, "alice") // t0 = 12:00:00.4
	e.clk.Advance(300 * time.Millisecond)
	if err := e.m.LogoutAll(ctx, id); err != nil { // 12:00:00.7
		t.Fatal(err)
	}
	e.clk.Advance(time.Microsecond)
	fam := e.pair(t, e.alice)
	e.clk.Advance(200 * time.Millisecond) // 12:00:00.9
	sameSecond, _ := e.j.GenerateToken(id, "alice")
	e.clk.Advance(100 * time.Millisecond) // 12:00:01.0
	nextSecond, _ := e.j.GenerateToken(id, "alice")
	for name, tc := range map[string]struct {
		tok  string
		live bool
	}{
		"before": {before, false}, "same second": {sameSecond, false}, "next second": {nextSecond, true},
		"family after": {fam.Access, true},
	} {
		_, err := e.j.VerifyAccess(ctx, tc.tok)
		if (err == nil) != tc.live {
			t.Errorf("%s: %v, want live %v", name, err, tc.live)
		}
		if !tc.live && !errors.Is(err, jwtauth.ErrRevoked) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := e.m.Refresh(ctx, fam.Refresh); err != nil {
		t.Errorf("refresh after the logout: %v", err)
	}
	// A refresh token without a family from before the stamp is refused
	// before it is adopted.
	old, err := e.j.NewPairClaims(&jwtauth.Claims{UserID: id, RegisteredClaims: jwt.RegisteredClaims{}})
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Second)
	if err := e.m.LogoutAll(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Refresh(ctx, old.Refresh); !errors.Is(err, tokens.ErrBeforeValidAfter) {
		t.Errorf("Refresh(legacy token from before the stamp) = %v", err)
	}
	// Another user's stamp is another user's.
	if _, err := e.j.VerifyAccess(ctx, e.pair(t, e.bob).Access); err != nil {
		t.Errorf("bob: %v", err)
	}
}

// TestCachedTokensAreRevoked: the verified-token cache's hits go through
// the hook.
func TestCachedTokensAreRevoked(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.pair(t, e.alice)
	for range 3 {
		if _, err := e.j.VerifyAccess(ctx, p.Access); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.m.Blacklist(ctx, p.Refresh); err != nil {
		t.Fatal(err)
	}
	if _, err := e.j.VerifyAccess(ctx, p.Access); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Errorf("a cached access token of a revoked family verifies: %v", err)
	}
	// Through the Bearer authenticator as well.
	auth := jwtauth.NewAuthentication(e.j, e.backend)
	r, _ := http.NewRequest(http.MethodGet, "/api/me", nil)
	r.Header.Set("Authorization", "Bearer "+p.Access)
	if _, err := auth.Authenticate(core.NewHTTPRequest(r)); !errors.Is(err, core.ErrInvalidToken) {
		t.Errorf("Authenticate = %v", err)
	}
}

// TestRotationKeepsTheClaims: as simplejwt, a rotation changes jti, iat and
// exp of the same payload; the custom claims, username and sub carry over.
func TestRotationKeepsTheClaims(t *testing.T) {
	e := newEnv(t)
	legacy, err := e.j.NewPairClaims(&jwtauth.Claims{UserID: e.alice.GetID(), Username: "alice",
		RegisteredClaims: jwt.RegisteredClaims{Subject: "subject"}, Extra: map[string]any{"scope": "read write"}})
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Second)
	p, err := e.m.Refresh(context.Background(), legacy.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"refresh": p.Refresh, "access": p.Access} {
		all, err := mustVerify(t, e, tok).Map()
		if err != nil {
			t.Fatal(err)
		}
		if all["scope"] != "read write" || all["username"] != "alice" || all["sub"] != "subject" || all[tokens.FamilyClaim] == nil {
			t.Errorf("%s claims %v", name, all)
		}
	}
}

// TestCleanupAndMemo: the manager cleans both stores past the leeway and
// forgets expired families.
func TestCleanupAndMemo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.pair(t, e.alice)
	if n := tokens.MemoLen(e.m); n != 2 {
		t.Errorf("%d remembered tokens after a login, want 2", n)
	}
	e.clk.Advance(time.Second)
	if _, err := e.m.Refresh(ctx, p.Refresh); err != nil {
		t.Fatal(err)
	}
	if n, err := e.m.Cleanup(ctx); n != 0 || err != nil {
		t.Errorf("Cleanup of live tokens = %d, %v", n, err)
	}
	e.clk.Advance(jwtauth.DefaultRefreshTTL)
	// Within the leeway nothing goes.
	if n, err := e.m.Cleanup(ctx); n != 0 || err != nil {
		t.Errorf("Cleanup within the leeway = %d, %v", n, err)
	}
	e.clk.Advance(jwtauth.MaxLeeway + 2*time.Second)
	if n, err := e.m.Cleanup(ctx); n != 3 || err != nil { // blacklist entry, two refresh records
		t.Errorf("Cleanup = %d, %v; want 3", n, err)
	}
	if n := tokens.MemoLen(e.m); n != 0 {
		t.Errorf("%d remembered tokens after Cleanup", n)
	}
	if st, _ := e.bl.Stats(ctx); st.Total != 0 {
		t.Errorf("Stats after Cleanup = %+v", st)
	}
}

// TestMemoBounded: the memo of families stays bounded.
func TestMemoBounded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range 70000 {
		c := &jwtauth.Claims{UserID: "1", RegisteredClaims: jwt.RegisteredClaims{ID: jwtauth.NewJTI(),
			ExpiresAt: jwt.NewNumericDate(e.clk.Now().Add(time.Hour)), IssuedAt: jwt.NewNumericDate(e.clk.Now())}}
		if i%2 == 0 {
			c.ExpiresAt = jwt.NewNumericDate(e.clk.Now().Add(-time.Hour))
		}
		if _, err := e.m.Revocation().Revoked(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if n := tokens.MemoLen(e.m); n > 16*4096 {
		t.Errorf("the memo holds %d tokens", n)
	}
}

// TestRevokeReasons: the reason given is recorded for the token and its
// family; a reused token marks its family compromised.
func TestRevokeReasons(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.pair(t, e.alice)
	if err := e.m.Revoke(ctx, p.Refresh, tokens.ManualRevoke); err != nil {
		t.Fatal(err)
	}
	st, _ := e.bl.Stats(ctx)
	if st.ByReason[tokens.ManualRevoke] != 1 {
		t.Errorf("Stats = %+v", st)
	}
	fam := mustFamily(t, e, p.Refresh)
	if !fam.Revoked() || fam.Reason != tokens.ManualRevoke {
		t.Errorf("family = %+v", fam)
	}
	q := e.pair(t, e.alice)
	e.clk.Advance(time.Second)
	if _, err := e.m.Refresh(ctx, q.Refresh); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Refresh(ctx, q.Refresh); !errors.Is(err, jwtauth.ErrRevoked) {
		t.Fatal(err)
	}
	if fam := mustFamily(t, e, q.Refresh); fam.Reason != tokens.Compromised {
		t.Errorf("family after reuse = %+v", fam)
	}
}

func mustFamily(t *testing.T, e *env, token string) tokens.Family {
	t.Helper()
	all, err := mustVerifyLoose(t, e, token).Map()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := all[tokens.FamilyClaim].(string)
	f, ok, err := e.rs.Family(context.Background(), id)
	if !ok || err != nil {
		t.Fatalf("Family(%q): %v %v", id, ok, err)
	}
	return f
}

// mustVerifyLoose verifies with a JWTAuth without the hook.
func mustVerifyLoose(t *testing.T, e *env, token string) *jwtauth.Claims {
	t.Helper()
	j, err := jwtauth.New(secret, jwtauth.WithClock(e.clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	c, err := j.Verify(context.Background(), token, jwtauth.UntypedToken)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAdoptionRace: concurrent first refreshes of a family-less token
// adopt it once; exactly one succeeds.
func TestAdoptionRace(t *testing.T) {
	e := newEnv(t)
	legacy, err := e.j.NewPair(e.alice.GetID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 50 {
		wg.Go(func() {
			if _, err := e.m.Refresh(context.Background(), legacy.Refresh); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 1 {
		t.Errorf("%d refreshes of the legacy token succeeded", ok)
	}
}

// TestStoreFailuresMidRotation: a store failing after the token was spent
// fails the refresh (closed); the retry then counts as reuse.
func TestStoreFailuresMidRotation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.pair(t, e.alice)
	bad := &failingBlacklist{TokenBlacklist: e.bl}
	m := tokens.NewTokenRotationManager(bad, e.rs)
	m.JWT = e.j
	if _, err := m.Refresh(ctx, p.Refresh); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Fatalf("Refresh with a failing blacklist = %v", err)
	}
	if _, err := e.m.Refresh(ctx, p.Refresh); !errors.Is(err, tokens.ErrReused) {
		t.Errorf("the retry = %v, want reuse", err)
	}
}

type failingBlacklist struct{ tokens.TokenBlacklist }

func (failingBlacklist) Blacklist(context.Context, string, time.Time, tokens.BlacklistReason) error {
	return core.ErrStoreUnavailable
}

func TestReasonNames(t *testing.T) {
	for r, want := range map[tokens.BlacklistReason]string{
		tokens.ReasonUnspecified: "unspecified", tokens.Logout: "logout", tokens.Compromised: "compromised",
		tokens.ManualRevoke: "manual_revoke", tokens.Rotated: "rotated", 99: "BlacklistReason(99)",
	} {
		if r.String() != want {
			t.Errorf("%d.String() = %q, want %q", r, r.String(), want)
		}
	}
	if r, ok := tokens.ParseBlacklistReason("nope"); ok || r != tokens.ReasonUnspecified {
		t.Errorf("ParseBlacklistReason(nope) = %v, %v", r, ok)
	}
	for r, want := range map[tokens.ConsumeResult]string{tokens.Unknown: "unknown", tokens.Consumed: "consumed",
		tokens.Reused: "reused", tokens.Revoked: "revoked", 9: "ConsumeResult(?)"} {
		if r.String() != want {
			t.Errorf("ConsumeResult %d = %q", r, r.String())
		}
	}
}

// TestSeparateStoresCleanup: Cleanup cleans a refresh store that is not
// the blacklist too.
func TestSeparateStoresCleanup(t *testing.T) {
	bl, rs := memory.NewBlacklist(), memory.NewRefreshStore()
	m := tokens.NewTokenRotationManager(bl, rs)
	clk := newClock(t0)
	j, err := jwtauth.New(secret, jwtauth.WithRevocation(m.Revocation()), jwtauth.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	m.JWT = j
	if _, err := m.IssuePair(context.Background(), &core.SimpleUser{ID: "1", Active: true}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(48 * time.Hour)
	if n, err := m.Cleanup(context.Background()); n != 1 || err != nil {
		t.Errorf("Cleanup = %d, %v", n, err)
	}
}
