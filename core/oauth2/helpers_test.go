package oauth2_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	httpauth "github.com/reinhardt-go/auth/adapters/stdhttp"
	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/hashers"
	"github.com/reinhardt-go/auth/core/oauth2"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/stores/memory"
)

const (
	alicePassword = "a-long-pass-phrase"
	redirectURI   = "https://client.example/cb"
)

// harness is a provider mounted through adapters/stdhttp behind the
// session middleware, the CSRF middleware and an engine with the session
// and OAuth2 authenticators, as the showcase mounts it.
type harness struct {
	t      *testing.T
	p      *oauth2.Provider
	store  *oauth2.MemoryStore
	srv    *httptest.Server
	users  *core.DefaultUserManager
	alice  *core.DefaultUser
	offset atomic.Int64 // added to the provider's clock
}

func fastHashers() *hashers.Registry {
	h := hashers.NewPBKDF2SHA256Hasher()
	h.Iterations = 1000
	return hashers.New(h, hashers.NewPBKDF2SHA256Hasher())
}

// noSessionCSRF leaves CSRF out of the session authenticator, so that
// only the provider's own check guards the consent form.
type noSessionCSRF struct{}

// validAfter, given to newHarness, is the provider's Config.ValidAfter.
type validAfter func(ctx context.Context, userID string) (time.Time, error)

func newHarness(t *testing.T, opts ...any) *harness {
	t.Helper()
	ctx := context.Background()
	h := &harness{t: t, store: oauth2.NewMemoryStore(), users: core.NewDefaultUserManager()}
	h.users.Hashers = fastHashers()
	pw := alicePassword
	u, err := h.users.CreateUser(ctx, "alice", &pw, map[string]any{"email": "alice@example.com", "first_name": "Alice", "last_name": "Liddell"})
	if err != nil {
		t.Fatal(err)
	}
	h.alice = u
	backend := core.NewModelBackend(h.users)
	protector, err := csrf.New(csrf.WithSecureCookie(false))
	if err != nil {
		t.Fatal(err)
	}
	manager := sessions.NewManager(memory.NewSessionBackend())
	manager.Cookie.Secure = false
	secret := []byte("0123456789abcdef0123456789abcdef-test")
	sessionAuth := sessions.NewSessionAuthentication(secret, backend)
	sessionAuth.Manager, sessionAuth.CSRF = manager, protector.Check
	for _, o := range opts {
		if _, ok := o.(noSessionCSRF); ok {
			sessionAuth.CSRF = nil
		}
	}
	login := &sessions.LoginEndpoint{Auth: sessionAuth, Backend: backend, BackendName: sessions.DefaultBackendName}

	mux := http.NewServeMux()
	h.srv = httptest.NewServer(nil)
	t.Cleanup(h.srv.Close)
	cfg := oauth2.Config{
		Store: h.store, Users: backend, Issuer: h.srv.URL, CSRF: protector, Hashers: fastHashers(),
		Now: func() time.Time { return time.Now().Add(time.Duration(h.offset.Load())) },
	}
	for _, o := range opts {
		if f, ok := o.(validAfter); ok {
			cfg.ValidAfter = f
		}
	}
	h.p, err = oauth2.NewProvider(cfg)
	if err != nil {
		t.Fatal(err)
	}
	engine := core.NewEngine(sessionAuth, h.p.Authentication())
	mux.Handle("GET /api/auth/csrf", httpauth.Endpoint(protector.TokenEndpoint()))
	mux.Handle("POST /api/auth/login", httpauth.Endpoint(login))
	mux.Handle("/o/authorize", httpauth.Endpoint(h.p.AuthorizeEndpoint()))
	mux.Handle("/o/token", httpauth.Endpoint(h.p.TokenEndpoint()))
	mux.Handle("/o/revoke_token", httpauth.Endpoint(h.p.RevokeEndpoint()))
	mux.Handle("/o/introspect", httpauth.Endpoint(h.p.IntrospectEndpoint()))
	mux.Handle("/.well-known/oauth-authorization-server", httpauth.Endpoint(h.p.MetadataEndpoint()))
	mux.Handle("/.well-known/openid-configuration", httpauth.Endpoint(h.p.OpenIDConfigurationEndpoint()))
	mux.Handle("/.well-known/jwks.json", httpauth.Endpoint(h.p.JWKSEndpoint()))
	mux.Handle("/api/posts", httpauth.RequireFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}, oauth2.TokenHasReadWriteScope{}))
	mux.HandleFunc("/api/me", func(w http.ResponseWriter, r *http.Request) {
		id := httpauth.Identity(r)
		var scopes []string
		if tok, ok := oauth2.TokenFromIdentity(id); ok {
			scopes = tok.Scopes
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"username": id.User.GetUsername(), "auth": id.Method, "scopes": scopes})
	})
	// Userinfo authenticates its own bearer, with RFC 6750's answers:
	// outside the engine, whose failures are DRF's.
	outer := http.NewServeMux()
	outer.Handle("/o/userinfo", httpauth.Endpoint(h.p.UserInfoEndpoint()))
	outer.Handle("/", httpauth.Sessions(manager)(httpauth.CSRF(protector)(httpauth.Middleware(engine)(mux))))
	h.srv.Config.Handler = outer
	return h
}

