package showcase

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestOpenAPIDocument: the document validates as OpenAPI 3, every path
// and method of the API (Views, the paths that answer other methods with
// DRF's 405) has an operation in it, and it has no /api operation the
// API does not serve. Its requests and responses are checked against the
// servers by the examples' TestCrossFrameworkTranscript.
func TestOpenAPIDocument(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("not a valid OpenAPI 3 document: %v", err)
	}
	served := map[string]bool{"GET /api/schema": true}
	for _, v := range Views {
		path := strings.Replace(v.Path, ":id", "{id}", 1)
		for m := range strings.SplitSeq(v.Allow, ", ") {
			if m == http.MethodHead {
				continue // HEAD is GET without the body
			}
			served[m+" "+path] = true
			item := doc.Paths.Value(path)
			if item == nil || item.GetOperation(m) == nil {
				t.Errorf("%s %s is served but not in the OpenAPI document", m, path)
			}
		}
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		for m := range doc.Paths.Value(path).Operations() {
			if !served[m+" "+path] {
				t.Errorf("the OpenAPI document has %s %s, which the API does not serve", m, path)
			}
		}
	}
	// Every operation says what its credentials are, and every response
	// status it lists is one the showcase answers with a body schema or
	// none (204, a redirect).
	for _, path := range doc.Paths.InMatchingOrder() {
		for m, op := range doc.Paths.Value(path).Operations() {
			if op.Security == nil {
				t.Errorf("%s %s has no security requirement (an empty list for none)", m, path)
			}
			if op.Responses.Default() != nil {
				t.Errorf("%s %s has a default response: list every status", m, path)
			}
			if codes := op.Responses.Map(); !slices.ContainsFunc(slices.Collect(maps.Keys(codes)), func(c string) bool { return c[0] == '2' || c[0] == '3' }) {
				t.Errorf("%s %s has no success response", m, path)
			}
		}
	}
}
