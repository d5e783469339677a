package csrf

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
)

// Django's names and defaults.
const (
	// CookieName is Django's CSRF_COOKIE_NAME.
	CookieName = "csrftoken"
	// HeaderName is the header Django reads the token from
	// (CSRF_HEADER_NAME "HTTP_X_CSRFTOKEN").
	HeaderName = "X-CSRFToken"
	// FormField is the form field of HTML forms ({% csrf_token %}).
	FormField = "csrfmiddlewaretoken"
	// SessionKey is where the secret lives in the session with
	// WithSessions (Django's CSRF_SESSION_KEY).
	SessionKey = "_csrftoken"
	// CookieAge is Django's CSRF_COOKIE_AGE: 52 weeks.
	CookieAge = 31449600 * time.Second
)

// Django 4.x's rejection reasons (django/middleware/csrf.py). A refusal
// is core.PermissionDenied("CSRF Failed: " + reason), DRF's
// SessionAuthentication.enforce_csrf.
const (
	ReasonBadOrigin        = "Origin checking failed - %s does not match any trusted origins."
	ReasonNoReferer        = "Referer checking failed - no Referer."
	ReasonBadReferer       = "Referer checking failed - %s does not match any trusted origins."
	ReasonNoCSRFCookie     = "CSRF cookie not set."
	ReasonCSRFTokenMissing = "CSRF token missing."
	ReasonMalformedReferer = "Referer checking failed - Referer is malformed."
	ReasonInsecureReferer  = "Referer checking failed - Referer is insecure while host is secure."
)

// DeniedPrefix starts the detail of every refusal, as in DRF.
const DeniedPrefix = "CSRF Failed: "

// Protector is Django's CsrfViewMiddleware for this library, combined with
// the fetch-metadata and Origin checks of Go's http.CrossOriginProtection.
// Check refuses an unsafe request unless both hold:
//
//  1. Its origin is acceptable. Following http.CrossOriginProtection:
//     Sec-Fetch-Site "same-origin" or "none" passes; any other value
//     ("same-site", "cross-site") is refused unless Origin is a trusted
//     origin. Without Sec-Fetch-Site, an Origin header must be the
//     request's own origin, "scheme://host[:port]" as Django compares it
//     (the scheme from TLS or a trusted proxy, see WithTrustedProxies; the
//     host from Host), or a trusted origin (Django's CSRF_TRUSTED_ORIGINS:
//     exact, or "https://*.example.com" for every subdomain). Without
//     either header, an HTTPS request gets Django's strict Referer check;
//     a plain-HTTP one passes this step.
//  2. It carries the token: the csrfmiddlewaretoken form field of a POST
//     (see Prepare for how the field is read), else the X-CSRFToken header,
//     masked (64 characters) or bare (32), matching the secret of the
//     csrftoken cookie (or of the session, WithSessions), compared in
//     constant time.
//
// GET, HEAD, OPTIONS and TRACE are safe and always pass. Refusals carry
// Django 4.x's reasons, as core.PermissionDenied("CSRF Failed: <reason>"):
// a 403 with {"detail":"CSRF Failed: <reason>"}.
//
// With DRF's semantics — enforced only for session-authenticated active
// users — set it as the session authenticator's hook:
//
//	auth.CSRF = protector.Check
//
// A Protector is safe for concurrent use. Make it with New.
type Protector struct {
	cookieName   string
	headerName   string
	headerLabel  string // Django's rendering of the header in reasons
	useSessions  bool
	maskedCookie bool
	cookie       http.Cookie // attributes of the cookie Token sets
	trustedExact map[string]bool
	trustedWild  map[string][]string // scheme -> ".example.com" patterns
	trustedHosts []string            // netlocs for the Referer check
	cookieDomain string
	referer      bool
	maxBody      int64
	host         func(core.Request) string
	proxies      []netip.Prefix // WithTrustedProxies
	now          func() time.Time
}

// Option configures New.
type Option func(*Protector) error

// New returns a Protector with Django's defaults — the csrftoken cookie
// (SameSite=Lax, readable by JavaScript, a year long, Secure), the
// X-CSRFToken header, the csrfmiddlewaretoken field, the Referer check for
// HTTPS — changed by opts. It fails only on an invalid option (a trusted
// origin without scheme or host).
func New(opts ...Option) (*Protector, error) {
	p := &Protector{
		cookieName:   CookieName,
		headerName:   HeaderName,
		trustedExact: map[string]bool{},
		trustedWild:  map[string][]string{},
		referer:      true,
		maxBody:      core.DefaultMaxBodyBytes,
		cookie: http.Cookie{
			Path:     "/",
			Secure:   true,
			HttpOnly: false,
			SameSite: http.SameSiteLaxMode,
		},
	}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	p.headerLabel = djangoHeaderLabel(p.headerName)
	return p, nil
}

