package oauth2test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
)

// Racers is how many goroutines race to redeem one code or rotate one
// refresh token.
const Racers = 50

// TestStore checks that an oauth2store.Store keeps its contract, sentence
// by sentence: applications round-trip and client ids are unique; codes
// are single use (Racers concurrent ConsumeCode calls with one hash: one
// CodeValid), expire, and a reused code revokes the tokens issued for it
// and keeps later ones from being stored (SaveTokens answers
// ErrCodeReused), also when it is presented after its expiry, for
// oauth2store.UsedCodeRetention, and CleanupExpired keeps a used code
// that long; tokens are found only while
// live; refresh tokens rotate once (Racers concurrent rotations: one
// RotateOK), a spent one revokes its family, another client's or an
// expired one changes nothing; revocation (RFC 7009); CleanupExpired; a
// done context fails every method with core.ErrStoreUnavailable.
//
// open is called once per subtest and must return an empty store, which
// it may close with t.Cleanup. Timestamps are whole seconds, so a store
// may keep them at any precision down to the second. Run it under the
// race detector.
func TestStore(t *testing.T, open func(t *testing.T) oauth2store.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s oauth2store.Store)
	}{
		{"Applications", testApplications},
		{"DeleteApplication", testDeleteApplication},
		{"CodeSingleUse", testCodeSingleUse},
		{"CodeExpiry", testCodeExpiry},
		{"CodeRace", testCodeRace},
		{"CodeReuseRevokesTokens", testCodeReuseRevokes},
		{"CodeReuseAfterExpiryRevokes", testCodeReuseAfterExpiry},
		{"CleanupKeepsUsedCode", testCleanupKeepsUsedCode},
		{"NoTokensAfterReuse", testNoTokensAfterReuse},
		{"Tokens", testTokens},
		{"SaveTokensAllOrNone", testSaveTokensAllOrNone},
		{"Rotate", testRotate},
		{"RotateReuseRevokesFamily", testRotateReuse},
		{"RotateOtherClient", testRotateOtherClient},
		{"RotateExpired", testRotateExpired},
		{"RotateRace", testRotateRace},
		{"Revoke", testRevoke},
		{"CleanupExpired", testCleanup},
		{"ContextCanceled", testContextCanceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, open(t)) })
	}
}

// t0 is the suite's "now".
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

var ctx = context.Background()

func app(id string) oauth2store.Application {
	return oauth2store.Application{
		ClientID:          id,
		SecretHash:        "sha256$" + oauth2store.HashToken("secret-of-"+id),
		ClientType:        oauth2store.ClientConfidential,
		Name:              "App " + id,
		RedirectURIs:      []string{"https://app.example/cb", "http://127.0.0.1:8080/cb"},
		GrantTypes:        []string{oauth2store.GrantAuthorizationCode, oauth2store.GrantRefreshToken},
		Scopes:            []string{"openid", "read", "write"},
		SkipAuthorization: true,
		UserID:            "7",
		CreatedAt:         t0,
	}
}

func mustCreate(t *testing.T, s oauth2store.Store, id string) oauth2store.Application {
	t.Helper()
	a := app(id)
	if err := s.CreateApplication(ctx, a); err != nil {
		t.Fatalf("CreateApplication(%q): %v", id, err)
	}
	return a
}

func code(name, client string) oauth2store.Code {
	return oauth2store.Code{
		Hash:                oauth2store.HashToken(name),
		ClientID:            client,
		RedirectURI:         "https://app.example/cb",
		UserID:              "42",
		Scopes:              []string{"openid", "read"},
		CodeChallenge:       "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256",
		Nonce:               "n-0S6_WzA2Mj",
		AuthTime:            t0.Add(-time.Hour),
		ExpiresAt:           t0.Add(time.Minute),
	}
}

func mustSaveCode(t *testing.T, s oauth2store.Store, c oauth2store.Code) {
	t.Helper()
	if err := s.SaveCode(ctx, c); err != nil {
		t.Fatalf("SaveCode: %v", err)
	}
}

