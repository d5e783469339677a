package core_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
)

func TestParseBasicAuthVectors(t *testing.T) {
	cases := []struct {
		header, user, pass string
		ok                 bool
		err                string
	}{
		{"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame", true, ""}, // RFC 7617 §2
		{"Basic dGVzdDoxMjPCow==", "test", "123£", true, ""},                       // §2.1, UTF-8
		{"Basic dGVzdDoxMjOj", "test", "123£", true, ""},                           // Latin-1 fallback
		{"basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame", true, ""}, // scheme case-insensitive
		{"BASIC\tQWxhZGRpbjpvcGVuIHNlc2FtZQ==  ", "Aladdin", "open sesame", true, ""},
		{"Basic " + b64("a:b:c"), "a", "b:c", true, ""}, // split at the first colon
		{"Basic " + b64(":"), "", "", true, ""},
		{"", "", "", false, ""},
		{"Bearer abc", "", "", false, ""},
		{"Basicx abc", "", "", false, ""},
		{"Basic", "", "", true, "Invalid basic header. No credentials provided."},
		{"Basic   ", "", "", true, "Invalid basic header. No credentials provided."},
		{"Basic a b", "", "", true, "Invalid basic header. Credentials string should not contain spaces."},
		{"Basic !!!!", "", "", true, "Invalid basic header. Credentials not correctly base64 encoded."},
		{"Basic " + b64("nocolon"), "", "", true, "Invalid basic header. Credentials not correctly base64 encoded."},
		{"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ", "", "", true, "Invalid basic header. Credentials not correctly base64 encoded."},
	}
	for _, c := range cases {
		u, p, ok, err := core.ParseBasicAuth(c.header)
		if ok != c.ok || u != c.user || p != c.pass {
			t.Errorf("%q: got (%q, %q, %v)", c.header, u, p, ok)
		}
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q: unexpected error %v", c.header, err)
		case c.err != "":
			var ae *core.AuthenticationError
			if !errors.As(err, &ae) || ae.Detail != c.err || !errors.Is(err, core.ErrInvalidCredentials) || !errors.Is(err, core.ErrMalformedBasic) {
				t.Errorf("%q: error %v, want %q", c.header, err, c.err)
			}
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestHTTPBasicAuth(t *testing.T) {
	ctx := context.Background()
	auth := core.NewHTTPBasicAuth()
	auth.SetHashers(fastHashers())
	if err := auth.AddUser(ctx, "alice", "secret123"); err != nil {
		t.Fatal(err)
	}
	if err := auth.AddUser(ctx, "test", "123£"); err != nil {
		t.Fatal(err)
	}
	id, err := auth.Authenticate(req("GET", "/", "", "Authorization: Basic "+b64("alice:secret123")))
	if err != nil || id == nil || id.User.GetUsername() != "alice" || id.Method != "basic" {
		t.Fatalf("alice: %+v %v", id, err)
	}
	for _, h := range []string{"Basic dGVzdDoxMjPCow==", "Basic dGVzdDoxMjOj"} {
		if id, err := auth.Authenticate(req("GET", "/", "", "Authorization: "+h)); err != nil || id == nil {
			t.Fatalf("%s: %v", h, err)
		}
	}
	for _, h := range []string{"Basic " + b64("alice:wrong"), "Basic " + b64("bob:secret123")} {
		_, err := auth.Authenticate(req("GET", "/", "", "Authorization: "+h))
		var ae *core.AuthenticationError
		if !errors.As(err, &ae) || ae.Detail != "Invalid username/password." {
			t.Fatalf("%s: %v", h, err)
		}
	}
	if id, err := auth.Authenticate(req("GET", "/", "")); id != nil || err != nil {
		t.Fatal("no header must be (nil, nil)")
	}
	if auth.Challenge() != `Basic realm="api"` {
		t.Fatal(auth.Challenge())
	}
	auth.Realm, auth.AdvertiseUTF8 = "WallyWorld", true
	if auth.Challenge() != `Basic realm="WallyWorld", charset="UTF-8"` {
		t.Fatal(auth.Challenge())
	}
	// A huge password is refused before hashing.
	_, err = auth.Authenticate(req("GET", "/", "", "Authorization: Basic "+b64("alice:"+strings.Repeat("x", core.MaxPasswordBytes+1))))
	if !errors.Is(err, core.ErrInvalidCredentials) {
		t.Fatal(err)
	}
}

func TestBasicAuthenticationInactiveUser(t *testing.T) {
	ctx := context.Background()
	m := core.NewDefaultUserManager()
	m.Hashers = fastHashers()
	mustUser(t, m, "carol", "pw", map[string]any{"is_active": false})
	b := &core.BasicAuthentication{Backend: inactiveOK{core.NewModelBackend(m)}}
	_, err := b.Authenticate(req("GET", "/", "", "Authorization: Basic "+b64("carol:pw")))
	var ae *core.AuthenticationError
	if !errors.As(err, &ae) || ae.Detail != "User inactive or deleted." {
		t.Fatalf("%v", err)
	}
	// Through the ModelBackend itself an inactive user is unknown (Django).
	b.Backend = core.NewModelBackend(m)
	_, err = b.Authenticate(req("GET", "/", "", "Authorization: Basic "+b64("carol:pw")))
	if !errors.As(err, &ae) || ae.Detail != "Invalid username/password." {
		t.Fatalf("%v", err)
	}
	_ = ctx
}

// inactiveOK is a backend that returns inactive users (Django's
// AllowAllUsersModelBackend), to reach DRF's "User inactive or deleted.".
type inactiveOK struct{ *core.ModelBackend }

func (b inactiveOK) Authenticate(ctx context.Context, username, password string) (core.User, error) {
	u, err := b.Store.UserByUsername(ctx, username)
	if err != nil || u == nil {
		return nil, err
	}
	if ok, _ := core.CheckPassword(ctx, u, password); ok {
		return u, nil
	}
	return nil, nil
}

func FuzzParseBasicAuth(f *testing.F) {
	for _, s := range []string{"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Basic dGVzdDoxMjOj", "basic", "Basic a b", "Bearer x", "Basic ====", "\x00Basic\x0b" + b64("a:b")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		u, p, ok, err := core.ParseBasicAuth(h)
		if !ok && (err != nil || u != "" || p != "") {
			t.Fatalf("not basic but returned %q %q %v", u, p, err)
		}
		if err != nil && !errors.Is(err, core.ErrMalformedBasic) {
			t.Fatalf("error of the wrong kind: %v", err)
		}
		if ok && err == nil && strings.Contains(u, ":") {
			t.Fatalf("user-id with a colon: %q", u)
		}
	})
}

func BenchmarkParseBasicAuth(b *testing.B) {
	h := "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok, err := core.ParseBasicAuth(h); !ok || err != nil {
			b.Fatal(err)
		}
	}
}

