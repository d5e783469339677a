package oauth2

import (
	"encoding/base64"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core"
)

// params are a request's OAuth2 parameters: each name at most once
// (RFC 6749 section 3.1: "Request and response parameters MUST NOT be
// included more than once").
type params map[string]string

// parseParams parses an application/x-www-form-urlencoded string (a query
// or a form body). A repeated name, a malformed escape, text that is not
// UTF-8 or holds a NUL is invalid_request; dup names the repeated
// parameter, so that the authorize endpoint can tell client_id and
// redirect_uri (never redirect) from the others.
func parseParams(s string) (p params, dup string, err error) {
	vals, perr := url.ParseQuery(s)
	if perr != nil {
		return nil, "", invalidRequest("Malformed parameters.")
	}
	p = make(params, len(vals))
	repeated := false
	for k, vs := range vals {
		if !utf8.ValidString(k) || strings.IndexByte(k, 0) >= 0 {
			return nil, "", invalidRequest("Malformed parameters.")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
				return nil, "", invalidRequest("Malformed parameters.")
			}
		}
		if len(vs) > 1 {
			if !repeated || k < dup {
				dup = k // the same name whatever the map's order
			}
			repeated = true
			continue
		}
		p[k] = vs[0]
	}
	if repeated {
		// A fixed description: the name is the sender's text, and the
		// description may be redirected to the client.
		return p, dup, invalidRequest("A parameter was sent more than once.")
	}
	return p, "", nil
}

// readForm reads a POST body of application/x-www-form-urlencoded (RFC
// 6749 section 3.2); any other media type is invalid_request.
func (p *Provider) readForm(r core.Request) (params, string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return nil, "", invalidRequest("The request body must be application/x-www-form-urlencoded.")
	}
	body, err := core.ReadBody(r, p.cfg.MaxBodyBytes)
	if err != nil {
		return nil, "", err
	}
	return parseParams(string(body))
}

// RawQuerier is implemented by core.Request implementations that give
// the query string as sent (core.NewHTTPRequest's, the Fiber adapter's),
// from which the authorize endpoint refuses a repeated parameter. On a
// Request without it each parameter's first value is read with Query, and
// a repeated parameter goes unnoticed.
type RawQuerier interface {
	RawQuery() string
}

// rawQuery returns r's query string, or "" when the Request cannot give it.
func rawQuery(r core.Request) (string, bool) {
	if q, ok := r.(RawQuerier); ok {
		return q.RawQuery(), true
	}
	return "", false
}

// parseBasic decodes client_secret_basic credentials (RFC 6749 section
// 2.3.1): "Basic " and base64 of id ":" secret, each
// application/x-www-form-urlencoded, so "%3A" in an id is a colon and
// "+" a space. ok is false when the header is not Basic; err is an
// invalid_client *Error for a Basic header that does not decode.
func parseBasic(header string) (id, secret string, ok bool, err error) {
	scheme, rest, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false, nil
	}
	raw, derr := base64.StdEncoding.Strict().DecodeString(strings.TrimSpace(rest))
	if derr != nil || !utf8.Valid(raw) {
		return "", "", true, errInvalidClient()
	}
	encID, encSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", true, errInvalidClient()
	}
	if id, err = url.QueryUnescape(encID); err != nil {
		return "", "", true, errInvalidClient()
	}
	if secret, err = url.QueryUnescape(encSecret); err != nil {
		return "", "", true, errInvalidClient()
	}
	if id == "" || strings.IndexByte(id, 0) >= 0 || strings.IndexByte(secret, 0) >= 0 || !utf8.ValidString(id) || !utf8.ValidString(secret) {
		return "", "", true, errInvalidClient()
	}
	return id, secret, true, nil
}