func token(name, kind, client, family, codeHash string, ttl time.Duration) oauth2store.Token {
	return oauth2store.Token{
		Hash:      oauth2store.HashToken(name),
		Kind:      kind,
		ClientID:  client,
		UserID:    "42",
		Scopes:    []string{"read", "write"},
		ExpiresAt: t0.Add(ttl),
		FamilyID:  family,
		CodeHash:  codeHash,
		AuthTime:  t0.Add(-time.Hour),
		IssuedAt:  t0,
	}
}

func access(name, client, family, codeHash string) oauth2store.Token {
	return token(name, oauth2store.KindAccess, client, family, codeHash, time.Hour)
}

func refresh(name, client, family, codeHash string) oauth2store.Token {
	return token(name, oauth2store.KindRefresh, client, family, codeHash, 24*time.Hour)
}

func mustSave(t *testing.T, s oauth2store.Store, toks ...oauth2store.Token) {
	t.Helper()
	if err := s.SaveTokens(ctx, toks...); err != nil {
		t.Fatalf("SaveTokens: %v", err)
	}
}

// live reports whether Token finds the token named name at t0.
func live(t *testing.T, s oauth2store.Store, name string) bool {
	t.Helper()
	_, found, err := s.Token(ctx, oauth2store.HashToken(name), t0)
	if err != nil {
		t.Fatalf("Token(%q): %v", name, err)
	}
	return found
}

func wantLive(t *testing.T, s oauth2store.Store, want bool, names ...string) {
	t.Helper()
	for _, n := range names {
		if got := live(t, s, n); got != want {
			t.Errorf("token %q live = %v; want %v", n, got, want)
		}
	}
}

func testApplications(t *testing.T, s oauth2store.Store) {
	_, found, err := s.Application(ctx, "nobody")
	if err != nil || found {
		t.Fatalf("Application(unknown) = found %v, %v; want false, nil", found, err)
	}
	a := mustCreate(t, s, "client-1")
	pub := app("client-2")
	pub.SecretHash, pub.ClientType, pub.SkipAuthorization, pub.UserID = "", oauth2store.ClientPublic, false, ""
	pub.GrantTypes = []string{oauth2store.GrantImplicit}
	if err := s.CreateApplication(ctx, pub); err != nil {
		t.Fatal(err)
	}
	for _, want := range []oauth2store.Application{a, pub} {
		got, found, err := s.Application(ctx, want.ClientID)
		if err != nil || !found {
			t.Fatalf("Application(%q) = found %v, %v", want.ClientID, found, err)
		}
		if !sameApp(got, want) {
			t.Errorf("Application(%q) = %+v; want %+v", want.ClientID, got, want)
		}
	}
	dup := app("client-1")
	dup.Name = "Another"
	if err := s.CreateApplication(ctx, dup); !errors.Is(err, oauth2store.ErrDuplicateClientID) {
		t.Errorf("CreateApplication(taken id) = %v; want ErrDuplicateClientID", err)
	}
	if got, _, _ := s.Application(ctx, "client-1"); got.Name != a.Name {
		t.Errorf("a refused duplicate changed the application: name %q", got.Name)
	}
	// Client ids match exactly.
	if _, found, _ := s.Application(ctx, "CLIENT-1"); found {
		t.Error("Application(\"CLIENT-1\") found client-1: ids must match exactly")
	}
}

func sameApp(a, b oauth2store.Application) bool {
	return a.ClientID == b.ClientID && a.SecretHash == b.SecretHash && a.ClientType == b.ClientType &&
		a.Name == b.Name && slices.Equal(a.RedirectURIs, b.RedirectURIs) && slices.Equal(a.GrantTypes, b.GrantTypes) &&
		slices.Equal(a.Scopes, b.Scopes) && a.SkipAuthorization == b.SkipAuthorization && a.UserID == b.UserID &&
		a.CreatedAt.Equal(b.CreatedAt)
}

