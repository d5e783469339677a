package oauth2

import (
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core"
)

// BenchmarkClientCredentials is POST /o/token with grant_type
// client_credentials and client_secret_basic, through the endpoint, on
// the memory store: form parsing, client authentication (a SHA-256
// secret), issuance and the JSON answer.
func BenchmarkClientCredentials(b *testing.B) {
	p := fuzzProvider(b)
	ep := p.TokenEndpoint()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("c:s"))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/o/token", strings.NewReader("grant_type=client_credentials&scope=read"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", basic)
		rec := httptest.NewRecorder()
		if err := ep.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil || rec.Code != 200 {
			b.Fatalf("%d %v", rec.Code, err)
		}
	}
}

// BenchmarkIntrospect is POST /o/introspect of a live client-credentials
// token by a confidential client, on the memory store.
func BenchmarkIntrospect(b *testing.B) {
	p := fuzzProvider(b)
	app, _, _ := p.cfg.Store.Application(b.Context(), "c")
	tok, err := p.ClientCredentials(b.Context(), &app, "read")
	if err != nil {
		b.Fatal(err)
	}
	ep := p.IntrospectEndpoint()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("c:s"))
	body := "token=" + tok.AccessToken
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/o/introspect", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", basic)
		rec := httptest.NewRecorder()
		if err := ep.Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil || rec.Code != 200 || !strings.Contains(rec.Body.String(), `"active":true`) {
			b.Fatalf("%d %v %s", rec.Code, err, rec.Body)
		}
	}
}
