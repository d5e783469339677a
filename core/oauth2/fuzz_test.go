package oauth2

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/hashers"
)

// fuzzProvider is a provider with one confidential client "c" (secret
// "s", SHA-256-hashed as generated secrets are), redirect URI
// https://client.example/cb, all grants, and one public client "p".
func fuzzProvider(tb testing.TB) *Provider {
	tb.Helper()
	users := core.NewDefaultUserManager()
	h := hashers.NewPBKDF2SHA256Hasher()
	h.Iterations = 1000
	users.Hashers = hashers.New(h)
	pw := "pw-of-alice"
	if _, err := users.CreateUser(context.Background(), "alice", &pw, nil); err != nil {
		tb.Fatal(err)
	}
	protector, err := csrf.New()
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := newRSASigner()
	if err != nil {
		tb.Fatal(err)
	}
	p, err := NewProvider(Config{Store: NewMemoryStore(), Users: core.NewModelBackend(users), Issuer: "https://issuer.example",
		CSRF: protector, Signer: signer, Hashers: users.Hashers})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	for _, a := range []Application{
		{ClientID: "c", SecretHash: sha256SecretPrefix + hexSHA256("s"), ClientType: ClientConfidential,
			RedirectURIs: []string{"https://client.example/cb"}, Scopes: []string{"read", "write", "openid"},
			GrantTypes: []string{GrantAuthorizationCode, GrantClientCredentials, GrantRefreshToken, GrantImplicit}, SkipAuthorization: true},
		{ClientID: "p", ClientType: ClientPublic, RedirectURIs: []string{"https://client.example/cb"}, Scopes: []string{"read"},
			GrantTypes: []string{GrantAuthorizationCode}},
	} {
		if err := p.cfg.Store.CreateApplication(ctx, a); err != nil {
			tb.Fatal(err)
		}
	}
	return p
}

// FuzzParseParams: a form or query either parses with every name once, or
// is invalid_request; never a panic; and the answer is the one of the
// reference over url.ParseQuery.
func FuzzParseParams(f *testing.F) {
	for _, s := range []string{"", "grant_type=client_credentials&scope=read+write", "a=1&a=2", "a=%zz", "a=%00", "a=%ff", "a;b=c", "=x&y=",
		"=&=", // found by the fuzzer: the empty name twice was taken for no repeat
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameParse(t, s)
		ps, dup, err := parseParams(s)
		if err != nil {
			if e := asError(err); e.Code != ErrCodeInvalidRequest || e.Status != 400 {
				t.Fatalf("parseParams(%q) error %v", s, err)
			}
			if dup != "" {
				if vals, _ := url.ParseQuery(s); len(vals[dup]) < 2 {
					t.Fatalf("parseParams(%q) names %q as repeated", s, dup)
				}
			}
			return
		}
		vals, perr := url.ParseQuery(s)
		if perr != nil {
			t.Fatalf("parseParams(%q) accepted what url.ParseQuery refuses", s)
		}
		for k, vs := range vals {
			if len(vs) != 1 || ps[k] != vs[0] || strings.IndexByte(vs[0], 0) >= 0 {
				t.Fatalf("parseParams(%q)[%q] = %q; ParseQuery %q", s, k, ps[k], vs)
			}
		}
	})
}

// FuzzParseBasic: client_secret_basic credentials decode as RFC 6749
// section 2.3.1 says, or are invalid_client; encoding what was decoded
// decodes to it again; the answer is the reference's.
func FuzzParseBasic(f *testing.F) {
	for _, s := range []string{"Basic Yzpz", "Basic " + base64.StdEncoding.EncodeToString([]byte("a%3Ab:c+d%25")), "Basic !!", "Bearer x", "basic YTo=", "Basic YQ==", "Basic Og=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		sameBasic(t, header)
		id, secret, ok, err := parseBasic(header)
		if !ok {
			if err != nil || id != "" || secret != "" {
				t.Fatalf("parseBasic(%q): not Basic, but %q %q %v", header, id, secret, err)
			}
			return
		}
		if err != nil {
			if e := asError(err); e.Code != ErrCodeInvalidClient || e.Status != 401 {
				t.Fatalf("parseBasic(%q) error %v", header, err)
			}
			return
		}
		if id == "" {
			t.Fatalf("parseBasic(%q) gave an empty id", header)
		}
		again := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
		id2, secret2, ok2, err2 := parseBasic(again)
		if !ok2 || err2 != nil || id2 != id || secret2 != secret {
			t.Fatalf("round trip of %q %q: %q %q %v", id, secret, id2, secret2, err2)
		}
	})
}