// djangoHeaderLabel renders a header name as Django's
// HttpHeaders.parse_header_name does in its reasons: "X-CSRFToken" (META
// key HTTP_X_CSRFTOKEN) becomes "X-Csrftoken".
func djangoHeaderLabel(name string) string {
	parts := strings.Split(strings.ReplaceAll(name, "_", "-"), "-")
	for i, s := range parts {
		if s != "" {
			parts[i] = strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
		}
	}
	return strings.Join(parts, "-")
}

// WithTrustedOrigins adds origins whose unsafe requests are accepted
// (Django's CSRF_TRUSTED_ORIGINS, http.CrossOriginProtection's
// AddTrustedOrigin): "scheme://host[:port]" exactly, or
// "scheme://*.example.com" for every subdomain of example.com (and
// example.com itself).
func WithTrustedOrigins(origins ...string) Option {
	return func(p *Protector) error {
		for _, o := range origins {
			u, err := url.Parse(o)
			switch {
			case err != nil:
				return fmt.Errorf("csrf: invalid trusted origin %q: %w", o, err)
			case u.Scheme == "":
				return fmt.Errorf("csrf: invalid trusted origin %q: scheme is required", o)
			case u.Host == "":
				return fmt.Errorf("csrf: invalid trusted origin %q: host is required", o)
			case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
				return fmt.Errorf("csrf: invalid trusted origin %q: path, query, fragment and user are not allowed", o)
			}
			host := strings.ToLower(u.Host)
			p.trustedHosts = append(p.trustedHosts, strings.TrimLeft(host, "*"))
			if strings.Contains(o, "*") {
				if !strings.HasPrefix(host, "*.") || strings.Contains(host[1:], "*") {
					return fmt.Errorf("csrf: invalid trusted origin %q: a wildcard must be the first label (\"https://*.example.com\")", o)
				}
				p.trustedWild[u.Scheme] = append(p.trustedWild[u.Scheme], host[1:])
				continue
			}
			p.trustedExact[o] = true
		}
		return nil
	}
}

// WithSessions keeps the secret in the session, under SessionKey
// ("_csrftoken"), instead of the csrftoken cookie: Django's
// CSRF_USE_SESSIONS. Check then needs the request's session, and Token
// and Rotate modify it (the session middleware saves it).
func WithSessions() Option {
	return func(p *Protector) error { p.useSessions = true; return nil }
}

// WithSecureCookie sets the cookie's Secure attribute (Django's
// CSRF_COOKIE_SECURE). Default true; turn it off for plain-HTTP
// development only.
func WithSecureCookie(secure bool) Option {
	return func(p *Protector) error { p.cookie.Secure = secure; return nil }
}

// WithCookie sets the cookie's name (default "csrftoken"), domain
// (default none: the host that set it; Django's CSRF_COOKIE_DOMAIN, also
// accepted by the Referer check) and path (default "/").
func WithCookie(name, domain, path string) Option {
	return func(p *Protector) error {
		if name == "" || !validCookieName(name) {
			return fmt.Errorf("csrf: invalid cookie name %q", name)
		}
		if path == "" {
			path = "/"
		}
		p.cookieName, p.cookie.Domain, p.cookie.Path, p.cookieDomain = name, domain, path, domain
		return nil
	}
}

func validCookieName(name string) bool {
	return (&http.Cookie{Name: name, Value: "x"}).Valid() == nil
}

// WithSameSite sets the cookie's SameSite attribute. Default Lax, as
// Django's CSRF_COOKIE_SAMESITE.
func WithSameSite(s http.SameSite) Option {
	return func(p *Protector) error { p.cookie.SameSite = s; return nil }
}

// WithHeaderName sets the header the token is read from. Default
// "X-CSRFToken".
func WithHeaderName(name string) Option {
	return func(p *Protector) error {
		if name == "" {
			return errors.New("csrf: empty header name")
		}
		p.headerName = name
		return nil
	}
}

// WithMaskedCookie stores a masked token in the cookie instead of the
// bare secret, as Django before 4.1 did (and 4.1–4.2 with
// CSRF_COOKIE_MASKED = True). Both forms are read whatever this says;
// turn it on while older Django servers share the cookie.
func WithMaskedCookie(masked bool) Option {
	return func(p *Protector) error { p.maskedCookie = masked; return nil }
}