func testDeleteApplication(t *testing.T, s oauth2store.Store) {
	mustCreate(t, s, "c1")
	mustCreate(t, s, "c2")
	mustSaveCode(t, s, code("code-1", "c1"))
	mustSave(t, s, access("a1", "c1", "", ""), access("a2", "c2", "", ""))
	ok, err := s.DeleteApplication(ctx, "c1")
	if err != nil || !ok {
		t.Fatalf("DeleteApplication = %v, %v; want true", ok, err)
	}
	if _, found, _ := s.Application(ctx, "c1"); found {
		t.Error("the deleted application is still found")
	}
	wantLive(t, s, false, "a1")
	wantLive(t, s, true, "a2")
	if _, st, _ := s.ConsumeCode(ctx, oauth2store.HashToken("code-1"), t0); st != oauth2store.CodeUnknown {
		t.Errorf("a deleted application's code: %v; want CodeUnknown", st)
	}
	if ok, err := s.DeleteApplication(ctx, "c1"); err != nil || ok {
		t.Errorf("DeleteApplication(deleted) = %v, %v; want false, nil", ok, err)
	}
}

func testCodeSingleUse(t *testing.T, s oauth2store.Store) {
	c := code("code-1", "c1")
	mustSaveCode(t, s, c)
	if err := s.SaveCode(ctx, c); !errors.Is(err, oauth2store.ErrDuplicateHash) {
		t.Errorf("SaveCode(same hash) = %v; want ErrDuplicateHash", err)
	}
	got, st, err := s.ConsumeCode(ctx, c.Hash, t0)
	if err != nil || st != oauth2store.CodeValid {
		t.Fatalf("ConsumeCode = %v, %v; want CodeValid", st, err)
	}
	if got.Hash != c.Hash || got.ClientID != c.ClientID || got.RedirectURI != c.RedirectURI || got.UserID != c.UserID ||
		!slices.Equal(got.Scopes, c.Scopes) || got.CodeChallenge != c.CodeChallenge || got.CodeChallengeMethod != c.CodeChallengeMethod ||
		got.Nonce != c.Nonce || !got.AuthTime.Equal(c.AuthTime) || !got.ExpiresAt.Equal(c.ExpiresAt) {
		t.Errorf("ConsumeCode returned %+v; want %+v", got, c)
	}
	got, st, err = s.ConsumeCode(ctx, c.Hash, t0)
	if err != nil || st != oauth2store.CodeReused || got.ClientID != "c1" {
		t.Errorf("second ConsumeCode = %+v, %v, %v; want the code with CodeReused", got, st, err)
	}
	if _, st, err := s.ConsumeCode(ctx, oauth2store.HashToken("never issued"), t0); err != nil || st != oauth2store.CodeUnknown {
		t.Errorf("ConsumeCode(unknown) = %v, %v; want CodeUnknown, nil", st, err)
	}
}

func testCodeExpiry(t *testing.T, s oauth2store.Store) {
	c := code("code-1", "c1")
	mustSaveCode(t, s, c)
	if _, st, err := s.ConsumeCode(ctx, c.Hash, c.ExpiresAt); err != nil || st != oauth2store.CodeUnknown {
		t.Errorf("ConsumeCode at ExpiresAt = %v, %v; want CodeUnknown (a code expires at ExpiresAt)", st, err)
	}
	if _, st, _ := s.ConsumeCode(ctx, c.Hash, c.ExpiresAt.Add(-time.Second)); st != oauth2store.CodeValid {
		t.Errorf("ConsumeCode a second before ExpiresAt = %v; want CodeValid (an expired look must not use it)", st)
	}
	if _, st, _ := s.ConsumeCode(ctx, c.Hash, c.ExpiresAt.Add(time.Second)); st != oauth2store.CodeReused {
		t.Errorf("ConsumeCode of a used code after expiry = %v; want CodeReused (it is retained to recognise reuse)", st)
	}
	if _, st, _ := s.ConsumeCode(ctx, c.Hash, c.ExpiresAt.Add(oauth2store.UsedCodeRetention)); st != oauth2store.CodeUnknown {
		t.Errorf("ConsumeCode of a used code at ExpiresAt + UsedCodeRetention = %v; want CodeUnknown", st)
	}
	// An unused code is not retained: once expired it stays unknown, and
	// the look does not use it.
	u := code("code-unused", "c1")
	mustSaveCode(t, s, u)
	for range 2 {
		if _, st, _ := s.ConsumeCode(ctx, u.Hash, u.ExpiresAt.Add(time.Second)); st != oauth2store.CodeUnknown {
			t.Errorf("ConsumeCode of an unused code after expiry = %v; want CodeUnknown", st)
		}
	}
}

