package examples_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// step is one request of the script. Every string field may use ${name}
// for a value of this server's run: ${origin} (its base URL), ${host}
// (its host:port), ${pw.admin} and ${pw.alice} (the demo passwords), and
// whatever earlier steps saved.
type step struct {
	name string
	// want is the status the contract gives: the transcripts must also
	// be right, not only the same.
	want   int
	method string
	path   string
	// as names the cookie jar the request goes out with ("" for none): a
	// browser keeps its cookies from step to step.
	as string
	// basic is "user:password" for an Authorization: Basic header.
	basic string
	// headers are "Name: value"; a body gets Content-Type:
	// application/json unless a header sets another.
	headers []string
	body    string
	// save records values of the response for later steps.
	save []saver
	// mailed, when set, is {address, name}: after the response the step
	// waits for the password-reset mail the server sends to address (the
	// console mailer writes it to the server's log) and saves its link's
	// uid and token as name.uid and name.token.
	mailed [2]string
	// keep, when set, is applied to the body before it is normalized and
	// recorded: for bodies that are mostly per-process (/metrics) it picks
	// out the part that is the same on every framework.
	keep func(body string) string
}

// saver stores a value of a response under a name.
type saver func(r *http.Response, body []byte, vars map[string]string) error

// field saves the JSON body's top-level field as name.
func field(jsonField, name string) saver {
	return func(_ *http.Response, body []byte, vars map[string]string) error {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return fmt.Errorf("save %s: body is not a JSON object: %.200s", name, body)
		}
		switch v := m[jsonField].(type) {
		case string:
			vars[name] = v
		case float64:
			vars[name] = fmt.Sprint(int64(v))
		default:
			return fmt.Errorf("save %s: no field %q in %.200s", name, jsonField, body)
		}
		return nil
	}
}

// element saves the i-th string of the JSON body's top-level array field
// as name.
func element(jsonField string, i int, name string) saver {
	return func(_ *http.Response, body []byte, vars map[string]string) error {
		var m map[string][]string
		if err := json.Unmarshal(body, &m); err != nil || len(m[jsonField]) <= i {
			return fmt.Errorf("save %s: no string %s[%d] in %.200s", name, jsonField, i, body)
		}
		vars[name] = m[jsonField][i]
		return nil
	}
}

// htmlField saves the value of an HTML page's hidden input field as name.
func htmlField(fieldName, name string) saver {
	re := regexp.MustCompile(`<input type="hidden" name="` + regexp.QuoteMeta(fieldName) + `" value="([^"]*)">`)
	return func(_ *http.Response, body []byte, vars map[string]string) error {
		m := re.FindSubmatch(body)
		if m == nil {
			return fmt.Errorf("save %s: no hidden field %s in %.300s", name, fieldName, body)
		}
		vars[name] = html.UnescapeString(string(m[1]))
		return nil
	}
}

// htmlText saves the text of an HTML page's element with the id as
// name.
func htmlText(id, name string) saver {
	re := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `">([^<]*)<`)
	return func(_ *http.Response, body []byte, vars map[string]string) error {
		m := re.FindSubmatch(body)
		if m == nil {
			return fmt.Errorf("save %s: no element #%s in %.300s", name, id, body)
		}
		vars[name] = html.UnescapeString(string(m[1]))
		return nil
	}
}

// locationParam saves a query parameter of the Location header as name.
func locationParam(param, name string) saver {
	return func(r *http.Response, _ []byte, vars map[string]string) error {
		u, err := url.Parse(r.Header.Get("Location"))
		if err != nil || u.Query().Get(param) == "" {
			return fmt.Errorf("save %s: no %s in Location %q", name, param, r.Header.Get("Location"))
		}
		vars[name] = u.Query().Get(param)
		return nil
	}
}

// jwksShape replaces the per-run members of a JWK Set's keys (the key
// made on the first start, its kid) by their names.
func jwksShape(body string) string {
	return jwkMember.ReplaceAllString(body, `"$1":"<$1>"`)
}

// timestampsShape replaces the exp and iat numbers of an introspection
// body.
func timestampsShape(body string) string {
	return timestamp.ReplaceAllString(body, `"$1":"<time>"`)
}

