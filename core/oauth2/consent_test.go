package oauth2

import (
	"context"
	"html/template"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core"
)

// TestConsentTemplateHook: the application's template renders the
// consent page, with the request's scopes, hidden fields and CSRF token.
func TestConsentTemplateHook(t *testing.T) {
	p := fuzzProvider(t)
	p.cfg.ConsentTemplate = template.Must(template.New("mine").Parse(
		`<main data-app="{{.ClientID}}">{{range .Scopes}}[{{.Name}}:{{.Description}}]{{end}}` +
			`{{range .Fields}}<i name="{{.Name}}" value="{{.Value}}">{{end}}<b>{{if .CSRFToken}}csrf{{end}}</b></main>`))
	users, _ := p.cfg.Users.(*core.ModelBackend)
	alice, _ := users.Store.UserByUsername(context.Background(), "alice")
	req := httptest.NewRequest("GET", "https://issuer.example/o/authorize?response_type=code&client_id=p&scope=read&state=s%3C"+
		"&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256", nil)
	req = req.WithContext(core.WithIdentity(req.Context(), &core.Identity{User: alice, Method: "session"}))
	rec := httptest.NewRecorder()
	if err := p.AuthorizeEndpoint().Serve(core.NewHTTPResponse(rec), core.NewHTTPRequest(req)); err != nil {
		t.Fatal(err)
	}
	body := rec.Body.String()
	for _, want := range []string{`<main data-app="p">`, `[read:Reading scope]`, `<i name="state" value="s&lt;">`,
		`<i name="code_challenge_method" value="S256">`, `<b>csrf</b>`} {
		if !strings.Contains(body, want) {
			t.Errorf("consent page lacks %s:\n%s", want, body)
		}
	}
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("consent page: %d %v", rec.Code, rec.Header())
	}
}