// testCodeReuseAfterExpiry: a used code presented again after it expired,
// within oauth2store.UsedCodeRetention, still answers CodeReused and
// revokes what it issued (RFC 6749 section 4.1.2); a replay two minutes
// after a one-minute code's redemption is the case that matters.
func testCodeReuseAfterExpiry(t *testing.T, s oauth2store.Store) {
	c := code("code-1", "c1")
	mustSaveCode(t, s, c)
	if _, st, _ := s.ConsumeCode(ctx, c.Hash, t0); st != oauth2store.CodeValid {
		t.Fatal("first ConsumeCode not CodeValid")
	}
	mustSave(t, s, access("a1", "c1", "f1", c.Hash), refresh("r1", "c1", "f1", c.Hash), access("other", "c1", "", ""))
	wantLive(t, s, true, "a1", "r1")
	replay := c.ExpiresAt.Add(time.Minute)
	got, st, err := s.ConsumeCode(ctx, c.Hash, replay)
	if err != nil || st != oauth2store.CodeReused || got.ClientID != "c1" {
		t.Fatalf("ConsumeCode a minute after expiry = %+v, %v, %v; want the code with CodeReused", got, st, err)
	}
	wantLive(t, s, false, "a1", "r1")
	wantLive(t, s, true, "other")
	// And the last moment of the retention.
	c2 := code("code-2", "c1")
	mustSaveCode(t, s, c2)
	s.ConsumeCode(ctx, c2.Hash, t0)
	mustSave(t, s, access("a2", "c1", "f2", c2.Hash))
	if _, st, _ := s.ConsumeCode(ctx, c2.Hash, c2.ExpiresAt.Add(oauth2store.UsedCodeRetention-time.Second)); st != oauth2store.CodeReused {
		t.Errorf("ConsumeCode a second before ExpiresAt + UsedCodeRetention = %v; want CodeReused", st)
	}
	wantLive(t, s, false, "a2")
}

// testCleanupKeepsUsedCode: CleanupExpired keeps a used code until its
// ExpiresAt plus oauth2store.UsedCodeRetention, so that its reuse is still
// recognised; then it removes it. An unused expired code goes at once.
func testCleanupKeepsUsedCode(t *testing.T, s oauth2store.Store) {
	used, unused := code("used", "c1"), code("unused", "c1")
	mustSaveCode(t, s, used)
	mustSaveCode(t, s, unused)
	if _, st, _ := s.ConsumeCode(ctx, used.Hash, t0); st != oauth2store.CodeValid {
		t.Fatal("first ConsumeCode not CodeValid")
	}
	before := used.ExpiresAt.Add(oauth2store.UsedCodeRetention - time.Hour)
	if n, err := s.CleanupExpired(ctx, before); err != nil || n != 1 {
		t.Errorf("CleanupExpired within the retention = %d, %v; want 1 (the unused code alone)", n, err)
	}
	if _, st, _ := s.ConsumeCode(ctx, used.Hash, before); st != oauth2store.CodeReused {
		t.Errorf("ConsumeCode after a cleanup within the retention = %v; want CodeReused (the cleanup must keep a used code)", st)
	}
	after := used.ExpiresAt.Add(oauth2store.UsedCodeRetention)
	if n, err := s.CleanupExpired(ctx, after); err != nil || n != 1 {
		t.Errorf("CleanupExpired at ExpiresAt + UsedCodeRetention = %d, %v; want 1 (the used code)", n, err)
	}
	if _, st, _ := s.ConsumeCode(ctx, used.Hash, used.ExpiresAt.Add(time.Second)); st != oauth2store.CodeUnknown {
		t.Errorf("ConsumeCode after the cleanup removed it = %v; want CodeUnknown", st)
	}
}

func testCodeRace(t *testing.T, s oauth2store.Store) {
	c := code("code-1", "c1")
	mustSaveCode(t, s, c)
	var valid, reused, other int
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range Racers {
		wg.Go(func() {
			<-start
			_, st, err := s.ConsumeCode(ctx, c.Hash, t0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("ConsumeCode: %v", err)
			case st == oauth2store.CodeValid:
				valid++
			case st == oauth2store.CodeReused:
				reused++
			default:
				other++
			}
		})
	}
	close(start)
	wg.Wait()
	if valid != 1 || reused != Racers-1 || other != 0 {
		t.Errorf("%d concurrent ConsumeCode: %d CodeValid, %d CodeReused, %d other; want exactly 1 CodeValid", Racers, valid, reused, other)
	}
}