// TestBasicRefusesNUL: PBKDF2's HMAC pads its key with NULs, so a password
// with NULs appended verifies against the hash of the password without
// them; Basic (through PasswordLogin) refuses a NUL before hashing.
func TestBasicRefusesNUL(t *testing.T) {
	ctx := context.Background()
	pb := hashers.NewPBKDF2SHA256Hasher()
	pb.Iterations = 1000
	m := core.NewDefaultUserManager()
	m.Hashers = hashers.New(pb)
	if _, err := m.CreateUser(ctx, "alice", new("pw-alice"), nil); err != nil {
		t.Fatal(err)
	}
	b := core.NewModelBackend(m)
	b.Hashers = m.Hashers
	auth := &core.BasicAuthentication{Backend: b}
	for _, cred := range []string{"alice:pw-alice\x00", "alice:pw-alice\x00\x00", "alice\x00:pw-alice"} {
		h := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(cred))
		id, err := auth.Authenticate(req("GET", "/", "", h))
		if id != nil || !errors.Is(err, core.ErrInvalidCredentials) {
			t.Errorf("%q: %+v %v, want refused", cred, id, err)
		}
	}
	h := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("alice:pw-alice"))
	if id, err := auth.Authenticate(req("GET", "/", "", h)); err != nil || id == nil {
		t.Fatalf("the right password: %+v %v", id, err)
	}
}
