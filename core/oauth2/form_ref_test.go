package oauth2

import (
	"encoding/base64"
	"maps"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// refParseParams is parseParams as it was first written, over
// url.ParseQuery: the reference the faster parser must agree with.
func refParseParams(s string) (p params, dup string, err error) {
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
				dup = k
			}
			repeated = true
			continue
		}
		p[k] = vs[0]
	}
	if repeated {
		return p, dup, invalidRequest("A parameter was sent more than once.")
	}
	return p, "", nil
}

// refParseBasic is parseBasic as it was first written, decoding with
// DecodeString.
func refParseBasic(header string) (id, secret string, ok bool, err error) {
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

// sameParse fails t when parseParams and refParseParams differ on s.
func sameParse(t *testing.T, s string) {
	t.Helper()
	p, dup, err := parseParams(s)
	rp, rdup, rerr := refParseParams(s)
	if !maps.Equal(p, rp) || dup != rdup || (err == nil) != (rerr == nil) || (err != nil && err.Error() != rerr.Error()) {
		t.Fatalf("parseParams(%q) = %q, %q, %v; the url.ParseQuery reference %q, %q, %v", s, p, dup, err, rp, rdup, rerr)
	}
}

// sameBasic fails t when parseBasic and refParseBasic differ on header.
func sameBasic(t *testing.T, header string) {
	t.Helper()
	id, secret, ok, err := parseBasic(header)
	rid, rsecret, rok, rerr := refParseBasic(header)
	if id != rid || secret != rsecret || ok != rok || (err == nil) != (rerr == nil) {
		t.Fatalf("parseBasic(%q) = %q, %q, %v, %v; reference %q, %q, %v, %v", header, id, secret, ok, err, rid, rsecret, rok, rerr)
	}
}

// TestParseParamsMatchesParseQuery: the parser agrees with url.ParseQuery
// on the cases that tell them apart most easily.
func TestParseParamsMatchesParseQuery(t *testing.T) {
	for _, s := range []string{
		"", "&", "&&a=1&&", "a", "a=", "=a", "=", "=&=", "a=1&a=2", "a=1&b=2&a=3&b=4", "b=1&a=1&b=2&a=2",
		"a=1&a=2&a=3", "a=%zz", "a=1&b=%zz&a=2", "%zz=1", "a=%00", "%00=a", "a=%ff", "a;b=c", "a=b;c", "a=1&a=2&c;d",
		"a+b=c+d", "a%20b=c%2Bd", "a=b=c", "grant_type=client_credentials&scope=read", strings.Repeat("a=1&", 10000),
		strings.Repeat("&", 9999), strings.Repeat("&", 10000),
	} {
		sameParse(t, s)
	}
}

// TestParseBasicMatchesReference: the stack-buffer decoding agrees with
// DecodeString, at and around the buffer's size.
func TestParseBasicMatchesReference(t *testing.T) {
	for _, creds := range []string{"c:s", "a%3Ab:c+d%25", ":", "a:", strings.Repeat("x", 189) + ":y", strings.Repeat("x", 190) + ":y",
		strings.Repeat("x", 191) + ":y", strings.Repeat("x", 500) + ":y", "a:\xff", "a:b\x00"} {
		sameBasic(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(creds)))
	}
	for _, h := range []string{"Basic", "Basic ", "Basic YQ", "Basic YR==", "Basic Y===", "basic  YTpi ", "Basic " + strings.Repeat("QUFB", 64),
		"Basic " + strings.Repeat("QUFB", 65), "Basic " + strings.Repeat("QUFB", 64) + "=", "Bearer YTpi"} {
		sameBasic(t, h)
	}
}