// register registers an application, failing the test on error.
func (h *harness) register(in oauth2.NewApplication) *oauth2.Credentials {
	h.t.Helper()
	if in.ClientType == "" {
		in.ClientType = oauth2.ClientConfidential
	}
	if in.RedirectURIs == nil {
		in.RedirectURIs = []string{redirectURI}
	}
	if in.GrantTypes == nil {
		in.GrantTypes = []string{oauth2.GrantAuthorizationCode}
	}
	if in.Scopes == nil {
		in.Scopes = []string{"read", "write", "openid", "profile", "email"}
	}
	c, err := h.p.RegisterApplication(context.Background(), in)
	if err != nil {
		h.t.Fatalf("RegisterApplication: %v", err)
	}
	return c
}

// browser returns a client with a cookie jar that does not follow
// redirects, logged in as alice when login is set.
func (h *harness) browser(login bool) *http.Client {
	h.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if login {
		h.login(c)
	}
	return c
}

// login logs browser c in as alice (again, when it is logged in).
func (h *harness) login(c *http.Client) {
	h.t.Helper()
	res, err := c.Get(h.srv.URL + "/api/auth/csrf")
	if err != nil {
		h.t.Fatal(err)
	}
	var tok struct{ CSRFToken string }
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/auth/login", strings.NewReader(`{"username":"alice","password":"`+alicePassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRFToken", tok.CSRFToken)
	res, err = c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		h.t.Fatalf("login: %d", res.StatusCode)
	}
}

type reply struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

func (r reply) str(k string) string { s, _ := r.json[k].(string); return s }

func do(t *testing.T, c *http.Client, req *http.Request) reply {
	t.Helper()
	if c == nil {
		c = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, header: res.Header, body: string(b)}
	_ = json.Unmarshal(b, &r.json)
	return r
}

// authorize GETs /o/authorize with q.
func (h *harness) authorize(c *http.Client, q url.Values) reply {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.srv.URL+"/o/authorize?"+q.Encode(), nil)
	return do(h.t, c, req)
}

// post sends a form to path, with Basic credentials when user is set.
func (h *harness) post(path string, form url.Values, user, pass string) reply {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	return do(h.t, nil, req)
}

// location parses a redirect's Location, which must start with prefix.
func location(t *testing.T, r reply, prefix string) url.Values {
	t.Helper()
	loc := r.header.Get("Location")
	if r.status != http.StatusFound || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("want a 302 to %s; got %d Location %q body %s", prefix, r.status, loc, r.body)
	}
	u, _ := url.Parse(loc)
	if u.Fragment != "" {
		v, _ := url.ParseQuery(u.Fragment)
		return v
	}
	return u.Query()
}

// pkce returns a verifier and its S256 challenge.
func pkce(seed string) (verifier, challenge string) {
	verifier = strings.Repeat(seed, 64)[:64]
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func codeQuery(clientID string, extra ...string) url.Values {
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirectURI}, "state": {"xyz"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

// code runs the authorize step for an application with
// SkipAuthorization and returns the code.
func (h *harness) code(c *http.Client, q url.Values) string {
	h.t.Helper()
	v := location(h.t, h.authorize(c, q), redirectURI+"?")
	if v.Get("code") == "" || v.Get("state") != q.Get("state") {
		h.t.Fatalf("authorize redirect %v: want code and state %q", v, q.Get("state"))
	}
	return v.Get("code")
}

var csrfField = regexp.MustCompile(`name="csrfmiddlewaretoken" value="([^"]+)"`)
var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// consentForm returns the hidden fields of a consent page.
func consentForm(t *testing.T, r reply) url.Values {
	t.Helper()
	if r.status != 200 || !csrfField.MatchString(r.body) {
		t.Fatalf("want the consent page; got %d %s", r.status, r.body)
	}
	form := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(r.body, -1) {
		form.Set(m[1], htmlUnescape(m[2]))
	}
	return form
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

func (h *harness) postConsent(c *http.Client, form url.Values) reply {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.srv.URL+"/o/authorize", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(h.t, c, req)
}

func wantOAuthError(t *testing.T, r reply, status int, code string) {
	t.Helper()
	if r.status != status || r.str("error") != code {
		t.Fatalf("want %d %s; got %d %s", status, code, r.status, r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("error without Cache-Control: no-store: %v", r.header)
	}
}

func (h *harness) introspect(creds *oauth2.Credentials, token string) reply {
	h.t.Helper()
	return h.post("/o/introspect", url.Values{"token": {token}}, creds.ClientID, creds.ClientSecret)
}

func (h *harness) active(creds *oauth2.Credentials, token string) bool {
	h.t.Helper()
	r := h.introspect(creds, token)
	if r.status != 200 {
		h.t.Fatalf("introspect: %d %s", r.status, r.body)
	}
	return r.json["active"] == true
}

func coreRequest(r *http.Request) core.Request { return core.NewHTTPRequest(r) }

type responseRecorder = httptest.ResponseRecorder

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func isStoreDown(err error) bool { return errors.Is(err, core.ErrStoreUnavailable) }
