package oauth2_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/oauth2"
	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
)

// flakyStore fails, as a database that went away does, every call while
// down is set, or only the calls of the method named by only.
type flakyStore struct {
	oauth2.Store
	down atomic.Bool
	only atomic.Pointer[string]
}

var errDown = fmt.Errorf("flaky: %w", core.ErrStoreUnavailable)

// fails reports whether a call of method fails now.
func (s *flakyStore) fails(method string) bool {
	if o := s.only.Load(); o != nil && *o == method {
		return true
	}
	return s.down.Load()
}

func (s *flakyStore) CreateApplication(ctx context.Context, app oauth2.Application) error {
	if s.fails("CreateApplication") {
		return errDown
	}
	return s.Store.CreateApplication(ctx, app)
}

func (s *flakyStore) Application(ctx context.Context, id string) (oauth2.Application, bool, error) {
	if s.fails("Application") {
		return oauth2.Application{}, false, errDown
	}
	return s.Store.Application(ctx, id)
}

func (s *flakyStore) DeleteApplication(ctx context.Context, id string) (bool, error) {
	if s.fails("DeleteApplication") {
		return false, errDown
	}
	return s.Store.DeleteApplication(ctx, id)
}

func (s *flakyStore) SaveCode(ctx context.Context, c oauth2.StoredCode) error {
	if s.fails("SaveCode") {
		return errDown
	}
	return s.Store.SaveCode(ctx, c)
}

func (s *flakyStore) ConsumeCode(ctx context.Context, hash string, now time.Time) (oauth2.StoredCode, oauth2store.CodeState, error) {
	if s.fails("ConsumeCode") {
		return oauth2.StoredCode{}, oauth2store.CodeUnknown, errDown
	}
	return s.Store.ConsumeCode(ctx, hash, now)
}

func (s *flakyStore) SaveTokens(ctx context.Context, t ...oauth2.StoredToken) error {
	if s.fails("SaveTokens") {
		return errDown
	}
	return s.Store.SaveTokens(ctx, t...)
}

func (s *flakyStore) Token(ctx context.Context, hash string, now time.Time) (oauth2.StoredToken, bool, error) {
	if s.fails("Token") {
		return oauth2.StoredToken{}, false, errDown
	}
	return s.Store.Token(ctx, hash, now)
}

func (s *flakyStore) RotateRefreshToken(ctx context.Context, hash, clientID string, now time.Time, next ...oauth2.StoredToken) (oauth2.StoredToken, oauth2store.RotateState, error) {
	if s.fails("RotateRefreshToken") {
		return oauth2.StoredToken{}, oauth2store.RotateUnknown, errDown
	}
	return s.Store.RotateRefreshToken(ctx, hash, clientID, now, next...)
}

func (s *flakyStore) RevokeToken(ctx context.Context, hash, clientID string) (bool, error) {
	if s.fails("RevokeToken") {
		return false, errDown
	}
	return s.Store.RevokeToken(ctx, hash, clientID)
}

func (s *flakyStore) CleanupExpired(ctx context.Context, now time.Time) (int, error) {
	if s.fails("CleanupExpired") {
		return 0, errDown
	}
	return s.Store.CleanupExpired(ctx, now)
}

// storeDownFixture is a provider on a flakyStore with alice, a
// confidential client of every grant (SkipAuthorization) and its
// credentials.
type storeDownFixture struct {
	t     *testing.T
	p     *oauth2.Provider
	store *flakyStore
	alice core.User
	creds *oauth2.Credentials
}

func newStoreDownFixture(t *testing.T) *storeDownFixture {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	users.Hashers = fastHashers()
	pw := alicePassword
	alice, err := users.CreateUser(ctx, "alice", &pw, nil)
	if err != nil {
		t.Fatal(err)
	}
	protector, _ := csrf.New()
	store := &flakyStore{Store: oauth2.NewMemoryStore()}
	p, err := oauth2.NewProvider(oauth2.Config{Store: store, Users: core.NewModelBackend(users), Issuer: "https://issuer.example",
		CSRF: protector, Hashers: fastHashers()})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := p.RegisterApplication(ctx, oauth2.NewApplication{ClientType: oauth2.ClientConfidential, RedirectURIs: []string{redirectURI},
		GrantTypes: []string{oauth2.GrantAuthorizationCode, oauth2.GrantRefreshToken, oauth2.GrantClientCredentials}, SkipAuthorization: true})
	if err != nil {
		t.Fatal(err)
	}
	return &storeDownFixture{t: t, p: p, store: store, alice: alice, creds: creds}
}

// serve calls ep with the client's Basic credentials, and alice logged in
// by session.
func (f *storeDownFixture) serve(ep core.Endpoint, method, target, body string) *responseRecorder {
	f.t.Helper()
	req, _ := http.NewRequest(method, target, stringsReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(f.creds.ClientID, f.creds.ClientSecret)
	req = req.WithContext(core.WithIdentity(req.Context(), &core.Identity{User: f.alice, Method: "session"}))
	rec := newRecorder()
	if err := ep.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
		f.t.Fatalf("%s %s: %v", method, target, err)
	}
	return rec
}