// enrollmentShape is the body of a TOTP enrollment with its per-run
// values replaced by their shapes, once they are checked: the secret
// (32 base32 characters), its otpauth URL, the QR code PNG.
func enrollmentShape(body string) string {
	var e struct {
		Secret string `json:"secret"`
		URL    string `json:"otpauth_url"`
		QR     string `json:"qr_png"`
	}
	if json.Unmarshal([]byte(body), &e) != nil || !base32Secret.MatchString(e.Secret) {
		return body
	}
	url := strings.Replace(e.URL, "secret="+e.Secret, "secret=<secret>", 1)
	png, err := base64.StdEncoding.DecodeString(e.QR)
	qr := "<not a base64 PNG>"
	if err == nil && strings.HasPrefix(string(png), "\x89PNG\r\n\x1a\n") {
		qr = "<png>"
	}
	out, _ := json.Marshal(map[string]string{"secret": "<secret>", "otpauth_url": url, "qr_png": qr})
	return string(out)
}

// accountPageShape is an account page with its per-run values replaced
// by their shapes: a TOTP key (as text and in its otpauth URL), the QR
// code's PNG, the recovery codes.
func accountPageShape(body string) string {
	body = pageSecret.ReplaceAllString(body, "${1}<secret>")
	body = pagePNG.ReplaceAllString(body, "data:image/png;base64,<png>")
	return pageRecoveryCode.ReplaceAllString(body, "<code><recovery code></code>")
}

// recoveryCodesShape replaces each recovery code by its shape.
func recoveryCodesShape(body string) string {
	return recoveryCode.ReplaceAllString(body, `"<recovery code>"`)
}

var (
	base32Secret     = regexp.MustCompile(`\A[A-Z2-7]{32}\z`)
	pageSecret       = regexp.MustCompile(`(secret=|id="totp_secret">)[A-Z2-7]{32}\b`)
	pagePNG          = regexp.MustCompile(`data:image/png;base64,[^"]+`)
	pageRecoveryCode = regexp.MustCompile(`<code>[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}</code>`)
	recoveryCode     = regexp.MustCompile(`"[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}"`)
	jwkMember        = regexp.MustCompile(`"(kid|n|e|x|y)":"[A-Za-z0-9_-]+"`)
	timestamp        = regexp.MustCompile(`"(exp|iat|auth_time)":[0-9]+`)
)

// cookie saves the value of the cookie the response sets as name.
func cookie(cookieName, name string) saver {
	return func(r *http.Response, _ []byte, vars map[string]string) error {
		for _, c := range r.Cookies() {
			if c.Name == cookieName && c.Value != "" {
				vars[name] = c.Value
				return nil
			}
		}
		return fmt.Errorf("save %s: no %s cookie set", name, cookieName)
	}
}

// record is what a response looks like once the per-run values are
// normalized: what must be the same on every framework.
type record struct {
	status  int
	headers []string // "Name: value" of recordedHeaders, in that order
	cookies []string // "name; attributes" of each Set-Cookie, sorted
	body    string
}

// recordedHeaders are the response headers compared across frameworks.
// Date, Content-Length and the transfer framing are the server's business.
var recordedHeaders = []string{"Content-Type", "WWW-Authenticate", "Allow", "Location", "Cache-Control", "Vary", "Retry-After"}

func (r record) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", r.status)
	for _, h := range r.headers {
		fmt.Fprintf(&b, "%s\n", h)
	}
	for _, c := range r.cookies {
		fmt.Fprintf(&b, "Set-Cookie: %s\n", c)
	}
	fmt.Fprintf(&b, "%s\n", r.body)
	return b.String()
}

// run is one server's side of the script: its cookie jars and saved values.
type run struct {
	t    *testing.T
	srv  *server
	hc   *http.Client
	jars map[string]*cookiejar.Jar
	vars map[string]string
	// schema is the server's OpenAPI document (openapi_test.go).
	schema *apiSchema
}