func testCodeReuseRevokes(t *testing.T, s oauth2store.Store) {
	c := code("code-1", "c1")
	mustSaveCode(t, s, c)
	if _, st, _ := s.ConsumeCode(ctx, c.Hash, t0); st != oauth2store.CodeValid {
		t.Fatal("first ConsumeCode not CodeValid")
	}
	mustSave(t, s, access("a1", "c1", "f1", c.Hash), refresh("r1", "c1", "f1", c.Hash), access("other", "c1", "", ""))
	// A rotation keeps the code's hash on the family's new tokens.
	if _, st, err := s.RotateRefreshToken(ctx, oauth2store.HashToken("r1"), "c1", t0,
		access("a2", "c1", "f1", c.Hash), refresh("r2", "c1", "f1", c.Hash)); err != nil || st != oauth2store.RotateOK {
		t.Fatalf("RotateRefreshToken = %v, %v", st, err)
	}
	wantLive(t, s, true, "a2", "r2")
	if _, st, _ := s.ConsumeCode(ctx, c.Hash, t0); st != oauth2store.CodeReused {
		t.Fatalf("second ConsumeCode = %v; want CodeReused", st)
	}
	wantLive(t, s, false, "a1", "a2", "r2")
	wantLive(t, s, true, "other")
	if _, st, _ := s.RotateRefreshToken(ctx, oauth2store.HashToken("r2"), "c1", t0, refresh("r3", "c1", "f1", c.Hash)); st != oauth2store.RotateUnknown {
		t.Errorf("rotating a refresh token its code's reuse revoked = %v; want RotateUnknown", st)
	}
	wantLive(t, s, false, "r3")
}

func testNoTokensAfterReuse(t *testing.T, s oauth2store.Store) {
	c := code("code-1", "c1")
	mustSaveCode(t, s, c)
	s.ConsumeCode(ctx, c.Hash, t0)
	if _, st, _ := s.ConsumeCode(ctx, c.Hash, t0); st != oauth2store.CodeReused {
		t.Fatal("second ConsumeCode not CodeReused")
	}
	// The first redemption saves its tokens only now: they must not live,
	// and the provider must learn it, to answer invalid_grant.
	if err := s.SaveTokens(ctx, access("a1", "c1", "f1", c.Hash), refresh("r1", "c1", "f1", c.Hash)); !errors.Is(err, oauth2store.ErrCodeReused) {
		t.Errorf("SaveTokens for a reused code = %v; want ErrCodeReused (and none stored)", err)
	}
	wantLive(t, s, false, "a1", "r1")
	// Nor does a token without the code's hash beside them get in.
	if err := s.SaveTokens(ctx, access("a3", "c1", "", ""), access("a4", "c1", "f1", c.Hash)); !errors.Is(err, oauth2store.ErrCodeReused) {
		t.Errorf("SaveTokens with one token of a reused code = %v; want ErrCodeReused", err)
	}
	wantLive(t, s, false, "a3", "a4")
	// Tokens of other codes are not affected.
	c2 := code("code-2", "c1")
	mustSaveCode(t, s, c2)
	s.ConsumeCode(ctx, c2.Hash, t0)
	mustSave(t, s, access("a2", "c1", "f2", c2.Hash))
	wantLive(t, s, true, "a2")
}

