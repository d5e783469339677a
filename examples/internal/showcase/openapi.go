package showcase

import (
	_ "embed"
	"net/http"

	"github.com/reinhardt-go/auth/core"
)

// openAPIDocument is the OpenAPI 3 document of the showcase's JSON API,
// written by hand. The examples' TestCrossFrameworkTranscript validates
// every request it sends and every response it gets against the copy each
// server serves, so the document cannot drift from the code.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI 3.0 document (JSON) of the JSON API
// that GET /api/schema serves: every path and method, request bodies,
// every response status with its schema, and the security schemes. The
// HTML pages are not in it. The caller owns the returned slice.
func OpenAPIDocument() []byte { return append([]byte(nil), openAPIDocument...) }

// Schema serves GET /api/schema: the OpenAPI document as application/json.
// Anyone may read it, as DRF's schema view lets anyone.
var Schema core.Endpoint = core.EndpointFunc(func(w core.Response, _ core.Request) error {
	w.Header().Set("Content-Type", "application/json")
	return w.Write(http.StatusOK, openAPIDocument)
})