func newRun(t *testing.T, srv *server) *run {
	host := strings.TrimPrefix(srv.base, "http://")
	vars := map[string]string{"origin": srv.base, "host": host}
	for user, pw := range srv.demo {
		vars["pw."+user] = pw
	}
	return &run{
		t:   t,
		srv: srv,
		hc: &http.Client{
			// Redirects are recorded, not followed; no proxy, no gzip.
			Transport:     &http.Transport{DisableCompression: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Timeout:       time.Minute,
		},
		jars: map[string]*cookiejar.Jar{},
		vars: vars,
	}
}

// expand replaces ${name} in s with the run's values; an unknown name
// fails the test (a step that uses a value no earlier step saved).
func (r *run) expand(s string) string {
	return os.Expand(s, func(name string) string {
		if secret, ok := strings.CutPrefix(name, "totp:"); ok {
			// ${totp:name}: the current TOTP code of the secret saved as name.
			code, err := totp.GenerateCode(r.expand("${"+secret+"}"), time.Now())
			if err != nil {
				r.t.Fatalf("TOTP code of ${%s}: %v", secret, err)
			}
			return code
		}
		v, ok := r.vars[name]
		if !ok {
			r.t.Fatalf("no value ${%s} on %s", name, r.srv.framework)
		}
		return v
	})
}

// do sends the step and records its response.
func (r *run) do(s step) record {
	r.t.Helper()
	var body io.Reader
	reqBody := ""
	if s.body != "" {
		reqBody = r.expand(s.body)
		body = strings.NewReader(reqBody)
	}
	target := r.expand(s.path)
	req, err := http.NewRequest(s.method, r.srv.base+target, body)
	if err != nil {
		// A target url.Parse refuses (an invalid escape: %zz) goes out as
		// written, as a client may send it.
		if req, err = http.NewRequest(s.method, r.srv.base, body); err == nil {
			req.URL.Opaque = target
		}
	}
	if err != nil {
		r.t.Fatalf("%s: %v", s.name, err)
	}
	if s.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.basic != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(r.expand(s.basic))))
	}
	for _, h := range s.headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, r.expand(strings.TrimSpace(v)))
	}
	if s.as != "" {
		jar, ok := r.jars[s.as]
		if !ok {
			jar, _ = cookiejar.New(nil)
			r.jars[s.as] = jar
		}
		for _, c := range jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
	}
	sent := 0
	if s.mailed[0] != "" {
		sent = len(r.srv.resetLinks(s.mailed[0]))
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		r.t.Fatalf("%s: %s %s: %v", s.name, s.method, s.path, err)
	}
	if s.mailed[0] != "" {
		r.awaitResetLink(s, sent)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatalf("%s: read: %v", s.name, err)
	}
	// Every request and response of the JSON API must be as the
	// showcase's OpenAPI document describes it (openapi_test.go).
	r.checkSchema(s, req, reqBody, resp, raw)
	if s.as != "" {
		r.jars[s.as].SetCookies(req.URL, resp.Cookies())
	}
	for _, save := range s.save {
		if err := save(resp, raw, r.vars); err != nil {
			r.t.Errorf("%s on %s: %v (got %d)", s.name, r.srv.framework, err, resp.StatusCode)
		}
	}
	text := string(raw)
	if s.keep != nil {
		text = s.keep(text)
	}
	rec := record{status: resp.StatusCode, body: r.normalize(text)}
	for _, h := range recordedHeaders {
		for _, v := range resp.Header.Values(h) {
			rec.headers = append(rec.headers, h+": "+r.normalize(v))
		}
	}
	for _, c := range resp.Cookies() {
		rec.cookies = append(rec.cookies, cookieShape(c))
	}
	slices.Sort(rec.cookies)
	return rec
}