// FuzzAuthorizeQuery: whatever the query, the authorize endpoint answers
// below 500, and redirects only to the registered URI or the login page.
// A request with max_age=0 or prompt=login never gets a code or a token
// here, although the browser logged in this very instant: it has no
// session, so it cannot have logged in again after being asked to.
func FuzzAuthorizeQuery(f *testing.F) {
	p := fuzzProvider(f)
	instant := time.Unix(1_800_000_000, 0)
	p.cfg.Now = func() time.Time { return instant }
	p.cfg.AuthTime = func(core.Request) time.Time { return instant }
	for _, s := range []string{
		"response_type=code&client_id=c&state=x",
		"response_type=code&client_id=c&redirect_uri=https%3A%2F%2Fclient.example%2Fcb&scope=read&prompt=none",
		"response_type=token&client_id=c&max_age=0", // login_required: no session to log in again with
		"response_type=code&client_id=c&max_age=0", "response_type=code&client_id=c&max_age=%2B0", "response_type=code&client_id=c&prompt=login",
		"response_type=code&client_id=c&max_age=0&prompt=none",
		"response_type=code&client_id=p&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
		"response_type=code&client_id=c&redirect_uri=https%3A%2F%2Fevil.example%2F",
		"client_id=c&client_id=c", "response_type=code&client_id=c&scope=read&scope=write", "client_id=%zz",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	users, _ := p.cfg.Users.(*core.ModelBackend)
	alice, _ := users.Store.UserByUsername(context.Background(), "alice")
	f.Fuzz(func(t *testing.T, query string, loggedIn bool) {
		req := httptest.NewRequest("GET", "https://issuer.example/o/authorize", nil)
		req.URL.RawQuery = query
		if loggedIn {
			req = req.WithContext(core.WithIdentity(req.Context(), &core.Identity{User: alice, Method: "session"}))
		}
		rec := httptest.NewRecorder()
		if err := p.AuthorizeEndpoint().Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
			if core.ToAPIError(err).Status >= 500 {
				t.Fatalf("query %q: %v", query, err)
			}
			return
		}
		if rec.Code >= 500 {
			t.Fatalf("query %q: %d %s", query, rec.Code, rec.Body)
		}
		loc := rec.Header().Get("Location")
		if loc != "" && !strings.HasPrefix(loc, "https://client.example/cb?") && !strings.HasPrefix(loc, "https://client.example/cb#") &&
			!strings.HasPrefix(loc, DefaultLoginURL+"?next=") {
			t.Fatalf("query %q redirected to %q", query, loc)
		}
		if loc != "" && rec.Code != http.StatusFound {
			t.Fatalf("query %q: Location with %d", query, rec.Code)
		}
		if q, err := url.ParseQuery(query); err == nil && loc != "" {
			maxAge, err := strconv.ParseInt(q.Get("max_age"), 10, 64)
			again := (err == nil && maxAge == 0) || slices.Contains(strings.Split(q.Get("prompt"), " "), "login")
			u, _ := url.Parse(loc)
			answer, _ := url.ParseQuery(u.RawQuery + "&" + u.Fragment)
			if again && (answer.Has("code") || answer.Has("access_token")) {
				t.Fatalf("query %q asks to log in again, and got %q without a new login", query, loc)
			}
		}
	})
}

// FuzzTokenEndpoint: whatever the form and Authorization header, the
// token endpoint answers 200, 400 or 401, with Cache-Control: no-store.
func FuzzTokenEndpoint(f *testing.F) {
	p := fuzzProvider(f)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("c:s"))
	for _, s := range []string{
		"grant_type=client_credentials", "grant_type=client_credentials&scope=read+openid", "grant_type=password&username=a&password=b",
		"grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fclient.example%2Fcb&code_verifier=abc",
		"grant_type=refresh_token&refresh_token=x", "grant_type=client_credentials&client_id=c&client_secret=s",
		"grant_type=client_credentials&grant_type=client_credentials", "grant_type=%zz", "client_id=p&grant_type=authorization_code&code=",
	} {
		f.Add(s, basic)
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, body, auth string) {
		req := httptest.NewRequest("POST", "https://issuer.example/o/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth != "" {
			req.Header["Authorization"] = []string{auth}
		}
		rec := httptest.NewRecorder()
		if err := p.TokenEndpoint().Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
			t.Fatalf("Serve returned %v; the endpoint writes its errors", err)
		}
		switch rec.Code {
		case 200, 400, 401:
		default:
			t.Fatalf("body %q auth %q: %d %s", body, auth, rec.Code, rec.Body)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("no Cache-Control: no-store")
		}
	})
}
