package core

import (
	"net"
	"net/netip"
	"strings"
)

// PeerAddr parses a Request.RemoteAddr ("ip:port", "[ip]:port" or "ip")
// into an address; ok is false when it cannot be parsed.
func PeerAddr(remote string) (netip.Addr, bool) {
	host := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// ParseCIDRs parses a comma-separated list of CIDRs or bare addresses
// ("10.0.0.0/8, 127.0.0.1") into prefixes.
func ParseCIDRs(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// InPrefixes reports whether a is inside any of prefixes.
func InPrefixes(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP returns the address of the client: the peer address, unless the
// peer is a trusted proxy, in which case X-Forwarded-For is read from the
// right and the first address that is not a trusted proxy is the client.
// Several X-Forwarded-For lines are one list, in order (RFC 9110 5.3), so
// a line a proxy adds after the client's is read first. With no trusted
// proxies, headers are never believed.
func ClientIP(r Request, trusted []netip.Prefix) netip.Addr {
	peer, ok := PeerAddr(r.RemoteAddr())
	if !ok || len(trusted) == 0 || !InPrefixes(peer, trusted) {
		return peer
	}
	xff := strings.Join(r.HeaderValues("X-Forwarded-For"), ",")
	for xff != "" {
		i := strings.LastIndexByte(xff, ',')
		part := strings.TrimSpace(xff[i+1:])
		xff = xff[:max(i, 0)]
		a, err := netip.ParseAddr(part)
		if err != nil {
			return peer
		}
		a = a.Unmap()
		if !InPrefixes(a, trusted) {
			return a
		}
		peer = a
		if i < 0 {
			break
		}
	}
	return peer
}

// IsSecure reports whether the client reached the service over HTTPS: the
// request came over TLS, or its immediate peer is one of trusted (a proxy
// that terminates TLS) and says so in X-Forwarded-Proto: "https" as the
// first value of the first header (Django's SECURE_PROXY_SSL_HEADER, here
// believed only from trusted peers). With no trusted proxies only TLS
// counts.
func IsSecure(r Request, trusted []netip.Prefix) bool {
	if r.IsTLS() {
		return true
	}
	if len(trusted) == 0 {
		return false
	}
	peer, ok := PeerAddr(r.RemoteAddr())
	if !ok || !InPrefixes(peer, trusted) {
		return false
	}
	proto, _, _ := strings.Cut(r.Header("X-Forwarded-Proto"), ",")
	return strings.TrimSpace(proto) == "https"
}