// awaitResetLink waits for a reset mail to s.mailed's address beyond the
// sent ones logged before the step, and saves its uid and token. The mail
// is queued, so it may be logged a little after the response.
func (r *run) awaitResetLink(s step, sent int) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if links := r.srv.resetLinks(s.mailed[0]); len(links) > sent {
			last := links[len(links)-1]
			r.vars[s.mailed[1]+".uid"], r.vars[s.mailed[1]+".token"] = last[0], last[1]
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s on %s: no reset mail to %s logged in 10 s", s.name, r.srv.framework, s.mailed[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cookieShape is a cookie's name and attributes; its value, and the
// dates of Expires, are per-run.
func cookieShape(c *http.Cookie) string {
	parts := []string{c.Name}
	if c.Value == "" {
		parts[0] += " (empty)"
	}
	if c.Path != "" {
		parts = append(parts, "Path="+c.Path)
	}
	if c.Domain != "" {
		parts = append(parts, "Domain="+c.Domain)
	}
	switch {
	case c.MaxAge > 0:
		parts = append(parts, "Max-Age")
	case c.MaxAge < 0:
		parts = append(parts, "Max-Age=0")
	}
	if !c.Expires.IsZero() {
		parts = append(parts, "Expires")
	}
	if c.HttpOnly {
		parts = append(parts, "HttpOnly")
	}
	if c.Secure {
		parts = append(parts, "Secure")
	}
	switch c.SameSite {
	case http.SameSiteLaxMode:
		parts = append(parts, "SameSite=Lax")
	case http.SameSiteStrictMode:
		parts = append(parts, "SameSite=Strict")
	case http.SameSiteNoneMode:
		parts = append(parts, "SameSite=None")
	case http.SameSiteDefaultMode:
		parts = append(parts, "SameSite")
	}
	return strings.Join(parts, "; ")
}

// Shapes of the values that differ from run to run, each a whole JSON
// string (quotes included) so that nothing around them is touched.
var (
	// A JWT: a base64url JSON header ({" is eyJ), payload and signature.
	jwtValue = regexp.MustCompile(`"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"`)
	// Django's masked CSRF token: 64 ASCII letters and digits.
	csrfValue = regexp.MustCompile(`"csrfToken":"[A-Za-z0-9]{64}"`)
	// An RFC 3339 time (date_joined, last_login).
	timeValue = regexp.MustCompile(`"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})"`)
	// A hex token of 128 bits or more (a jti, a key).
	hexValue = regexp.MustCompile(`"[0-9a-f]{32,}"`)
	// An OAuth2 code or token: 130 random bits as 26 base32 characters,
	// as a whole JSON string or as the code parameter of a redirect.
	opaqueValue = regexp.MustCompile(`"[A-Z2-7]{26}"`)
	opaqueCode  = regexp.MustCompile(`([?&]code=)[A-Z2-7]{26}\b`)
	// The CSRF token of an HTML form.
	csrfField = regexp.MustCompile(`(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}"`)
	// A time on an HTML page (the account page's session).
	pageTime = regexp.MustCompile(`>\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<`)
)

// normalize replaces in s the values that are this run's own: its
// address and the demo passwords (literally), JWTs, CSRF tokens, times
// and hex tokens (by their shape, as whole JSON strings). Everything else
// — numeric ids included, since every server starts from an empty
// database and sees the same requests — is left as it is.
func (r *run) normalize(s string) string {
	// The origin also appears query-escaped, as the iss parameter of an
	// authorization response (RFC 9207).
	pairs := []string{r.vars["origin"], "${origin}", url.QueryEscape(r.vars["origin"]), "${origin}", r.vars["host"], "${host}"}
	for user, pw := range r.srv.demo {
		pairs = append(pairs, pw, "${pw."+user+"}")
	}
	return normalizeShapes(strings.NewReplacer(pairs...).Replace(s))
}

// normalizeShapes replaces the values that differ from run to run by
// their shape.
func normalizeShapes(s string) string {
	s = jwtValue.ReplaceAllString(s, `"<jwt>"`)
	s = csrfValue.ReplaceAllString(s, `"csrfToken":"<csrf>"`)
	s = timeValue.ReplaceAllString(s, `"<time>"`)
	s = opaqueValue.ReplaceAllString(s, `"<opaque>"`)
	s = opaqueCode.ReplaceAllString(s, `${1}<opaque>`)
	s = csrfField.ReplaceAllString(s, `${1}<csrf>"`)
	s = pageTime.ReplaceAllString(s, `><time><`)
	return hexValue.ReplaceAllString(s, `"<hex>"`)
}