// WithRefererCheck turns Django's Referer check of HTTPS requests that
// carry neither Origin nor Sec-Fetch-Site on or off. Default on.
func WithRefererCheck(on bool) Option {
	return func(p *Protector) error { p.referer = on; return nil }
}

// WithMaxBodyBytes caps the form body Prepare reads to find the
// csrfmiddlewaretoken field. Default core.DefaultMaxBodyBytes (1 MiB).
func WithMaxBodyBytes(n int64) Option {
	return func(p *Protector) error { p.maxBody = n; return nil }
}

// WithHost sets how the request's host ("name[:port]", the Host header)
// is found. By default: the Host recorded by Prepare (or NewContext) in
// the request's context, else a Host() method of the core.Request, else
// its Host header. Without a host, only trusted origins pass the Origin
// check.
func WithHost(f func(core.Request) string) Option {
	return func(p *Protector) error { p.host = f; return nil }
}

// WithTrustedProxies names the proxies that terminate TLS in front of the
// service: a request whose immediate peer is one of them and that carries
// X-Forwarded-Proto: https counts as HTTPS (Django's
// SECURE_PROXY_SSL_HEADER), for the scheme the Origin must have and for
// the Referer check. Default none: only a request that came over TLS is
// HTTPS. The header is never believed from any other peer.
func WithTrustedProxies(proxies ...netip.Prefix) Option {
	return func(p *Protector) error { p.proxies = append(p.proxies, proxies...); return nil }
}

// WithClock sets the clock of cookie expiry dates (tests).
func WithClock(now func() time.Time) Option {
	return func(p *Protector) error { p.now = now; return nil }
}

func (p *Protector) clock() time.Time {
	if p.now != nil {
		return p.now()
	}
	return time.Now()
}

// denied returns the refusal for reason.
func denied(reason string) error { return core.PermissionDenied(DeniedPrefix + reason) }

