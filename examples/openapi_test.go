package examples_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/reinhardt-go/auth/examples/internal/showcase"
)

// outsideDocument are the paths the OpenAPI document leaves out on
// purpose, each with the paths under it: the HTML pages and the redirects
// of the browser flows (the home page, the login and logout pages, the
// account page, the password-reset pages, the stylesheet). Their answers
// are checked by the transcript and the page tests, not here. Every other
// path is JSON API: a request to one the document does not have must be
// refused (400, 401, 403, 404 or 405), as an unknown path or method is.
var outsideDocument = []string{
	"/",         // the home page (exactly "/")
	"/account",  // the account page
	"/accounts", // /accounts/login, /accounts/logout, the password-reset pages
	"/static",   // the pages' stylesheet
}

// isOutsideDocument reports whether path is one of outsideDocument's.
func isOutsideDocument(path string) bool {
	for _, p := range outsideDocument {
		if path == p || p != "/" && strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// apiSchema is the OpenAPI document a server serves at /api/schema,
// validated as OpenAPI 3, with its router.
type apiSchema struct {
	doc    *openapi3.T
	router routers.Router
}

// loadSchema fetches the server's /api/schema, requires it to be the
// document the showcase embeds and to validate as OpenAPI 3, and routes
// requests by it.
func (r *run) loadSchema() *apiSchema {
	r.t.Helper()
	resp, err := r.hc.Get(r.srv.base + "/api/schema")
	if err != nil {
		r.t.Fatalf("GET /api/schema on %s: %v", r.srv.framework, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		r.t.Fatalf("GET /api/schema on %s: %d, %v", r.srv.framework, resp.StatusCode, err)
	}
	if !bytes.Equal(raw, showcase.OpenAPIDocument()) {
		r.t.Fatalf("%s serves another /api/schema than showcase.OpenAPIDocument", r.srv.framework)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		r.t.Fatalf("/api/schema of %s does not load: %v", r.srv.framework, err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		r.t.Fatalf("/api/schema of %s is not a valid OpenAPI 3 document: %v", r.srv.framework, err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		r.t.Fatalf("routing by /api/schema: %v", err)
	}
	return &apiSchema{doc: doc, router: router}
}

// checkSchema holds a step's request and response to the server's
// OpenAPI document:
//
//   - a request to a path or method the document does not have must be
//     refused (400, 401, 403, 404 or 405), unless the path is one of
//     outsideDocument's pages;
//   - a request the document refuses (a body or parameter it does not
//     allow, a credential it requires missing) must be refused with a 4xx:
//     the document may forbid only what the server forbids;
//   - every response to a path and method in the document must be one of
//     its responses: the status (no response is in it by default), the
//     Content-Type, the body's schema and the required headers
//     (WWW-Authenticate of a 401, Retry-After of a 429).
func (r *run) checkSchema(s step, req *http.Request, reqBody string, resp *http.Response, raw []byte) {
	r.t.Helper()
	if r.schema == nil {
		r.schema = r.loadSchema()
	}
	where := fmt.Sprintf("%s on %s: %s %s (%d)", s.name, r.srv.framework, s.method, s.path, resp.StatusCode)
	if req.URL.Opaque != "" {
		// Not a URL (an invalid %-escape): the server must refuse it.
		if resp.StatusCode != http.StatusBadRequest {
			r.t.Errorf("%s: a request target that is no URL must get 400", where)
		}
		return
	}
	// The request as the server routes it: the decoded path (Django
	// resolves /api/%6De as /api/me), HEAD as GET without a body.
	method := req.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	u := &url.URL{Scheme: "http", Host: req.URL.Host, Path: req.URL.Path, RawQuery: req.URL.RawQuery}
	vreq, err := http.NewRequest(method, u.String(), strings.NewReader(reqBody))
	if err != nil {
		r.t.Fatalf("%s: %v", where, err)
	}
	vreq.Header = req.Header.Clone()

	route, params, err := r.schema.router.FindRoute(vreq)
	if err != nil {
		if !isOutsideDocument(u.Path) && !slices.Contains([]int{400, 401, 403, 404, 405}, resp.StatusCode) {
			r.t.Errorf("%s: %s %s is not in the OpenAPI document (%v), yet answered %d", where, method, u.Path, err, resp.StatusCode)
		}
		return
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus:             true,
		RejectWhenRequestBodyNotSpecified: true,
		AuthenticationFunc:                credentialsPresent(reqBody),
		ExcludeResponseBody:               req.Method == http.MethodHead,
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	ctx := context.Background()
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && (resp.StatusCode < 400 || resp.StatusCode >= 500) {
		r.t.Errorf("%s: the OpenAPI document refuses the request, the server answered %d:\n    %v", where, resp.StatusCode, err)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(raw)),
		Options:                opts,
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		r.t.Errorf("%s: the response is not in the OpenAPI document:\n    %v\n%s", where, err, indent(string(raw)))
	}
}

// credentialsPresent checks that a request carries the credential a
// security scheme of the document names (not that the credential is
// good: that is the server's answer, which must then be 401 or 403). The
// CSRF token may come as the form field csrfmiddlewaretoken of body.
func credentialsPresent(body string) openapi3filter.AuthenticationFunc {
	return func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
		req, s := in.RequestValidationInput.Request, in.SecurityScheme
		authz := strings.ToLower(req.Header.Get("Authorization"))
		ok := false
		switch {
		case s.Type == "http":
			ok = strings.HasPrefix(authz, strings.ToLower(s.Scheme)+" ")
		case s.Type == "oauth2":
			ok = strings.HasPrefix(authz, "bearer ")
		case s.Type == "apiKey" && s.In == "cookie":
			_, err := req.Cookie(s.Name)
			ok = err == nil
		case s.Type == "apiKey" && s.In == "header":
			ok = req.Header.Get(s.Name) != ""
			if form, err := url.ParseQuery(body); !ok && err == nil && s.Name == "X-CSRFToken" {
				ok = form.Get("csrfmiddlewaretoken") != ""
			}
		}
		if !ok {
			return fmt.Errorf("no %s credential", in.SecuritySchemeName)
		}
		return nil
	}
}