func testTokens(t *testing.T, s oauth2store.Store) {
	a := access("a1", "c1", "", "")
	a.UserID, a.AuthTime = "", time.Time{} // client credentials
	r := refresh("r1", "c1", "f1", "")
	mustSave(t, s, a, r)
	for _, want := range []oauth2store.Token{a, r} {
		got, found, err := s.Token(ctx, want.Hash, t0)
		if err != nil || !found {
			t.Fatalf("Token(%s) = found %v, %v", want.Kind, found, err)
		}
		if got.Hash != want.Hash || got.Kind != want.Kind || got.ClientID != want.ClientID || got.UserID != want.UserID ||
			!slices.Equal(got.Scopes, want.Scopes) || !got.ExpiresAt.Equal(want.ExpiresAt) || got.FamilyID != want.FamilyID ||
			got.CodeHash != want.CodeHash || !got.AuthTime.Equal(want.AuthTime) || !got.IssuedAt.Equal(want.IssuedAt) {
			t.Errorf("Token = %+v; want %+v", got, want)
		}
	}
	if _, found, err := s.Token(ctx, a.Hash, a.ExpiresAt); err != nil || found {
		t.Errorf("Token at ExpiresAt = found %v, %v; want false (expired)", found, err)
	}
	if _, found, err := s.Token(ctx, oauth2store.HashToken("unknown"), t0); err != nil || found {
		t.Errorf("Token(unknown) = found %v, %v; want false, nil", found, err)
	}
	if err := s.SaveTokens(ctx, access("a1", "c2", "", "")); !errors.Is(err, oauth2store.ErrDuplicateHash) {
		t.Errorf("SaveTokens(stored hash) = %v; want ErrDuplicateHash", err)
	}
	if got, _, _ := s.Token(ctx, a.Hash, t0); got.ClientID != "c1" {
		t.Error("a refused duplicate replaced the stored token")
	}
}

func testSaveTokensAllOrNone(t *testing.T, s oauth2store.Store) {
	mustSave(t, s, access("a1", "c1", "", ""))
	err := s.SaveTokens(ctx, access("a2", "c1", "", ""), access("a1", "c1", "", ""))
	if !errors.Is(err, oauth2store.ErrDuplicateHash) {
		t.Fatalf("SaveTokens with one stored hash = %v; want ErrDuplicateHash", err)
	}
	wantLive(t, s, false, "a2")
}

func testRotate(t *testing.T, s oauth2store.Store) {
	mustSave(t, s, access("a1", "c1", "f1", ""), refresh("r1", "c1", "f1", ""), access("x", "c1", "f-other", ""))
	old, st, err := s.RotateRefreshToken(ctx, oauth2store.HashToken("r1"), "c1", t0, access("a2", "c1", "f1", ""), refresh("r2", "c1", "f1", ""))
	if err != nil || st != oauth2store.RotateOK {
		t.Fatalf("RotateRefreshToken = %v, %v; want RotateOK", st, err)
	}
	if old.Hash != oauth2store.HashToken("r1") || old.FamilyID != "f1" || old.UserID != "42" || !slices.Equal(old.Scopes, []string{"read", "write"}) {
		t.Errorf("RotateRefreshToken returned %+v; want the old token", old)
	}
	wantLive(t, s, false, "r1", "a1") // spent, and its family's access token revoked
	wantLive(t, s, true, "r2", "a2", "x")
	if _, _, err := s.RotateRefreshToken(ctx, oauth2store.HashToken("r2"), "c1", t0, refresh("x", "c1", "f1", "")); !errors.Is(err, oauth2store.ErrDuplicateHash) {
		t.Errorf("rotating to a stored hash = %v; want ErrDuplicateHash", err)
	}
	wantLive(t, s, true, "r2") // not spent by the refused rotation
	if _, st, _ := s.RotateRefreshToken(ctx, oauth2store.HashToken("a2"), "c1", t0); st != oauth2store.RotateUnknown {
		t.Errorf("rotating an access token = %v; want RotateUnknown", st)
	}
	if _, st, _ := s.RotateRefreshToken(ctx, oauth2store.HashToken("unknown"), "c1", t0); st != oauth2store.RotateUnknown {
		t.Errorf("rotating an unknown token = %v; want RotateUnknown", st)
	}
	if _, st, _ := s.RotateRefreshToken(ctx, oauth2store.HashToken("r2"), "c1", t0, refresh("r3", "c1", "f1", "")); st != oauth2store.RotateOK {
		t.Errorf("rotating the new token = %v; want RotateOK", st)
	}
}

