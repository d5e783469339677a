package csrf

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/reinhardt-go/auth/core"
)

// checkOrigin is the origin half of Check: "" when the request may come
// from where it says, else Django's reason. Its order is
// http.CrossOriginProtection.Check's (Sec-Fetch-Site, then Origin against
// Host or a trusted origin), followed by Django's Referer check for HTTPS
// requests that carry neither header.
func (p *Protector) checkOrigin(r core.Request) string {
	origin := r.Header("Origin")
	switch r.Header("Sec-Fetch-Site") {
	case "":
		// No fetch metadata: an older browser or not a browser. Fall
		// through to the Origin header.
	case "same-origin", "none":
		return ""
	default: // "same-site", "cross-site", or anything unknown
		if origin != "" && p.trustedOrigin(origin) {
			return ""
		}
		return fmt.Sprintf(ReasonBadOrigin, originForReason(origin))
	}
	if origin != "" {
		if p.originMatchesHost(r, origin) || p.trustedOrigin(origin) {
			return ""
		}
		return fmt.Sprintf(ReasonBadOrigin, origin)
	}
	if p.referer && p.isSecure(r) {
		return p.checkReferer(r)
	}
	// Neither Sec-Fetch-Site nor Origin, over plain HTTP: same-origin or
	// not a browser (http.CrossOriginProtection); the token still decides.
	return ""
}

func originForReason(origin string) string {
	if origin == "" {
		return "null"
	}
	return origin
}

// originMatchesHost is Django's good_origin test: Origin is exactly
// "scheme://host[:port]", with the request's scheme ("https" when it came
// over TLS or, WithTrustedProxies, from a trusted proxy saying
// X-Forwarded-Proto: https; else "http") and its Host (compared without
// regard to case). So "https://host" does not pass on a plain-HTTP
// server, nor "http://host" on an HTTPS one.
func (p *Protector) originMatchesHost(r core.Request, origin string) bool {
	host := p.requestHost(r)
	if host == "" {
		return false
	}
	scheme := "http://"
	if p.isSecure(r) {
		scheme = "https://"
	}
	rest, ok := strings.CutPrefix(origin, scheme)
	return ok && strings.EqualFold(rest, host)
}

// isSecure is Django's request.is_secure(): TLS, or a trusted proxy's
// X-Forwarded-Proto (core.IsSecure).
func (p *Protector) isSecure(r core.Request) bool { return core.IsSecure(r, p.proxies) }

// trustedOrigin is Django's allowed_origins_exact and
// allowed_origin_subdomains.
func (p *Protector) trustedOrigin(origin string) bool {
	if p.trustedExact[origin] {
		return true
	}
	if len(p.trustedWild) == 0 {
		return false
	}
	o, err := url.Parse(origin)
	if err != nil {
		return false
	}
	host := strings.ToLower(o.Host)
	for _, pattern := range p.trustedWild[o.Scheme] {
		if isSameDomain(host, pattern) {
			return true
		}
	}
	return false
}

// isSameDomain is Django's django.utils.http.is_same_domain: a pattern
// starting with "." matches the domain and all its subdomains; anything
// else matches exactly.
func isSameDomain(host, pattern string) bool {
	if pattern == "" {
		return false
	}
	pattern = strings.ToLower(pattern)
	if pattern[0] == '.' {
		return strings.HasSuffix(host, pattern) || host == pattern[1:]
	}
	return host == pattern
}

// requestHost returns the request's host[:port], "" when unknown.
func (p *Protector) requestHost(r core.Request) string {
	if p.host != nil {
		return p.host(r)
	}
	if info, ok := infoFrom(r); ok && info.Host != "" {
		return info.Host
	}
	if h, ok := r.(interface{ Host() string }); ok {
		return h.Host()
	}
	return r.Header("Host")
}

// checkReferer is Django 4.x's _check_referer.
func (p *Protector) checkReferer(r core.Request) string {
	raw := r.Header("Referer")
	if raw == "" {
		return ReasonNoReferer
	}
	ref, err := url.Parse(raw)
	if err != nil || ref.Scheme == "" || ref.Host == "" {
		return ReasonMalformedReferer
	}
	if ref.Scheme != "https" {
		return ReasonInsecureReferer
	}
	netloc := strings.ToLower(ref.Host)
	for _, h := range p.trustedHosts {
		if isSameDomain(netloc, h) {
			return ""
		}
	}
	good := p.cookieDomain
	host := p.requestHost(r)
	if good == "" {
		good = host
	} else if _, port, err := net.SplitHostPort(host); err == nil && port != "443" && port != "80" {
		good += ":" + port
	}
	if good == "" || !isSameDomain(netloc, good) {
		return fmt.Sprintf(ReasonBadReferer, ref.String())
	}
	return ""
}
