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
// or a form body) as url.ParseQuery does, into one value per name. A
// repeated name, a malformed escape, a name with a semicolon (which
// url.ParseQuery refuses), text that is not UTF-8 or holds a NUL is
// invalid_request; dup names the repeated parameter, so that the
// authorize endpoint can tell client_id and redirect_uri (never redirect)
// from the others: when several are repeated, client_id, then
// redirect_uri, then the least in byte order. A
// malformed part wins over a repeat: then dup is "".
//
// It does not build url.Values: the map it returns is the only
// allocation besides the names and values that have escapes to undo.
func parseParams(s string) (p params, dup string, err error) {
	n := strings.Count(s, "&") + 1
	if n > maxParams {
		return nil, "", invalidRequest("Malformed parameters.")
	}
	p = make(params, min(n, 16))
	var repeated map[string]struct{} // names seen more than once
	malformed := false
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, "&")
		if part == "" {
			continue
		}
		if strings.IndexByte(part, ';') >= 0 {
			malformed = true
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, kerr := url.QueryUnescape(k)
		v, verr := url.QueryUnescape(v)
		if kerr != nil || verr != nil || !cleanText(k) || !cleanText(v) {
			malformed = true
			continue
		}
		if _, twice := repeated[k]; twice {
			continue
		}
		if _, again := p[k]; again {
			delete(p, k)
			if repeated == nil {
				repeated = map[string]struct{}{}
			}
			repeated[k] = struct{}{}
			continue
		}
		p[k] = v
	}
	if malformed {
		return nil, "", invalidRequest("Malformed parameters.")
	}
	if repeated != nil {
		first := true
		for k := range repeated {
			if first || k < dup {
				dup, first = k, false // the same name whatever the map's order
			}
		}
		// Either of these repeated forbids redirecting, whatever else is.
		for _, k := range [...]string{"redirect_uri", "client_id"} {
			if _, ok := repeated[k]; ok {
				dup = k
			}
		}
		// A fixed description: the name is the sender's text, and the
		// description may be redirected to the client.
		return p, dup, invalidRequest("A parameter was sent more than once.")
	}
	return p, "", nil
}

// maxParams is url.ParseQuery's default limit on the parts of a query
// (its GODEBUG urlmaxqueryparams setting is not consulted here).
const maxParams = 10000

// cleanText: valid UTF-8 without NUL.
func cleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// formMediaType is the only media type readForm accepts.
const formMediaType = "application/x-www-form-urlencoded"

// readForm reads a POST body of application/x-www-form-urlencoded (RFC
// 6749 section 3.2); any other media type is invalid_request.
func (p *Provider) readForm(r core.Request) (params, string, error) {
	if ct := r.Header("Content-Type"); !strings.EqualFold(ct, formMediaType) { // the usual header needs no parsing
		if mt, _, _ := mime.ParseMediaType(ct); mt != formMediaType {
			return nil, "", invalidRequest("The request body must be application/x-www-form-urlencoded.")
		}
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
	raw, derr := decodeBasic(strings.TrimSpace(rest))
	if derr != nil || !utf8.ValidString(raw) {
		return "", "", true, errInvalidClient()
	}
	encID, encSecret, found := strings.Cut(raw, ":")
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

// strictBase64 is standard base64 with padding that refuses non-zero
// trailing bits (made once: Strict returns a new Encoding each call).
var strictBase64 = base64.StdEncoding.Strict()

// decodeBasic decodes Basic credentials through buffers on the stack
// when they are short, so that the decoded text is the one allocation.
func decodeBasic(s string) (string, error) {
	var src [256]byte
	var dst [192]byte // base64 of 256 bytes is at most 192
	if len(s) > len(src) {
		b, err := strictBase64.DecodeString(s)
		return string(b), err
	}
	n, err := strictBase64.Decode(dst[:], src[:copy(src[:], s)])
	if err != nil {
		return "", err
	}
	return string(dst[:n]), nil
}
