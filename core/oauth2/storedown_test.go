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
