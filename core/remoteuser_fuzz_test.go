package core_test

import (
	"context"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core"
)

// FuzzRemoteUser feeds the remote-user authenticator and the forwarded
// header readers (ClientIP, IsSecure) any peer address and header values:
// none may panic; the header authenticates only from a trusted peer, sent
// once, naming an existing user exactly; the client address is the peer or
// one named in X-Forwarded-For; and HTTPS is believed only from a trusted
// peer.
func FuzzRemoteUser(f *testing.F) {
	f.Add("10.0.0.1:1234", "alice", "", "1.1.1.1, 10.0.0.2", "https")
	f.Add("192.0.2.1:80", "alice", "", "10.0.0.1", "https")
	f.Add("[::ffff:10.0.0.1]:1", "alice", "alice", "::1", "http, https")
	f.Add("10.0.0.1", "alice,admin", "", ",,,", "")
	f.Add("garbage", "ALICE", "", "1.1.1.1,garbage", "HTTPS")
	f.Add("[fe80::1%eth0]:5", "a\u0301lice", "", " 2.2.2.2 ,3.3.3.3 ", "https ,http")
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	if _, err := m.CreateUser(context.Background(), "alice", nil, nil); err != nil {
		f.Fatal(err)
	}
	trusted, err := core.ParseCIDRs("10.0.0.0/8, ::1")
	if err != nil {
		f.Fatal(err)
	}
	a := core.NewRemoteUserAuthentication("X-Remote-User", m, trusted...)
	a.CSRFExempt = true
	f.Fuzz(func(t *testing.T, remote, user1, user2, xff, proto string) {
		hr := httptest.NewRequest("GET", "/", nil)
		hr.RemoteAddr = remote
		hr.Header["X-Remote-User"] = []string{user1}
		if user2 != "" {
			hr.Header["X-Remote-User"] = append(hr.Header["X-Remote-User"], user2)
		}
		hr.Header["X-Forwarded-For"] = []string{xff}
		hr.Header["X-Forwarded-Proto"] = []string{proto}
		r := core.NewHTTPRequest(hr)
		peer, peerOK := core.PeerAddr(remote)
		fromTrusted := peerOK && core.InPrefixes(peer, trusted)

		id, err := a.Authenticate(r)
		if id != nil {
			if err != nil || !fromTrusted || user2 != "" || user1 != "alice" || id.User.GetUsername() != "alice" {
				t.Fatalf("authenticated %q from %q (trusted %v) with headers %q, %q (err %v)", id.User.GetUsername(), remote, fromTrusted, user1, user2, err)
			}
		}
		if !fromTrusted && err != nil {
			t.Fatalf("untrusted peer %q: the header must count as absent, got %v", remote, err)
		}

		ip := core.ClientIP(r, trusted)
		if ip != peer && (!fromTrusted || !containsAddr(xff, ip)) {
			t.Fatalf("client address %v from peer %q and X-Forwarded-For %q", ip, remote, xff)
		}
		if core.IsSecure(r, trusted) && !fromTrusted {
			t.Fatalf("HTTPS believed from untrusted peer %q", remote)
		}
	})
}

// containsAddr reports whether the comma-separated list names a.
func containsAddr(list string, a netip.Addr) bool {
	for part := range strings.SplitSeq(list, ",") {
		if p, err := netip.ParseAddr(strings.TrimSpace(part)); err == nil && p.Unmap() == a {
			return true
		}
	}
	return false
}