// tokens returns a live access and refresh token pair of the client.
func (f *storeDownFixture) tokens() *oauth2.OAuth2Token {
	f.t.Helper()
	ctx := context.Background()
	code, err := f.p.GenerateAuthorizationCode(ctx, oauth2.AuthorizationRequest{ClientID: f.creds.ClientID, RedirectURI: redirectURI, UserID: f.alice.GetID()})
	if err != nil {
		f.t.Fatal(err)
	}
	app, err := f.p.AuthenticateClient(ctx, f.creds.ClientID, f.creds.ClientSecret)
	if err != nil {
		f.t.Fatal(err)
	}
	tok, err := f.p.ExchangeCode(ctx, app, oauth2.ExchangeRequest{Code: code, RedirectURI: redirectURI})
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

func want503(t *testing.T, name string, rec *responseRecorder) {
	t.Helper()
	if rec.Code != 503 || !contains(rec.Body.String(), `"error":"temporarily_unavailable"`) || rec.Header().Get("Location") != "" {
		t.Errorf("%s with the store down: %d %s %v", name, rec.Code, rec.Body, rec.Header())
	}
}

// TestStoreDownFailsClosed: with the store down nothing is issued,
// rotated, revoked or accepted: the endpoints answer 503
// temporarily_unavailable (the authorize endpoint without redirecting),
// the Go API and the Bearer authenticator an error wrapping
// core.ErrStoreUnavailable.
func TestStoreDownFailsClosed(t *testing.T) {
	f := newStoreDownFixture(t)
	p, ctx := f.p, context.Background()
	tok := f.tokens()
	f.store.down.Store(true)
	authorize := "/o/authorize?response_type=code&state=s&client_id=" + f.creds.ClientID
	want503(t, "token", f.serve(p.TokenEndpoint(), "POST", "/o/token", "grant_type=client_credentials"))
	want503(t, "refresh", f.serve(p.TokenEndpoint(), "POST", "/o/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}.Encode()))
	want503(t, "introspect", f.serve(p.IntrospectEndpoint(), "POST", "/o/introspect", url.Values{"token": {tok.AccessToken}}.Encode()))
	want503(t, "revoke", f.serve(p.RevokeEndpoint(), "POST", "/o/revoke_token", url.Values{"token": {tok.AccessToken}}.Encode()))
	want503(t, "authorize", f.serve(p.AuthorizeEndpoint(), "GET", authorize, ""))
	req, _ := http.NewRequest("GET", "/api/posts", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if id, err := p.Authentication().Authenticate(core.NewHTTPRequest(req)); id != nil || !isStoreDown(err) {
		t.Errorf("Authenticate with the store down = %v, %v; want ErrStoreUnavailable", id, err)
	}
	if _, err := p.VerifyToken(ctx, tok.AccessToken); !isStoreDown(err) {
		t.Errorf("VerifyToken with the store down: %v", err)
	}
	if _, err := p.GenerateAuthorizationCode(ctx, oauth2.AuthorizationRequest{ClientID: f.creds.ClientID, RedirectURI: redirectURI, UserID: f.alice.GetID()}); !isStoreDown(err) {
		t.Errorf("GenerateAuthorizationCode with the store down: %v", err)
	}
	if _, err := p.RegisterApplication(ctx, oauth2.NewApplication{ClientType: oauth2.ClientConfidential, GrantTypes: []string{oauth2.GrantClientCredentials}}); !isStoreDown(err) {
		t.Errorf("RegisterApplication with the store down: %v", err)
	}
	if _, err := p.CleanupExpired(ctx); !isStoreDown(err) {
		t.Errorf("CleanupExpired with the store down: %v", err)
	}
	// Back up: the tokens were neither rotated nor revoked.
	f.store.down.Store(false)
	if _, err := p.VerifyToken(ctx, tok.AccessToken); err != nil {
		t.Errorf("the access token after the outage: %v", err)
	}
}

// TestStoreStepDownFailsClosed: each store method failing alone, after
// the steps before it succeeded, fails its request closed: no code, no
// token, nothing rotated or revoked that the answer does not say.
func TestStoreStepDownFailsClosed(t *testing.T) {
	f := newStoreDownFixture(t)
	p := f.p
	fail := func(method string) { f.store.only.Store(&method) }
	defer f.store.only.Store(nil)

	// Issuing a code: the error goes to the client, without a code.
	fail("SaveCode")
	rec := f.serve(p.AuthorizeEndpoint(), "GET", "/o/authorize?response_type=code&state=s&client_id="+f.creds.ClientID, "")
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusFound || loc.Query().Get("error") != "temporarily_unavailable" || loc.Query().Get("code") != "" {
		t.Errorf("authorize with SaveCode failing: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	fail("ConsumeCode")
	code, err := p.GenerateAuthorizationCode(context.Background(), oauth2.AuthorizationRequest{ClientID: f.creds.ClientID, RedirectURI: redirectURI, UserID: f.alice.GetID()})
	if err != nil {
		t.Fatal(err)
	}
	want503(t, "exchange with ConsumeCode failing", f.serve(p.TokenEndpoint(), "POST", "/o/token",
		url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}.Encode()))
	fail("SaveTokens")
	want503(t, "client credentials with SaveTokens failing", f.serve(p.TokenEndpoint(), "POST", "/o/token", "grant_type=client_credentials"))
	f.store.only.Store(nil)
	tok := f.tokens()
	fail("RotateRefreshToken")
	want503(t, "refresh with RotateRefreshToken failing", f.serve(p.TokenEndpoint(), "POST", "/o/token",
		url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}.Encode()))
	fail("RevokeToken")
	want503(t, "revoke with RevokeToken failing", f.serve(p.RevokeEndpoint(), "POST", "/o/revoke_token", url.Values{"token": {tok.RefreshToken}}.Encode()))
	fail("Token")
	want503(t, "introspect with Token failing", f.serve(p.IntrospectEndpoint(), "POST", "/o/introspect", url.Values{"token": {tok.AccessToken}}.Encode()))
	// The refresh token still rotates once the store is back.
	f.store.only.Store(nil)
	rec = f.serve(p.TokenEndpoint(), "POST", "/o/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}.Encode())
	if rec.Code != 200 {
		t.Errorf("refresh after the failures: %d %s", rec.Code, rec.Body)
	}
}

// reuseBeforeSave is a store on which every code is presented again
// between its redemption and the saving of its tokens: the race of a
// code's first redemption with its reuse, made certain.
type reuseBeforeSave struct{ oauth2.Store }

func (s reuseBeforeSave) SaveTokens(ctx context.Context, toks ...oauth2.StoredToken) error {
	for _, t := range toks {
		if t.CodeHash != "" {
			if _, st, err := s.Store.ConsumeCode(ctx, t.CodeHash, time.Now()); err != nil || st != oauth2store.CodeReused {
				return fmt.Errorf("the reuse: %v, %v", st, err)
			}
			break
		}
	}
	return s.Store.SaveTokens(ctx, toks...)
}

// TestCodeReuseRaceRefused: when a code's reuse lands between its first
// redemption and the saving of its tokens, the store keeps none
// (oauth2store.ErrCodeReused): the winning redemption still answers (one
// redemption of a code succeeds), with tokens that were never valid and
// no id_token, so nobody is logged in by a stolen code.
func TestCodeReuseRaceRefused(t *testing.T) {
	ctx := context.Background()
	users := core.NewDefaultUserManager()
	users.Hashers = fastHashers()
	pw := alicePassword
	alice, err := users.CreateUser(ctx, "alice", &pw, nil)
	if err != nil {
		t.Fatal(err)
	}
	protector, _ := csrf.New()
	p, err := oauth2.NewProvider(oauth2.Config{Store: reuseBeforeSave{oauth2.NewMemoryStore()}, Users: core.NewModelBackend(users),
		Issuer: "https://issuer.example", CSRF: protector, Hashers: fastHashers()})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := p.RegisterApplication(ctx, oauth2.NewApplication{ClientType: oauth2.ClientConfidential, RedirectURIs: []string{redirectURI},
		GrantTypes: []string{oauth2.GrantAuthorizationCode}, Scopes: []string{"openid", "read"}})
	if err != nil {
		t.Fatal(err)
	}
	newCode := func() string {
		code, err := p.GenerateAuthorizationCode(ctx, oauth2.AuthorizationRequest{ClientID: creds.ClientID, RedirectURI: redirectURI,
			UserID: alice.GetID(), Scope: "openid read", AuthTime: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	app, err := p.AuthenticateClient(ctx, creds.ClientID, creds.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := p.ExchangeCode(ctx, app, oauth2.ExchangeRequest{Code: newCode(), RedirectURI: redirectURI})
	if err != nil || tok == nil || tok.IDToken != "" || tok.AccessToken == "" {
		t.Fatalf("ExchangeCode racing a reuse = %+v, %v; want the winner's answer without an id_token", tok, err)
	}
	if _, err := p.VerifyToken(ctx, tok.AccessToken); err == nil {
		t.Error("the access token of a redemption that raced a reuse is valid")
	}
	req, _ := http.NewRequest("POST", "/o/token", stringsReader(url.Values{"grant_type": {"authorization_code"}, "code": {newCode()},
		"redirect_uri": {redirectURI}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(creds.ClientID, creds.ClientSecret)
	rec := newRecorder()
	if err := p.TokenEndpoint().Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 200 || contains(rec.Body.String(), `"id_token"`) {
		t.Errorf("token endpoint racing a reuse: %d %s; want 200 without an id_token", rec.Code, rec.Body)
	}
}
