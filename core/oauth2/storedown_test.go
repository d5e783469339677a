package oauth2_test

import (
	"context"
	"errors"
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

// flakyStore fails every call while down is set, as a database that went
// away does.
type flakyStore struct {
	oauth2.Store
	down atomic.Bool
}

var errDown = fmt.Errorf("flaky: %w", core.ErrStoreUnavailable)

func (s *flakyStore) Application(ctx context.Context, id string) (oauth2.Application, bool, error) {
	if s.down.Load() {
		return oauth2.Application{}, false, errDown
	}
	return s.Store.Application(ctx, id)
}

func (s *flakyStore) SaveTokens(ctx context.Context, t ...oauth2.StoredToken) error {
	if s.down.Load() {
		return errDown
	}
	return s.Store.SaveTokens(ctx, t...)
}

func (s *flakyStore) Token(ctx context.Context, hash string, now time.Time) (oauth2.StoredToken, bool, error) {
	if s.down.Load() {
		return oauth2.StoredToken{}, false, errDown
	}
	return s.Store.Token(ctx, hash, now)
}

func (s *flakyStore) ConsumeCode(ctx context.Context, hash string, now time.Time) (oauth2.StoredCode, oauth2store.CodeState, error) {
	if s.down.Load() {
		return oauth2.StoredCode{}, oauth2store.CodeUnknown, errDown
	}
	return s.Store.ConsumeCode(ctx, hash, now)
}

// TestStoreDownFailsClosed: with the store down nothing is issued or
// accepted: the endpoints answer 503 temporarily_unavailable (the
// authorize endpoint without redirecting), the Bearer authenticator an
// error wrapping core.ErrStoreUnavailable.
func TestStoreDownFailsClosed(t *testing.T) {
	users := core.NewDefaultUserManager()
	users.Hashers = fastHashers()
	pw := alicePassword
	if _, err := users.CreateUser(context.Background(), "alice", &pw, nil); err != nil {
		t.Fatal(err)
	}
	protector, _ := csrf.New()
	store := &flakyStore{Store: oauth2.NewMemoryStore()}
	p, err := oauth2.NewProvider(oauth2.Config{Store: store, Users: core.NewModelBackend(users), Issuer: "https://issuer.example", CSRF: protector})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	creds, err := p.RegisterApplication(ctx, oauth2.NewApplication{ClientType: oauth2.ClientConfidential, GrantTypes: []string{oauth2.GrantClientCredentials}})
	if err != nil {
		t.Fatal(err)
	}
	app, _, _ := store.Application(ctx, creds.ClientID)
	tok, err := p.ClientCredentials(ctx, &app, "")
	if err != nil {
		t.Fatal(err)
	}
	store.down.Store(true)
	serve := func(ep core.Endpoint, method, target, body string) *responseRecorder {
		req, _ := http.NewRequest(method, target, stringsReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(creds.ClientID, creds.ClientSecret)
		rec := newRecorder()
		if err := ep.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		return rec
	}
	for name, rec := range map[string]*responseRecorder{
		"token":      serve(p.TokenEndpoint(), "POST", "/o/token", "grant_type=client_credentials"),
		"introspect": serve(p.IntrospectEndpoint(), "POST", "/o/introspect", url.Values{"token": {tok.AccessToken}}.Encode()),
		"authorize":  serve(p.AuthorizeEndpoint(), "GET", "/o/authorize?response_type=code&client_id="+creds.ClientID, ""),
	} {
		if rec.Code != 503 || !contains(rec.Body.String(), `"error":"temporarily_unavailable"`) || rec.Header().Get("Location") != "" {
			t.Errorf("%s with the store down: %d %s %v", name, rec.Code, rec.Body, rec.Header())
		}
	}
	req, _ := http.NewRequest("GET", "/api/posts", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if id, err := p.Authentication().Authenticate(core.NewHTTPRequest(req)); id != nil || !isStoreDown(err) {
		t.Errorf("Authenticate with the store down = %v, %v; want ErrStoreUnavailable", id, err)
	}
	if _, err := p.VerifyToken(ctx, tok.AccessToken); !isStoreDown(err) {
		t.Errorf("VerifyToken with the store down: %v", err)
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
// (oauth2store.ErrCodeReused) and the redemption is invalid_grant, with
// no tokens and no id_token: never a 200 with dead tokens.
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
	if tok != nil || !errors.Is(err, &oauth2.Error{Code: oauth2.ErrCodeInvalidGrant}) {
		t.Errorf("ExchangeCode racing a reuse = %+v, %v; want nil, invalid_grant", tok, err)
	}
	req, _ := http.NewRequest("POST", "/o/token", stringsReader(url.Values{"grant_type": {"authorization_code"}, "code": {newCode()},
		"redirect_uri": {redirectURI}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(creds.ClientID, creds.ClientSecret)
	rec := newRecorder()
	if err := p.TokenEndpoint().Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 400 || !contains(rec.Body.String(), `"error":"invalid_grant"`) || contains(rec.Body.String(), "token\"") {
		t.Errorf("token endpoint racing a reuse: %d %s; want 400 invalid_grant and no token", rec.Code, rec.Body)
	}
}