func testRotateReuse(t *testing.T, s oauth2store.Store) {
	mustSave(t, s, access("a1", "c1", "f1", ""), refresh("r1", "c1", "f1", ""), refresh("other", "c1", "f2", ""))
	s.RotateRefreshToken(ctx, oauth2store.HashToken("r1"), "c1", t0, access("a2", "c1", "f1", ""), refresh("r2", "c1", "f1", ""))
	old, st, err := s.RotateRefreshToken(ctx, oauth2store.HashToken("r1"), "c1", t0, access("a3", "c1", "f1", ""), refresh("r3", "c1", "f1", ""))
	if err != nil || st != oauth2store.RotateReused || old.FamilyID != "f1" {
		t.Fatalf("rotating a spent token = %+v, %v, %v; want RotateReused", old, st, err)
	}
	wantLive(t, s, false, "a2", "r2", "a3", "r3")
	wantLive(t, s, true, "other")
	if _, st, _ := s.RotateRefreshToken(ctx, oauth2store.HashToken("r2"), "c1", t0, refresh("r4", "c1", "f1", "")); st != oauth2store.RotateUnknown {
		t.Errorf("rotating a token of a revoked family = %v; want RotateUnknown", st)
	}
	wantLive(t, s, false, "r4")
}

func testRotateOtherClient(t *testing.T, s oauth2store.Store) {
	mustSave(t, s, access("a1", "c1", "f1", ""), refresh("r1", "c1", "f1", ""))
	if _, st, err := s.RotateRefreshToken(ctx, oauth2store.HashToken("r1"), "c2", t0, refresh("r2", "c2", "f1", "")); err != nil || st != oauth2store.RotateUnknown {
		t.Errorf("rotating another client's token = %v, %v; want RotateUnknown", st, err)
	}
	wantLive(t, s, true, "a1", "r1")
	wantLive(t, s, false, "r2")
	if _, st, _ := s.RotateRefreshToken(ctx, oauth2store.HashToken("r1"), "c1", t0); st != oauth2store.RotateOK {
		t.Errorf("the owner's rotation after another client's attempt = %v; want RotateOK", st)
	}
}

func testRotateExpired(t *testing.T, s oauth2store.Store) {
	r := refresh("r1", "c1", "f1", "")
	mustSave(t, s, r)
	if _, st, err := s.RotateRefreshToken(ctx, r.Hash, "c1", r.ExpiresAt, refresh("r2", "c1", "f1", "")); err != nil || st != oauth2store.RotateUnknown {
		t.Errorf("rotating at ExpiresAt = %v, %v; want RotateUnknown", st, err)
	}
	wantLive(t, s, false, "r2")
}

func testRotateRace(t *testing.T, s oauth2store.Store) {
	mustSave(t, s, refresh("r1", "c1", "f1", ""))
	var ok, reused, other int
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range Racers {
		wg.Go(func() {
			<-start
			_, st, err := s.RotateRefreshToken(ctx, oauth2store.HashToken("r1"), "c1", t0, refresh(fmt.Sprint("next-", i), "c1", "f1", ""))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("RotateRefreshToken: %v", err)
			case st == oauth2store.RotateOK:
				ok++
			case st == oauth2store.RotateReused:
				reused++
			default:
				other++
			}
		})
	}
	close(start)
	wg.Wait()
	if ok != 1 || reused+other != Racers-1 {
		t.Errorf("%d concurrent rotations: %d RotateOK, %d RotateReused, %d other; want exactly 1 RotateOK", Racers, ok, reused, other)
	}
}