// IsSafeMethod reports whether method is one Django never checks (RFC
// 9110's safe methods): GET, HEAD, OPTIONS, TRACE.
func IsSafeMethod(method string) bool {
	switch method {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// Check applies the CSRF checks to r (see Protector): nil for a safe
// method or a request that passes, else a *core.APIError 403 whose detail
// is "CSRF Failed: <Django's reason>". s is the request's session, used
// WithSessions (nil means the one in r's context); the cookie mode ignores
// it. Its signature is the one of sessions.SessionAuthentication.CSRF.
//
// Any other error is a misconfiguration (WithSessions without a session).
func (p *Protector) Check(r core.Request, s *sessions.Session) error {
	if IsSafeMethod(r.Method()) {
		return nil
	}
	if reason := p.checkOrigin(r); reason != "" {
		return denied(reason)
	}
	reason, err := p.checkToken(r, s)
	if err != nil {
		return err
	}
	if reason != "" {
		return denied(reason)
	}
	return nil
}

// CheckRequest is Check with the session of r's context: the hook of
// authenticators whose credentials the browser sends on its own but that
// have no session of their own, such as core.RemoteUserAuthentication
// (the proxy's login goes with cross-site requests as a session cookie
// does):
//
//	remote.CSRF = protector.CheckRequest
func (p *Protector) CheckRequest(r core.Request) error { return p.Check(r, nil) }

// errNoSession is Django's ImproperlyConfigured for CSRF_USE_SESSIONS
// without a session.
var errNoSession = errors.New("csrf: WithSessions is set, but the request has no session; the session middleware must run first")

func (p *Protector) session(r core.Request, s *sessions.Session) (*sessions.Session, error) {
	if s == nil {
		s = sessions.FromContext(r.Context())
	}
	if s == nil {
		return nil, errNoSession
	}
	return s, nil
}

// storedSecret returns the request's secret ("" when it has none) or the
// reason a malformed cookie is refused.
func (p *Protector) storedSecret(r core.Request, s *sessions.Session) (secret, reason string, err error) {
	if p.useSessions {
		if s, err = p.session(r, s); err != nil {
			return "", "", err
		}
		v, ok := sessions.GetAs[string](s, SessionKey)
		if !ok || v == "" {
			return "", "", nil
		}
		if secret, ok = secretOf(v); !ok {
			// Django does not check the session's value; it just never
			// matches. Keep it so: a token then is "incorrect".
			return strings.Repeat("!", SecretLength), "", nil
		}
		return secret, "", nil
	}
	v := r.Cookie(p.cookieName)
	if v == "" {
		return "", "", nil
	}
	if why := checkFormat(v); why != "" {
		return "", "CSRF cookie " + why + ".", nil
	}
	secret, _ = secretOf(v)
	return secret, "", nil
}

// checkToken is Django 4.x's _check_token: "" when the token matches.
func (p *Protector) checkToken(r core.Request, s *sessions.Session) (string, error) {
	secret, reason, err := p.storedSecret(r, s)
	if err != nil || reason != "" {
		return reason, err
	}
	if secret == "" {
		return ReasonNoCSRFCookie, nil
	}
	token, source := "", "POST"
	if r.Method() == "POST" {
		token = formToken(r)
	}
	if token == "" {
		token = r.Header(p.headerName)
		if token == "" {
			return ReasonCSRFTokenMissing, nil
		}
		source = "the '" + p.headerLabel + "' HTTP header"
	}
	if why := checkFormat(token); why != "" {
		return "CSRF token from " + source + " " + why + ".", nil
	}
	if !tokenMatches(token, secret) {
		return "CSRF token from " + source + " incorrect.", nil
	}
	return "", nil
}

// Token returns a new masked token for the request and makes sure the
// client keeps its secret: Django's get_token. The secret is the
// request's (its csrftoken cookie, or its session WithSessions), or a new
// one when it has none or a malformed one; the cookie is (re)set on w
// every time, renewing its year, with SameSite=Lax, without HttpOnly (the
// page's JavaScript reads it) and Secure unless WithSecureCookie(false).
// A second call in one request reuses the secret the first one set. Each
// token is masked afresh, so tokens differ on every call.
//
// WithSessions, the secret is stored in the request's session (the
// session middleware must have put it in r's context) and no cookie is
// set.
func (p *Protector) Token(r core.Request, w core.Response) (string, error) {
	if p.useSessions {
		s, err := p.session(r, nil)
		if err != nil {
			return "", err
		}
		secret, _, _ := p.storedSecret(r, s)
		if !ValidSecret(secret) {
			secret = NewSecret()
		}
		if v, _ := sessions.GetAs[string](s, SessionKey); v != secret {
			s.Set(SessionKey, secret)
		}
		return MaskSecret(secret), nil
	}
	secret, ok := p.responseSecret(w)
	if !ok {
		secret, _, _ = p.storedSecret(r, nil)
		if secret == "" {
			secret = NewSecret()
		}
		p.setCookie(w, secret)
	}
	return MaskSecret(secret), nil
}

// Rotate gives the client a new secret and returns a token for it:
// Django's rotate_token, which login calls so that a token known before
// login is useless after it. It sets the cookie on w, replacing one set
// earlier in this response; WithSessions it changes the request's session
// (from r's context) instead.
func (p *Protector) Rotate(r core.Request, w core.Response) (string, error) {
	secret := NewSecret()
	if p.useSessions {
		s, err := p.session(r, nil)
		if err != nil {
			return "", err
		}
		s.Set(SessionKey, secret)
		return MaskSecret(secret), nil
	}
	p.setCookie(w, secret)
	return MaskSecret(secret), nil
}

// setCookie sets the cookie holding secret, replacing any csrftoken cookie
// already set on w in this response.
func (p *Protector) setCookie(w core.Response, secret string) {
	h := w.Header()
	if old := h.Values("Set-Cookie"); len(old) > 0 {
		kept := old[:0:0]
		for _, v := range old {
			if c, err := http.ParseSetCookie(v); err == nil && c.Name == p.cookieName {
				continue
			}
			kept = append(kept, v)
		}
		if len(kept) != len(old) {
			h.Del("Set-Cookie")
			for _, v := range kept {
				h.Add("Set-Cookie", v)
			}
		}
	}
	value := secret
	if p.maskedCookie {
		value = MaskSecret(secret)
	}
	c := p.cookie
	c.Name, c.Value = p.cookieName, value
	c.MaxAge = int(CookieAge / time.Second)
	c.Expires = p.clock().Add(CookieAge).UTC()
	w.SetCookie(&c)
	addVary(h, "Cookie")
}

// responseSecret finds the secret of a csrftoken cookie already set on w.
func (p *Protector) responseSecret(w core.Response) (string, bool) {
	for _, v := range w.Header().Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(v); err == nil && c.Name == p.cookieName && c.MaxAge >= 0 {
			if secret, ok := secretOf(c.Value); ok {
				return secret, true
			}
		}
	}
	return "", false
}

func addVary(h http.Header, v string) {
	for _, have := range h.Values("Vary") {
		for _, f := range strings.Split(have, ",") {
			if strings.EqualFold(strings.TrimSpace(f), v) {
				return
			}
		}
	}
	h.Add("Vary", v)
}