func testRevoke(t *testing.T, s oauth2store.Store) {
	mustSave(t, s, access("a1", "c1", "f1", ""), refresh("r1", "c1", "f1", ""), access("a-alone", "c1", "", ""), access("a-f2", "c1", "f2", ""), refresh("r-f2", "c1", "f2", ""))
	if ok, err := s.RevokeToken(ctx, oauth2store.HashToken("a-alone"), "c2"); err != nil || ok {
		t.Errorf("RevokeToken by another client = %v, %v; want false, nil", ok, err)
	}
	wantLive(t, s, true, "a-alone")
	if ok, err := s.RevokeToken(ctx, oauth2store.HashToken("a-alone"), "c1"); err != nil || !ok {
		t.Errorf("RevokeToken(access) = %v, %v; want true", ok, err)
	}
	wantLive(t, s, false, "a-alone")
	if ok, _ := s.RevokeToken(ctx, oauth2store.HashToken("a-alone"), "c1"); ok {
		t.Error("RevokeToken twice reported true twice")
	}
	// An access token alone: its refresh token lives on.
	s.RevokeToken(ctx, oauth2store.HashToken("a-f2"), "c1")
	wantLive(t, s, true, "r-f2")
	// A refresh token: its family.
	if ok, err := s.RevokeToken(ctx, oauth2store.HashToken("r1"), "c1"); err != nil || !ok {
		t.Errorf("RevokeToken(refresh) = %v, %v; want true", ok, err)
	}
	wantLive(t, s, false, "a1", "r1")
	if _, st, _ := s.RotateRefreshToken(ctx, oauth2store.HashToken("r1"), "c1", t0, refresh("r2", "c1", "f1", "")); st != oauth2store.RotateUnknown {
		t.Errorf("rotating a revoked refresh token = %v; want RotateUnknown", st)
	}
	if ok, err := s.RevokeToken(ctx, oauth2store.HashToken("unknown"), "c1"); err != nil || ok {
		t.Errorf("RevokeToken(unknown) = %v, %v; want false, nil", ok, err)
	}
}

func testCleanup(t *testing.T, s oauth2store.Store) {
	mustCreate(t, s, "c1")
	old := code("old", "c1")
	old.ExpiresAt = t0
	mustSaveCode(t, s, old)
	mustSaveCode(t, s, code("new", "c1"))
	expired := access("expired", "c1", "", "")
	expired.ExpiresAt = t0.Add(-time.Second)
	mustSave(t, s, expired, access("a1", "c1", "", ""), refresh("r1", "c1", "f1", ""))
	n, err := s.CleanupExpired(ctx, t0)
	if err != nil || n != 2 {
		t.Errorf("CleanupExpired = %d, %v; want 2 (one code, one token)", n, err)
	}
	wantLive(t, s, true, "a1", "r1")
	if _, found, _ := s.Application(ctx, "c1"); !found {
		t.Error("CleanupExpired removed an application")
	}
	if _, st, _ := s.ConsumeCode(ctx, oauth2store.HashToken("new"), t0); st != oauth2store.CodeValid {
		t.Error("CleanupExpired removed a live code")
	}
	if n, err := s.CleanupExpired(ctx, t0); err != nil || n != 0 {
		t.Errorf("second CleanupExpired = %d, %v; want 0", n, err)
	}
	if n, _ := s.CleanupExpired(ctx, t0.Add(48*time.Hour)); n != 3 {
		t.Errorf("CleanupExpired two days later = %d; want 3 (the used code and both tokens)", n)
	}
}

func testContextCanceled(t *testing.T, s oauth2store.Store) {
	mustCreate(t, s, "c1")
	mustSave(t, s, refresh("r1", "c1", "f1", ""))
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	check := func(name string, err error) {
		t.Helper()
		if !errors.Is(err, core.ErrStoreUnavailable) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: %v; want ErrStoreUnavailable and context.Canceled", name, err)
		}
	}
	check("CreateApplication", s.CreateApplication(cctx, app("c2")))
	_, _, err := s.Application(cctx, "c1")
	check("Application", err)
	_, err = s.DeleteApplication(cctx, "c1")
	check("DeleteApplication", err)
	check("SaveCode", s.SaveCode(cctx, code("c", "c1")))
	_, _, err = s.ConsumeCode(cctx, oauth2store.HashToken("c"), t0)
	check("ConsumeCode", err)
	check("SaveTokens", s.SaveTokens(cctx, access("a", "c1", "", "")))
	_, _, err = s.Token(cctx, oauth2store.HashToken("r1"), t0)
	check("Token", err)
	_, st, err := s.RotateRefreshToken(cctx, oauth2store.HashToken("r1"), "c1", t0, refresh("r2", "c1", "f1", ""))
	check("RotateRefreshToken", err)
	if st == oauth2store.RotateOK {
		t.Error("RotateRefreshToken with a canceled context answered RotateOK")
	}
	_, err = s.RevokeToken(cctx, oauth2store.HashToken("r1"), "c1")
	check("RevokeToken", err)
	_, err = s.CleanupExpired(cctx, t0)
	check("CleanupExpired", err)
	wantLive(t, s, true, "r1")
}
